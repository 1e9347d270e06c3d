#include "router/service/prometheus_observer.h"

#include <string>

#include "absl/strings/ascii.h"
#include "agents/agent.h"

namespace caserouter {
namespace {

using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;
using prometheus::Histogram;

// A topic may become a label value only if it looks like a configured topic: a short
// lower-case word. Anything else is counted as "other" even if it were configured.
bool IsLabelWord(absl::string_view topic) {
  if (topic.empty() || topic.size() > 64) return false;
  for (char c : topic) {
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '_' || c == '.' || c == '-')) {
      return false;
    }
  }
  return true;
}

Family<Counter>& CounterFamily(prometheus::Registry* registry, const std::string& name,
                               const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(*registry);
}

Family<Gauge>& GaugeFamily(prometheus::Registry* registry, const std::string& name,
                           const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(*registry);
}

Family<Histogram>& HistogramFamily(prometheus::Registry* registry, const std::string& name,
                                   const std::string& help) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(*registry);
}

std::string ChannelLabel(Channel channel) { return std::string(ChannelName(channel)); }

const Histogram::BucketBoundaries& TimeToAnswerBuckets() {
  // From a live call answered at once to an email answered next day.
  static const auto* buckets = new Histogram::BucketBoundaries{
      1, 2, 5, 10, 20, 30, 60, 120, 300, 600, 1800, 3600, 14400, 86400};
  return *buckets;
}

}  // namespace

