#include "router/engine/case_intake.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "router/engine/case_lifecycle.h"
#include "router/model/validation.h"
#include "router/policy/lexicon_sentiment.h"

namespace caserouter {
namespace {

void MessageToHolder(TickContext& ctx, const Case& c, std::string text, Channel channel) {
  DeskNotice notice;
  notice.kind = DeskNotice::Kind::kCaseMessage;
  notice.case_id = c.id;
  notice.text = std::move(text);
  notice.channel = channel;
  ctx.Notify(c.agent_id, std::move(notice));
}

// A new case from a customer who came back on a topic within the repeat window after a case
// marked resolved: that "resolution" was not one, and the agent's record is corrected.
void DetectRepeatContact(TickContext& ctx, Case& fresh) {
  auto it = ctx.state.last_resolved.find(DomainState::CustomerTopicKey(fresh.spec));
  if (it == ctx.state.last_resolved.end()) return;
  Case* earlier = ctx.state.FindCase(it->second);
  if (earlier == nullptr || earlier->closed_time + ctx.config.repeat_window < ctx.now) return;
  fresh.repeat_of = earlier->id;
  ctx.Emit("repeat_contact", fresh.id, earlier->agent_id, earlier->id);
  if (!earlier->came_back) {
    earlier->came_back = true;
    ctx.Changed(*earlier);
    ctx.state.records.TakeBackResolution(*earlier);
    ctx.state.topics_touched.insert(earlier->spec.topic);
    // The agent's record across topics changed too: decisions on other topics that weigh
    // this agent are made again.
    ctx.AgentTouched(earlier->agent_id);
  }
  Channel channel = fresh.spec.channel;
  std::string topic = ctx.TopicLabel(fresh.spec.topic);
  ctx.Observe([channel, topic](EngineObserver& o) { o.RepeatContact(channel, topic); });
}

// One voice to the customer: a new contact on a topic they already have open joins that case
// whatever the channel. A live channel makes a waiting case as urgent as the live contact.
// The submission's key is kept with the case (durably: the case is in the batch), so that its
// retry finds this case for as long as the case is kept, here or on a replica that takes over.
absl::StatusOr<SubmitResult> JoinOpenCase(TickContext& ctx, Case& open, CaseSpec spec) {
  if (absl::Status s = ValidateJoinCount("idempotency_key", open.joined_keys.size()); !s.ok()) {
    return s;
  }
  ctx.state.IndexJoinedKey(spec.idempotency_key, open);
  open.joined_keys.push_back(spec.idempotency_key);
  if (!spec.subject.empty() && open.messages.size() < kMaxMessagesPerCase) {
    open.messages.push_back(spec.subject);
  }
  const auto urgency = [&](Channel ch) { return ctx.config.channels[ChannelIndex(ch)].urgency; };
  if (open.state == CaseState::kQueued && urgency(spec.channel) > urgency(open.spec.channel)) {
    ctx.state.ChangeChannel(open, spec.channel);
    ctx.state.waiting.Add(open, ctx.config);  // another channel: another group and SLA
  }
  ctx.Changed(open);
  ctx.Emit("joined", open.id, open.agent_id, std::string(ChannelName(spec.channel)));
  if (open.state == CaseState::kAssigned && !spec.subject.empty()) {
    MessageToHolder(ctx, open, std::move(spec.subject), spec.channel);
  }
  return SubmitResult{ViewOf(open, ctx.config, ctx.now), false, true};
}

// A fresh id for a new case. The ids of one generator never repeat; one that a case loaded
// from the store already has (another replica's generator drew it: odds of 2^-80) is drawn
// again rather than overwriting that case.
absl::StatusOr<std::string> NewCaseId(TickContext& ctx, CaseIdGenerator& ids) {
  for (int attempt = 0; attempt < 4; ++attempt) {
    absl::StatusOr<std::string> id = ids.Next(ctx.now);
    if (!id.ok() || ctx.state.FindCase(*id) == nullptr) return id;
  }
  return absl::InternalError("no unused case id after 4 draws; the random source is broken");
}

}  // namespace

absl::StatusOr<SubmitResult> SubmitCase(TickContext& ctx, CaseSpec spec, CaseIdGenerator& ids) {
  if (absl::Status s = ValidateCaseSpec(spec); !s.ok()) return s;
  if (!spec.has_sentiment) spec.sentiment = ScoreSentiment(spec.subject);  // an estimate
  DomainState& state = ctx.state;
  // Eviction takes a case's keys with it, so a key found names a kept case.
  if (const Case* known = state.FindByKey(spec.idempotency_key)) {
    return SubmitResult{ViewOf(*known, ctx.config, ctx.now), /*deduplicated=*/true};
  }
  if (auto it = state.open_by_customer_topic.find(DomainState::CustomerTopicOf(spec));
      it != state.open_by_customer_topic.end()) {
    return JoinOpenCase(ctx, **it, std::move(spec));
  }
  if (state.open_cases.size() >= static_cast<size_t>(ctx.config.max_queue)) {
    return absl::ResourceExhaustedError("the routing domain's queue is full; retry later");
  }
  absl::StatusOr<std::string> id = NewCaseId(ctx, ids);
  if (!id.ok()) return id.status();
  Case c;
  c.id = *id;
  c.spec = std::move(spec);
  c.created_time = ctx.now;
  c.enqueued_time = ctx.now;
  c.state = CaseState::kQueued;
  Channel channel = c.spec.channel;
  ctx.Emit("submitted", c.id, "", std::string(ChannelName(channel)));
  ctx.Observe([channel](EngineObserver& o) { o.CaseReceived(channel); });
  Case& stored = state.AddCase(std::move(c));
  state.IndexKey(stored);
  DetectRepeatContact(ctx, stored);
  SetState(ctx, stored, CaseState::kQueued);
  return SubmitResult{ViewOf(stored, ctx.config, ctx.now), false, false};
}

absl::StatusOr<CaseView> AddMessage(TickContext& ctx, const std::string& case_id,
                                    std::string text) {
  if (absl::Status s = ValidateMessageText("text", text); !s.ok()) return s;
  Case* c = ctx.state.FindCase(case_id);
  if (c == nullptr) return UnknownCase(case_id);
  if (!IsOpen(c->state)) {
    return absl::FailedPreconditionError(
        absl::StrCat("case_id: case '", case_id, "' is ", CaseStateName(c->state), ", not open"));
  }
  if (absl::Status s = ValidateMessageCount("case_id", c->messages.size()); !s.ok()) return s;
  c->messages.push_back(text);
  ctx.Changed(*c);
  ctx.Emit("message", c->id, c->agent_id, "");
  if (c->state == CaseState::kAssigned) MessageToHolder(ctx, *c, std::move(text), c->spec.channel);
  return ViewOf(*c, ctx.config, ctx.now);
}

absl::StatusOr<CaseView> CancelCase(TickContext& ctx, const std::string& case_id,
                                    const std::string& reason) {
  if (absl::Status s = ValidateCancelReason("reason", reason); !s.ok()) return s;
  std::string why = reason.empty() ? std::string(EndReasonName(kDefaultCancelReason)) : reason;
  Case* c = ctx.state.FindCase(case_id);
  if (c == nullptr) return UnknownCase(case_id);
  if (c->state == CaseState::kAssigned) {
    return absl::FailedPreconditionError(absl::StrCat(
        "case_id: case '", case_id, "' is assigned; its agent completes it with an outcome"));
  }
  if (!IsOpen(c->state)) {
    return absl::FailedPreconditionError(
        absl::StrCat("case_id: case '", case_id, "' is already ", CaseStateName(c->state)));
  }
  if (c->state == CaseState::kOffered) {
    if (Agent* agent = ctx.state.FindAgent(c->agent_id)) {
      RevokeOffer(ctx, *c, *agent, RevocationReason::kCancelled, /*requeue=*/false);
    } else {
      ctx.Observe([](EngineObserver& o) { o.Offer(OfferResult::kRevoked); });
    }
  }
  c->agent_id.clear();
  c->end_reason = why;
  c->closed_time = ctx.now;
  SetState(ctx, *c, CaseState::kCancelled);
  Channel channel = c->spec.channel;
  ctx.Observe([channel](EngineObserver& o) { o.CaseAbandoned(channel); });
  ctx.Emit("cancelled", c->id, "", why);
  return ViewOf(*c, ctx.config, ctx.now);
}

}  // namespace caserouter
