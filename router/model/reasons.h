// Reasons and results: the closed sets that say why something happened to a case or an offer.
//
// Each set has one table of names (see enum_names.h). The names travel in events, in the
// store and as metric labels, so they are part of the store's and the dashboards' contract:
// add values, never rename one.
#ifndef CASEROUTER_ROUTER_MODEL_REASONS_H_
#define CASEROUTER_ROUTER_MODEL_REASONS_H_

#include "absl/strings/string_view.h"
#include "router/model/enum_names.h"

namespace caserouter {

// How an offer ended.
enum class OfferResult { kAccepted = 0, kDeclined = 1, kTimedOut = 2, kRevoked = 3 };
inline constexpr int kOfferResultCount = 4;
inline constexpr EnumName<OfferResult> kOfferResultNames[] = {{OfferResult::kAccepted, "accepted"},
                                                              {OfferResult::kDeclined, "declined"},
                                                              {OfferResult::kTimedOut, "timed_out"},
                                                              {OfferResult::kRevoked, "revoked"}};
inline absl::string_view OfferResultName(OfferResult result) {
  return NameOf(kOfferResultNames, result);
}

// Why an agent was not eligible for a case.
enum class Exclusion {
  kPresence = 0,   // not AVAILABLE (offline, away, wrap-up) or no desk session
  kCapacity = 1,   // no capacity left on the case's channel
  kSkill = 2,      // lacks a required skill at the minimum proficiency
  kLanguage = 3,   // does not speak the case's language
  kAuthority = 4,  // not empowered for the authority the case needs
  kDeclined = 5,   // declined or missed this case in this pass
};
inline constexpr int kExclusionCount = 6;
inline constexpr EnumName<Exclusion> kExclusionNames[] = {
    {Exclusion::kPresence, "presence"},   {Exclusion::kCapacity, "capacity"},
    {Exclusion::kSkill, "skill"},         {Exclusion::kLanguage, "language"},
    {Exclusion::kAuthority, "authority"}, {Exclusion::kDeclined, "declined"}};
inline absl::string_view ExclusionName(Exclusion reason) { return NameOf(kExclusionNames, reason); }

// Why an offer was taken back from the agent before they answered it.
enum class RevocationReason {
  kTimedOut = 0,       // the agent did not answer within the offer timeout
  kCancelled = 1,      // the customer left (CancelCase)
  kPresence = 2,       // the agent set themselves away or offline
  kDisconnected = 3,   // the agent's desk stream ended
  kHeartbeatLost = 4,  // the agent's desk stream went silent
  kSupervisor = 200,   // a supervisor gave the case to someone else (issue 14)
};
inline constexpr EnumName<RevocationReason> kRevocationReasonNames[] = {
    {RevocationReason::kTimedOut, "timed_out"},
    {RevocationReason::kCancelled, "cancelled"},
    {RevocationReason::kPresence, "presence"},
    {RevocationReason::kDisconnected, "disconnected"},
    {RevocationReason::kHeartbeatLost, "heartbeat_lost"},
    {RevocationReason::kSupervisor, "supervisor"}};
inline absl::string_view RevocationReasonName(RevocationReason reason) {
  return NameOf(kRevocationReasonNames, reason);
}

// How an agent handed a case on (issue 14; router/engine/case_transfer.h). `warm_declined`
// counts consults that left the case with its agent (no hand-over).
enum class TransferKind { kCold = 0, kWarm = 1, kRouting = 2, kWarmDeclined = 3 };
inline constexpr int kTransferKindCount = 4;
inline constexpr EnumName<TransferKind> kTransferKindNames[] = {
    {TransferKind::kCold, "cold"},
    {TransferKind::kWarm, "warm"},
    {TransferKind::kRouting, "routing"},
    {TransferKind::kWarmDeclined, "warm_declined"}};
inline absl::string_view TransferKindName(TransferKind kind) {
  return NameOf(kTransferKindNames, kind);
}

// The steps of a pending case (issue 14; router/engine/pending_cases.h).
enum class PendingStep { kMarked = 0, kBackToAgent = 1, kBackToQueue = 2, kClosed = 3 };
inline constexpr int kPendingStepCount = 4;
inline constexpr EnumName<PendingStep> kPendingStepNames[] = {
    {PendingStep::kMarked, "marked"},
    {PendingStep::kBackToAgent, "back_to_agent"},
    {PendingStep::kBackToQueue, "back_to_queue"},
    {PendingStep::kClosed, "closed"}};

// Why a case ended without an outcome (cancelled or expired). The cancel reasons are the ones
// an adapter may give to CancelCase.
enum class EndReason {
  kNone = 0,              // the case is open, or an agent completed it
  kCustomerLeft = 1,      // hung up, closed the chat (CancelCase's default)
  kPostDeleted = 2,       // the public post was deleted
  kDuplicate = 3,         // the adapter found it duplicates another case
  kOther = 4,             // the adapter withdrew it for another reason
  kNoAgentWithinTtl = 5,  // nobody could take it within the channel's time to live
  // Issue 16: the end of a queue's routing plan (router/engine/queue_steps.h).
  kPlanExpired = 300,         // the plan's final action: expire
  kCallbackOffered = 301,     // ... a callback offer
  kTicketCreated = 302,       // ... a ticket
  kOverflowedToDomain = 303,  // the plan overflowed to another routing domain's queue
  kPendingTimeout = 200,      // pending, and the customer did not come back in time (issue 14)
};
inline constexpr EnumName<EndReason> kEndReasonNames[] = {
    {EndReason::kNone, ""},
    {EndReason::kCustomerLeft, "customer_left"},
    {EndReason::kPostDeleted, "post_deleted"},
    {EndReason::kDuplicate, "duplicate"},
    {EndReason::kOther, "other"},
    {EndReason::kNoAgentWithinTtl, "no_agent_within_ttl"},
    {EndReason::kPlanExpired, "plan_expired"},
    {EndReason::kCallbackOffered, "callback_offered"},
    {EndReason::kTicketCreated, "ticket_created"},
    {EndReason::kOverflowedToDomain, "overflowed_to_domain"},
    {EndReason::kPendingTimeout, "pending_timeout"}};
inline absl::string_view EndReasonName(EndReason reason) { return NameOf(kEndReasonNames, reason); }

// The reason CancelCase records when the adapter gives none.
inline constexpr EndReason kDefaultCancelReason = EndReason::kCustomerLeft;
inline constexpr EnumName<EndReason> kCancelReasonNames[] = {
    {EndReason::kCustomerLeft, "customer_left"},
    {EndReason::kPostDeleted, "post_deleted"},
    {EndReason::kDuplicate, "duplicate"},
    {EndReason::kOther, "other"}};
inline bool IsCancelReason(EndReason reason) {
  for (const auto& entry : kCancelReasonNames) {
    if (entry.value == reason) return true;
  }
  return false;
}

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_MODEL_REASONS_H_
