// EngineObserver: what the engine reports for metrics, without depending on a metrics library.
//
// The service layer implements it with prometheus-cpp; tests implement it with counters. Every
// method is called on the engine thread, after the tick's batch is durable, and must not block.
// Labels passed here come from closed sets only (channel, a configured topic or "other",
// reasons and results from the enums below): never ids or customer text.
#ifndef CASEROUTER_ROUTER_ENGINE_ENGINE_OBSERVER_H_
#define CASEROUTER_ROUTER_ENGINE_ENGINE_OBSERVER_H_

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "agents/agent.h"
#include "agents/channel.h"
#include "router/model/case.h"
#include "router/model/reasons.h"
#include "router/policy/benchmark_stats.h"

namespace caserouter {

struct BenchmarkArmCounts;  // benchmark_tracking.h

// Every method has an empty default, so an observer implements only what it reports.
class EngineObserver {
 public:
  virtual ~EngineObserver() = default;
  virtual void CaseReceived(Channel /*channel*/) {}
  // An agent accepted the case for the first time, `wait` after submission.
  virtual void CaseAnswered(Channel /*channel*/, absl::Duration /*wait*/, bool /*sla_met*/) {}
  // `repeat_contact`: the case was itself a repeat contact, or it was transferred (issue 14),
  // so a resolution of it was not one at the first contact.
  virtual void CaseCompleted(Channel /*channel*/, absl::string_view /*topic*/,
                             const Outcome& /*outcome*/, bool /*repeat_contact*/) {}
  virtual void RepeatContact(Channel /*channel*/, absl::string_view /*topic*/) {}
  virtual void CaseAbandoned(Channel /*channel*/) {}
  virtual void CaseExpired(Channel /*channel*/) {}
  // Issue 16, reporting by queue (queue_steps.h). Queue names are the configuration's (and
  // "default"): a closed set. None of these is called with no queue configured.
  // A waiting case overflowed from one queue to another.
  virtual void QueueOverflowed(absl::string_view /*from*/, absl::string_view /*to*/) {}
  // A case of the queue was answered (first acceptance), within the queue's target or not.
  virtual void QueueAnswered(absl::string_view /*queue*/, bool /*within_target*/) {}
  // The customer left a case of the queue before an agent answered.
  virtual void QueueAbandoned(absl::string_view /*queue*/) {}
  // After each tick: per configured queue, the cases waiting in it and the enqueue time of the
  // oldest (InfiniteFuture() when none waits).
  struct QueueFigures {
    std::string queue;
    int waiting = 0;
    absl::Time oldest = absl::InfiniteFuture();
  };
  virtual void QueuesState(const std::vector<QueueFigures>& /*queues*/) {}
  // The agent gave an accepted case back to the queue (issue 14).
  virtual void CaseReleased(Channel /*channel*/, absl::string_view /*topic*/) {}
  // The agent stepped AWAY for `reason`, one of the configured floor.away_reasons (issue 14).
  virtual void AgentAway(absl::string_view /*reason*/) {}
  // A pending case's step (issue 14).
  virtual void CasePending(Channel /*channel*/, PendingStep /*step*/) {}
  // The agent handed a case on, or a consult left it with them (issue 14).
  virtual void CaseTransferred(Channel /*channel*/, TransferKind /*kind*/) {}
  virtual void Offer(OfferResult /*result*/) {}
  virtual void Excluded(Exclusion /*reason*/, int /*count*/) {}
  virtual void StickyRouting(bool /*hit*/) {}
  // Snapshot after each tick.
  virtual void QueueState(const PerChannel<int>& /*depth*/,
                          const PerChannel<double>& /*value_waiting*/) {}
  virtual void AgentState(const std::array<int, kPresenceCount>& /*by_presence*/,
                          double /*occupancy*/) {}
  virtual void RoutingPass(absl::Duration /*latency*/) {}
  virtual void StoreBatch(absl::Duration /*latency*/, size_t /*records*/, bool /*ok*/) {}
  virtual void Leadership(bool /*leader*/) {}
  // Issue 17 (benchmark_tracking.h). Arm names come from the configuration (a closed set).
  // A new case got `arm`; `excluded` from the comparison (stabilisation gap, suspended arm).
  virtual void BenchmarkCase(const std::string& /*arm*/, bool /*excluded*/) {}
  // The service-level guard rail suspended the arm.
  virtual void BenchmarkArmSuspended(const std::string& /*arm*/) {}
  // True when the observer wants BenchmarkReported: computing the comparison walks every case
  // kept, so the engine does it only for an observer that publishes it (or for a guard rail).
  virtual bool WantsBenchmarkReports() const { return false; }
  // The running comparison, every guard interval while a benchmark runs.
  virtual void BenchmarkReported(const std::vector<BenchmarkArmCounts>& /*arms*/,
                                 const BenchmarkComparison& /*comparison*/) {}
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_ENGINE_OBSERVER_H_
