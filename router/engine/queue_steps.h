// Queue steps (issue 16): moves waiting cases along their queue's routing plan as time passes —
// to the next step (a wider set of agents), to another queue by overflow (age kept), or to the
// plan's final action — and says so in an event.
//
// The waiting index keeps each case's place in its plan (WaitingIndex::Waiting::anchor) and
// the time its step ends in a time-ordered set, so a tick looks only at the cases whose step
// ended. A case that moves is indexed in the group of its new queue and step (the group key
// holds both) and touched: the routing pass decides it again at once. With no queue
// configured nothing is ever due and this room does nothing.
//
// Events (docs/events.md): "queue_step" (queue=<q> step=<n>) when a case widens to its next
// step, "queue_overflow" (from=<q> to=<q>) when it overflows to another queue. Final actions
// close the case:
//   callback  cancelled, end reason "callback_offered", event "callback_offer" (queue=<q>): the
//             callback service (issue 13) reads the event stream and offers the customer a
//             callback — this flag and event are what it needs
//   ticket    cancelled, end reason "ticket_created", event "ticket_created" (queue=<q>): the
//             email adapter opens a ticket from it
//   expire    expired, end reason "plan_expired", event "expired" (plan_expired)
//   overflow to another routing domain's queue: cancelled, end reason
//             "overflowed_to_domain", event "queue_overflow_domain" (domain=<d> queue=<q>); the
//             adapter resubmits the case there (a domain owns its cases: the router does not move
//             them across)
//
// Thread safety: engine thread only. Errors: none.
#ifndef CASEROUTER_ROUTER_ENGINE_QUEUE_STEPS_H_
#define CASEROUTER_ROUTER_ENGINE_QUEUE_STEPS_H_

#include <vector>

#include "router/engine/tick_context.h"
#include "router/engine/views.h"
#include "router/model/score.h"
#include "router/policy/matching.h"
#include "router/policy/routing_plan.h"

namespace caserouter {

// The queue's priority points as a term of the case's priority ("queue"), so that one global
// order across queues ranks by queue priority and age. Nothing with no queue configured.
void AddQueuePriority(const TickContext& ctx, const Case& c, Score& priority);
// The decision names the case's queue, its step and why the case is there (nothing with no
// queue configured).
void DescribeQueue(const TickContext& ctx, const Case& c, absl::Time at, Decision& decision);
// The configuration a case's decision uses: the domain's, or a copy with its queue's strategy.
const EngineConfig& ConfigFor(const TickContext& ctx, const Case& c,
                              const std::vector<EngineConfig>& by_queue);
// One configuration per queue of the book (the domain's with the queue's strategy set).
std::vector<EngineConfig> ConfigsByQueue(const EngineConfig& config, const QueueBook& book);

// Reporting by queue (EngineObserver::Queue*). The queue a case is counted in: where it waits,
// or — offered or assigned — the queue its age puts it in under the running plan. Nothing is
// observed with no queue configured.
void ObserveAnswered(TickContext& ctx, const Case& c, absl::Duration wait);
void ObserveAbandoned(TickContext& ctx, const Case& c);
// Per queue: cases waiting and the oldest one's enqueue time, from the waiting index's groups.
void ReportQueues(const DomainState& state, EngineObserver& observer);

// Per configured queue, for ListQueue: waiting, longest wait at `now`, and the counts.
std::vector<QueueFiguresView> QueueFiguresOf(const DomainState& state, absl::Time now);

// Runs in AdvanceTimers, after the waiting index is fresh and before the routing pass.
void AdvanceQueueSteps(TickContext& ctx);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_QUEUE_STEPS_H_
