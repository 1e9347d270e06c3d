#include "router/engine/case_lifecycle.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "agents/agent_rules.h"
#include "router/engine/agent_work_rules.h"
#include "router/engine/desk_sessions.h"
#include "router/engine/queue_steps.h"
#include "router/model/validation.h"

namespace caserouter {
namespace {

// The case `agent_id` holds in `state` (offered or assigned), and the agent.
absl::Status FindHeld(TickContext& ctx, const std::string& agent_id, const std::string& case_id,
                      CaseState state, Case** c, Agent** agent) {
  *c = ctx.state.FindCase(case_id);
  if (*c == nullptr) return UnknownCase(case_id);
  // A case another agent holds is not this agent's to act on, whatever its state: that is a
  // question of permission, not of timing.
  if (!(*c)->agent_id.empty() && (*c)->agent_id != agent_id &&
      ((*c)->state == CaseState::kOffered || (*c)->state == CaseState::kAssigned)) {
    return absl::PermissionDeniedError(
        absl::StrCat("case_id: case '", case_id, "' is offered to or held by another agent"));
  }
  if ((*c)->state != state || (*c)->agent_id != agent_id) {
    return absl::FailedPreconditionError(
        absl::StrCat("case_id: case '", case_id, "' is not ",
                     state == CaseState::kOffered ? "offered to" : "assigned to", " this agent"));
  }
  *agent = ctx.state.FindAgent(agent_id);
  return *agent == nullptr ? UnknownAgent(agent_id) : absl::OkStatus();
}

// The agent gives the case back (declined, or the offer lapsed): capacity and queue.
void ReturnToQueue(TickContext& ctx, Case& c, Agent& agent) {
  ReleaseCapacity(agent, c.spec.channel, ctx.now);
  ctx.Changed(agent);
  Requeue(ctx, c);
}

}  // namespace

std::string QuotedId(absl::string_view id) {
  return ValidateId("id", id).ok() ? absl::StrCat(" '", id, "'") : " with that id";
}

absl::Status UnknownCase(absl::string_view id) {
  return absl::NotFoundError(absl::StrCat("case_id: no case", QuotedId(id)));
}

absl::Status UnknownAgent(absl::string_view id) {
  return absl::NotFoundError(absl::StrCat("agent_id: no agent", QuotedId(id)));
}

void SetState(TickContext& ctx, Case& c, CaseState state) {
  const bool was_queued = c.state == CaseState::kQueued;
  ctx.state.SetCaseState(c, state);
  if (state == CaseState::kQueued) {
    ctx.state.waiting.Add(c, ctx.config);  // (re)queued: decided in this tick's pass
  } else if (was_queued) {
    ctx.state.waiting.Remove(c.id);
  }
  ctx.Changed(c);
}

void Requeue(TickContext& ctx, Case& c) {
  c.agent_id.clear();
  c.offer_expires = absl::InfinitePast();
  SetState(ctx, c, CaseState::kQueued);
}

void MakeOffer(TickContext& ctx, Case& c, Agent& agent, const Score& priority) {
  c.agent_id = agent.id;
  c.offer_expires = ctx.now + ctx.config.offer_timeout;
  SetState(ctx, c, CaseState::kOffered);
  ++c.offers_made;
  TakeCapacity(agent, c.spec.channel, ctx.now);
  ctx.Changed(agent);
  DeskNotice notice;
  notice.kind = DeskNotice::Kind::kOffer;
  notice.view = CaseView{c, priority};
  notice.expires = c.offer_expires;
  notice.case_id = c.id;
  ctx.Notify(agent.id, std::move(notice));
  ctx.Emit("offered", c.id, agent.id, "");
}

void RevokeOffer(TickContext& ctx, Case& c, Agent& agent, RevocationReason reason, bool requeue) {
  DeskNotice notice;
  notice.kind = DeskNotice::Kind::kOfferRevoked;
  notice.case_id = c.id;
  notice.revocation = reason;
  notice.reason = std::string(RevocationReasonName(reason));
  ctx.Notify(agent.id, std::move(notice));
  OfferResult result =
      reason == RevocationReason::kTimedOut ? OfferResult::kTimedOut : OfferResult::kRevoked;
  ctx.Observe([result](EngineObserver& o) { o.Offer(result); });
  ctx.Emit("offer_revoked", c.id, agent.id, std::string(RevocationReasonName(reason)));
  if (requeue) {
    ReturnToQueue(ctx, c, agent);
  } else {
    ReleaseCapacity(agent, c.spec.channel, ctx.now);
    ctx.Changed(agent);
  }
}

void RememberDecline(TickContext& ctx, Case& c, const std::string& agent_id) {
  if (std::find(c.declined_by.begin(), c.declined_by.end(), agent_id) == c.declined_by.end()) {
    c.declined_by.push_back(agent_id);
  }
  c.declined_pass_until = ctx.now + ctx.config.decline_pass;
  ctx.Changed(c);
}

absl::StatusOr<CaseView> AcceptOffer(TickContext& ctx, const std::string& agent_id,
                                     const std::string& case_id) {
  Case* c;
  Agent* agent;
  if (absl::Status s = FindHeld(ctx, agent_id, case_id, CaseState::kOffered, &c, &agent); !s.ok()) {
    return s;
  }
  SetState(ctx, *c, CaseState::kAssigned);
  c->offer_expires = absl::InfinitePast();
  c->declined_by.clear();
  c->preferred_agent.clear();
  ResetMissedOffers(*agent);
  ctx.Changed(*agent);
  ctx.Observe([](EngineObserver& o) { o.Offer(OfferResult::kAccepted); });
  if (c->answered_time == absl::InfinitePast()) {
    c->answered_time = ctx.now;
    Channel channel = c->spec.channel;
    absl::Duration wait = ctx.now - c->created_time;
    bool sla_met = wait <= ctx.config.channels[ChannelIndex(channel)].sla;
    ctx.Observe([=](EngineObserver& o) { o.CaseAnswered(channel, wait, sla_met); });
    ObserveAnswered(ctx, *c, wait);  // issue 16: by queue
  }
  ctx.Emit("accepted", c->id, agent_id, "");
  return ViewOf(*c, ctx.config, ctx.now);
}

absl::Status DeclineOffer(TickContext& ctx, const std::string& agent_id,
                          const std::string& case_id) {
  Case* c;
  Agent* agent;
  if (absl::Status s = FindHeld(ctx, agent_id, case_id, CaseState::kOffered, &c, &agent); !s.ok()) {
    return s;
  }
  ReturnToQueue(ctx, *c, *agent);
  RememberDecline(ctx, *c, agent_id);
  ctx.Observe([](EngineObserver& o) { o.Offer(OfferResult::kDeclined); });
  ctx.Emit(OfferResultName(OfferResult::kDeclined), c->id, agent_id, "");
  ResetMissedOffers(*agent);
  ctx.Changed(*agent);
  return absl::OkStatus();
}

absl::StatusOr<CaseView> CompleteCase(TickContext& ctx, const std::string& agent_id,
                                      const std::string& case_id, const Outcome& outcome,
                                      const std::string& disposition) {
  if (absl::Status s = ValidateOutcome(outcome); !s.ok()) return s;
  Case* c;
  Agent* agent;
  if (absl::Status s = FindHeld(ctx, agent_id, case_id, CaseState::kAssigned, &c, &agent);
      !s.ok()) {
    return s;
  }
  // Issue 14: the code must be one of the topic's (agent_work_rules.h).
  if (absl::Status s = CheckDisposition(ctx.config.floor, c->spec.topic, disposition); !s.ok()) {
    return s;
  }
  c->outcome = outcome;
  c->disposition = disposition;
  c->closed_time = ctx.now;
  SetState(ctx, *c, CaseState::kCompleted);
  Channel channel = c->spec.channel;
  ReleaseCapacity(*agent, channel, ctx.now);
  ctx.Changed(*agent);
  if (agent->presence == Presence::kAvailable) {
    ScheduleWrapUp(*agent, ctx.now + ctx.config.channels[ChannelIndex(channel)].wrap_up);
    ctx.state.wrap_up_ends.insert({agent->wrap_up_until, agent->id});
    SetAgentPresence(ctx, *agent, Presence::kWrapUp, "wrap_up_started", /*notify=*/true);
  }
  ctx.state.records.RecordOutcome(*c, outcome, ctx.now);
  ctx.state.topics_touched.insert(c->spec.topic);
  ctx.state.customers_touched.insert(c->spec.customer_id);
  if (outcome.resolved) ctx.state.last_resolved[DomainState::CustomerTopicKey(c->spec)] = c->id;
  std::string topic = ctx.TopicLabel(c->spec.topic);
  // Not a first-contact resolution: a repeat contact, or a case transferred (issue 14).
  bool repeat = !c->repeat_of.empty() || c->transfers > 0;
  ctx.Observe([=](EngineObserver& o) { o.CaseCompleted(channel, topic, outcome, repeat); });
  ctx.Emit("completed", c->id, agent_id, outcome.resolved ? "resolved" : "unresolved");
  return ViewOf(*c, ctx.config, ctx.now);
}

}  // namespace caserouter
