// Views: what the engine answers callers, built from the domain state on the engine thread.
//
// This is where customer text is hidden: a case view carries the subject and messages only
// for the adapter that submitted it and the agent who holds it; queue listings and decision
// explanations never do (HideText).
//
// Thread safety: the functions run on the engine thread; the values are plain copies that may
// go to any thread. Errors: ExplanationOf returns NOT_FOUND for a case without a decision.
#ifndef CASEROUTER_ROUTER_ENGINE_VIEWS_H_
#define CASEROUTER_ROUTER_ENGINE_VIEWS_H_

#include <vector>

#include "absl/time/time.h"

#include "agents/agent.h"
#include "agents/channel.h"
#include "router/model/case.h"
#include "router/model/engine_config.h"
#include "router/model/score.h"
#include "router/policy/matching.h"

namespace caserouter {

struct DomainState;
class DeskSessions;
class EngineObserver;

// A case with its current priority, as returned to callers.
struct CaseView {
  Case record;
  Score priority;
};

struct SubmitResult {
  CaseView view;
  bool deduplicated = false;  // a retry of an earlier submission with the same key
  bool joined = false;        // joined the customer's open case on the topic (continuity)
};

// The last routing decision of a case, with the case's priority terms at that moment.
struct Explanation {
  CaseView view;  // without customer text
  Decision decision;
};

struct AgentView {
  Agent agent;
  bool connected = false;
};

struct QueueSnapshot {
  // Queued and offered, in routing order, without customer text: the page asked for.
  std::vector<CaseView> cases;
  PerChannel<int> depth = {0, 0, 0, 0};  // every waiting case, not only the page's
  int total = 0;                         // waiting cases in all (the sum of depth)
};

// Drops the customer text (subject and messages) from a view.
inline void HideText(CaseView& view) {
  view.record.spec.subject.clear();
  view.record.messages.clear();
}

// The case with its priority now (open cases; a closed case has no priority).
CaseView ViewOf(const Case& c, const EngineConfig& config, absl::Time now);
// The agent as supervisors see it: OFFLINE whenever no desk session is open.
AgentView AgentViewOf(const Agent& a, bool connected);
// The waiting cases (queued and offered) in routing order, without text, from position
// `offset`, at most `limit` (0 = all).
QueueSnapshot QueueSnapshotOf(const DomainState& state, const EngineConfig& config, absl::Time now,
                              int offset, int limit);
// Queue depth and value waiting per channel, for the observer: kept as counts, O(1).
void ReportQueueState(const DomainState& state, EngineObserver& observer);
// Agents by presence and their mean occupancy, for the observer: a walk over every agent, so
// the engine reports it at most once a second, not every tick.
void ReportAgentState(const DomainState& state, const DeskSessions& desks,
                      const EngineConfig& config, EngineObserver& observer);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_VIEWS_H_
