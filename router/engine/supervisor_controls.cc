#include "router/engine/supervisor_controls.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "agents/agent_rules.h"
#include "router/engine/case_lifecycle.h"
#include "router/engine/desk_sessions.h"
#include "router/model/reasons.h"
#include "router/model/validation.h"
#include "router/policy/eligibility.h"
#include "router/policy/priority.h"

namespace caserouter {
namespace {

// The reason a supervisor's actions carry in events, presence changes and session ends.
constexpr char kBySupervisor[] = "supervisor";
constexpr char kEndedBySupervisor[] = "ended_by_supervisor";

absl::StatusOr<Agent*> FindAgentOf(TickContext& ctx, const std::string& agent_id) {
  if (absl::Status s = ValidateAgentId("agent_id", agent_id); !s.ok()) return s;
  Agent* agent = ctx.state.FindAgent(agent_id);
  if (agent == nullptr) return UnknownAgent(agent_id);
  return agent;
}

// OK when the supervisor may give `c` to `agent`: eligible as the pass checks, a decline in
// this pass aside (the supervisor decides past it). The refusal names the reason.
absl::Status CheckChosenAgent(TickContext& ctx, const Case& c, const Agent& agent) {
  std::optional<Exclusion> excluded =
      CheckEligibility(c, agent, ctx.desks.Connected(agent.id), ctx.config, ctx.now);
  if (!excluded.has_value() || *excluded == Exclusion::kDeclined) return absl::OkStatus();
  return absl::FailedPreconditionError(absl::StrCat("agent_id: agent '", agent.id,
                                                    "' is not eligible for case '", c.id,
                                                    "': ", ExclusionName(*excluded)));
}

// Offers `c` (queued) to `agent` and writes the supervisor's decision.
SupervisorOffer OfferBySupervisor(TickContext& ctx, Case& c, Agent& agent,
                                  const std::string& supervisor, absl::string_view event) {
  Score priority = ScorePriority(c, ctx.config, ctx.now);
  MakeOffer(ctx, c, agent, priority);
  ctx.Emit(event, c.id, agent.id, kBySupervisor);
  Decision decision;
  decision.case_id = c.id;
  decision.time = ctx.now;
  decision.strategy = ctx.config.strategy;
  decision.priority = priority;
  decision.considered = 1;
  decision.winner = ScoredAgent{agent.id, Score{}};
  decision.assigned_by = supervisor.empty() ? std::string(kBySupervisor) : supervisor;
  return SupervisorOffer{ViewOf(c, ctx.config, ctx.now), std::move(decision)};
}

// Takes the case from the agent who holds it, offered or assigned: their desk is told, their
// capacity given back, and the case is queued at its age.
void TakeFromHolder(TickContext& ctx, Case& c) {
  Agent* holder = ctx.state.FindAgent(c.agent_id);
  if (holder == nullptr) {
    Requeue(ctx, c);
    return;
  }
  if (c.state == CaseState::kOffered) {
    RevokeOffer(ctx, c, *holder, RevocationReason::kSupervisor);
    return;
  }
  DeskNotice notice;
  notice.kind = DeskNotice::Kind::kOfferRevoked;
  notice.case_id = c.id;
  notice.revocation = RevocationReason::kSupervisor;
  notice.reason = std::string(RevocationReasonName(RevocationReason::kSupervisor));
  ctx.Notify(holder->id, std::move(notice));
  ctx.Emit("taken_by_supervisor", c.id, holder->id, kBySupervisor);
  ReleaseCapacity(*holder, c.spec.channel, ctx.now);
  ctx.Changed(*holder);
  Requeue(ctx, c);
}

}  // namespace

absl::StatusOr<AgentView> SupervisorSetPresence(TickContext& ctx, const std::string& agent_id,
                                                Presence presence) {
  if (absl::Status s = ValidateSettablePresence("presence", presence); !s.ok()) return s;
  absl::StatusOr<Agent*> agent = FindAgentOf(ctx, agent_id);
  if (!agent.ok()) return agent.status();
  if (presence == Presence::kAvailable) {
    if (!ctx.desks.Connected(agent_id)) {
      return absl::FailedPreconditionError(absl::StrCat(
          "agent_id: agent '", agent_id, "' has no desk session: AVAILABLE needs one"));
    }
    ResetMissedOffers(**agent);
  }
  SetAgentPresence(ctx, **agent, presence, kBySupervisor, /*notify=*/true);
  if (presence != Presence::kAvailable) {
    for (Case* held : ctx.state.HeldBy(agent_id)) {
      if (held->state == CaseState::kOffered) {
        RevokeOffer(ctx, *held, **agent, RevocationReason::kPresence);
      }
    }
  }
  return AgentViewOf(**agent, ctx.desks.Connected(agent_id));
}

absl::Status EndAgentSession(TickContext& ctx, const std::string& agent_id) {
  absl::StatusOr<Agent*> agent = FindAgentOf(ctx, agent_id);
  if (!agent.ok()) return agent.status();
  if (!ctx.desks.Connected(agent_id)) {
    return absl::FailedPreconditionError(
        absl::StrCat("agent_id: agent '", agent_id, "' has no desk session"));
  }
  DeskNotice notice;
  notice.kind = DeskNotice::Kind::kSessionEnded;
  notice.reason = kEndedBySupervisor;
  ctx.Notify(agent_id, std::move(notice));
  CloseDeskSession(ctx, agent_id, kEndedBySupervisor);
  return absl::OkStatus();
}

absl::StatusOr<SupervisorOffer> AssignCaseTo(TickContext& ctx, const std::string& case_id,
                                             const std::string& agent_id,
                                             const std::string& supervisor) {
  Case* c = ctx.state.FindCase(case_id);
  if (c == nullptr) return UnknownCase(case_id);
  absl::StatusOr<Agent*> agent = FindAgentOf(ctx, agent_id);
  if (!agent.ok()) return agent.status();
  if (c->state != CaseState::kQueued) {
    return absl::FailedPreconditionError(absl::StrCat("case_id: case '", case_id, "' is ",
                                                      CaseStateName(c->state), ", not waiting"));
  }
  if (absl::Status s = CheckChosenAgent(ctx, *c, **agent); !s.ok()) return s;
  return OfferBySupervisor(ctx, *c, **agent, supervisor, "assigned_by_supervisor");
}

absl::StatusOr<CaseSpec> ChangedSpec(const Case& c, const WaitingCaseChange& change) {
  CaseSpec spec = c.spec;
  if (change.explicit_priority.has_value()) spec.explicit_priority = *change.explicit_priority;
  if (change.requirements.has_value()) {
    spec.required_skills = change.requirements->required_skills;
    spec.language = change.requirements->language;
    if (!change.requirements->topic.empty()) spec.topic = change.requirements->topic;
  }
  if (absl::Status s = ValidateCaseSpec(spec); !s.ok()) return s;
  return spec;
}

void ApplySpec(TickContext& ctx, Case& c, CaseSpec spec) {
  // The open case is indexed by customer and topic read from its own spec (case_sets.h): out
  // of the index while the topic changes, back in after.
  auto indexed = ctx.state.open_by_customer_topic.find(DomainState::CustomerTopicOf(c.spec));
  const bool was_indexed = indexed != ctx.state.open_by_customer_topic.end() && *indexed == &c;
  if (was_indexed) ctx.state.open_by_customer_topic.erase(indexed);
  ctx.state.topics_touched.insert(c.spec.topic);
  c.spec.explicit_priority = spec.explicit_priority;
  c.spec.required_skills = std::move(spec.required_skills);
  c.spec.language = std::move(spec.language);
  c.spec.topic = std::move(spec.topic);
  if (was_indexed) {
    ctx.state.open_by_customer_topic.insert(&c);
  }
  ctx.state.topics_touched.insert(c.spec.topic);
  ctx.state.customers_touched.insert(c.spec.customer_id);
  // Its requirement group may have changed: the waiting index is rebuilt and every queued
  // case decided again in this tick's pass.
  ctx.state.waiting_stale = true;
  ctx.Changed(c);
}

absl::StatusOr<CaseView> UpdateWaitingCase(TickContext& ctx, const std::string& case_id,
                                           const WaitingCaseChange& change) {
  Case* c = ctx.state.FindCase(case_id);
  if (c == nullptr) return UnknownCase(case_id);
  if (c->state != CaseState::kQueued && c->state != CaseState::kOffered) {
    return absl::FailedPreconditionError(absl::StrCat("case_id: case '", case_id, "' is ",
                                                      CaseStateName(c->state), ", not waiting"));
  }
  absl::StatusOr<CaseSpec> spec = ChangedSpec(*c, change);
  if (!spec.ok()) return spec.status();
  if (c->state == CaseState::kOffered) TakeFromHolder(ctx, *c);
  ApplySpec(ctx, *c, *std::move(spec));
  const bool priority = change.explicit_priority.has_value();
  const bool requirements = change.requirements.has_value();
  ctx.Emit("case_updated_by_supervisor", c->id, "",
           absl::StrCat(priority ? "priority" : "", priority && requirements ? "," : "",
                        requirements ? "requirements" : ""));
  return ViewOf(*c, ctx.config, ctx.now);
}

std::vector<CaseView> CasesNeedingSupervisor(TickContext& ctx) {
  std::vector<CaseView> views;
  for (const auto& [id, c] : ctx.state.open_cases) {
    if (c->needs_supervisor) views.push_back(ViewOf(*c, ctx.config, ctx.now));
  }
  return views;
}

absl::StatusOr<SupervisorOffer> TakeOverCase(TickContext& ctx, const std::string& case_id,
                                             const std::string& agent_id,
                                             const std::string& supervisor) {
  Case* c = ctx.state.FindCase(case_id);
  if (c == nullptr) return UnknownCase(case_id);
  absl::StatusOr<Agent*> agent = FindAgentOf(ctx, agent_id);
  if (!agent.ok()) return agent.status();
  if (!IsOpen(c->state) || !c->needs_supervisor) {
    return absl::FailedPreconditionError(
        absl::StrCat("case_id: case '", case_id, "' does not need a supervisor"));
  }
  if (c->agent_id == agent_id && c->state != CaseState::kQueued) {
    return absl::FailedPreconditionError(
        absl::StrCat("agent_id: agent '", agent_id, "' already holds case '", case_id, "'"));
  }
  if (absl::Status s = CheckChosenAgent(ctx, *c, **agent); !s.ok()) return s;
  if (c->state != CaseState::kQueued) TakeFromHolder(ctx, *c);
  c->needs_supervisor = false;  // a supervisor has it now
  return OfferBySupervisor(ctx, *c, **agent, supervisor, "taken_over_by_supervisor");
}

absl::StatusOr<std::vector<CaseView>> AgentCases(TickContext& ctx, const std::string& agent_id) {
  absl::StatusOr<Agent*> agent = FindAgentOf(ctx, agent_id);
  if (!agent.ok()) return agent.status();
  std::vector<CaseView> views;
  for (const Case* held : ctx.state.HeldBy(agent_id)) {
    views.push_back(ViewOf(*held, ctx.config, ctx.now));
  }
  return views;
}

}  // namespace caserouter
