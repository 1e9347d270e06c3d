#include "router/engine/queue_steps.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "router/engine/case_lifecycle.h"
#include "router/model/reasons.h"

namespace caserouter {
namespace {

void EndByPlan(TickContext& ctx, Case& c, const QueueBook::Position& p) {
  const std::string queue = ctx.state.waiting.book().queues()[p.at.queue].config.name;
  EndReason reason = EndReason::kPlanExpired;
  std::string event = "expired";
  std::string detail = absl::StrCat("queue ", queue, ": ", p.why);
  CaseState state = CaseState::kCancelled;
  if (!p.remote_domain.empty()) {
    reason = EndReason::kOverflowedToDomain;
    event = "queue_overflow_domain";
    detail = absl::StrCat("domain=", p.remote_domain, " queue=", p.remote_queue, "; ", p.why);
  } else if (p.final == FinalAction::kCallback) {
    reason = EndReason::kCallbackOffered;
    event = "callback_offer";
  } else if (p.final == FinalAction::kTicket) {
    reason = EndReason::kTicketCreated;
    event = "ticket_created";
  } else {
    state = CaseState::kExpired;
  }
  c.closed_time = ctx.now;
  c.end_reason = std::string(EndReasonName(reason));
  SetState(ctx, c, state);
  if (state == CaseState::kExpired) {
    Channel channel = c.spec.channel;
    ctx.Observe([channel](EngineObserver& o) { o.CaseExpired(channel); });
  }
  ctx.Emit(event, c.id, "", std::move(detail));
}

}  // namespace

void AddQueuePriority(const TickContext& ctx, const Case& c, Score& priority) {
  const WaitingIndex& waiting = ctx.state.waiting;
  if (waiting.book().is_default()) return;
  const WaitingIndex::Waiting* w = waiting.Find(c.id);
  const int queue = w != nullptr ? w->anchor.queue : waiting.book().QueueOf(c);
  const double points = waiting.book().queues()[queue].config.priority;
  if (points != 0) priority.Add("queue", points);
}

void DescribeQueue(const TickContext& ctx, const Case& c, absl::Time at, Decision& decision) {
  const WaitingIndex& waiting = ctx.state.waiting;
  const QueueBook& book = waiting.book();
  if (book.is_default()) return;
  const WaitingIndex::Waiting* w = waiting.Find(c.id);
  QueueBook::Position derived = book.PositionAt(c, at);
  QueueBook::Anchor anchor = w != nullptr ? w->anchor : derived.at;
  decision.queue = book.queues()[anchor.queue].config.name;
  decision.queue_step = anchor.step;
  if (derived.at.queue == anchor.queue && derived.at.step == anchor.step) {
    decision.queue_reason = derived.why;
  } else {
    decision.queue_reason = "kept at its step by a configuration reload";
  }
}

const EngineConfig& ConfigFor(const TickContext& ctx, const Case& c,
                              const std::vector<EngineConfig>& by_queue) {
  const WaitingIndex::Waiting* w = ctx.state.waiting.Find(c.id);
  if (w == nullptr || w->anchor.queue >= static_cast<int>(by_queue.size())) return ctx.config;
  return by_queue[w->anchor.queue];
}

std::vector<EngineConfig> ConfigsByQueue(const EngineConfig& config, const QueueBook& book) {
  std::vector<EngineConfig> out;
  if (book.is_default()) return out;
  for (const QueueBook::Queue& q : book.queues()) {
    out.push_back(config);
    if (q.config.strategy) {
      out.back().strategy = *q.config.strategy;
      out.back().topic_strategy.clear();
    }
  }
  return out;
}

void AdvanceQueueSteps(TickContext& ctx) {
  WaitingIndex& waiting = ctx.state.waiting;
  if (waiting.book().is_default()) return;
  // Copies: moving a case changes the set the views come from.
  std::vector<std::string> due;
  for (absl::string_view id : waiting.StepsEndedBy(ctx.now)) due.emplace_back(id);
  for (const std::string& id : due) {
    Case* c = ctx.state.FindCase(id);
    const WaitingIndex::Waiting* w = waiting.Find(id);
    if (c == nullptr || w == nullptr || c->state != CaseState::kQueued) continue;
    const QueueBook& book = waiting.book();
    const QueueBook::Anchor from = w->anchor;
    const QueueBook::Position p = book.PositionFrom(from, ctx.now);
    if (p.final != FinalAction::kNone || !p.remote_domain.empty()) {
      EndByPlan(ctx, *c, p);
      continue;
    }
    waiting.MoveTo(*c, ctx.config, p.at);
    const std::string& from_queue = book.queues()[from.queue].config.name;
    const std::string& to_queue = book.queues()[p.at.queue].config.name;
    if (p.at.queue != from.queue) {
      ctx.Emit(
          "queue_overflow", c->id, "",
          absl::StrCat("from=", from_queue, " to=", to_queue, " step=", p.at.step, "; ", p.why));
      ctx.Observe(
          [from_queue, to_queue](EngineObserver& o) { o.QueueOverflowed(from_queue, to_queue); });
    } else if (p.at.step != from.step) {
      ctx.Emit("queue_step", c->id, "",
               absl::StrCat("queue=", to_queue, " step=", p.at.step, "; ", p.why));
    }
  }
}

}  // namespace caserouter
