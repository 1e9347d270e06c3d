#include "router/engine/case_transfer.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "agents/agent_rules.h"
#include "router/engine/case_lifecycle.h"
#include "router/model/validation.h"
#include "router/policy/eligibility.h"
#include "router/policy/priority.h"

namespace caserouter {
namespace {

// The case `agent_id` holds as assigned, or why not.
absl::StatusOr<Case*> AssignedTo(TickContext& ctx, const std::string& agent_id,
                                 const std::string& case_id) {
  Case* c = ctx.state.FindCase(case_id);
  if (c == nullptr) return UnknownCase(case_id);
  if (IsOpen(c->state) && !c->agent_id.empty() && c->agent_id != agent_id) {
    return absl::PermissionDeniedError(
        absl::StrCat("case_id: case '", case_id, "' is offered to or held by another agent"));
  }
  if (c->state != CaseState::kAssigned || c->agent_id != agent_id) {
    return absl::FailedPreconditionError(
        absl::StrCat("case_id: case '", case_id, "' is not assigned to this agent"));
  }
  return c;
}

// The agent the case may be handed to, or why not: an existing other agent, eligible now
// (router/policy/eligibility.h; a decline in this pass aside: they are asked by name).
absl::StatusOr<Agent*> Recipient(TickContext& ctx, const Case& c, const std::string& from,
                                 const std::string& to) {
  if (absl::Status s = ValidateAgentId("transfer.to_agent_id", to); !s.ok()) return s;
  if (to == from) {
    return absl::InvalidArgumentError("transfer.to_agent_id: the case is already this agent's");
  }
  Agent* agent = ctx.state.FindAgent(to);
  if (agent == nullptr) return UnknownAgent(to);
  const bool transferred_before =
      std::find(c.transferred_by.begin(), c.transferred_by.end(), to) != c.transferred_by.end();
  std::optional<Exclusion> excluded =
      CheckEligibility(c, *agent, ctx.desks.Connected(to), ctx.config, ctx.now);
  if (excluded.has_value() && (*excluded != Exclusion::kDeclined || transferred_before)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "transfer.to_agent_id: agent '", to, "' is not eligible for case '", c.id,
        "': ", transferred_before ? "transferred it before" : ExclusionName(*excluded)));
  }
  return agent;
}

// The case leaves `from`: their capacity is free, they never get it back, one more transfer.
void HandOff(TickContext& ctx, Case& c, Agent& from) {
  ReleaseCapacity(from, c.spec.channel, ctx.now);
  ctx.Changed(from);
  if (std::find(c.transferred_by.begin(), c.transferred_by.end(), from.id) ==
      c.transferred_by.end()) {
    c.transferred_by.push_back(from.id);
  }
  ++c.transfers;
  c.consult_agent.clear();
  c.consult_expires = absl::InfinitePast();
  ctx.Changed(c);
}

void Count(TickContext& ctx, const Case& c, TransferKind kind) {
  const Channel channel = c.spec.channel;
  ctx.Observe([channel, kind](EngineObserver& o) { o.CaseTransferred(channel, kind); });
}

CaseView Hidden(TickContext& ctx, const Case& c) {
  CaseView view = ViewOf(c, ctx.config, ctx.now);
  HideText(view);
  return view;
}

}  // namespace

