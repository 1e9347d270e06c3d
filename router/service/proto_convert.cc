#include "router/service/proto_convert.h"

#include <cstdint>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/unknown_field_set.h"

namespace caserouter {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::UnknownField;
using google::protobuf::UnknownFieldSet;

absl::Status FieldError(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

bool IsFinite(absl::Time t) { return t != absl::InfinitePast() && t != absl::InfiniteFuture(); }

std::string Path(absl::string_view prefix, absl::string_view field) {
  return prefix.empty() ? std::string(field) : absl::StrCat(prefix, ".", field);
}

// Walks the wire form of a message of type `type` (parsed as unknown fields, which skips the
// runtime's UTF-8 check) and returns the path of the first string field that is not UTF-8.
bool FindInvalidUtf8(const Descriptor* type, const UnknownFieldSet& fields,
                     const std::string& prefix, int depth, std::string* path) {
  // Nesting in caserouter.v1 is shallow; the bound only stops hostile input from recursing.
  if (depth > 16) return false;
  absl::flat_hash_map<int, int> seen;  // field number -> occurrences so far (repeated index)
  for (int i = 0; i < fields.field_count(); ++i) {
    const UnknownField& f = fields.field(i);
    const FieldDescriptor* fd = type->FindFieldByNumber(f.number());
    if (fd == nullptr || f.type() != UnknownField::TYPE_LENGTH_DELIMITED) continue;
    std::string name = Path(prefix, fd->name());
    int index = seen[f.number()]++;
    if (fd->is_repeated()) absl::StrAppend(&name, "[", index, "]");
    if (fd->type() == FieldDescriptor::TYPE_STRING) {
      if (!IsValidUtf8(f.length_delimited())) {
        *path = std::move(name);
        return true;
      }
    } else if (fd->type() == FieldDescriptor::TYPE_MESSAGE) {
      UnknownFieldSet nested;
      if (nested.ParseFromString(f.length_delimited()) &&
          FindInvalidUtf8(fd->message_type(), nested, name, depth + 1, path)) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace

absl::Status ParseProto(absl::string_view bytes, google::protobuf::Message* message) {
  if (bytes.size() <= static_cast<size_t>(INT32_MAX) &&
      message->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::OkStatus();
  }
  UnknownFieldSet fields;
  std::string path;
  if (fields.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) &&
      FindInvalidUtf8(message->GetDescriptor(), fields, "", 0, &path)) {
    return FieldError(path, "must be valid UTF-8");
  }
  return absl::InvalidArgumentError(
      absl::StrCat("request: not a valid ", message->GetDescriptor()->full_name()));
}

bool IsValidUtf8(absl::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int extra;
    uint32_t cp;
    uint32_t min;
    if ((c & 0xE0) == 0xC0) {
      extra = 1, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3, cp = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (end - p <= extra) return false;
    for (int i = 1; i <= extra; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    p += extra + 1;
  }
  return true;
}

absl::Status CheckText(absl::string_view field, absl::string_view value) {
  if (!IsValidUtf8(value)) return FieldError(field, "must be valid UTF-8");
  return absl::OkStatus();
}

absl::Status CheckRequiredText(absl::string_view field, absl::string_view value) {
  if (value.empty()) return FieldError(field, "required");
  return CheckText(field, value);
}

absl::StatusOr<Channel> ChannelFromProto(int value, absl::string_view field) {
  switch (value) {
    case v1::CHANNEL_PHONE:
      return Channel::kPhone;
    case v1::CHANNEL_CHAT:
      return Channel::kChat;
    case v1::CHANNEL_SOCIAL:
      return Channel::kSocial;
    case v1::CHANNEL_EMAIL:
      return Channel::kEmail;
    case v1::CHANNEL_UNSPECIFIED:
      return FieldError(field, "required (CHANNEL_UNSPECIFIED)");
    default:
      return FieldError(field, "unknown channel value");
  }
}

absl::StatusOr<Presence> PresenceFromProto(int value, absl::string_view field) {
  switch (value) {
    case v1::PRESENCE_OFFLINE:
      return Presence::kOffline;
    case v1::PRESENCE_AVAILABLE:
      return Presence::kAvailable;
    case v1::PRESENCE_AWAY:
      return Presence::kAway;
    case v1::PRESENCE_WRAP_UP:
      return Presence::kWrapUp;
    case v1::PRESENCE_UNSPECIFIED:
      return FieldError(field, "required (PRESENCE_UNSPECIFIED)");
    default:
      return FieldError(field, "unknown presence value");
  }
}

absl::StatusOr<CaseSpec> CaseSpecFromProto(const v1::SubmitCaseRequest& request) {
  CaseSpec spec;
  absl::StatusOr<Channel> channel = ChannelFromProto(request.channel(), "channel");
  if (!channel.ok()) return channel.status();
  spec.channel = *channel;
  if (absl::Status s = CheckText("customer_id", request.customer_id()); !s.ok()) return s;
  if (absl::Status s = CheckText("topic", request.topic()); !s.ok()) return s;
  for (int i = 0; i < request.required_skills_size(); ++i) {
    const v1::SkillRequirement& r = request.required_skills(i);
    if (absl::Status s = CheckText(absl::StrCat("required_skills[", i, "].skill"), r.skill());
        !s.ok()) {
      return s;
    }
    spec.required_skills.push_back(SkillRequirement{r.skill(), r.min_proficiency()});
  }
  if (absl::Status s = CheckText("language", request.language()); !s.ok()) return s;
  if (absl::Status s = CheckText("subject", request.subject()); !s.ok()) return s;
  if (absl::Status s = CheckText("idempotency_key", request.idempotency_key()); !s.ok()) {
    return s;
  }
  spec.customer_id = request.customer_id();
  spec.topic = request.topic();
  spec.language = request.language();
  spec.authority_needed = request.authority_needed();
  spec.customer_value = request.customer_value();
  spec.sentiment = request.sentiment();
  spec.has_sentiment = request.has_sentiment();
  spec.reach = request.reach();
  spec.is_public = request.is_public();
  spec.explicit_priority = request.explicit_priority();
  spec.subject = request.subject();
  spec.idempotency_key = request.idempotency_key();
  return spec;
}

absl::StatusOr<Agent> AgentFromProto(const v1::AgentProfile& profile, absl::string_view field) {
  Agent agent;
  if (absl::Status s = CheckText(Path(field, "agent_id"), profile.agent_id()); !s.ok()) {
    return s;
  }
  agent.id = profile.agent_id();
  for (int i = 0; i < profile.skills_size(); ++i) {
    const v1::Skill& skill = profile.skills(i);
    if (absl::Status s =
            CheckText(absl::StrCat(Path(field, "skills"), "[", i, "].name"), skill.name());
        !s.ok()) {
      return s;
    }
    agent.skills.push_back(Skill{skill.name(), skill.proficiency()});
  }
  for (int i = 0; i < profile.languages_size(); ++i) {
    if (absl::Status s = CheckText(absl::StrCat(Path(field, "languages"), "[", i, "]"),
                                   profile.languages(i));
        !s.ok()) {
      return s;
    }
    agent.languages.push_back(profile.languages(i));
  }
  agent.authority_limit = profile.authority_limit();
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
  switch (channel) {
    case Channel::kPhone:
      return v1::CHANNEL_PHONE;
    case Channel::kChat:
      return v1::CHANNEL_CHAT;
    case Channel::kSocial:
      return v1::CHANNEL_SOCIAL;
    case Channel::kEmail:
      return v1::CHANNEL_EMAIL;
  }
  return v1::CHANNEL_UNSPECIFIED;
}

v1::Presence PresenceToProto(Presence presence) {
  switch (presence) {
    case Presence::kOffline:
      return v1::PRESENCE_OFFLINE;
    case Presence::kAvailable:
      return v1::PRESENCE_AVAILABLE;
    case Presence::kAway:
      return v1::PRESENCE_AWAY;
    case Presence::kWrapUp:
      return v1::PRESENCE_WRAP_UP;
  }
  return v1::PRESENCE_UNSPECIFIED;
}

v1::CaseState CaseStateToProto(CaseState state) {
  switch (state) {
    case CaseState::kQueued:
      return v1::CASE_STATE_QUEUED;
    case CaseState::kOffered:
      return v1::CASE_STATE_OFFERED;
    case CaseState::kAssigned:
      return v1::CASE_STATE_ASSIGNED;
    case CaseState::kCompleted:
      return v1::CASE_STATE_COMPLETED;
    case CaseState::kCancelled:
      return v1::CASE_STATE_CANCELLED;
    case CaseState::kExpired:
      return v1::CASE_STATE_EXPIRED;
  }
  return v1::CASE_STATE_UNSPECIFIED;
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
  }
  out->set_end_reason(c.end_reason);
  out->set_repeat_of(c.repeat_of);
  out->set_needs_supervisor(c.needs_supervisor);
  out->set_priority(view.priority.total);
  for (const ScoreTerm& term : view.priority.terms) {
    v1::ScoreTerm* t = out->add_priority_terms();
    t->set_name(term.name);
    t->set_value(term.value);
  }
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
  DurationToProto(idle, out->mutable_idle());
  out->set_missed_offers_in_row(a.missed_offers_in_row);
}

void WelcomeToProto(const Welcome& welcome, v1::Welcome* out) {
  out->Clear();
  out->set_presence(PresenceToProto(welcome.presence));
  for (const CaseView& view : welcome.assigned) {
    CaseViewToProto(view, CaseText::kInclude, out->add_assigned_cases());
  }
  out->set_heartbeat_interval_seconds(
      static_cast<int32_t>(absl::ToInt64Seconds(welcome.heartbeat_interval)));
}

namespace {

void ScoredAgentToProto(const ScoredAgent& agent, v1::ScoredAgent* out) {
  out->set_agent_id(agent.agent_id);
  out->set_score(agent.score.total);
  for (const ScoreTerm& term : agent.score.terms) {
    v1::ScoreTerm* t = out->add_terms();
    t->set_name(term.name);
    t->set_value(term.value);
  }
}

}  // namespace

void ExplanationToProto(const Explanation& explanation, v1::ExplainDecisionResponse* out) {
  out->Clear();
  const Decision& d = explanation.decision;
  CaseViewToProto(explanation.view, CaseText::kOmit, out->mutable_case_());
  if (IsFinite(d.time)) TimeToProto(d.time, out->mutable_decision_time());
  out->set_strategy(StrategyName(d.strategy));
  out->set_priority(d.priority.total);
  for (const ScoreTerm& term : d.priority.terms) {
    v1::ScoreTerm* t = out->add_priority_terms();
    t->set_name(term.name);
    t->set_value(term.value);
  }
  out->set_candidates_considered(d.considered);
  for (int r = 0; r < kExclusionCount; ++r) {
    if (d.excluded_by[r] == 0) continue;
    v1::Exclusion* e = out->add_exclusions();
    e->set_reason(std::string(ExclusionName(static_cast<Exclusion>(r))));
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
}

bool DeskNoticeToProto(const DeskNotice& notice, v1::DeskEvent* out) {
  out->Clear();
  switch (notice.kind) {
    case DeskNotice::Kind::kOffer: {
      v1::Offer* offer = out->mutable_offer();
      CaseViewToProto(notice.view, CaseText::kInclude, offer->mutable_case_());
      if (IsFinite(notice.expires)) TimeToProto(notice.expires, offer->mutable_expire_time());
      return true;
    }
    case DeskNotice::Kind::kOfferRevoked: {
      v1::OfferRevoked* revoked = out->mutable_offer_revoked();
      revoked->set_case_id(notice.case_id);
      revoked->set_reason(notice.reason);
      return true;
    }
    case DeskNotice::Kind::kPresenceChanged: {
      v1::PresenceChanged* changed = out->mutable_presence_changed();
      changed->set_presence(PresenceToProto(notice.presence));
      changed->set_reason(notice.reason);
      return true;
    }
    case DeskNotice::Kind::kCaseMessage: {
      v1::CaseMessage* message = out->mutable_case_message();
      message->set_case_id(notice.case_id);
      message->set_text(notice.text);
      message->set_channel(ChannelToProto(notice.channel));
      return true;
    }
    case DeskNotice::Kind::kSessionEnded:
      return false;
  }
  return false;
}

void TimeToProto(absl::Time time, google::protobuf::Timestamp* out) {
  out->Clear();
  if (!IsFinite(time)) return;
  int64_t seconds = absl::ToUnixSeconds(time);
  out->set_seconds(seconds);
  out->set_nanos(static_cast<int32_t>(
      absl::ToInt64Nanoseconds(time - absl::FromUnixSeconds(seconds))));
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
