// PrometheusObserver: the engine's metrics (EngineObserver) as Prometheus families.
//
// Every label value comes from a closed set: channel (phone, chat, social, email), topic (the
// configured topics plus "other"), and the result/reason/presence words of engine_observer.h.
// A topic the engine passes that is not configured, or that is not a plain lower-case word, is
// counted as "other": ids and customer text cannot become label values even if a caller
// passes them by mistake. Every combination of the closed sets is created at start, so
// dashboards see zeros rather than gaps — except away_total{reason}, whose closed set is the
// configuration's floor.away_reasons: its series appear as agents first give each reason.
//
// Families (prefix caserouter_): build_info{version,revision}, leader, cases_received_total,
// cases_routed_total (first accepted by an agent), cases_completed_total{resolved},
// repeat_contacts_total, first_contact_resolutions_total, cases_abandoned_total,
// cases_expired_total, cases_released_total, transfers_total{kind} and pending_total{step}
// and away_total{reason} (issue 14), queue_depth,
// queue_customer_value,
// time_to_answer_seconds,
// sla_total{result}, csat_score, offers_total{result}, exclusions_total{reason},
// sticky_routing_total{result}, agents{presence}, agent_occupancy_ratio,
// routing_decision_seconds, store_batch_seconds, store_batch_size, store_errors_total; and a
// live benchmark's benchmark_* families (benchmark_metrics.h, issue 17).
//
//   prometheus::Registry registry;
//   PrometheusObserver observer(&registry, config.topics, "0.1.0", "abc123");
//   Engine engine(config, &store, &clock, &observer, "replica-1");
//
// Thread safety: the EngineObserver methods run on the engine thread; SetTopics may run on any
// thread at the same time. prometheus-cpp metrics are themselves thread-safe for scraping.
#ifndef CASEROUTER_ROUTER_SERVICE_PROMETHEUS_OBSERVER_H_
#define CASEROUTER_ROUTER_SERVICE_PROMETHEUS_OBSERVER_H_

#include <array>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "router/engine/engine_observer.h"
#include "router/service/benchmark_metrics.h"
#include "router/service/queue_metrics.h"

namespace caserouter {

class PrometheusObserver final : public EngineObserver {
 public:
  // Label value for topics outside the configured set.
  static constexpr absl::string_view kOtherTopic = "other";

  // `registry` must outlive the observer.
  PrometheusObserver(prometheus::Registry* registry, const std::vector<std::string>& topics,
                     absl::string_view version, absl::string_view revision);

  // Adds the series of newly configured topics (after a reload). Series of topics no longer
  // configured stay, frozen, so counters never go backwards within a process.
  void SetTopics(const std::vector<std::string>& topics);

  void CaseReceived(Channel channel) override;
  void CaseAnswered(Channel channel, absl::Duration wait, bool sla_met) override;
  void CaseCompleted(Channel channel, absl::string_view topic, const Outcome& outcome,
                     bool repeat_contact) override;
  void CaseReleased(Channel channel, absl::string_view topic) override;
  void CaseTransferred(Channel channel, TransferKind kind) override;
  void CasePending(Channel channel, PendingStep step) override;
  void AgentAway(absl::string_view reason) override;
  void RepeatContact(Channel channel, absl::string_view topic) override;
  void CaseAbandoned(Channel channel) override;
  void CaseExpired(Channel channel) override;
  void Offer(OfferResult result) override;
  void Excluded(Exclusion reason, int count) override;
  void StickyRouting(bool hit) override;
  void QueueState(const PerChannel<int>& depth, const PerChannel<double>& value_waiting) override;
  void AgentState(const std::array<int, kPresenceCount>& by_presence, double occupancy) override;
  void RoutingPass(absl::Duration latency) override;
  void StoreBatch(absl::Duration latency, size_t records, bool ok) override;
  void Leadership(bool leader) override;
  // Issue 17: the benchmark's families (benchmark_metrics.h).
  void BenchmarkCase(const std::string& arm, bool excluded) override {
    benchmark_.Case(arm, excluded);
  }
  void BenchmarkArmSuspended(const std::string& arm) override { benchmark_.Suspended(arm); }
  bool WantsBenchmarkReports() const override { return true; }
  void BenchmarkReported(const std::vector<BenchmarkArmCounts>& arms,
                         const BenchmarkComparison& comparison) override {
    benchmark_.Reported(arms, comparison);
  }
  // Issue 16: reporting by queue (queue_metrics.h).
  void SetQueues(const std::vector<QueueConfig>& queues) { queues_.SetQueues(queues); }
  void QueueOverflowed(absl::string_view from, absl::string_view to) override {
    queues_.Overflowed(from, to);
  }
  void QueueAnswered(absl::string_view queue, bool within_target) override {
    queues_.Answered(queue, within_target);
  }
  void QueueAbandoned(absl::string_view queue) override { queues_.Abandoned(queue); }
  void QueuesState(const std::vector<QueueFigures>& queues) override { queues_.State(queues); }

 private:
  struct TopicSeries {
    std::array<prometheus::Counter*, 2> completed{};  // [resolved]
    prometheus::Counter* repeat = nullptr;
    prometheus::Counter* first_contact = nullptr;
  };

  void AddTopicLocked(const std::string& topic) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  const TopicSeries& SeriesLocked(Channel channel, absl::string_view topic)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);

  prometheus::Family<prometheus::Counter>& completed_;
  prometheus::Family<prometheus::Counter>& repeats_;
  prometheus::Family<prometheus::Counter>& first_contact_;

  PerChannel<prometheus::Counter*> received_{};
  PerChannel<prometheus::Counter*> routed_{};
  PerChannel<prometheus::Counter*> abandoned_{};
  PerChannel<prometheus::Counter*> released_{};                                   // issue 14
  PerChannel<std::array<prometheus::Counter*, kTransferKindCount>> transfers_{};  // issue 14
  PerChannel<std::array<prometheus::Counter*, kPendingStepCount>> pending_{};     // issue 14
  prometheus::Family<prometheus::Counter>* away_ = nullptr;  // issue 14, by reason
  PerChannel<prometheus::Counter*> expired_{};
  PerChannel<prometheus::Gauge*> queue_depth_{};
  PerChannel<prometheus::Gauge*> queue_value_{};
  PerChannel<prometheus::Histogram*> time_to_answer_{};
  PerChannel<std::array<prometheus::Counter*, 2>> sla_{};  // [met]
  PerChannel<prometheus::Histogram*> csat_{};
  std::array<prometheus::Counter*, kOfferResultCount> offers_{};
  std::array<prometheus::Counter*, kExclusionCount> exclusions_{};
  std::array<prometheus::Counter*, 2> sticky_{};  // [hit]
  std::array<prometheus::Gauge*, kPresenceCount> agents_{};
  prometheus::Gauge* leader_ = nullptr;
  prometheus::Gauge* occupancy_ = nullptr;
  prometheus::Histogram* routing_latency_ = nullptr;
  prometheus::Histogram* batch_latency_ = nullptr;
  prometheus::Histogram* batch_size_ = nullptr;
  prometheus::Counter* store_errors_ = nullptr;
  BenchmarkMetrics benchmark_;

  QueueMetrics queues_;

  absl::Mutex mu_;
  PerChannel<absl::flat_hash_map<std::string, TopicSeries>> topics_ ABSL_GUARDED_BY(mu_);
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_PROMETHEUS_OBSERVER_H_
