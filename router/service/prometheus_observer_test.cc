#include "router/service/prometheus_observer.h"

#include <map>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "agents/agent.h"
#include "gtest/gtest.h"
#include "prometheus/metric_family.h"
#include "prometheus/registry.h"

namespace caserouter {
namespace {

using prometheus::MetricFamily;

const std::vector<std::string> kTopics = {"billing", "technical"};

std::set<std::string> Channels() { return {"phone", "chat", "social", "email"}; }

// Every family the observer must export, with the closed set of each label it may carry.
std::map<std::string, std::map<std::string, std::set<std::string>>> Expected() {
  std::set<std::string> offer_results, reasons, presences;
  for (int r = 0; r < kOfferResultCount; ++r) {
    offer_results.insert(std::string(OfferResultName(static_cast<OfferResult>(r))));
  }
  for (int r = 0; r < kExclusionCount; ++r) {
    reasons.insert(std::string(ExclusionName(static_cast<Exclusion>(r))));
  }
  for (int p = 0; p < kPresenceCount; ++p) {
    presences.insert(std::string(PresenceName(static_cast<Presence>(p))));
  }
  std::set<std::string> pending_steps;
  for (const auto& step : kPendingStepNames) pending_steps.insert(std::string(step.name));
  std::set<std::string> transfer_kinds;
  for (const auto& kind : kTransferKindNames) transfer_kinds.insert(std::string(kind.name));
  const std::set<std::string> topics = {"billing", "technical", "other"};
  return {
      {"caserouter_build_info", {{"version", {"1.2.3"}}, {"revision", {"abc"}}}},
      {"caserouter_leader", {}},
      {"caserouter_cases_received_total", {{"channel", Channels()}}},
      {"caserouter_cases_routed_total", {{"channel", Channels()}}},
      {"caserouter_cases_completed_total",
       {{"channel", Channels()}, {"topic", topics}, {"resolved", {"true", "false"}}}},
      {"caserouter_repeat_contacts_total", {{"channel", Channels()}, {"topic", topics}}},
      {"caserouter_first_contact_resolutions_total", {{"channel", Channels()}, {"topic", topics}}},
      {"caserouter_cases_abandoned_total", {{"channel", Channels()}}},
      {"caserouter_cases_expired_total", {{"channel", Channels()}}},
      {"caserouter_queue_depth", {{"channel", Channels()}}},
      {"caserouter_queue_customer_value", {{"channel", Channels()}}},
      {"caserouter_time_to_answer_seconds", {{"channel", Channels()}}},
      {"caserouter_sla_total", {{"channel", Channels()}, {"result", {"met", "breached"}}}},
      {"caserouter_csat_score", {{"channel", Channels()}}},
      {"caserouter_offers_total", {{"result", offer_results}}},
      {"caserouter_exclusions_total", {{"reason", reasons}}},
      {"caserouter_sticky_routing_total", {{"result", {"hit", "miss"}}}},
      {"caserouter_agents", {{"presence", presences}}},
      {"caserouter_agent_occupancy_ratio", {}},
      {"caserouter_routing_decision_seconds", {}},
      {"caserouter_store_batch_seconds", {}},
      {"caserouter_store_batch_size", {}},
      {"caserouter_store_errors_total", {}},
      // Issue 14.
      {"caserouter_cases_released_total", {{"channel", Channels()}}},
      {"caserouter_transfers_total", {{"channel", Channels()}, {"kind", transfer_kinds}}},
      {"caserouter_pending_total", {{"channel", Channels()}, {"step", pending_steps}}},
  };
}

// Number of series a family has once every closed-set combination exists.
size_t Combinations(const std::map<std::string, std::set<std::string>>& labels) {
  size_t n = 1;
  for (const auto& [name, values] : labels) n *= values.size();
  return n;
}

const MetricFamily* Find(const std::vector<MetricFamily>& families, const std::string& name) {
  for (const MetricFamily& f : families) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

double CounterValue(const std::vector<MetricFamily>& families, const std::string& name,
                    const std::map<std::string, std::string>& labels) {
  const MetricFamily* f = Find(families, name);
  if (f == nullptr) return -1;
  for (const auto& m : f->metric) {
    std::map<std::string, std::string> have;
    for (const auto& l : m.label) have[l.name] = l.value;
    if (have == labels) return m.counter.value;
  }
  return -1;
}

// Feeds the observer the kinds of values that must never become labels: case ids, customer
// ids, agent ids and customer text passed where a topic belongs.
void FeedHostileTopics(PrometheusObserver& observer) {
  const std::vector<std::string> hostile = {
      "case-000123",         "customer-42", "ana.garcia@example.com",
      "My bill is WRONG!!!", "agent-7",     "",
      std::string(200, 'a'), "billing ",    "BILLING",
      "tech\nnical",         "other\"}",
  };
  Outcome resolved;
  resolved.resolved = true;
  resolved.csat = 5;
  for (const std::string& topic : hostile) {
    for (Channel ch : kAllChannels) {
      observer.CaseCompleted(ch, topic, resolved, /*repeat_contact=*/false);
      observer.RepeatContact(ch, topic);
    }
  }
}

TEST(PrometheusObserverTest, ExportsExactlyTheAgreedFamiliesWithEveryComboPreCreated) {
  prometheus::Registry registry;
  PrometheusObserver observer(&registry, kTopics, "1.2.3", "abc");
  std::vector<MetricFamily> families = registry.Collect();
  const auto expected = Expected();
  std::set<std::string> names;
  for (const MetricFamily& f : families) names.insert(f.name);
  std::set<std::string> want;
  for (const auto& [name, labels] : expected) want.insert(name);
  EXPECT_EQ(names, want);
  for (const auto& [name, labels] : expected) {
    const MetricFamily* f = Find(families, name);
    ASSERT_NE(f, nullptr) << name;
    EXPECT_EQ(f->metric.size(), Combinations(labels)) << name;
  }
  EXPECT_EQ(CounterValue(families, "caserouter_cases_completed_total",
                         {{"channel", "email"}, {"topic", "technical"}, {"resolved", "false"}}),
            0);
}

// Away reasons are configured words the engine checked; anything else is "other" (issue 14).
// The family appears with its first series, when an agent first gives a reason (the list is
// configuration, which the observer is not given).
TEST(PrometheusObserverTest, AwayReasonsAreLabelsOnlyWhenPlainWords) {
  prometheus::Registry registry;
  PrometheusObserver observer(&registry, kTopics, "1.2.3", "abc");
  observer.AgentAway("lunch");
  observer.AgentAway("lunch");
  observer.AgentAway("My Boss Called!");
  observer.AgentAway("");
  std::vector<MetricFamily> families = registry.Collect();
  EXPECT_EQ(CounterValue(families, "caserouter_away_total", {{"reason", "lunch"}}), 2);
  EXPECT_EQ(CounterValue(families, "caserouter_away_total", {{"reason", "other"}}), 2);
  EXPECT_EQ(Find(families, "caserouter_away_total")->metric.size(), 2u);
}

TEST(PrometheusObserverTest, LabelValuesStayInsideTheirClosedSets) {
  prometheus::Registry registry;
  PrometheusObserver observer(&registry, kTopics, "1.2.3", "abc");
  FeedHostileTopics(observer);
  // Everything else the engine can report, with every enum value.
  for (Channel ch : kAllChannels) {
    observer.CaseReceived(ch);
    observer.CaseAnswered(ch, absl::Seconds(3), true);
    observer.CaseAnswered(ch, absl::Hours(2), false);
    observer.CaseAbandoned(ch);
    observer.CaseExpired(ch);
    observer.CaseReleased(ch, "case-000123");
    for (const auto& kind : kTransferKindNames) observer.CaseTransferred(ch, kind.value);
    for (const auto& step : kPendingStepNames) observer.CasePending(ch, step.value);
  }
  for (int r = 0; r < kOfferResultCount; ++r) observer.Offer(static_cast<OfferResult>(r));
  for (int r = 0; r < kExclusionCount; ++r) observer.Excluded(static_cast<Exclusion>(r), 3);
  observer.StickyRouting(true);
  observer.StickyRouting(false);
  observer.QueueState({1, 2, 3, 4}, {10, 20, 30, 40});
  observer.AgentState({1, 2, 3, 4}, 0.5);
  observer.RoutingPass(absl::Microseconds(40));
  observer.StoreBatch(absl::Milliseconds(2), 17, true);
  observer.StoreBatch(absl::Milliseconds(2), 17, false);
  observer.Leadership(true);

  const auto expected = Expected();
  std::vector<MetricFamily> families = registry.Collect();
  for (const MetricFamily& f : families) {
    auto it = expected.find(f.name);
    ASSERT_NE(it, expected.end()) << "unexpected family " << f.name;
    EXPECT_EQ(f.metric.size(), Combinations(it->second)) << "series appeared in " << f.name;
    for (const auto& m : f.metric) {
      for (const auto& label : m.label) {
        auto allowed = it->second.find(label.name);
        ASSERT_NE(allowed, it->second.end()) << f.name << " has label " << label.name;
        EXPECT_TRUE(allowed->second.count(label.value))
            << f.name << "{" << label.name << "=\"" << label.value << "\"} is outside its set";
      }
    }
  }
  // The hostile topics were all counted, as "other".
  EXPECT_EQ(CounterValue(families, "caserouter_first_contact_resolutions_total",
                         {{"channel", "chat"}, {"topic", "other"}}),
            11);
  EXPECT_EQ(CounterValue(families, "caserouter_repeat_contacts_total",
                         {{"channel", "phone"}, {"topic", "billing"}}),
            0);
  EXPECT_EQ(CounterValue(families, "caserouter_store_errors_total", {}), 1);
  EXPECT_EQ(CounterValue(families, "caserouter_sla_total",
                         {{"channel", "social"}, {"result", "breached"}}),
            1);
}

TEST(PrometheusObserverTest, ConfiguredTopicsKeepTheirOwnSeries) {
  prometheus::Registry registry;
  PrometheusObserver observer(&registry, kTopics, "1.2.3", "abc");
  Outcome unresolved;
  observer.CaseCompleted(Channel::kSocial, "billing", unresolved, false);
  observer.RepeatContact(Channel::kSocial, "technical");
  std::vector<MetricFamily> families = registry.Collect();
  EXPECT_EQ(CounterValue(families, "caserouter_cases_completed_total",
                         {{"channel", "social"}, {"topic", "billing"}, {"resolved", "false"}}),
            1);
  EXPECT_EQ(CounterValue(families, "caserouter_first_contact_resolutions_total",
                         {{"channel", "social"}, {"topic", "billing"}}),
            0);
  EXPECT_EQ(CounterValue(families, "caserouter_repeat_contacts_total",
                         {{"channel", "social"}, {"topic", "technical"}}),
            1);
}

TEST(PrometheusObserverTest, AResolvedRepeatContactIsNotAFirstContactResolution) {
  prometheus::Registry registry;
  PrometheusObserver observer(&registry, kTopics, "1.2.3", "abc");
  Outcome resolved;
  resolved.resolved = true;
  observer.CaseCompleted(Channel::kChat, "billing", resolved, /*repeat_contact=*/false);
  observer.CaseCompleted(Channel::kChat, "billing", resolved, /*repeat_contact=*/true);
  std::vector<MetricFamily> families = registry.Collect();
  EXPECT_EQ(CounterValue(families, "caserouter_cases_completed_total",
                         {{"channel", "chat"}, {"topic", "billing"}, {"resolved", "true"}}),
            2);
  EXPECT_EQ(CounterValue(families, "caserouter_first_contact_resolutions_total",
                         {{"channel", "chat"}, {"topic", "billing"}}),
            1);
}

TEST(PrometheusObserverTest, CsatObservedOnlyWhenGiven) {
  prometheus::Registry registry;
  PrometheusObserver observer(&registry, kTopics, "1.2.3", "abc");
  Outcome none;
  Outcome four;
  four.csat = 4;
  observer.CaseCompleted(Channel::kEmail, "billing", none, false);
  observer.CaseCompleted(Channel::kEmail, "billing", four, false);
  const MetricFamily* f = nullptr;
  std::vector<MetricFamily> families = registry.Collect();
  f = Find(families, "caserouter_csat_score");
  ASSERT_NE(f, nullptr);
  for (const auto& m : f->metric) {
    if (m.label[0].value != "email") continue;
    EXPECT_EQ(m.histogram.sample_count, 1u);
    EXPECT_EQ(m.histogram.sample_sum, 4);
  }
}

TEST(PrometheusObserverTest, ReloadAddsNewTopicSeries) {
  prometheus::Registry registry;
  PrometheusObserver observer(&registry, kTopics, "1.2.3", "abc");
  observer.SetTopics({"billing", "outage", "Not A Word"});
  Outcome resolved;
  resolved.resolved = true;
  observer.CaseCompleted(Channel::kPhone, "outage", resolved, false);
  std::vector<MetricFamily> families = registry.Collect();
  EXPECT_EQ(CounterValue(families, "caserouter_cases_completed_total",
                         {{"channel", "phone"}, {"topic", "outage"}, {"resolved", "true"}}),
            1);
  const MetricFamily* f = Find(families, "caserouter_repeat_contacts_total");
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->metric.size(), 4u * 4u);  // billing, technical, other, outage
}

}  // namespace
}  // namespace caserouter