PrometheusObserver::PrometheusObserver(prometheus::Registry* registry,
                                       const std::vector<std::string>& topics,
                                       absl::string_view version, absl::string_view revision)
    : completed_(CounterFamily(registry, "caserouter_cases_completed_total",
                               "Cases completed by an agent, by whether the agent resolved "
                               "them.")),
      repeats_(CounterFamily(registry, "caserouter_repeat_contacts_total",
                             "New cases from a customer on the same topic soon after a case "
                             "marked resolved: that resolution was not one.")),
      first_contact_(CounterFamily(registry, "caserouter_first_contact_resolutions_total",
                                   "Cases completed and marked resolved that were not repeat "
                                   "contacts themselves (subtract repeat contacts for the real "
                                   "first-contact resolutions).")),
      benchmark_(registry),
      queues_(registry) {
  GaugeFamily(registry, "caserouter_build_info", "Version and revision of this binary.")
      .Add({{"version", std::string(version)}, {"revision", std::string(revision)}})
      .Set(1);
  leader_ =
      &GaugeFamily(registry, "caserouter_leader", "1 while this replica leads its routing domain.")
           .Add({});

  auto& received = CounterFamily(registry, "caserouter_cases_received_total",
                                 "Cases submitted (retries with the same key count once).");
  auto& routed = CounterFamily(registry, "caserouter_cases_routed_total",
                               "Cases accepted by an agent for the first time.");
  auto& abandoned = CounterFamily(registry, "caserouter_cases_abandoned_total",
                                  "Cases the customer left before an agent answered.");
  auto& released = CounterFamily(registry, "caserouter_cases_released_total",
                                 "Accepted cases their agent gave back to the queue.");
  auto& transfers = CounterFamily(registry, "caserouter_transfers_total",
                                  "Cases an agent handed on (cold, warm, to routing), and warm "
                                  "consults that left the case with its agent (warm_declined).");
  away_ = &CounterFamily(registry, "caserouter_away_total",
                         "Agents stepping AWAY, by reason (the configured floor.away_reasons; "
                         "\"other\" for a word that is not a plain label).");
  auto& pending = CounterFamily(registry, "caserouter_pending_total",
                                "Pending cases (waiting on the customer) by step: marked, back to "
                                "their agent, back to the queue, closed unanswered.");
  auto& expired = CounterFamily(registry, "caserouter_cases_expired_total",
                                "Cases nobody could take within the channel's time to live.");
  auto& depth = GaugeFamily(registry, "caserouter_queue_depth", "Cases waiting, by channel.");
  auto& value = GaugeFamily(registry, "caserouter_queue_customer_value",
                            "Sum of the customer value of the cases waiting.");
  auto& answer = HistogramFamily(registry, "caserouter_time_to_answer_seconds",
                                 "Time from submission to the first acceptance.");
  auto& sla = CounterFamily(registry, "caserouter_sla_total",
                            "Answered cases by whether the channel's SLA was met.");
  auto& csat = HistogramFamily(registry, "caserouter_csat_score",
                               "Customer satisfaction (1-5) of completed cases that have one.");
  for (Channel ch : kAllChannels) {
    const int i = ChannelIndex(ch);
    const prometheus::Labels labels = {{"channel", ChannelLabel(ch)}};
    received_[i] = &received.Add(labels);
    routed_[i] = &routed.Add(labels);
    abandoned_[i] = &abandoned.Add(labels);
    released_[i] = &released.Add(labels);
    for (const auto& step : kPendingStepNames) {
      pending_[i][static_cast<int>(step.value)] =
          &pending.Add({{"channel", ChannelLabel(ch)}, {"step", std::string(step.name)}});
    }
    for (const auto& kind : kTransferKindNames) {
      transfers_[i][static_cast<int>(kind.value)] =
          &transfers.Add({{"channel", ChannelLabel(ch)}, {"kind", std::string(kind.name)}});
    }
    expired_[i] = &expired.Add(labels);
    queue_depth_[i] = &depth.Add(labels);
    queue_value_[i] = &value.Add(labels);
    time_to_answer_[i] = &answer.Add(labels, TimeToAnswerBuckets());
    sla_[i][1] = &sla.Add({{"channel", ChannelLabel(ch)}, {"result", "met"}});
    sla_[i][0] = &sla.Add({{"channel", ChannelLabel(ch)}, {"result", "breached"}});
    csat_[i] = &csat.Add(labels, Histogram::BucketBoundaries{1, 2, 3, 4, 5});
  }

  auto& offers = CounterFamily(registry, "caserouter_offers_total", "Offers by how they ended.");
  for (int r = 0; r < kOfferResultCount; ++r) {
    offers_[r] =
        &offers.Add({{"result", std::string(OfferResultName(static_cast<OfferResult>(r)))}});
  }
  auto& exclusions = CounterFamily(registry, "caserouter_exclusions_total",
                                   "Agents found ineligible for a case, by reason.");
  for (int r = 0; r < kExclusionCount; ++r) {
    exclusions_[r] =
        &exclusions.Add({{"reason", std::string(ExclusionName(static_cast<Exclusion>(r)))}});
  }
  auto& sticky = CounterFamily(registry, "caserouter_sticky_routing_total",
                               "Routings of a returning customer: to an agent they know (hit) "
                               "or not (miss).");
  sticky_[1] = &sticky.Add({{"result", "hit"}});
  sticky_[0] = &sticky.Add({{"result", "miss"}});
  auto& agents = GaugeFamily(registry, "caserouter_agents", "Agents by presence.");
  for (int p = 0; p < kPresenceCount; ++p) {
    agents_[p] = &agents.Add({{"presence", std::string(PresenceName(static_cast<Presence>(p)))}});
  }
  occupancy_ = &GaugeFamily(registry, "caserouter_agent_occupancy_ratio",
                            "Share of logged-in agents' capacity in use (for staffing, never "
                            "for ranking agents).")
                    .Add({});
  routing_latency_ =
      &HistogramFamily(registry, "caserouter_routing_decision_seconds",
                       "Time of one routing pass: every waiting case matched against the "
                       "agents, once per tick with an agent free.")
           .Add({}, Histogram::BucketBoundaries{0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005,
                                                0.01, 0.05, 0.1, 0.5, 1});
  batch_latency_ =
      &HistogramFamily(registry, "caserouter_store_batch_seconds",
                       "Time to commit one tick's batch to the state store.")
           .Add({}, Histogram::BucketBoundaries{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                0.1, 0.25, 0.5, 1, 2.5, 5});
  batch_size_ =
      &HistogramFamily(registry, "caserouter_store_batch_size", "Records written by one batch.")
           .Add({}, Histogram::BucketBoundaries{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000});
  store_errors_ = &CounterFamily(registry, "caserouter_store_errors_total",
                                 "Batches the state store refused or could not take.")
                       .Add({});

  absl::MutexLock lock(&mu_);
  AddTopicLocked(std::string(kOtherTopic));
  for (const std::string& topic : topics) {
    if (IsLabelWord(topic)) AddTopicLocked(topic);
  }
}

void PrometheusObserver::AddTopicLocked(const std::string& topic) {
  for (Channel ch : kAllChannels) {
    auto [it, inserted] = topics_[ChannelIndex(ch)].try_emplace(topic);
    if (!inserted) continue;
    TopicSeries& s = it->second;
    const std::string channel = ChannelLabel(ch);
    s.completed[1] =
        &completed_.Add({{"channel", channel}, {"topic", topic}, {"resolved", "true"}});
    s.completed[0] =
        &completed_.Add({{"channel", channel}, {"topic", topic}, {"resolved", "false"}});
    s.repeat = &repeats_.Add({{"channel", channel}, {"topic", topic}});
    s.first_contact = &first_contact_.Add({{"channel", channel}, {"topic", topic}});
  }
}

