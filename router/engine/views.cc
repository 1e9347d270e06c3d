#include "router/engine/views.h"

#include <algorithm>
#include <utility>

#include "router/engine/desk_sessions.h"
#include "router/engine/domain_state.h"
#include "router/engine/engine_observer.h"
#include "router/policy/eligibility.h"
#include "router/policy/priority.h"

namespace caserouter {

CaseView ViewOf(const Case& c, const EngineConfig& config, absl::Time now) {
  return CaseView{c, IsOpen(c.state) ? ScorePriority(c, config, now) : Score{}};
}

AgentView AgentViewOf(const Agent& a, bool connected) {
  AgentView view{a, connected};
  if (!view.connected) view.agent.presence = Presence::kOffline;
  return view;
}

QueueSnapshot QueueSnapshotOf(const DomainState& state, const EngineConfig& config, absl::Time now,
                              int offset, int limit) {
  QueueSnapshot snapshot;
  for (const auto& [id, open] : state.open_cases) {
    const Case& c = *open;
    if (c.state == CaseState::kAssigned) continue;
    ++snapshot.depth[ChannelIndex(c.spec.channel)];
    CaseView view = ViewOf(c, config, now);
    HideText(view);  // a queue listing carries no customer text
    snapshot.cases.push_back(std::move(view));
  }
  std::sort(snapshot.cases.begin(), snapshot.cases.end(), [](const CaseView& a, const CaseView& b) {
    if (a.priority.total != b.priority.total) {
      return a.priority.total > b.priority.total;
    }
    return a.record.enqueued_time < b.record.enqueued_time;
  });
  snapshot.total = static_cast<int>(snapshot.cases.size());
  size_t first = std::min(snapshot.cases.size(), static_cast<size_t>(std::max(0, offset)));
  snapshot.cases.erase(snapshot.cases.begin(), snapshot.cases.begin() + first);
  if (limit > 0 && snapshot.cases.size() > static_cast<size_t>(limit)) {
    snapshot.cases.resize(limit);
  }
  return snapshot;
}

void ReportQueueState(const DomainState& state, EngineObserver& observer) {
  observer.QueueState(state.waiting_depth, state.waiting_value);
}

void ReportAgentState(const DomainState& state, const DeskSessions& desks,
                      const EngineConfig& config, EngineObserver& observer) {
  std::array<int, kPresenceCount> by_presence = {};
  double load = 0;
  int logged_in = 0;
  for (const auto& [id, agent] : state.agents) {
    Presence p = desks.Connected(id) ? agent.presence : Presence::kOffline;
    ++by_presence[static_cast<int>(p)];
    if (p != Presence::kOffline) {
      ++logged_in;
      load += std::min(1.0, AttentionLoad(agent, config));
    }
  }
  observer.AgentState(by_presence, logged_in > 0 ? load / logged_in : 0.0);
}

}  // namespace caserouter
