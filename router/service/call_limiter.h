// CallLimiter: a count of open calls (or streams) with a ceiling, refused at once beyond it.
//
// The synchronous server bounded calls by exhausting a thread pool: past it every caller got
// RESOURCE_EXHAUSTED "Server Threadpool Exhausted", whichever service it called. With the
// callback API nothing runs out, so the limits are counts: each unary call takes a place
// before its request is parsed and gives it back once the engine answered it and the call is
// done (so a caller that hangs up cannot make room for more commands than the engine has
// answered); each desk stream holds one from Connect to its end.
//
//   CallLimiter calls(2048, ServerLimit::kCallsInFlight, &metrics);
//   if (!calls.TryAcquire()) return Refuse(calls.RefusalStatus());
//   ...
//   calls.Release();
//
// Thread safety: all methods are thread-safe (one atomic counter). `metrics` may be null and
// must otherwise outlive the limiter.
#ifndef CASEROUTER_ROUTER_SERVICE_CALL_LIMITER_H_
#define CASEROUTER_ROUTER_SERVICE_CALL_LIMITER_H_

#include <atomic>

#include "absl/status/status.h"
#include "router/service/server_metrics.h"

namespace caserouter {

class CallLimiter {
 public:
  // `limit` >= 1 places; `kind` names the limit in refusals and metrics.
  CallLimiter(int limit, ServerLimit kind, ServerMetrics* metrics);
  CallLimiter(const CallLimiter&) = delete;
  CallLimiter& operator=(const CallLimiter&) = delete;

  // Takes a place; false (counted as a refusal) when all are taken.
  bool TryAcquire();
  // Gives back a place taken by TryAcquire.
  void Release();
  // RESOURCE_EXHAUSTED naming the limit, for the refused caller.
  absl::Status RefusalStatus() const;

  int in_use() const { return in_use_.load(std::memory_order_relaxed); }
  int limit() const { return limit_; }

 private:
  void Gauge(double delta);

  const int limit_;
  const ServerLimit kind_;
  ServerMetrics* const metrics_;
  std::atomic<int> in_use_{0};
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_CALL_LIMITER_H_
