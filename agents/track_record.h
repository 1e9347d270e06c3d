// TrackRecord: what the domain has learnt about its agents from real outcomes — each agent's
// quality record per topic and each customer's relationship with each agent.
//
// The engine feeds it outcomes (RecordOutcome) and repeat contacts (TakeBackResolution); the
// matching policy reads it (QualityOn, RelationshipsOf, TeamRecordFor, AgentOverall). An
// agent's overall record moves only with that agent's own outcomes (each case's excess over
// its topic's team rate is taken when the case completes), so a decision that depends on it
// is re-made when the agent's outcomes change, not at every change of another agent's. Records
// changed since the last TakeChanged are handed out once for the tick's batch. Handle time is
// recorded for capacity planning only; nothing here rewards a short call.
//
//   TrackRecord records;
//   records.RecordOutcome(completed_case, outcome, now);
//   TeamRecord team = records.TeamRecordFor("billing");
//   records.TakeChanged(&batch.quality, &batch.relationships);
//
// Thread safety: none; owned and used by the engine thread. Errors: none (plain counters).
#ifndef CASEROUTER_AGENTS_TRACK_RECORD_H_
#define CASEROUTER_AGENTS_TRACK_RECORD_H_

#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "agents/quality_record.h"
#include "router/model/case.h"

namespace caserouter {

class TrackRecord {
 public:
  using ByAgent = std::map<std::string, QualityRecord>;
  using RelationshipsByAgent = std::map<std::string, Relationship>;

  // The agent's record on the case's topic and the customer's relationship with the agent
  // take the outcome of `c`, which `c.agent_id` completed at `now`.
  void RecordOutcome(const Case& c, const Outcome& outcome, absl::Time now);
  // The customer came back within the repeat window after `earlier` was marked resolved: that
  // resolution was not one. Corrects the record of the agent who resolved it.
  void TakeBackResolution(const Case& earlier);

  // Every agent's record on `topic` (empty when nobody has one yet).
  const ByAgent& QualityOn(const std::string& topic) const;
  // The customer's relationships, by agent (empty when none).
  const RelationshipsByAgent& RelationshipsOf(const std::string& customer) const;
  // The team's mean record on `topic`, the prior the matching policy smooths toward.
  TeamRecord TeamRecordFor(const std::string& topic) const;
  // The agent's record across topics; null before the agent's first outcome.
  const AgentRecord* AgentOverall(const std::string& agent_id) const;

  // The (topic, agent) records changed since the last TakeChanged.
  const std::set<std::pair<std::string, std::string>>& changed_quality() const {
    return changed_quality_;
  }
  // Moves the records changed since the last call to the batch, in (topic, agent) and
  // (customer, agent) order.
  void TakeChanged(std::vector<QualityRecord>* quality, std::vector<Relationship>* relationships);
  // Replaces every record by the stored ones (recovery); nothing is marked changed.
  // The agents' overall records are rebuilt from the quality records at the team rates loaded.
  void Load(std::vector<QualityRecord> quality, std::vector<Relationship> relationships);
  void Clear();

 private:
  QualityRecord& QualityOf(const std::string& topic, const std::string& agent_id);
  Relationship& RelationshipOf(const std::string& customer, const std::string& agent_id);

  std::map<std::string, ByAgent> quality_;                               // by topic, then agent
  std::map<std::string, RelationshipsByAgent> relationships_;            // by customer, then agent
  std::map<std::string, AgentRecord> agents_;                            // by agent (derived)
  std::set<std::pair<std::string, std::string>> changed_quality_;        // (topic, agent)
  std::set<std::pair<std::string, std::string>> changed_relationships_;  // (customer, agent)
};

}  // namespace caserouter

#endif  // CASEROUTER_AGENTS_TRACK_RECORD_H_
