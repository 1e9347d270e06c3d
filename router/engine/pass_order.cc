#include "router/engine/pass_order.h"

#include <algorithm>
#include <utility>

#include "router/engine/queue_steps.h"
#include "router/engine/routing_tally.h"
#include "router/policy/eligibility.h"
#include "router/policy/priority.h"

namespace caserouter {

PassOrder::Head PassOrder::HeadOf(Case* c) const {
  Head head{c, ScorePriority(*c, ctx_.config, ctx_.now)};
  AddQueuePriority(ctx_, *c, head.priority);  // issue 16: nothing with no queue configured
  return head;
}

bool PassOrder::Before(const Head& a, const Head& b) {
  return RoutesBefore(a.priority, *a.c, b.priority, *b.c);
}

void PassOrder::OpenStream(const std::string& signature, std::vector<const Agent*> agents) {
  streams_.push_back(Stream{signature, std::move(agents), {}, {}});
  Refill(streams_.back());
}

void PassOrder::Refill(Stream& s) {
  s.head.reset();
  const WaitingIndex::Group* group = ctx_.state.waiting.FindGroup(s.signature);
  if (group == nullptr) return;
  auto it = s.last ? group->cases.upper_bound(*s.last) : group->cases.begin();
  for (; it != group->cases.end(); ++it) {
    if (Decided(it->id)) continue;
    s.last = *it;
    s.head = HeadOf(ctx_.state.FindCase(it->id));
    return;
  }
}

bool PassOrder::StillAble(const Stream& s) const {
  const WaitingIndex::Group* group = ctx_.state.waiting.FindGroup(s.signature);
  if (group == nullptr) return false;
  const Channel channel = group->requirements.channel;
  return std::any_of(s.agents.begin(), s.agents.end(), [&](const Agent* a) {
    return a->presence == Presence::kAvailable && ctx_.desks.Connected(a->id) &&
           HasCapacity(*a, channel, ctx_.config);
  });
}

std::optional<PassOrder::Head> PassOrder::Next() {
  // The stream that handed out the last case moves on while its agents can take more; once
  // they are taken, the rest of its group waits as before. Streams whose head was decided
  // through the list move on too.
  if (handed_from_ != nullptr) {
    if (StillAble(*handed_from_)) {
      Refill(*handed_from_);
    } else {
      handed_from_->head.reset();
    }
    handed_from_ = nullptr;
  }
  for (Stream& s : streams_) {
    if (s.head && Decided(s.head->c->id)) Refill(s);
  }
  while (!listed_.empty() &&
         (Decided(listed_.begin()->c->id) || listed_.begin()->c->state != CaseState::kQueued)) {
    listed_.erase(listed_.begin());
  }
  Stream* best = nullptr;
  for (Stream& s : streams_) {
    if (s.head && (best == nullptr || Before(*s.head, *best->head))) best = &s;
  }
  const bool take_listed =
      !listed_.empty() && (best == nullptr || !Before(*best->head, *listed_.begin()));
  if (!take_listed && best == nullptr) return std::nullopt;
  Head head;
  if (take_listed) {
    head = *listed_.begin();
    listed_.erase(listed_.begin());
  } else {
    head = *best->head;
    handed_from_ = best;
  }
  decided_.insert(head.c->id);
  return head;
}

}  // namespace caserouter
