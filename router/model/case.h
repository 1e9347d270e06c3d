// Case: one customer need, from submission to its end.
//
// A Case is a plain value owned by the engine of its routing domain. It carries what the
// adapter said (channel, customer, topic, requirements, signals, text) and where the case is
// in its life (queued → offered → assigned → completed, or cancelled / expired).
//
// `subject` and `messages` are customer text: personal data. They are stored and shown to the
// agent who holds the case, and never written to logs, metrics or error messages.
#ifndef CASEROUTER_ROUTER_MODEL_CASE_H_
#define CASEROUTER_ROUTER_MODEL_CASE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "agents/channel.h"
#include "router/model/enum_names.h"

namespace caserouter {

enum class CaseState {
  kQueued = 0,     // waiting for an agent
  kOffered = 1,    // reserved for one agent until the offer expires
  kAssigned = 2,   // an agent accepted it and owns it
  kCompleted = 3,  // the agent completed it with an outcome
  kCancelled = 4,  // the customer left (hung up, deleted the post) or the adapter withdrew it
  kExpired = 5,    // nobody could take it within the channel's TTL
  kPending = 200,  // waiting on the customer: still its agent's, holding no capacity (issue 14)
};

inline constexpr EnumName<CaseState> kCaseStateNames[] = {
    {CaseState::kQueued, "queued"},       {CaseState::kOffered, "offered"},
    {CaseState::kAssigned, "assigned"},   {CaseState::kCompleted, "completed"},
    {CaseState::kCancelled, "cancelled"}, {CaseState::kExpired, "expired"},
    {CaseState::kPending, "pending"}};

// "queued", "offered", ... as used in the store and in events.
inline absl::string_view CaseStateName(CaseState state) { return NameOf(kCaseStateNames, state); }
bool IsOpen(CaseState state);  // queued, offered, assigned or pending

struct SkillRequirement {
  std::string skill;
  int min_proficiency = 1;  // 1..10
};

// How a case ended, as the agent reported it.
struct Outcome {
  bool resolved = false;
  int csat = 0;  // 1..5, 0 when the customer gave none
  bool follow_up_needed = false;
};

// What an adapter submits. Validated by ValidateCaseSpec before it reaches the engine.
// Fields are ordered so that the small ones share words: a case's size is memory per case.
struct CaseSpec {
  Channel channel = Channel::kPhone;
  int explicit_priority = 0;  // 0..100 from the adapter
  std::string customer_id;
  std::string topic;
  std::vector<SkillRequirement> required_skills;
  std::string language;          // empty = any
  int64_t authority_needed = 0;  // credit/refund the resolution needs; 0 = none
  double customer_value = 0;     // lifetime value or tier weight from the adapter, >= 0
  double sentiment = 0;          // -1 (angry) .. 1 (happy)
  int64_t reach = 0;             // followers of a public social post
  bool has_sentiment = false;    // false: the engine may estimate it from the text
  bool is_public = false;        // a public post (vs. a private message)
  std::string subject;           // customer text
  std::string idempotency_key;   // required: a retried submission returns the same case
  // The adapter that submitted the case (its identity's name, set by the service from the
  // caller's credential, never from the request): whose event feed the case's events go to.
  // "" for cases submitted before issue 13 and for engine-level callers.
  std::string submitted_by;
};

struct Case {
  std::string id;
  CaseSpec spec;
  std::vector<std::string> messages;  // further customer messages (AddMessage)
  // Idempotency keys of later submissions that joined this case (the customer came back on
  // the topic while it was open). Each names this case for as long as the case is kept, as
  // spec.idempotency_key does, and goes with it.
  std::vector<std::string> joined_keys;

  CaseState state = CaseState::kQueued;
  int offers_made = 0;
  absl::Time created_time = absl::InfinitePast();
  absl::Time enqueued_time = absl::InfinitePast();  // its age in the queue; kept across re-queues
  absl::Time answered_time = absl::InfinitePast();  // when an agent accepted it first
  absl::Time closed_time = absl::InfinitePast();

  std::string agent_id;  // offered to / assigned to
  absl::Time offer_expires = absl::InfinitePast();
  std::vector<std::string> declined_by;  // agents not to offer it to in this pass
  absl::Time declined_pass_until = absl::InfinitePast();

  std::string repeat_of;          // the earlier "resolved" case this one is a repeat contact of
  std::string preferred_agent;    // re-routed after its agent vanished: prefer them on return
  bool needs_supervisor = false;  // routed past its authority need (SLA breached)
  bool came_back = false;  // resolved, but the customer came back: not a first-contact resolution
  // Issue 17: the case arrived in a slot's stabilisation gap, or its arm was suspended: routed
  // by `arm`, left out of the comparison. Beside the other flags: no padding of its own.
  bool arm_excluded = false;

  // Issue 17: the benchmark arm that routes this case (router/policy/benchmark_arms.h), empty
  // outside a benchmark (a name from the configuration; up to 15 characters it fits in the
  // string's own buffer, no allocation per case).
  std::string arm;

  Outcome outcome;
  std::string end_reason;  // for cancelled / expired cases: a closed-set reason word

  // Transfers (issue 14; router/engine/case_transfer.h). Stored (optional fields).
  int transfers = 0;                        // hand-overs from one agent to another or to routing
  std::vector<std::string> transferred_by;  // agents who transferred it: never offered it again
  // A warm transfer's consult: the agent asked to take the case over, until when. In memory
  // only (a consult does not survive a failover: the case stays with its agent).
  std::string consult_agent;
  absl::Time consult_expires = absl::InfinitePast();
  // The disposition code the agent completed it with, from its topic's configured list, or
  // empty (issue 14; router/engine/agent_work_rules.h). Stored (optional field).
  std::string disposition;
  // Pending (issue 14; router/engine/pending_cases.h). Stored (optional fields).
  absl::Time pending_since = absl::InfinitePast();         // marked pending then
  absl::Time pending_return_until = absl::InfinitePast();  // the customer wrote: waits for
                                                           // its agent until then
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_MODEL_CASE_H_