const PrometheusObserver::TopicSeries& PrometheusObserver::SeriesLocked(Channel channel,
                                                                        absl::string_view topic) {
  const auto& by_topic = topics_[ChannelIndex(channel)];
  auto it = IsLabelWord(topic) ? by_topic.find(topic) : by_topic.end();
  if (it == by_topic.end()) it = by_topic.find(kOtherTopic);
  return it->second;
}

void PrometheusObserver::SetTopics(const std::vector<std::string>& topics) {
  absl::MutexLock lock(&mu_);
  for (const std::string& topic : topics) {
    if (IsLabelWord(topic)) AddTopicLocked(topic);
  }
}

void PrometheusObserver::CaseReceived(Channel channel) {
  received_[ChannelIndex(channel)]->Increment();
}

void PrometheusObserver::CaseAnswered(Channel channel, absl::Duration wait, bool sla_met) {
  const int i = ChannelIndex(channel);
  routed_[i]->Increment();
  time_to_answer_[i]->Observe(absl::ToDoubleSeconds(wait));
  sla_[i][sla_met ? 1 : 0]->Increment();
}

void PrometheusObserver::CaseCompleted(Channel channel, absl::string_view topic,
                                       const Outcome& outcome, bool repeat_contact) {
  {
    absl::MutexLock lock(&mu_);
    const TopicSeries& s = SeriesLocked(channel, topic);
    s.completed[outcome.resolved ? 1 : 0]->Increment();
    if (outcome.resolved && !repeat_contact) s.first_contact->Increment();
  }
  if (outcome.csat > 0) csat_[ChannelIndex(channel)]->Observe(outcome.csat);
}

void PrometheusObserver::RepeatContact(Channel channel, absl::string_view topic) {
  absl::MutexLock lock(&mu_);
  SeriesLocked(channel, topic).repeat->Increment();
}

void PrometheusObserver::CaseAbandoned(Channel channel) {
  abandoned_[ChannelIndex(channel)]->Increment();
}

void PrometheusObserver::CaseReleased(Channel channel, absl::string_view /*topic*/) {
  released_[ChannelIndex(channel)]->Increment();
}

void PrometheusObserver::CaseTransferred(Channel channel, TransferKind kind) {
  transfers_[ChannelIndex(channel)][static_cast<int>(kind)]->Increment();
}

void PrometheusObserver::AgentAway(absl::string_view reason) {
  // The engine checked the reason against the configured list; only a plain word becomes a
  // label all the same.
  away_->Add({{"reason", IsLabelWord(reason) ? std::string(reason) : "other"}}).Increment();
}

void PrometheusObserver::CasePending(Channel channel, PendingStep step) {
  pending_[ChannelIndex(channel)][static_cast<int>(step)]->Increment();
}

void PrometheusObserver::CaseExpired(Channel channel) {
  expired_[ChannelIndex(channel)]->Increment();
}

void PrometheusObserver::Offer(OfferResult result) {
  const int r = static_cast<int>(result);
  if (r >= 0 && r < kOfferResultCount) offers_[r]->Increment();
}

void PrometheusObserver::Excluded(Exclusion reason, int count) {
  const int r = static_cast<int>(reason);
  if (r >= 0 && r < kExclusionCount && count > 0) exclusions_[r]->Increment(count);
}

void PrometheusObserver::StickyRouting(bool hit) { sticky_[hit ? 1 : 0]->Increment(); }

void PrometheusObserver::QueueState(const PerChannel<int>& depth,
                                    const PerChannel<double>& value_waiting) {
  for (Channel ch : kAllChannels) {
    const int i = ChannelIndex(ch);
    queue_depth_[i]->Set(depth[i]);
    queue_value_[i]->Set(value_waiting[i]);
  }
}

void PrometheusObserver::AgentState(const std::array<int, kPresenceCount>& by_presence,
                                    double occupancy) {
  for (int p = 0; p < kPresenceCount; ++p) agents_[p]->Set(by_presence[p]);
  occupancy_->Set(occupancy);
}

void PrometheusObserver::RoutingPass(absl::Duration latency) {
  routing_latency_->Observe(absl::ToDoubleSeconds(latency));
}

void PrometheusObserver::StoreBatch(absl::Duration latency, size_t records, bool ok) {
  batch_latency_->Observe(absl::ToDoubleSeconds(latency));
  if (ok) {
    batch_size_->Observe(static_cast<double>(records));
  } else {
    store_errors_->Increment();
  }
}

void PrometheusObserver::Leadership(bool leader) { leader_->Set(leader ? 1 : 0); }

}  // namespace caserouter
