// TickOutbox: everything one tick owes the world, held until its batch is durable.
//
// While commands, timers and the routing pass run, they record here what they changed (cases
// and agents by id, removed agents, events) and what must go out afterwards (deferred
// replies, desk notices, metric observations). TakeBatch turns the changes into the one
// Batch the tick commits (group commit); TakeResults hands the rest to the engine, which
// answers and notifies only when the commit succeeded. Nothing leaves the engine before its
// state is in the store.
//
// Thread safety: none; used by the engine thread only. Errors: none.
#ifndef CASEROUTER_ROUTER_ENGINE_TICK_OUTBOX_H_
#define CASEROUTER_ROUTER_ENGINE_TICK_OUTBOX_H_

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "router/engine/desk_session.h"
#include "router/engine/domain_state.h"
#include "router/store/state_store.h"

namespace caserouter {

class TickOutbox {
 public:
  using Reply = std::function<void(const absl::Status& commit)>;

  // What goes out after the commit, in the order it was recorded.
  struct Results {
    std::vector<Reply> replies;
    std::vector<std::pair<std::shared_ptr<DeskSession>, DeskNotice>> notices;
    std::vector<std::function<void()>> observations;
  };

  void CaseChanged(const std::string& case_id) { changed_cases_.insert(case_id); }
  void AgentChanged(const std::string& agent_id) { changed_agents_.insert(agent_id); }
  // The agent is gone: its record is deleted, and a change recorded earlier is dropped.
  void AgentRemoved(const std::string& agent_id);
  void Emit(Event event) { events_.push_back(std::move(event)); }
  void Defer(Reply reply) { replies_.push_back(std::move(reply)); }
  void Deliver(std::shared_ptr<DeskSession> desk, DeskNotice notice) {
    notices_.emplace_back(std::move(desk), std::move(notice));
  }
  void Observe(std::function<void()> observation) {
    observations_.push_back(std::move(observation));
  }

  // The changes as one batch, from the records as they are now in `state`. Clears them.
  Batch TakeBatch(DomainState& state, absl::Time now, absl::Duration closed_retention);
  Results TakeResults();
  // Drops every change, notice and observation (the state they describe is being thrown
  // away); deferred replies stay to be answered with the failure.
  void DropChanges();

 private:
  std::set<std::string> changed_cases_;  // ordered: a deterministic batch
  std::set<std::string> changed_agents_;
  std::vector<std::string> removed_agents_;
  std::vector<Event> events_;
  std::vector<Reply> replies_;
  std::vector<std::pair<std::shared_ptr<DeskSession>, DeskNotice>> notices_;
  std::vector<std::function<void()>> observations_;
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_TICK_OUTBOX_H_
