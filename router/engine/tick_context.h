// TickContext: what the engine's rooms work on during one tick — the configuration, the
// domain's state, the tick's outbox, the open desk sessions, the observer and the tick's `now`.
//
// Rooms (intake, case life cycle, desk sessions, timers, routing pass) are functions over a
// TickContext, so none of them calls back into Engine and no cycle of includes forms. Inside
// a tick, time is `now`: the clock is read once, when the tick starts.
//
// Thread safety: engine thread only. Errors: none.
#ifndef CASEROUTER_ROUTER_ENGINE_TICK_CONTEXT_H_
#define CASEROUTER_ROUTER_ENGINE_TICK_CONTEXT_H_

#include <string>
#include <utility>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "router/engine/desk_sessions.h"
#include "router/engine/domain_state.h"
#include "router/engine/engine_observer.h"
#include "router/engine/tick_outbox.h"
#include "router/model/engine_config.h"

namespace caserouter {

struct TickContext {
  const EngineConfig& config;
  DomainState& state;
  TickOutbox& out;
  DeskSessions& desks;
  EngineObserver* observer;  // may be null
  absl::Time now;

  // The record changed: it goes into this tick's batch.
  void Changed(const Case& c) { out.CaseChanged(c.id); }
  // The agent changed (profile, presence, load): into the batch, and decisions made before
  // may no longer say why a case waits.
  void Changed(const Agent& a) {
    out.AgentChanged(a.id);
    AgentTouched(a.id);
  }
  // Something that decides whether the agent can take cases changed without changing the
  // agent's record (a desk session opened or closed, the agent was removed).
  void AgentTouched(const std::string& agent_id) {
    ++state.agents_epoch;
    state.agents_touched.insert(agent_id);
  }
  // An event for the domain's stream, stamped `now`. `detail` holds closed-set words only.
  void Emit(absl::string_view type, const std::string& case_id, const std::string& agent_id,
            std::string detail) {
    out.Emit(Event{now, std::string(type), case_id, agent_id, std::move(detail)});
  }
  // A notice for the agent's desk, delivered after the commit; dropped when not connected.
  void Notify(const std::string& agent_id, DeskNotice notice) {
    if (const DeskSessions::Session* s = desks.Find(agent_id)) {
      out.Deliver(s->desk, std::move(notice));
    }
  }
  // Reports to the observer after the commit: `report(EngineObserver&)`.
  template <typename Report>
  void Observe(Report report) {
    if (observer != nullptr) out.Observe([o = observer, report] { report(*o); });
  }
  // The topic as a metric label: a configured topic, or "other".
  std::string TopicLabel(const std::string& topic) const {
    for (const std::string& t : config.topics) {
      if (t == topic) return topic;
    }
    return "other";
  }
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_TICK_CONTEXT_H_
