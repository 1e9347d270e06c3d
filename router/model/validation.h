// Input limits of every value that enters the engine, checked before anything changes.
//
// Each function returns OK or INVALID_ARGUMENT whose message names the field as the API spells
// it ("required_skills[1].min_proficiency: must be 1-10") and never repeats the value of a
// customer-text field. The gRPC layer and the simulator go through the same checks because the
// engine calls them itself.
#ifndef CASEROUTER_ROUTER_MODEL_VALIDATION_H_
#define CASEROUTER_ROUTER_MODEL_VALIDATION_H_

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "agents/agent.h"
#include "router/model/case.h"

namespace caserouter {

inline constexpr size_t kMaxIdLength = 128;
inline constexpr size_t kMaxNameLength = 64;
inline constexpr size_t kMaxLanguageLength = 16;
inline constexpr size_t kMaxTextBytes = 8192;
inline constexpr size_t kMaxRequiredSkills = 16;
inline constexpr size_t kMaxAgentSkills = 64;
inline constexpr size_t kMaxAgentLanguages = 16;
inline constexpr size_t kMaxMessagesPerCase = 200;
inline constexpr int64_t kMaxAuthority = 1000000000;
inline constexpr double kMaxCustomerValue = 1e9;
inline constexpr int64_t kMaxReach = 10000000000;

absl::Status ValidateCaseSpec(const CaseSpec& spec);
// Agent profile fields only (id, skills, languages, authority, capacity).
absl::Status ValidateAgentProfile(const Agent& agent);
absl::Status ValidateOutcome(const Outcome& outcome);
// Customer text: 1..kMaxTextBytes bytes. `field` names it in the error.
absl::Status ValidateMessageText(absl::string_view field, absl::string_view text);
// An id as the API takes it: 1..kMaxIdLength printable ASCII characters.
absl::Status ValidateId(absl::string_view field, absl::string_view id);
// An agent id: 1..64 characters of [A-Za-z0-9_.-].
absl::Status ValidateAgentId(absl::string_view field, absl::string_view id);
// A skill or topic name: 1..64 characters of [a-z0-9_.-].
absl::Status ValidateName(absl::string_view field, absl::string_view name);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_MODEL_VALIDATION_H_
