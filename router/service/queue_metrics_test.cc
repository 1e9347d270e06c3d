// Reporting by queue (issue 16): the series per configured queue, closed label set.
#include "router/service/queue_metrics.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "prometheus/registry.h"

namespace caserouter {
namespace {

using prometheus::MetricFamily;

// The value of the series of `name` with exactly `labels`; -1 when absent.
double Value(const std::vector<MetricFamily>& families, const std::string& name,
             const std::map<std::string, std::string>& labels) {
  for (const MetricFamily& f : families) {
    if (f.name != name) continue;
    for (const auto& m : f.metric) {
      std::map<std::string, std::string> got;
      for (const auto& l : m.label) got[l.name] = l.value;
      if (got != labels) continue;
      return f.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
    }
  }
  return -1;
}

std::vector<QueueConfig> Queues() {
  QueueConfig billing, general;
  billing.name = "billing";
  general.name = "general";
  return {billing, general};
}

TEST(QueueMetricsTest, ConfiguredQueuesStartAtZero) {
  prometheus::Registry registry;
  QueueMetrics metrics(&registry);
  metrics.SetQueues(Queues());
  std::vector<MetricFamily> families = registry.Collect();
  for (const char* q : {"billing", "general", "default"}) {
    EXPECT_EQ(Value(families, "caserouter_queue_waiting", {{"queue", q}}), 0) << q;
    EXPECT_EQ(Value(families, "caserouter_queue_abandoned_total", {{"queue", q}}), 0) << q;
  }
}

TEST(QueueMetricsTest, CountsEachFigureByQueue) {
  prometheus::Registry registry;
  QueueMetrics metrics(&registry);
  metrics.SetQueues(Queues());
  metrics.Answered("billing", true);
  metrics.Answered("billing", false);
  metrics.Answered("billing", true);
  metrics.Abandoned("general");
  metrics.Overflowed("billing", "general");
  metrics.Overflowed("billing", "general");
  metrics.State(
      {{"billing", 3, absl::FromUnixSeconds(1000)}, {"general", 0, absl::InfiniteFuture()}});
  std::vector<MetricFamily> f = registry.Collect();
  EXPECT_EQ(Value(f, "caserouter_queue_answered_total",
                  {{"queue", "billing"}, {"result", "within_target"}}),
            2);
  EXPECT_EQ(Value(f, "caserouter_queue_answered_total",
                  {{"queue", "billing"}, {"result", "over_target"}}),
            1);
  EXPECT_EQ(Value(f, "caserouter_queue_abandoned_total", {{"queue", "general"}}), 1);
  EXPECT_EQ(
      Value(f, "caserouter_queue_overflowed_total", {{"queue", "billing"}, {"to", "general"}}), 2);
  EXPECT_EQ(Value(f, "caserouter_queue_waiting", {{"queue", "billing"}}), 3);
  EXPECT_EQ(Value(f, "caserouter_queue_oldest_enqueued_timestamp_seconds", {{"queue", "billing"}}),
            1000);
  EXPECT_EQ(Value(f, "caserouter_queue_oldest_enqueued_timestamp_seconds", {{"queue", "general"}}),
            0);
}

TEST(QueueMetricsTest, ANameThatIsNoLabelWordCountsAsOther) {
  prometheus::Registry registry;
  QueueMetrics metrics(&registry);
  metrics.Abandoned("Not A Word");
  EXPECT_EQ(Value(registry.Collect(), "caserouter_queue_abandoned_total", {{"queue", "other"}}), 1);
}

}  // namespace
}  // namespace caserouter
