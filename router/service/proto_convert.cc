#include "router/service/proto_convert.h"

#include <cstdint>
#include <optional>
#include <string>

#include "absl/strings/str_cat.h"
#include "router/model/validation.h"
#include "router/service/api_enums.h"

namespace caserouter {
namespace {

absl::Status FieldError(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

bool IsFinite(absl::Time t) { return t != absl::InfinitePast() && t != absl::InfiniteFuture(); }

void ScoreToProto(const Score& score, google::protobuf::RepeatedPtrField<v1::ScoreTerm>* out) {
  for (const ScoreTerm& term : score.terms) {
    v1::ScoreTerm* t = out->Add();
    t->set_name(term.name);
    t->set_value(term.value);
  }
}

}  // namespace

absl::StatusOr<Channel> ChannelFromProto(int value, absl::string_view field) {
  if (value == v1::CHANNEL_UNSPECIFIED) return FieldError(field, "required");
  std::optional<Channel> channel = ModelOf(kChannelPairs, value);
  if (!channel.has_value()) return FieldError(field, "not a value of Channel");
  return *channel;
}

absl::StatusOr<Presence> PresenceFromProto(int value, absl::string_view field) {
  if (value == v1::PRESENCE_UNSPECIFIED) return FieldError(field, "required");
  std::optional<Presence> presence = ModelOf(kPresencePairs, value);
  if (!presence.has_value()) return FieldError(field, "not a value of Presence");
  return *presence;
}

absl::StatusOr<std::string> CancelReasonFromProto(int value, absl::string_view field) {
  if (value == v1::CANCEL_REASON_UNSPECIFIED) return std::string();
  std::optional<EndReason> reason = ModelOf(kCancelReasonPairs, value);
  if (!reason.has_value()) return FieldError(field, "not a value of CancelReason");
  return std::string(EndReasonName(*reason));
}

absl::StatusOr<CaseSpec> CaseSpecFromProto(const v1::SubmitCaseRequest& request) {
  CaseSpec spec;
  absl::StatusOr<Channel> channel = ChannelFromProto(request.channel(), "channel");
  if (!channel.ok()) return channel.status();
  spec.channel = *channel;
  for (const v1::SkillRequirement& r : request.required_skills()) {
    spec.required_skills.push_back(SkillRequirement{r.skill(), r.min_proficiency()});
  }
  spec.customer_id = request.customer_id();
  spec.topic = request.topic();
  spec.language = request.language();
  spec.authority_needed = request.authority_needed();
  spec.customer_value = request.customer_value();
  spec.has_sentiment = request.has_sentiment();
  spec.sentiment = request.sentiment();
  spec.reach = request.reach();
  spec.is_public = request.is_public();
  spec.explicit_priority = request.explicit_priority();
  spec.subject = request.subject();
  spec.idempotency_key = request.idempotency_key();
  return spec;
}

Agent AgentFromProto(const v1::AgentProfile& profile) {
  Agent agent;
  agent.id = profile.agent_id();
  for (const v1::Skill& skill : profile.skills()) {
    agent.skills.push_back(Skill{skill.name(), skill.proficiency()});
  }
  agent.languages.assign(profile.languages().begin(), profile.languages().end());
  agent.authority_limit = profile.authority_limit();
  agent.contact_address = profile.contact_address();
  agent.max_cases[ChannelIndex(Channel::kPhone)] = profile.max_phone();
  agent.max_cases[ChannelIndex(Channel::kChat)] = profile.max_chat();
  agent.max_cases[ChannelIndex(Channel::kSocial)] = profile.max_social();
  agent.max_cases[ChannelIndex(Channel::kEmail)] = profile.max_email();
  return agent;
}

Outcome OutcomeFromProto(const v1::Outcome& outcome) {
  Outcome out;
  out.resolved = outcome.resolved();
  out.csat = outcome.csat();
  out.follow_up_needed = outcome.follow_up_needed();
  return out;
}

v1::Channel ChannelToProto(Channel channel) {
  return ApiOf(kChannelPairs, channel, v1::CHANNEL_UNSPECIFIED);
}

v1::Presence PresenceToProto(Presence presence) {
  return ApiOf(kPresencePairs, presence, v1::PRESENCE_UNSPECIFIED);
}

v1::CaseState CaseStateToProto(CaseState state) {
  return ApiOf(kCaseStatePairs, state, v1::CASE_STATE_UNSPECIFIED);
}

v1::EndReason EndReasonToProto(absl::string_view end_reason) {
  std::optional<EndReason> reason = ValueOf(kEndReasonNames, end_reason);
  if (!reason.has_value()) return v1::END_REASON_UNSPECIFIED;
  return ApiOf(kEndReasonPairs, *reason, v1::END_REASON_UNSPECIFIED);
}

void CaseViewToProto(const CaseView& view, CaseText text, v1::Case* out) {
  const Case& c = view.record;
  const CaseSpec& spec = c.spec;
  out->Clear();
  out->set_case_id(c.id);
  out->set_channel(ChannelToProto(spec.channel));
  out->set_customer_id(spec.customer_id);
  out->set_topic(spec.topic);
  for (const SkillRequirement& r : spec.required_skills) {
    v1::SkillRequirement* p = out->add_required_skills();
    p->set_skill(r.skill);
    p->set_min_proficiency(r.min_proficiency);
  }
  out->set_language(spec.language);
  out->set_authority_needed(spec.authority_needed);
  out->set_customer_value(spec.customer_value);
  out->set_sentiment(spec.sentiment);
  out->set_reach(spec.reach);
  out->set_is_public(spec.is_public);
  out->set_explicit_priority(spec.explicit_priority);
  if (text == CaseText::kInclude) {
    out->set_subject(spec.subject);
    for (const std::string& m : c.messages) out->add_messages(m);
  }
  out->set_state(CaseStateToProto(c.state));
  if (IsFinite(c.created_time)) TimeToProto(c.created_time, out->mutable_create_time());
  if (IsFinite(c.answered_time)) TimeToProto(c.answered_time, out->mutable_answer_time());
  if (IsFinite(c.closed_time)) TimeToProto(c.closed_time, out->mutable_close_time());
  out->set_agent_id(c.agent_id);
  if (c.state == CaseState::kCompleted) {
    v1::Outcome* o = out->mutable_outcome();
    o->set_resolved(c.outcome.resolved);
    o->set_csat(c.outcome.csat);
    o->set_follow_up_needed(c.outcome.follow_up_needed);
    o->set_disposition_code(c.disposition);
  }
  out->set_end_reason(EndReasonToProto(c.end_reason));
  out->set_repeat_of(c.repeat_of);
  out->set_needs_supervisor(c.needs_supervisor);
  out->set_benchmark_arm(c.arm);  // issue 17
  out->set_benchmark_excluded(c.arm_excluded);
  out->set_priority(view.priority.total);
  ScoreToProto(view.priority, out->mutable_priority_terms());
}

void AgentToProfileProto(const Agent& agent, v1::AgentProfile* out) {
  out->Clear();
  out->set_agent_id(agent.id);
  for (const Skill& s : agent.skills) {
    v1::Skill* p = out->add_skills();
    p->set_name(s.name);
    p->set_proficiency(s.proficiency);
  }
  for (const std::string& l : agent.languages) out->add_languages(l);
  out->set_authority_limit(agent.authority_limit);
  out->set_contact_address(agent.contact_address);
  out->set_max_phone(agent.max_cases[ChannelIndex(Channel::kPhone)]);
  out->set_max_chat(agent.max_cases[ChannelIndex(Channel::kChat)]);
  out->set_max_social(agent.max_cases[ChannelIndex(Channel::kSocial)]);
  out->set_max_email(agent.max_cases[ChannelIndex(Channel::kEmail)]);
}

void AgentViewToProto(const AgentView& view, absl::Time now, v1::AgentStatus* out) {
  const Agent& a = view.agent;
  out->Clear();
  AgentToProfileProto(a, out->mutable_profile());
  out->set_presence(PresenceToProto(a.presence));
  out->set_connected(view.connected);
  for (Channel ch : kAllChannels) out->add_active_cases(a.active_cases[ChannelIndex(ch)]);
  absl::Duration idle = absl::ZeroDuration();
  if (a.TotalActive() == 0 && a.idle_since != absl::InfinitePast() && now > a.idle_since) {
    idle = now - a.idle_since;
  }
  DurationToProto(idle, out->mutable_idle_duration());
  out->set_missed_offers_in_row(a.missed_offers_in_row);
}

void WelcomeToProto(const Welcome& welcome, v1::Welcome* out) {
  out->Clear();
  out->set_presence(PresenceToProto(welcome.presence));
  for (const CaseView& view : welcome.assigned) {
    CaseViewToProto(view, CaseText::kInclude, out->add_assigned_cases());
  }
  DurationToProto(welcome.heartbeat_interval, out->mutable_heartbeat_interval_duration());
}

namespace {

void ScoredAgentToProto(const ScoredAgent& agent, v1::ScoredAgent* out) {
  out->set_agent_id(agent.agent_id);
  out->set_score(agent.score.total);
  ScoreToProto(agent.score, out->mutable_terms());
}

}  // namespace

void ExplanationToProto(const Explanation& explanation, v1::ExplainDecisionResponse* out) {
  out->Clear();
  const Decision& d = explanation.decision;
  CaseViewToProto(explanation.view, CaseText::kOmit, out->mutable_case_());
  if (IsFinite(d.time)) TimeToProto(d.time, out->mutable_decision_time());
  out->set_strategy(ApiOf(kStrategyPairs, d.strategy, v1::STRATEGY_UNSPECIFIED));
  out->set_priority(d.priority.total);
  ScoreToProto(d.priority, out->mutable_priority_terms());
  out->set_candidates_considered(d.considered);
  for (int r = 0; r < kExclusionCount; ++r) {
    if (d.excluded_by[r] == 0) continue;
    v1::Exclusion* e = out->add_exclusions();
    e->set_reason(
        ApiOf(kExclusionPairs, static_cast<Exclusion>(r), v1::EXCLUSION_REASON_UNSPECIFIED));
    e->set_count(d.excluded_by[r]);
    for (const auto& [agent_id, reason] : d.excluded) {
      if (static_cast<int>(reason) != r) continue;
      if (e->agent_ids_size() >= kMaxExplainedAgentIds) break;
      e->add_agent_ids(agent_id);
    }
  }
  if (d.winner.has_value()) ScoredAgentToProto(*d.winner, out->mutable_winner());
  if (d.runner_up.has_value()) ScoredAgentToProto(*d.runner_up, out->mutable_runner_up());
  for (const std::string& id : d.preferred_ring) out->add_preferred_agents(id);
  out->set_waiting_for_preferred(d.waiting_for_preferred);
  out->set_authority_waived(d.authority_waived);
  out->set_relationship_agent(d.relationship_agent);
  for (const std::string& id : d.over_occupancy_cap) out->add_over_occupancy_cap(id);
  out->set_benchmark_arm(d.arm);  // issue 17
  // Issue 16: the queue, the plan step and why the case is there.
  out->set_queue(d.queue);
  out->set_queue_step(d.queue_step);
  out->set_queue_reason(d.queue_reason);
  out->set_assigned_by_supervisor(!d.assigned_by.empty());
  out->set_supervisor(d.assigned_by);
}

bool DeskNoticeToProto(const DeskNotice& notice, v1::ConnectResponse* out) {
  out->Clear();
  switch (notice.kind) {
    case DeskNotice::Kind::kOffer: {
      v1::Offer* offer = out->mutable_offer();
      CaseViewToProto(notice.view, CaseText::kInclude, offer->mutable_case_());
      if (IsFinite(notice.expires)) TimeToProto(notice.expires, offer->mutable_expire_time());
      offer->set_consult(notice.consult);
      if (notice.consult) offer->set_consult_from_agent_id(notice.agent);
      return true;
    }
    case DeskNotice::Kind::kOfferRevoked: {
      v1::OfferRevoked* revoked = out->mutable_offer_revoked();
      revoked->set_case_id(notice.case_id);
      revoked->set_reason(
          ApiOf(kRevocationReasonPairs, notice.revocation, v1::REVOCATION_REASON_UNSPECIFIED));
      return true;
    }
    case DeskNotice::Kind::kPresenceChanged: {
      v1::PresenceChanged* changed = out->mutable_presence_changed();
      changed->set_presence(PresenceToProto(notice.presence));
      changed->set_reason(ApiOf(kPresenceChangeReasonPairs, absl::string_view(notice.reason),
                                v1::PRESENCE_CHANGE_REASON_UNSPECIFIED));
      return true;
    }
    case DeskNotice::Kind::kCaseMessage: {
      v1::CaseMessage* message = out->mutable_case_message();
      message->set_case_id(notice.case_id);
      message->set_text(notice.text);
      message->set_channel(ChannelToProto(notice.channel));
      return true;
    }
    case DeskNotice::Kind::kTransferUpdate: {
      v1::TransferUpdate* update = out->mutable_transfer_update();
      update->set_case_id(notice.case_id);
      update->set_to_agent_id(notice.agent);
      update->set_accepted(notice.accepted);
      return true;
    }
    case DeskNotice::Kind::kSessionEnded:
      return false;
  }
  return false;
}

void AgentContextToProto(const AgentContext& context, v1::CaseContext* out) {
  out->Clear();
  CaseViewToProto(context.view, CaseText::kInclude, out->mutable_case_());
  for (const PastCase& past : context.customer_cases) {
    v1::PastCase* p = out->add_customer_cases();
    p->set_case_id(past.case_id);
    p->set_channel(ChannelToProto(past.channel));
    p->set_topic(past.topic);
    p->set_state(CaseStateToProto(past.state));
    if (past.state == CaseState::kCompleted) {
      p->mutable_outcome()->set_resolved(past.outcome.resolved);
      p->mutable_outcome()->set_csat(past.outcome.csat);
      p->mutable_outcome()->set_follow_up_needed(past.outcome.follow_up_needed);
      p->mutable_outcome()->set_disposition_code(past.disposition);
    }
    p->set_end_reason(EndReasonToProto(past.end_reason));
    TimeToProto(past.created_time, p->mutable_create_time());
    if (IsFinite(past.closed_time)) TimeToProto(past.closed_time, p->mutable_close_time());
  }
  out->set_repeat_of_case_id(context.view.record.repeat_of);
  for (Channel channel : context.channel_history) out->add_channel_history(ChannelToProto(channel));
  if (context.decision.has_value()) {
    out->set_strategy(StrategyName(context.decision->strategy));
    out->set_assigned_by_supervisor(!context.decision->assigned_by.empty());
  }
  if (context.this_agent.has_value()) {
    out->set_score(context.this_agent->score.total);
    ScoreToProto(context.this_agent->score, out->mutable_score_terms());
  }
  v1::AgentTopicRecord* own = out->mutable_own_record();
  own->set_topic(context.own.topic);
  own->set_completed(context.own.completed);
  own->set_resolved(context.own.resolved);
  own->set_resolution_rate(context.own.completed > 0
                               ? static_cast<double>(context.own.resolved) / context.own.completed
                               : 0);
  own->set_first_contact_resolutions(context.own.first_contact_resolutions);
  own->set_csat_average(context.own.csat_count > 0
                            ? static_cast<double>(context.own.csat_sum) / context.own.csat_count
                            : 0);
  own->set_csat_count(context.own.csat_count);
}

WaitingCaseChange::Requirements RequirementsFromProto(const v1::CaseRequirements& requirements) {
  WaitingCaseChange::Requirements out;
  for (const v1::SkillRequirement& skill : requirements.required_skills()) {
    out.required_skills.push_back(SkillRequirement{skill.skill(), skill.min_proficiency()});
  }
  out.language = requirements.language();
  out.topic = requirements.topic();
  return out;
}

absl::StatusOr<TransferRequest> TransferFromProto(const v1::Transfer& transfer) {
  if (absl::Status s = ValidateId("transfer.case_id", transfer.case_id()); !s.ok()) return s;
  TransferRequest out;
  switch (transfer.kind()) {
    case v1::TRANSFER_KIND_COLD:
      out.kind = TransferKind::kCold;
      break;
    case v1::TRANSFER_KIND_WARM:
      out.kind = TransferKind::kWarm;
      break;
    case v1::TRANSFER_KIND_ROUTING:
      out.kind = TransferKind::kRouting;
      break;
    default:
      return absl::InvalidArgumentError("transfer.kind: COLD, WARM or ROUTING");
  }
  if (out.kind == TransferKind::kRouting) {
    if (!transfer.has_requirements()) {
      return absl::InvalidArgumentError("transfer.requirements: required for ROUTING");
    }
    out.requirements = RequirementsFromProto(transfer.requirements());
  } else {
    out.to_agent_id = transfer.to_agent_id();
  }
  return out;
}

void TimeToProto(absl::Time time, google::protobuf::Timestamp* out) {
  out->Clear();
  if (!IsFinite(time)) return;
  int64_t seconds = absl::ToUnixSeconds(time);
  out->set_seconds(seconds);
  out->set_nanos(
      static_cast<int32_t>(absl::ToInt64Nanoseconds(time - absl::FromUnixSeconds(seconds))));
}

absl::Time TimeFromProto(const google::protobuf::Timestamp& time) {
  if (time.seconds() == 0 && time.nanos() == 0) return absl::InfinitePast();
  return absl::FromUnixSeconds(time.seconds()) + absl::Nanoseconds(time.nanos());
}

void DurationToProto(absl::Duration duration, google::protobuf::Duration* out) {
  out->Clear();
  int64_t seconds = absl::IDivDuration(duration, absl::Seconds(1), &duration);
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(absl::ToInt64Nanoseconds(duration)));
}

}  // namespace caserouter
