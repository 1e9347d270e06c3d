#include "router/model/validation.h"

#include <cmath>
#include <string>

#include "absl/strings/str_cat.h"
#include "router/model/reasons.h"

namespace caserouter {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

std::string AtMost(size_t limit, absl::string_view unit) {
  return absl::StrCat("at most ", limit, unit.empty() ? "" : " ", unit);
}

template <typename T>
std::string Between(T lo, T hi) {
  return absl::StrCat("must be ", lo, "-", hi);
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

absl::Status ValidateLanguage(absl::string_view field, absl::string_view tag, bool allow_empty) {
  if (tag.empty()) {
    return allow_empty ? absl::OkStatus() : Invalid(field, "must not be empty");
  }
  if (tag.size() > kMaxLanguageLength) {
    return Invalid(field, AtMost(kMaxLanguageLength, "characters"));
  }
  for (char c : tag) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return Invalid(field, "must be a BCP 47 tag such as \"en\" or \"pt-BR\"");
  }
  return absl::OkStatus();
}

absl::Status ValidateProficiency(absl::string_view field, int proficiency) {
  if (proficiency < kMinProficiency || proficiency > kMaxProficiency) {
    return Invalid(field, Between(kMinProficiency, kMaxProficiency));
  }
  return absl::OkStatus();
}

bool InRange(double v, double lo, double hi) { return std::isfinite(v) && v >= lo && v <= hi; }

}  // namespace

absl::Status ValidateId(absl::string_view field, absl::string_view id) {
  if (id.empty()) return Invalid(field, "is required");
  if (id.size() > kMaxIdLength) return Invalid(field, AtMost(kMaxIdLength, "characters"));
  for (char c : id) {
    if (c <= ' ' || c > '~') return Invalid(field, "must be printable ASCII without spaces");
  }
  return absl::OkStatus();
}

absl::Status ValidateAgentId(absl::string_view field, absl::string_view id) {
  if (id.empty()) return Invalid(field, "is required");
  if (id.size() > kMaxAgentIdLength) {
    return Invalid(field, AtMost(kMaxAgentIdLength, "characters"));
  }
  for (char c : id) {
    bool ok = IsNameChar(c) || (c >= 'A' && c <= 'Z');
    if (!ok) return Invalid(field, "only [A-Za-z0-9_.-] allowed");
  }
  return absl::OkStatus();
}

absl::Status ValidateName(absl::string_view field, absl::string_view name) {
  if (name.empty()) return Invalid(field, "is required");
  if (name.size() > kMaxNameLength) return Invalid(field, AtMost(kMaxNameLength, "characters"));
  for (char c : name) {
    if (!IsNameChar(c)) return Invalid(field, "only [a-z0-9_.-] allowed");
  }
  return absl::OkStatus();
}

absl::Status ValidateMessageText(absl::string_view field, absl::string_view text) {
  if (text.empty()) return Invalid(field, "is required");
  if (text.size() > kMaxTextBytes) return Invalid(field, AtMost(kMaxTextBytes, "bytes"));
  return absl::OkStatus();
}

absl::Status ValidateCancelReason(absl::string_view field, absl::string_view reason) {
  if (reason.empty() || ValueOf(kCancelReasonNames, reason).has_value()) {
    return absl::OkStatus();
  }
  return Invalid(field, absl::StrCat("must be one of ", NamesOf(kCancelReasonNames)));
}

absl::Status ValidateSettablePresence(absl::string_view field, Presence presence) {
  if (presence != Presence::kWrapUp) return absl::OkStatus();
  return Invalid(field, "must be AVAILABLE, AWAY or OFFLINE (WRAP_UP is set by the engine only)");
}

absl::Status ValidateMessageCount(absl::string_view field, size_t messages_held) {
  if (messages_held < kMaxMessagesPerCase) return absl::OkStatus();
  return absl::ResourceExhaustedError(
      absl::StrCat(field, ": the case holds the maximum of ", kMaxMessagesPerCase, " messages"));
}

absl::Status ValidateJoinCount(absl::string_view field, size_t joined_held) {
  if (joined_held < kMaxJoinedSubmissionsPerCase) return absl::OkStatus();
  return absl::ResourceExhaustedError(
      absl::StrCat(field, ": the customer's open case on this topic holds the maximum of ",
                   kMaxJoinedSubmissionsPerCase, " joined submissions"));
}

