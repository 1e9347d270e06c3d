#include "tools/adapter_client/case_follower.h"

#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace caserouter {
namespace {

std::pair<uint64_t, uint64_t> IdParts(absl::string_view id) {
  std::pair<uint64_t, uint64_t> out{0, 0};
  const size_t dash = id.find('-');
  if (!absl::SimpleAtoi(id.substr(0, dash), &out.first)) return {0, 0};
  if (dash != absl::string_view::npos && !absl::SimpleAtoi(id.substr(dash + 1), &out.second)) {
    return {0, 0};
  }
  return out;
}

// What a new feed cannot mend.
bool Final(grpc::StatusCode code) {
  return code == grpc::StatusCode::INVALID_ARGUMENT || code == grpc::StatusCode::UNAUTHENTICATED ||
         code == grpc::StatusCode::PERMISSION_DENIED ||
         code == grpc::StatusCode::FAILED_PRECONDITION || code == grpc::StatusCode::OUT_OF_RANGE;
}

}  // namespace

bool CaseFollower::IdBefore(absl::string_view a, absl::string_view b) {
  return IdParts(a) < IdParts(b);
}

CaseFollower::CaseFollower(std::vector<std::string> targets, Options options, EventHandler on_event,
                           EndHandler on_end)
    : targets_(std::move(targets)),
      options_(std::move(options)),
      on_event_(std::move(on_event)),
      on_end_(std::move(on_end)),
      last_id_(options_.after_event_id) {}

CaseFollower::~CaseFollower() { Stop(); }

void CaseFollower::Start() {
  absl::MutexLock lock(&mu_);
  if (thread_.joinable() || stopped_) return;
  thread_ = std::thread([this] { Loop(); });
}

void CaseFollower::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopped_ = true;
    if (context_ != nullptr) context_->TryCancel();
  }
  if (thread_.joinable()) thread_.join();
}

void CaseFollower::Wait() {
  absl::MutexLock lock(&mu_);
  mu_.Await(absl::Condition(
      +[](CaseFollower* f) ABSL_NO_THREAD_SAFETY_ANALYSIS { return f->finished_ || f->stopped_; },
      this));
}

std::string CaseFollower::last_event_id() const {
  absl::MutexLock lock(&mu_);
  return last_id_;
}

int64_t CaseFollower::duplicates() const {
  absl::MutexLock lock(&mu_);
  return duplicates_;
}

int CaseFollower::feeds_opened() const {
  absl::MutexLock lock(&mu_);
  return feeds_opened_;
}

void CaseFollower::Loop() {
  size_t next = 0;
  absl::Duration backoff = kFirstBackoff;
  while (true) {
    const std::string& target = targets_[next % targets_.size()];
    ++next;
    grpc::Status end;
    bool delivered = false;
    const bool again = RunFeed(target, &end, &delivered);
    bool stopped;
    {
      absl::MutexLock lock(&mu_);
      stopped = stopped_;
    }
    if (on_end_) on_end_(end, again && !stopped);
    if (!again || stopped) break;
    if (delivered) backoff = kFirstBackoff;
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(
        absl::Condition(
            +[](CaseFollower* f) ABSL_NO_THREAD_SAFETY_ANALYSIS { return f->stopped_; }, this),
        backoff);
    if (stopped_) break;
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
  absl::MutexLock lock(&mu_);
  finished_ = true;
}

bool CaseFollower::RunFeed(const std::string& target, grpc::Status* end, bool* delivered) {
  std::shared_ptr<grpc::Channel> channel = options_.channel_factory(target);
  auto stub = v1::CaseIntakeService::NewStub(channel);
  grpc::ClientContext context;
  if (!options_.token.empty()) {
    context.AddMetadata("authorization", absl::StrCat("Bearer ", options_.token));
  }
  v1::FollowCasesRequest request;
  {
    absl::MutexLock lock(&mu_);
    if (stopped_) {
      *end = grpc::Status(grpc::StatusCode::CANCELLED, "stopped");
      return false;
    }
    request.set_after_event_id(last_id_);
    context_ = &context;
    ++feeds_opened_;
  }
  std::unique_ptr<grpc::ClientReader<v1::FollowCasesResponse>> reader =
      stub->FollowCases(&context, request);
  v1::FollowCasesResponse response;
  while (reader->Read(&response)) {
    const v1::RoutingEvent& event = response.event();
    {
      absl::MutexLock lock(&mu_);
      if (!last_id_.empty() && !IdBefore(last_id_, event.event_id())) {
        ++duplicates_;
        continue;
      }
      last_id_ = event.event_id();
    }
    *delivered = true;
    if (on_event_) on_event_(event);
  }
  *end = reader->Finish();
  absl::MutexLock lock(&mu_);
  context_ = nullptr;
  return !Final(end->error_code());
}

}  // namespace caserouter
