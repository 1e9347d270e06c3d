// QueueMetrics: reporting by queue (issue 16) — the series of each configured queue, labelled
// `queue` from a closed set: the configuration's queue names and "default" (cases no queue's
// filter takes) — the engine reports only names of its compiled queues — with "other" past a
// cap. Nothing is exported with no queue configured.
//
//   caserouter_queue_waiting{queue}                              cases waiting in the queue
//   caserouter_queue_oldest_enqueued_timestamp_seconds{queue}    the oldest waiting case's
//       enqueue time (0 when none waits): longest wait = time() - it, where it is > 0
//   caserouter_queue_answered_total{queue,result=within_target|over_target}
//   caserouter_queue_abandoned_total{queue}
//   caserouter_queue_overflowed_total{queue,to}                  overflows out of `queue`
//
// Like topics, series of queues dropped by a reload stay (frozen), so counters never go
// backwards within a process. Thread-safe.
#ifndef CASEROUTER_ROUTER_SERVICE_QUEUE_METRICS_H_
#define CASEROUTER_ROUTER_SERVICE_QUEUE_METRICS_H_

#include <map>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "router/engine/engine_observer.h"
#include "router/model/queue_config.h"

namespace caserouter {

class QueueMetrics {
 public:
  // `registry` must outlive the metrics.
  explicit QueueMetrics(prometheus::Registry* registry);

  // The configured queues (after each reload): adds their series at zero. Series of the running
  // queues are otherwise added when first reported.
  void SetQueues(const std::vector<QueueConfig>& queues);

  void Answered(absl::string_view queue, bool within_target);
  void Abandoned(absl::string_view queue);
  void Overflowed(absl::string_view from, absl::string_view to);
  void State(const std::vector<EngineObserver::QueueFigures>& queues);

 private:
  struct Series {
    prometheus::Gauge* waiting = nullptr;
    prometheus::Gauge* oldest = nullptr;
    prometheus::Counter* within = nullptr;
    prometheus::Counter* over = nullptr;
    prometheus::Counter* abandoned = nullptr;
  };
  void AddLocked(const std::string& queue) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The label a name maps to: itself, or "other" past the cap.
  const std::string& LabelLocked(absl::string_view queue) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  prometheus::Family<prometheus::Gauge>& waiting_;
  prometheus::Family<prometheus::Gauge>& oldest_;
  prometheus::Family<prometheus::Counter>& answered_;
  prometheus::Family<prometheus::Counter>& abandoned_;
  prometheus::Family<prometheus::Counter>& overflowed_;

  absl::Mutex mu_;
  std::map<std::string, Series, std::less<>> series_ ABSL_GUARDED_BY(mu_);
  std::map<std::pair<std::string, std::string>, prometheus::Counter*> overflows_
      ABSL_GUARDED_BY(mu_);
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_QUEUE_METRICS_H_
