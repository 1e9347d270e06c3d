#include "tools/agent_client/desk_agent.h"

#include <algorithm>
#include <random>
#include <utility>
#include <vector>

#include "absl/time/clock.h"

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

std::shared_ptr<grpc::Channel> DeskAgent::DefaultChannel(const std::string& target) {
  grpc::ChannelArguments args;
  // Keep the connection to the router checked while the agent sits idle between offers.
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  // A name with an address per replica: successive attempts go to successive addresses.
  args.SetLoadBalancingPolicyName("round_robin");
  return grpc::CreateCustomChannel(target, grpc::InsecureChannelCredentials(), args);
}

DeskAgent::DeskAgent(std::vector<std::string> targets, Options options, EventHandler on_event,
                     EndHandler on_end)
    : targets_(std::move(targets)),
      options_(std::move(options)),
      on_event_(std::move(on_event)),
      on_end_(std::move(on_end)) {}

std::string DeskAgent::target() const {
  absl::MutexLock lock(&mu_);
  return targets_.empty() ? "" : targets_[target_index_ % targets_.size()];
}

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
  std::mt19937_64 random(options_.seed);
  absl::Duration backoff = kFirstBackoff;
  size_t failed_in_a_row = 0;  // sessions that ended since the last healthy one
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      if (stopped_) break;
    }
    grpc::Status end;
    const absl::Time began = absl::Now();
    const bool may_retry = !targets_.empty() && RunSession(&end);
    if (targets_.empty()) end = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no target");
    bool stopped;
    {
      absl::MutexLock lock(&mu_);
      stopped = stopped_;
    }
    const bool reconnect = may_retry && options_.reconnect && !stopped;
    on_end_(end, reconnect);  // target() still names the session that ended
    {
      // The next attempt goes to the next address: this one does not lead, or is gone.
      absl::MutexLock lock(&mu_);
      ++target_index_;
    }
    if (!reconnect) break;
    // A session that lasted a while was healthy: start the backoff afresh.
    if (absl::Now() - began > absl::Seconds(30)) {
      backoff = kFirstBackoff;
      failed_in_a_row = 0;
    }
    ++failed_in_a_row;
    // Jitter: desks that lost one leader together do not reconnect in lockstep.
    std::uniform_real_distribution<double> jitter(0.5, 1.0);
    const absl::Duration wait = backoff * jitter(random);
    {
      absl::MutexLock lock(&mu_);
      mu_.AwaitWithTimeout(absl::Condition(&stopped_), wait);
    }
    // The backoff grows once every address has had its try.
    if (failed_in_a_row % targets_.size() == 0) {
      backoff = std::min(backoff * 2, options_.max_backoff);
    }
  }
  absl::MutexLock lock(&mu_);
  finished_ = true;
}

bool DeskAgent::RunSession(grpc::Status* end) {
  const std::string target = this->target();
  std::shared_ptr<grpc::Channel> channel =
      options_.channel_factory ? options_.channel_factory(target) : DefaultChannel(target);
  std::unique_ptr<v1::AgentDeskService::Stub> stub = v1::AgentDeskService::NewStub(channel);
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReaderWriter<v1::ConnectRequest, v1::ConnectResponse>> stream =
      stub->Connect(&context);
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
    last_heard_ = absl::Now();
    silent_ = false;
  }

  v1::ConnectResponse event;
  while (stream->Read(&event)) {
    {
      absl::MutexLock lock(&mu_);
      last_heard_ = absl::Now();
    }
    if (event.has_welcome()) {
      const google::protobuf::Duration& d = event.welcome().heartbeat_interval_duration();
      const absl::Duration every = absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
      absl::MutexLock lock(&mu_);
      heartbeat_every_ = every > absl::ZeroDuration() ? every : kFastHeartbeat;
      next_heartbeat_ = absl::Now() + heartbeat_every_;
    }
    on_event_(event);
  }
  bool silent;
  absl::Duration silence;
  {
    absl::MutexLock lock(&mu_);
    next_heartbeat_ = absl::InfiniteFuture();
    last_heard_ = absl::InfiniteFuture();
    silent = silent_;
    silence = kSilentHeartbeats * heartbeat_every_;
  }
  // Finish under the write lock: no Write may run beside it.
  absl::MutexLock lock(&stream_mu_);
  *end = stream->Finish();
  stream_ = nullptr;
  context_ = nullptr;
  if (silent) {
    *end = grpc::Status(grpc::StatusCode::UNAVAILABLE,
                        "router silent: nothing received for " + absl::FormatDuration(silence));
  }
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
    // Heartbeats are acknowledged: a stream with nothing on it for several intervals leads
    // nowhere (a paused router, a peer gone without a reset). Give it up and reconnect.
    if (!silent_ && now - last_heard_ > kSilentHeartbeats * heartbeat_every_) {
      silent_ = true;
      mu_.Unlock();
      {
        absl::MutexLock lock(&stream_mu_);
        if (context_ != nullptr) context_->TryCancel();
      }
      mu_.Lock();
    }
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
