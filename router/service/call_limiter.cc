#include "router/service/call_limiter.h"

#include "absl/strings/str_cat.h"

namespace caserouter {

CallLimiter::CallLimiter(int limit, ServerLimit kind, ServerMetrics* metrics)
    : limit_(limit), kind_(kind), metrics_(metrics) {}

bool CallLimiter::TryAcquire() {
  if (in_use_.fetch_add(1, std::memory_order_relaxed) >= limit_) {
    in_use_.fetch_sub(1, std::memory_order_relaxed);
    if (metrics_ != nullptr) metrics_->Refused(kind_);
    return false;
  }
  if (metrics_ != nullptr) Gauge(+1);
  return true;
}

void CallLimiter::Release() {
  in_use_.fetch_sub(1, std::memory_order_relaxed);
  if (metrics_ != nullptr) Gauge(-1);
}

void CallLimiter::Gauge(double delta) {
  if (kind_ == ServerLimit::kCallsInFlight) metrics_->CallsInFlight(delta);
  if (kind_ == ServerLimit::kDeskStreams) metrics_->DeskStreams(delta);
  if (kind_ == ServerLimit::kEventFeeds) metrics_->EventFeeds(delta);
}

absl::Status CallLimiter::RefusalStatus() const {
  switch (kind_) {
    case ServerLimit::kCallsInFlight:
      return absl::ResourceExhaustedError(
          absl::StrCat("too many calls in flight on this replica (max_calls_in_flight ", limit_,
                       "); retry with backoff"));
    case ServerLimit::kDeskStreams:
      return absl::ResourceExhaustedError(
          absl::StrCat("too many desk streams on this replica (max_desk_streams ", limit_, ")"));
    case ServerLimit::kEventFeeds:
      return absl::ResourceExhaustedError(
          absl::StrCat("too many event feeds on this replica (max_event_feeds ", limit_, ")"));
    default:
      break;  // the others are not a CallLimiter's
  }
  return absl::ResourceExhaustedError("server limit reached");
}

}  // namespace caserouter