absl::Status ValidateCaseSpec(const CaseSpec& spec) {
  if (auto s = ValidateId("customer_id", spec.customer_id); !s.ok()) return s;
  if (auto s = ValidateName("topic", spec.topic); !s.ok()) return s;
  if (spec.required_skills.size() > kMaxRequiredSkills) {
    return Invalid("required_skills", AtMost(kMaxRequiredSkills, ""));
  }
  for (size_t i = 0; i < spec.required_skills.size(); ++i) {
    const SkillRequirement& r = spec.required_skills[i];
    std::string prefix = absl::StrCat("required_skills[", i, "]");
    if (auto s = ValidateName(absl::StrCat(prefix, ".skill"), r.skill); !s.ok()) return s;
    if (auto s = ValidateProficiency(absl::StrCat(prefix, ".min_proficiency"), r.min_proficiency);
        !s.ok()) {
      return s;
    }
  }
  if (auto s = ValidateLanguage("language", spec.language, true); !s.ok()) return s;
  if (spec.authority_needed < 0 || spec.authority_needed > kMaxAuthority) {
    return Invalid("authority_needed", Between<int64_t>(0, kMaxAuthority));
  }
  if (!InRange(spec.customer_value, 0, static_cast<double>(kMaxCustomerValue))) {
    return Invalid("customer_value", Between<int64_t>(0, kMaxCustomerValue));
  }
  if (!InRange(spec.sentiment, kMinSentiment, kMaxSentiment)) {
    return Invalid("sentiment", absl::StrCat("must be ", kMinSentiment, "..", kMaxSentiment));
  }
  if (spec.reach < 0 || spec.reach > kMaxReach) {
    return Invalid("reach", Between<int64_t>(0, kMaxReach));
  }
  if (spec.explicit_priority < 0 || spec.explicit_priority > kMaxExplicitPriority) {
    return Invalid("explicit_priority", Between(0, kMaxExplicitPriority));
  }
  if (spec.subject.size() > kMaxTextBytes) {
    return Invalid("subject", AtMost(kMaxTextBytes, "bytes"));
  }
  if (auto s = ValidateId("idempotency_key", spec.idempotency_key); !s.ok()) return s;
  return absl::OkStatus();
}

absl::Status ValidateAgentProfile(const Agent& agent) {
  if (auto s = ValidateAgentId("agent_id", agent.id); !s.ok()) return s;
  if (agent.skills.size() > kMaxAgentSkills) {
    return Invalid("skills", AtMost(kMaxAgentSkills, ""));
  }
  for (size_t i = 0; i < agent.skills.size(); ++i) {
    std::string prefix = absl::StrCat("skills[", i, "]");
    if (auto s = ValidateName(absl::StrCat(prefix, ".name"), agent.skills[i].name); !s.ok()) {
      return s;
    }
    if (auto s =
            ValidateProficiency(absl::StrCat(prefix, ".proficiency"), agent.skills[i].proficiency);
        !s.ok()) {
      return s;
    }
    for (size_t j = 0; j < i; ++j) {
      if (agent.skills[j].name == agent.skills[i].name) {
        return Invalid(absl::StrCat(prefix, ".name"), "duplicate skill");
      }
    }
  }
  if (agent.languages.size() > kMaxAgentLanguages) {
    return Invalid("languages", AtMost(kMaxAgentLanguages, ""));
  }
  for (size_t i = 0; i < agent.languages.size(); ++i) {
    if (auto s = ValidateLanguage(absl::StrCat("languages[", i, "]"), agent.languages[i], false);
        !s.ok()) {
      return s;
    }
  }
  if (agent.authority_limit < 0 || agent.authority_limit > kMaxAuthority) {
    return Invalid("authority_limit", Between<int64_t>(0, kMaxAuthority));
  }
  if (agent.contact_address.size() > kMaxContactAddressBytes) {
    return Invalid("contact_address", AtMost(kMaxContactAddressBytes, "characters"));
  }
  for (char ch : agent.contact_address) {
    if (ch < 0x21 || ch > 0x7e) return Invalid("contact_address", "printable ASCII without spaces");
  }
  static constexpr const char* kCapacityFields[kChannelCount] = {"max_phone", "max_chat",
                                                                 "max_social", "max_email"};
  for (Channel channel : kAllChannels) {
    const int i = ChannelIndex(channel);
    if (agent.max_cases[i] < 0 || agent.max_cases[i] > kMaxCasesPerChannel[i]) {
      return Invalid(kCapacityFields[i], Between(0, kMaxCasesPerChannel[i]));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateOutcome(const Outcome& outcome) {
  if (outcome.csat < 0 || outcome.csat > kMaxCsat) {
    return Invalid("outcome.csat", Between(0, kMaxCsat));
  }
  return absl::OkStatus();
}

}  // namespace caserouter