absl::StatusOr<CaseView> TransferCase(TickContext& ctx, const std::string& agent_id,
                                      const std::string& case_id, const TransferRequest& request) {
  absl::StatusOr<Case*> found = AssignedTo(ctx, agent_id, case_id);
  if (!found.ok()) return found.status();
  Case& c = **found;
  Agent* from = ctx.state.FindAgent(agent_id);
  if (from == nullptr) return UnknownAgent(agent_id);
  switch (request.kind) {
    case TransferKind::kCold: {
      absl::StatusOr<Agent*> to = Recipient(ctx, c, agent_id, request.to_agent_id);
      if (!to.ok()) return to.status();
      HandOff(ctx, c, *from);
      Requeue(ctx, c);
      MakeOffer(ctx, c, **to, ScorePriority(c, ctx.config, ctx.now));
      ctx.Emit("transferred", c.id, agent_id, "cold");
      Count(ctx, c, TransferKind::kCold);
      return Hidden(ctx, c);
    }
    case TransferKind::kWarm: {
      absl::StatusOr<Agent*> to = Recipient(ctx, c, agent_id, request.to_agent_id);
      if (!to.ok()) return to.status();
      c.consult_agent = (*to)->id;
      c.consult_expires = ctx.now + ctx.config.offer_timeout;
      DeskNotice notice;
      notice.kind = DeskNotice::Kind::kOffer;
      notice.view = ViewOf(c, ctx.config, ctx.now);
      notice.expires = c.consult_expires;
      notice.case_id = c.id;
      notice.consult = true;
      notice.agent = agent_id;
      ctx.Notify((*to)->id, std::move(notice));
      ctx.Emit("consult_started", c.id, (*to)->id, "warm");
      return ViewOf(c, ctx.config, ctx.now);
    }
    case TransferKind::kRouting: {
      WaitingCaseChange change;
      change.requirements = request.requirements;
      absl::StatusOr<CaseSpec> spec = ChangedSpec(c, change);
      if (!spec.ok()) {
        return absl::InvalidArgumentError(
            absl::StrCat("transfer.requirements: ", spec.status().message()));
      }
      HandOff(ctx, c, *from);
      Requeue(ctx, c);  // at its original age
      ApplySpec(ctx, c, *std::move(spec));
      ctx.Emit("transferred", c.id, agent_id, "routing");
      Count(ctx, c, TransferKind::kRouting);
      return Hidden(ctx, c);
    }
    case TransferKind::kWarmDeclined:
      break;
  }
  return absl::InvalidArgumentError("transfer.kind: COLD, WARM or ROUTING");
}

bool IsConsulted(TickContext& ctx, const std::string& agent_id, const std::string& case_id) {
  const Case* c = ctx.state.FindCase(case_id);
  return c != nullptr && c->state == CaseState::kAssigned && c->consult_agent == agent_id;
}

namespace {

// The consult is over: the first agent is told whether the case moved.
void EndConsult(TickContext& ctx, Case& c, const std::string& consulted, bool accepted,
                const std::string& first_agent) {
  c.consult_agent.clear();
  c.consult_expires = absl::InfinitePast();
  DeskNotice notice;
  notice.kind = DeskNotice::Kind::kTransferUpdate;
  notice.case_id = c.id;
  notice.agent = consulted;
  notice.accepted = accepted;
  ctx.Notify(first_agent, std::move(notice));
}

}  // namespace

absl::StatusOr<CaseView> AcceptConsult(TickContext& ctx, const std::string& agent_id,
                                       const std::string& case_id) {
  Case* c = ctx.state.FindCase(case_id);
  if (c == nullptr) return UnknownCase(case_id);
  const std::string first = c->agent_id;
  Agent* from = ctx.state.FindAgent(first);
  if (from == nullptr) return UnknownAgent(first);
  if (ctx.now >= c->consult_expires) {
    EndConsult(ctx, *c, agent_id, /*accepted=*/false, first);
    ctx.Emit("consult_declined", c->id, agent_id, "expired");
    Count(ctx, *c, TransferKind::kWarmDeclined);
    return absl::FailedPreconditionError(
        absl::StrCat("case_id: the consult on case '", case_id, "' lapsed"));
  }
  absl::StatusOr<Agent*> to = Recipient(ctx, *c, first, agent_id);
  if (!to.ok()) return to.status();
  HandOff(ctx, *c, *from);
  TakeCapacity(**to, c->spec.channel, ctx.now);
  ResetMissedOffers(**to);
  ctx.Changed(**to);
  c->agent_id = agent_id;
  SetState(ctx, *c, CaseState::kAssigned);  // the hold moves to the new agent
  EndConsult(ctx, *c, agent_id, /*accepted=*/true, first);
  ctx.Emit("transferred", c->id, first, "warm");
  ctx.Emit("accepted", c->id, agent_id, "");
  Count(ctx, *c, TransferKind::kWarm);
  return ViewOf(*c, ctx.config, ctx.now);
}

absl::Status DeclineConsult(TickContext& ctx, const std::string& agent_id,
                            const std::string& case_id) {
  Case* c = ctx.state.FindCase(case_id);
  if (c == nullptr) return UnknownCase(case_id);
  EndConsult(ctx, *c, agent_id, /*accepted=*/false, c->agent_id);
  ctx.Emit("consult_declined", c->id, agent_id, "declined");
  Count(ctx, *c, TransferKind::kWarmDeclined);
  return absl::OkStatus();
}

}  // namespace caserouter
