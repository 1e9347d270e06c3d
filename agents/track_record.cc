#include "agents/track_record.h"

namespace caserouter {

QualityRecord& TrackRecord::QualityOf(const std::string& topic, const std::string& agent_id) {
  QualityRecord& q = quality_[topic][agent_id];
  q.topic = topic;
  q.agent_id = agent_id;
  changed_quality_.emplace(topic, agent_id);
  return q;
}

Relationship& TrackRecord::RelationshipOf(const std::string& customer,
                                          const std::string& agent_id) {
  Relationship& r = relationships_[customer][agent_id];
  r.customer_id = customer;
  r.agent_id = agent_id;
  changed_relationships_.emplace(customer, agent_id);
  return r;
}

void TrackRecord::RecordOutcome(const Case& c, const Outcome& outcome, absl::Time now) {
  const bool evidence = ResolvedOnEvidence(outcome.resolved, outcome.csat);
  AgentRecord& agent = agents_[c.agent_id];
  agent.cases += 1;
  agent.excess_resolutions += (evidence ? 1.0 : 0.0) - TeamRecordFor(c.spec.topic).resolution_rate;
  QualityRecord& q = QualityOf(c.spec.topic, c.agent_id);
  ++q.completed;
  if (evidence) ++q.evidence_resolutions;
  if (outcome.resolved) {
    ++q.resolved;
    // Provisional: taken back if the customer comes back within the repeat window. A case
    // that is itself a repeat contact was not resolved at the first contact.
    // Nor was a case resolved after a transfer (issue 14): the resolving agent gets the
    // resolution, nobody the first-contact resolution.
    if (c.repeat_of.empty() && c.transfers == 0) ++q.first_contact_resolutions;
  }
  if (outcome.csat > 0) {
    q.csat_sum += outcome.csat;
    ++q.csat_count;
  }
  if (c.answered_time != absl::InfinitePast()) {
    q.handle_seconds_sum += static_cast<int64_t>(absl::ToDoubleSeconds(now - c.answered_time));
  }
  Relationship& r = RelationshipOf(c.spec.customer_id, c.agent_id);
  ++r.cases;
  if (outcome.resolved) ++r.resolved;
  if (outcome.csat > 0) {
    r.csat_sum += outcome.csat;
    ++r.csat_count;
    // Only a given score replaces the last one: a case without a survey says nothing about how
    // the customer felt, and 0 would lift a low-CSAT spoiler off the relationship.
    r.last_csat = outcome.csat;
  }
  r.last_contact = now;
}

void TrackRecord::TakeBackResolution(const Case& earlier) {
  QualityRecord& q = QualityOf(earlier.spec.topic, earlier.agent_id);
  ++q.repeats_after_resolved;
  if (earlier.repeat_of.empty() && earlier.transfers == 0 && q.first_contact_resolutions > 0) {
    --q.first_contact_resolutions;
  }
  // The customer's return outweighs what the survey or the agent said.
  if (ResolvedOnEvidence(earlier.outcome.resolved, earlier.outcome.csat) &&
      q.evidence_resolutions > 0) {
    --q.evidence_resolutions;
    agents_[earlier.agent_id].excess_resolutions -= 1;
  }
}

const TrackRecord::ByAgent& TrackRecord::QualityOn(const std::string& topic) const {
  static const ByAgent kNone;
  auto it = quality_.find(topic);
  return it == quality_.end() ? kNone : it->second;
}

const TrackRecord::RelationshipsByAgent& TrackRecord::RelationshipsOf(
    const std::string& customer) const {
  static const RelationshipsByAgent kNone;
  auto it = relationships_.find(customer);
  return it == relationships_.end() ? kNone : it->second;
}

TeamRecord TrackRecord::TeamRecordFor(const std::string& topic) const {
  TeamRecord team;
  auto it = quality_.find(topic);
  if (it == quality_.end()) return team;
  double completed = 0, fcr = 0, csat_sum = 0, csat_count = 0, handle = 0;
  for (const auto& [agent, q] : it->second) {
    completed += q.completed;
    fcr += q.first_contact_resolutions;
    csat_sum += q.csat_sum;
    csat_count += q.csat_count;
    handle += q.handle_seconds_sum;
  }
  double evidence = 0;
  for (const auto& [agent, q] : it->second) evidence += q.evidence_resolutions;
  team.completed = completed;
  if (completed > 0) {
    team.fcr_rate = fcr / completed;
    team.mean_handle_seconds = handle / completed;
    team.resolution_rate = evidence / completed;
  }
  if (csat_count > 0) team.csat_mean = csat_sum / csat_count;
  return team;
}

const AgentRecord* TrackRecord::AgentOverall(const std::string& agent_id) const {
  auto it = agents_.find(agent_id);
  return it == agents_.end() ? nullptr : &it->second;
}

void TrackRecord::TakeChanged(std::vector<QualityRecord>* quality,
                              std::vector<Relationship>* relationships) {
  for (const auto& [topic, agent] : changed_quality_) quality->push_back(quality_[topic][agent]);
  for (const auto& [customer, agent] : changed_relationships_) {
    relationships->push_back(relationships_[customer][agent]);
  }
  changed_quality_.clear();
  changed_relationships_.clear();
}

void TrackRecord::Load(std::vector<QualityRecord> quality,
                       std::vector<Relationship> relationships) {
  Clear();
  for (QualityRecord& q : quality) {
    std::string topic = q.topic, agent = q.agent_id;
    quality_[topic][agent] = std::move(q);
  }
  for (Relationship& r : relationships) {
    std::string customer = r.customer_id, agent = r.agent_id;
    relationships_[customer][agent] = std::move(r);
  }
  for (const auto& [topic, by_agent] : quality_) {
    const double rate = TeamRecordFor(topic).resolution_rate;
    for (const auto& [agent, q] : by_agent) {
      AgentRecord& a = agents_[agent];
      a.cases += q.completed;
      a.excess_resolutions += q.evidence_resolutions - rate * q.completed;
    }
  }
}

void TrackRecord::Clear() {
  quality_.clear();
  relationships_.clear();
  agents_.clear();
  changed_quality_.clear();
  changed_relationships_.clear();
}

}  // namespace caserouter
