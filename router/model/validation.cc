#include "router/model/validation.h"

#include <cmath>

#include "absl/strings/str_cat.h"

namespace caserouter {
namespace {

absl::Status Invalid(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
}

absl::Status ValidateLanguage(absl::string_view field, absl::string_view tag, bool allow_empty) {
  if (tag.empty()) {
    return allow_empty ? absl::OkStatus() : Invalid(field, "must not be empty");
  }
  if (tag.size() > kMaxLanguageLength) return Invalid(field, "at most 16 characters");
  for (char c : tag) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-';
    if (!ok) return Invalid(field, "must be a BCP 47 tag such as \"en\" or \"pt-BR\"");
  }
  return absl::OkStatus();
}

bool InRange(double v, double lo, double hi) { return std::isfinite(v) && v >= lo && v <= hi; }

}  // namespace

absl::Status ValidateId(absl::string_view field, absl::string_view id) {
  if (id.empty()) return Invalid(field, "is required");
  if (id.size() > kMaxIdLength) return Invalid(field, "at most 128 characters");
  for (char c : id) {
    if (c <= ' ' || c > '~') return Invalid(field, "must be printable ASCII without spaces");
  }
  return absl::OkStatus();
}

absl::Status ValidateAgentId(absl::string_view field, absl::string_view id) {
  if (id.empty()) return Invalid(field, "is required");
  if (id.size() > kMaxNameLength) return Invalid(field, "at most 64 characters");
  for (char c : id) {
    bool ok = IsNameChar(c) || (c >= 'A' && c <= 'Z');
    if (!ok) return Invalid(field, "only [A-Za-z0-9_.-] allowed");
  }
  return absl::OkStatus();
}

absl::Status ValidateName(absl::string_view field, absl::string_view name) {
  if (name.empty()) return Invalid(field, "is required");
  if (name.size() > kMaxNameLength) return Invalid(field, "at most 64 characters");
  for (char c : name) {
    if (!IsNameChar(c)) return Invalid(field, "only [a-z0-9_.-] allowed");
  }
  return absl::OkStatus();
}

absl::Status ValidateMessageText(absl::string_view field, absl::string_view text) {
  if (text.empty()) return Invalid(field, "is required");
  if (text.size() > kMaxTextBytes) return Invalid(field, "at most 8192 bytes");
  return absl::OkStatus();
}

absl::Status ValidateCaseSpec(const CaseSpec& spec) {
  if (auto s = ValidateId("customer_id", spec.customer_id); !s.ok()) return s;
  if (auto s = ValidateName("topic", spec.topic); !s.ok()) return s;
  if (spec.required_skills.size() > kMaxRequiredSkills) {
    return Invalid("required_skills", "at most 16");
  }
  for (size_t i = 0; i < spec.required_skills.size(); ++i) {
    const SkillRequirement& r = spec.required_skills[i];
    std::string prefix = absl::StrCat("required_skills[", i, "]");
    if (auto s = ValidateName(absl::StrCat(prefix, ".skill"), r.skill); !s.ok()) return s;
    if (r.min_proficiency < 1 || r.min_proficiency > 10) {
      return Invalid(absl::StrCat(prefix, ".min_proficiency"), "must be 1-10");
    }
  }
  if (auto s = ValidateLanguage("language", spec.language, true); !s.ok()) return s;
  if (spec.authority_needed < 0 || spec.authority_needed > kMaxAuthority) {
    return Invalid("authority_needed", "must be 0-1000000000");
  }
  if (!InRange(spec.customer_value, 0, kMaxCustomerValue)) {
    return Invalid("customer_value", "must be 0-1e9");
  }
  if (!InRange(spec.sentiment, -1, 1)) return Invalid("sentiment", "must be -1..1");
  if (spec.reach < 0 || spec.reach > kMaxReach) return Invalid("reach", "must be 0-1e10");
  if (spec.explicit_priority < 0 || spec.explicit_priority > 100) {
    return Invalid("explicit_priority", "must be 0-100");
  }
  if (spec.subject.size() > kMaxTextBytes) return Invalid("subject", "at most 8192 bytes");
  if (auto s = ValidateId("idempotency_key", spec.idempotency_key); !s.ok()) return s;
  return absl::OkStatus();
}

absl::Status ValidateAgentProfile(const Agent& agent) {
  if (auto s = ValidateAgentId("agent_id", agent.id); !s.ok()) return s;
  if (agent.skills.size() > kMaxAgentSkills) return Invalid("skills", "at most 64");
  for (size_t i = 0; i < agent.skills.size(); ++i) {
    std::string prefix = absl::StrCat("skills[", i, "]");
    if (auto s = ValidateName(absl::StrCat(prefix, ".name"), agent.skills[i].name); !s.ok()) {
      return s;
    }
    if (agent.skills[i].proficiency < 1 || agent.skills[i].proficiency > 10) {
      return Invalid(absl::StrCat(prefix, ".proficiency"), "must be 1-10");
    }
    for (size_t j = 0; j < i; ++j) {
      if (agent.skills[j].name == agent.skills[i].name) {
        return Invalid(absl::StrCat(prefix, ".name"), "duplicate skill");
      }
    }
  }
  if (agent.languages.size() > kMaxAgentLanguages) return Invalid("languages", "at most 16");
  for (size_t i = 0; i < agent.languages.size(); ++i) {
    if (auto s = ValidateLanguage(absl::StrCat("languages[", i, "]"), agent.languages[i], false);
        !s.ok()) {
      return s;
    }
  }
  if (agent.authority_limit < 0 || agent.authority_limit > kMaxAuthority) {
    return Invalid("authority_limit", "must be 0-1000000000");
  }
  static constexpr const char* kCapacityFields[kChannelCount] = {"max_phone", "max_chat",
                                                                 "max_social", "max_email"};
  static constexpr int kCapacityMax[kChannelCount] = {1, 20, 20, 50};
  for (int i = 0; i < kChannelCount; ++i) {
    if (agent.max_cases[i] < 0 || agent.max_cases[i] > kCapacityMax[i]) {
      return Invalid(kCapacityFields[i], absl::StrCat("must be 0-", kCapacityMax[i]));
    }
  }
  return absl::OkStatus();
}

absl::Status ValidateOutcome(const Outcome& outcome) {
  if (outcome.csat < 0 || outcome.csat > 5) return Invalid("outcome.csat", "must be 0-5");
  return absl::OkStatus();
}

}  // namespace caserouter
