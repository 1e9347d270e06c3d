#include "router/engine/recovery.h"

#include <utility>

#include "router/engine/case_lifecycle.h"

namespace caserouter {

absl::Status Recover(TickContext& ctx, StateStore& store,
                     const std::function<absl::Status()>& hold) {
  DomainState& state = ctx.state;
  state.Clear();
  LoadProgress progress;
  if (hold) progress = [&hold](size_t, size_t) { return hold(); };
  absl::StatusOr<StoredState> stored = store.Load(ctx.now, progress);
  if (!stored.ok()) return stored.status();
  state.Load(*std::move(stored));
  if (hold) {
    if (absl::Status s = hold(); !s.ok()) return s;
  }
  for (Case* open : state.OpenSnapshot()) {
    Case& c = *open;
    if (c.state == CaseState::kOffered) {
      Requeue(ctx, c);
      ctx.Emit("offer_returned", c.id, "", "recovery");
    } else if (c.state == CaseState::kAssigned && state.FindAgent(c.agent_id) == nullptr) {
      Requeue(ctx, c);  // its agent was removed
    }
  }
  for (auto& [id, agent] : state.agents) {
    if (ctx.desks.Connected(id)) continue;
    if (agent.presence != Presence::kOffline) {
      agent.presence = Presence::kOffline;
      agent.presence_since = ctx.now;
      ctx.Changed(agent);
    }
    if (agent.TotalActive() > 0) state.disconnected_since[id] = ctx.now;
  }
  return absl::OkStatus();
}

}  // namespace caserouter
