// Validation: the domain rules of every value that enters the engine, checked before anything
// changes. One rule, one function, one home: the engine calls them, so the gRPC layer, the
// simulator and tests all go through the same checks.
//
// Each function returns OK or an error whose message names the field as the API spells it
// ("required_skills[1].min_proficiency: must be 1-10") and never repeats the value of a
// customer-text field. Bad input is INVALID_ARGUMENT; a case that holds the most messages it
// may is RESOURCE_EXHAUSTED. Every limit is a constant below, and the messages quote the
// constants, so a limit changes in one place.
//
//   if (absl::Status s = ValidateCancelReason("reason", reason); !s.ok()) return s;
//
// The shape of the wire (UTF-8, proto enum values) is not checked here: see
// router/service/wire_checks.h. Thread safety: plain functions over values.
#ifndef CASEROUTER_ROUTER_MODEL_VALIDATION_H_
#define CASEROUTER_ROUTER_MODEL_VALIDATION_H_

#include <cstddef>
#include <cstdint>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "agents/agent.h"
#include "agents/channel.h"
#include "router/model/case.h"

namespace caserouter {

// Ids (customer, case, idempotency key): printable ASCII without spaces.
inline constexpr size_t kMaxIdLength = 128;
// Agent ids, skill names and topics.
inline constexpr size_t kMaxNameLength = 64;
inline constexpr size_t kMaxAgentIdLength = kMaxNameLength;
// BCP 47 tags.
inline constexpr size_t kMaxLanguageLength = 16;
// Customer text: a subject or a message, in bytes.
inline constexpr size_t kMaxTextBytes = 8192;
inline constexpr size_t kMaxRequiredSkills = 16;
inline constexpr size_t kMaxAgentSkills = 64;
inline constexpr size_t kMaxAgentLanguages = 16;
inline constexpr size_t kMaxContactAddressBytes = 256;  // Agent::contact_address
// Customer messages one case holds, beside its subject.
inline constexpr size_t kMaxMessagesPerCase = 200;
// Later submissions (each with its own idempotency key) one open case takes in: every key is
// kept with the case, so the record stays bounded.
inline constexpr size_t kMaxJoinedSubmissionsPerCase = 200;
inline constexpr int kMinProficiency = 1;
inline constexpr int kMaxProficiency = 10;
inline constexpr int64_t kMaxAuthority = 1000000000;
inline constexpr int64_t kMaxCustomerValue = 1000000000;
inline constexpr double kMinSentiment = -1;
inline constexpr double kMaxSentiment = 1;
inline constexpr int64_t kMaxReach = 10000000000;
inline constexpr int kMaxExplicitPriority = 100;
inline constexpr int kMaxCsat = 5;  // 0 = the customer gave none
// Concurrent cases an agent may hold, per channel (a call blocks everything else).
inline constexpr PerChannel<int> kMaxCasesPerChannel = {1, 20, 20, 50};

absl::Status ValidateCaseSpec(const CaseSpec& spec);
// Agent profile fields only (id, skills, languages, authority, capacity).
absl::Status ValidateAgentProfile(const Agent& agent);
absl::Status ValidateOutcome(const Outcome& outcome);
// Customer text: 1..kMaxTextBytes bytes. `field` names it in the error.
absl::Status ValidateMessageText(absl::string_view field, absl::string_view text);
// An id as the API takes it: 1..kMaxIdLength printable ASCII characters.
absl::Status ValidateId(absl::string_view field, absl::string_view id);
// An agent id: 1..kMaxAgentIdLength characters of [A-Za-z0-9_.-]. The rule for every agent id,
// Hello.agent_id included.
absl::Status ValidateAgentId(absl::string_view field, absl::string_view id);
// A skill or topic name: 1..kMaxNameLength characters of [a-z0-9_.-].
absl::Status ValidateName(absl::string_view field, absl::string_view name);
// A reason CancelCase records: "" (the engine records kDefaultCancelReason) or a name of
// kCancelReasonNames.
absl::Status ValidateCancelReason(absl::string_view field, absl::string_view reason);
// A presence a desk may set: any but WRAP_UP, which the engine sets when a case completes.
absl::Status ValidateSettablePresence(absl::string_view field, Presence presence);
// Room for one more customer message on a case holding `messages_held`: RESOURCE_EXHAUSTED
// once it holds kMaxMessagesPerCase.
absl::Status ValidateMessageCount(absl::string_view field, size_t messages_held);
// Room for one more joined submission on a case holding `joined_held`: RESOURCE_EXHAUSTED
// once it holds kMaxJoinedSubmissionsPerCase.
absl::Status ValidateJoinCount(absl::string_view field, size_t joined_held);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_MODEL_VALIDATION_H_
