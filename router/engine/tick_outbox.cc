#include "router/engine/tick_outbox.h"

namespace caserouter {

void TickOutbox::AgentRemoved(const std::string& agent_id) {
  changed_agents_.erase(agent_id);
  removed_agents_.push_back(agent_id);
}

Batch TickOutbox::TakeBatch(DomainState& state, absl::Time now, absl::Duration closed_retention) {
  Batch batch;
  for (const std::string& id : changed_cases_) {
    if (const Case* c = state.FindCase(id)) batch.cases.push_back(*c);
  }
  for (const std::string& id : changed_agents_) {
    if (const Agent* a = state.FindAgent(id)) batch.agents.push_back(*a);
  }
  state.records.TakeChanged(&batch.quality, &batch.relationships);
  batch.removed_agents.swap(removed_agents_);
  batch.events.swap(events_);
  batch.now = now;
  batch.closed_retention = closed_retention;
  changed_cases_.clear();
  changed_agents_.clear();
  return batch;
}

TickOutbox::Results TickOutbox::TakeResults() {
  Results results;
  results.replies.swap(replies_);
  results.notices.swap(notices_);
  results.observations.swap(observations_);
  return results;
}

void TickOutbox::DropChanges() {
  changed_cases_.clear();
  changed_agents_.clear();
  removed_agents_.clear();
  events_.clear();
  notices_.clear();
  observations_.clear();
}

}  // namespace caserouter
