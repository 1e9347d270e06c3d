#include "router/engine/queue_steps.h"

#include <algorithm>
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
  // Details are closed-set words (docs/events.md): queue and domain names come from the
  // configuration; the reason in words is in the explanation, not here.
  std::string detail = absl::StrCat("queue=", queue);
  CaseState state = CaseState::kCancelled;
  if (!p.remote_domain.empty()) {
    reason = EndReason::kOverflowedToDomain;
    event = "queue_overflow_domain";
    detail = absl::StrCat("domain=", p.remote_domain, " queue=", p.remote_queue);
  } else if (p.final == FinalAction::kCallback) {
    reason = EndReason::kCallbackOffered;
    event = "callback_offer";
  } else if (p.final == FinalAction::kTicket) {
    reason = EndReason::kTicketCreated;
    event = "ticket_created";
  } else {
    state = CaseState::kExpired;
    detail = std::string(EndReasonName(reason));
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

namespace {

std::string QueueOf(const TickContext& ctx, const Case& c) {
  const WaitingIndex& waiting = ctx.state.waiting;
  const QueueBook& book = waiting.book();
  const WaitingIndex::Waiting* w = waiting.Find(c.id);
  const int queue = w != nullptr ? w->anchor.queue : book.PositionAt(c, ctx.now).at.queue;
  return book.queues()[queue].config.name;
}

}  // namespace

void ObserveAnswered(TickContext& ctx, const Case& c, absl::Duration wait) {
  const QueueBook& book = ctx.state.waiting.book();
  if (book.is_default()) return;
  std::string queue = QueueOf(ctx, c);
  const QueueConfig& q = book.queues()[book.IndexOf(queue)].config;
  const absl::Duration target = q.service_level
                                    ? q.service_level->target
                                    : ctx.config.channels[ChannelIndex(c.spec.channel)].sla;
  const bool within = wait <= target;
  QueueCounts& counts = ctx.state.queue_counts[queue];
  ++counts.answered;
  if (within) ++counts.answered_within_target;
  ctx.Observe([queue, within](EngineObserver& o) { o.QueueAnswered(queue, within); });
}

void ObserveAbandoned(TickContext& ctx, const Case& c) {
  if (ctx.state.waiting.book().is_default()) return;
  std::string queue = QueueOf(ctx, c);
  ++ctx.state.queue_counts[queue].abandoned;
  ctx.Observe([queue](EngineObserver& o) { o.QueueAbandoned(queue); });
}

void ReportQueues(const DomainState& state, EngineObserver& observer) {
  const QueueBook& book = state.waiting.book();
  if (book.is_default()) return;
  std::vector<EngineObserver::QueueFigures> figures(book.queues().size());
  for (size_t i = 0; i < figures.size(); ++i) figures[i].queue = book.queues()[i].config.name;
  for (const auto& [signature, group] : state.waiting.groups()) {
    EngineObserver::QueueFigures& f = figures[group.requirements.queue];
    f.waiting += static_cast<int>(group.cases.size());
    if (!group.by_age.empty())
      f.oldest = std::min(f.oldest, FromNanos(group.by_age.begin()->first));
  }
  observer.QueuesState(figures);
}

std::vector<QueueFiguresView> QueueFiguresOf(const DomainState& state, absl::Time now) {
  std::vector<QueueFiguresView> out;
  const QueueBook& book = state.waiting.book();
  if (book.is_default()) return out;
  std::vector<absl::Time> oldest(book.queues().size(), absl::InfiniteFuture());
  out.resize(book.queues().size());
  for (size_t i = 0; i < out.size(); ++i) {
    out[i].queue = book.queues()[i].config.name;
    auto counts = state.queue_counts.find(out[i].queue);
    if (counts != state.queue_counts.end()) out[i].counts = counts->second;
  }
  for (const auto& [signature, group] : state.waiting.groups()) {
    const int q = group.requirements.queue;
    out[q].waiting += static_cast<int>(group.cases.size());
    if (!group.by_age.empty())
      oldest[q] = std::min(oldest[q], FromNanos(group.by_age.begin()->first));
  }
  for (size_t i = 0; i < out.size(); ++i) {
    if (oldest[i] != absl::InfiniteFuture()) out[i].longest_wait = now - oldest[i];
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
      ++ctx.state.queue_counts[from_queue].overflowed;
      ctx.Emit("queue_overflow", c->id, "", absl::StrCat("from=", from_queue, " to=", to_queue));
      ctx.Observe(
          [from_queue, to_queue](EngineObserver& o) { o.QueueOverflowed(from_queue, to_queue); });
    } else if (p.at.step != from.step) {
      ctx.Emit("queue_step", c->id, "", absl::StrCat("queue=", to_queue, " step=", p.at.step));
    }
  }
}

}  // namespace caserouter
