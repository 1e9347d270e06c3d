#include "tools/agent_client/desk_agent.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/time/clock.h"
#include "tools/client_auth/client_security.h"

namespace caserouter {
namespace {

// Heartbeat interval when the Welcome asks for none (a router that does not say).
constexpr absl::Duration kFastHeartbeat = absl::Milliseconds(250);

// Ends for which reconnecting cannot help.
bool IsFinal(grpc::StatusCode code) {
  return code == grpc::StatusCode::ABORTED || code == grpc::StatusCode::NOT_FOUND ||
         code == grpc::StatusCode::INVALID_ARGUMENT ||
         code == grpc::StatusCode::PERMISSION_DENIED || code == grpc::StatusCode::UNAUTHENTICATED;
}

}  // namespace

DeskAgent::DeskAgent(std::shared_ptr<grpc::Channel> channel, Options options, EventHandler on_event,
                     EndHandler on_end)
    : channel_(std::move(channel)),
      stub_(v1::AgentDeskService::NewStub(channel_)),
      options_(std::move(options)),
      on_event_(std::move(on_event)),
      on_end_(std::move(on_end)) {}

DeskAgent::~DeskAgent() { Stop(); }

void DeskAgent::Start() {
  session_thread_ = std::thread([this] { SessionLoop(); });
  timer_thread_ = std::thread([this] { TimerLoop(); });
}

void DeskAgent::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopped_ = true;
  }
  {
    absl::MutexLock lock(&stream_mu_);
    if (context_ != nullptr) context_->TryCancel();
  }
  if (session_thread_.joinable()) session_thread_.join();
  if (timer_thread_.joinable()) timer_thread_.join();
}

void DeskAgent::Wait() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(&finished_));
}

int64_t DeskAgent::Send(v1::ConnectRequest request) {
  absl::MutexLock lock(&stream_mu_);
  if (stream_ == nullptr) return 0;
  const int64_t id = next_request_id_++;
  request.set_request_id(id);
  return stream_->Write(request) ? id : 0;
}

void DeskAgent::After(absl::Duration delay, std::function<void()> action) {
  absl::MutexLock lock(&mu_);
  if (stopped_) return;
  timers_.emplace(absl::Now() + delay, std::move(action));
}

void DeskAgent::SessionLoop() {
  absl::Duration backoff = absl::Milliseconds(500);
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (stopped_) break;
    }
    grpc::Status end;
    const absl::Time began = absl::Now();
    const bool may_retry = RunSession(&end);
    bool stopped;
    {
      absl::MutexLock lock(&mu_);
      stopped = stopped_;
    }
    const bool reconnect = may_retry && options_.reconnect && !stopped;
    on_end_(end, reconnect);
    if (!reconnect) break;
    // A session that lasted a while was healthy: start the backoff afresh.
    if (absl::Now() - began > absl::Seconds(30)) backoff = absl::Milliseconds(500);
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(&stopped_), backoff);
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
  absl::MutexLock lock(&mu_);
  finished_ = true;
}

bool DeskAgent::RunSession(grpc::Status* end) {
  grpc::ClientContext context;
  AttachToken(&context, options_.token);
  std::unique_ptr<grpc::ClientReaderWriter<v1::ConnectRequest, v1::ConnectResponse>> stream =
      stub_->Connect(&context);
  {
    absl::MutexLock lock(&stream_mu_);
    context_ = &context;
    stream_ = stream.get();
  }
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) context.TryCancel();
  }
  v1::ConnectRequest hello;
  hello.mutable_hello()->set_agent_id(options_.agent_id);
  Send(hello);
  v1::ConnectRequest available;
  available.mutable_set_presence()->set_presence(v1::PRESENCE_AVAILABLE);
  Send(available);
  {
    absl::MutexLock lock(&mu_);
    next_heartbeat_ = absl::Now() + heartbeat_every_;
  }

  v1::ConnectResponse event;
  while (stream->Read(&event)) {
    if (event.has_welcome()) {
      const google::protobuf::Duration& d = event.welcome().heartbeat_interval_duration();
      const absl::Duration every = absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
      absl::MutexLock lock(&mu_);
      heartbeat_every_ = every > absl::ZeroDuration() ? every : kFastHeartbeat;
      next_heartbeat_ = absl::Now() + heartbeat_every_;
    }
    on_event_(event);
  }
  {
    absl::MutexLock lock(&mu_);
    next_heartbeat_ = absl::InfiniteFuture();
  }
  // Finish under the write lock: no Write may run beside it.
  absl::MutexLock lock(&stream_mu_);
  *end = stream->Finish();
  stream_ = nullptr;
  context_ = nullptr;
  return !IsFinal(end->error_code());
}

void DeskAgent::TimerLoop() {
  absl::MutexLock lock(&mu_);
  for (;;) {
    auto next_due = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      absl::Time next = next_heartbeat_;
      if (!timers_.empty()) next = std::min(next, timers_.begin()->first);
      return next;
    };
    const absl::Time deadline = next_due();
    auto wake = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      return stopped_ || next_due() < deadline;
    };
    mu_.AwaitWithDeadline(absl::Condition(&wake), deadline);
    if (stopped_) return;
    const absl::Time now = absl::Now();
    if (next_heartbeat_ <= now) {
      next_heartbeat_ = now + heartbeat_every_;
      mu_.Unlock();
      v1::ConnectRequest heartbeat;
      heartbeat.mutable_heartbeat();
      Send(heartbeat);
      mu_.Lock();
    }
    std::vector<std::function<void()>> due;
    while (!timers_.empty() && timers_.begin()->first <= now) {
      due.push_back(std::move(timers_.begin()->second));
      timers_.erase(timers_.begin());
    }
    if (due.empty()) continue;
    mu_.Unlock();
    for (auto& action : due) action();
    mu_.Lock();
  }
}

}  // namespace caserouter
