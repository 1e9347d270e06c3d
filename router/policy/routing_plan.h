// QueueBook: the configured queues compiled (filters parsed), and where a waiting case stands
// in its queue's routing plan at a given time (issue 16).
//
// A case belongs to the first queue, in configuration order, whose filter it matches; with
// none, to the implicit default queue (kDefaultQueue), which every agent serves with the
// default plan: one step without a time limit — the router's behaviour before queues.
//
// Where a case stands is a pure function of where it entered a step (its anchor: queue, step,
// the time it entered) and `now`: a wait step lasts its `wait_seconds`, then the next step
// starts; an overflow step moves the case at once to the first step of another queue (its age
// kept: priority and aging still count from the case's enqueued time); a final action ends the
// plan. After the last wait step with no final action the case stays at that step. An anchor
// is the case's entry into its queue at its enqueued time unless the engine keeps a later one
// (a reloaded plan keeps the case at its current step: see the engine's queue room).
//
//   absl::StatusOr<QueueBook> book = QueueBook::Compile(config.queues);
//   QueueBook::Position at = book->PositionAt(c, now);
//   if (at.final != FinalAction::kNone) ... act;  else route to agents with book->Serves(at, a)
//
// Compile refuses a book whole — INVALID_ARGUMENT naming the key ("queues[1].plan[0].agents")
// and the position in the expression — for a malformed filter, a duplicate or reserved name,
// an overflow to an unknown queue of this domain or an overflow cycle with no wait in it.
//
// Pure; a compiled book is an immutable value.
#ifndef CASEROUTER_ROUTER_POLICY_ROUTING_PLAN_H_
#define CASEROUTER_ROUTER_POLICY_ROUTING_PLAN_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agents/agent.h"
#include "router/model/case.h"
#include "router/model/queue_config.h"
#include "router/policy/case_filter.h"

namespace caserouter {

class QueueBook {
 public:
  struct Step {
    PlanStep config;
    CaseFilter agents;     // kWait: narrows the queue's agents
    int overflow_to = -1;  // kOverflow within this domain: the queue's index
  };
  struct Queue {
    QueueConfig config;
    CaseFilter filter;
    CaseFilter agents;
    std::vector<Step> plan;  // never empty: the default plan is one unbounded wait
  };
  // Where a case entered a step.
  struct Anchor {
    int queue = 0;
    int step = 0;
    absl::Time since = absl::InfinitePast();
  };
  struct Position {
    Anchor at;                                      // its queue and step, entered `at.since`
    absl::Time step_ends = absl::InfiniteFuture();  // when the next step starts
    FinalAction final = FinalAction::kNone;         // the plan ended in this action (at at.since)
    std::string remote_domain, remote_queue;        // the plan overflowed to another domain
    std::vector<std::string> moved_through;         // queues left by overflow since the anchor
    // Why the case is at this step: "entered queue", "step 0 (wait 30s) ran out", ...
    std::string why;
  };

  // The default book: no queue configured.
  QueueBook();
  static absl::StatusOr<QueueBook> Compile(const std::vector<QueueConfig>& queues);

  // True when no queue is configured: routing is exactly as before queues.
  bool is_default() const { return configured_ == 0; }
  const std::vector<Queue>& queues() const { return queues_; }
  // The queue's index by name, or -1.
  int IndexOf(const std::string& name) const;

  // The queue a case enters: the first whose filter matches, else the default queue.
  int QueueOf(const Case& c) const;
  // Where the case stands at `now` from its entry at its enqueued time, or from `anchor`.
  Position PositionAt(const Case& c, absl::Time now) const;
  Position PositionFrom(const Anchor& anchor, absl::Time now) const;
  // A case's anchor under `from` (the running book) carried into this one after a reload: the
  // same queue by name and the same step (the last one if the new plan is shorter), entered at
  // the same time; a queue that no longer exists starts the case over at its entry queue.
  Anchor Carry(const QueueBook& from, const Anchor& anchor, const Case& c) const;
  // When the anchor's step ends as the plan states it: `since` + its wait for a bounded wait
  // step that is not the last, InfiniteFuture() for an unbounded one, `since` itself for an
  // overflow or a final action (due at once).
  absl::Time StepEnds(const Anchor& anchor) const;
  // The agent may take cases at `at`: one of the queue's agents and of the step's set.
  bool Serves(const Anchor& at, const Agent& agent) const;

 private:
  std::vector<Queue> queues_;  // the configured ones, then the default queue last
  int configured_ = 0;
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_POLICY_ROUTING_PLAN_H_
