// ApiEnums: one table per closed set, pairing the engine's value with the caserouter.v1 one.
//
// Both directions read the same table, so a value can never be mapped one way and forgotten
// the other. The model's names for the values (router/model/reasons.h, enum_names.h) and the
// API's words (proto/enum_words.h) agree; api_enums_test.cc checks every pair.
//
//   v1::Channel c = ApiOf(kChannelPairs, Channel::kChat, v1::CHANNEL_UNSPECIFIED);
//   std::optional<Channel> m = ModelOf(kChannelPairs, v1::CHANNEL_EMAIL);
//
// Header-only; the tables are constant.
#ifndef CASEROUTER_ROUTER_SERVICE_API_ENUMS_H_
#define CASEROUTER_ROUTER_SERVICE_API_ENUMS_H_

#include <cstddef>
#include <optional>

#include "absl/strings/string_view.h"
#include "agents/agent.h"
#include "agents/channel.h"
#include "caserouter/v1/agent_desk.pb.h"
#include "caserouter/v1/case_intake.pb.h"
#include "caserouter/v1/common.pb.h"
#include "caserouter/v1/supervision.pb.h"
#include "router/model/case.h"
#include "router/model/engine_config.h"
#include "router/model/reasons.h"

namespace caserouter {

template <typename Model, typename Api>
struct EnumPair {
  Model model;
  Api api;
};

// The API value paired with `value`; `otherwise` when the table has none.
template <typename Model, typename Api, size_t N>
constexpr Api ApiOf(const EnumPair<Model, Api> (&table)[N], const Model& value, Api otherwise) {
  for (const auto& pair : table) {
    if (pair.model == value) return pair.api;
  }
  return otherwise;
}

// The engine value paired with API value `value` (an int: a proto3 enum field may hold any
// number); nullopt when the table has none.
template <typename Model, typename Api, size_t N>
constexpr std::optional<Model> ModelOf(const EnumPair<Model, Api> (&table)[N], int value) {
  for (const auto& pair : table) {
    if (static_cast<int>(pair.api) == value) return pair.model;
  }
  return std::nullopt;
}

inline constexpr EnumPair<Channel, v1::Channel> kChannelPairs[] = {
    {Channel::kPhone, v1::CHANNEL_PHONE},
    {Channel::kChat, v1::CHANNEL_CHAT},
    {Channel::kSocial, v1::CHANNEL_SOCIAL},
    {Channel::kEmail, v1::CHANNEL_EMAIL}};

inline constexpr EnumPair<Presence, v1::Presence> kPresencePairs[] = {
    {Presence::kOffline, v1::PRESENCE_OFFLINE},
    {Presence::kAvailable, v1::PRESENCE_AVAILABLE},
    {Presence::kAway, v1::PRESENCE_AWAY},
    {Presence::kWrapUp, v1::PRESENCE_WRAP_UP}};

inline constexpr EnumPair<CaseState, v1::CaseState> kCaseStatePairs[] = {
    {CaseState::kQueued, v1::CASE_STATE_QUEUED},
    {CaseState::kOffered, v1::CASE_STATE_OFFERED},
    {CaseState::kAssigned, v1::CASE_STATE_ASSIGNED},
    {CaseState::kCompleted, v1::CASE_STATE_COMPLETED},
    {CaseState::kCancelled, v1::CASE_STATE_CANCELLED},
    {CaseState::kExpired, v1::CASE_STATE_EXPIRED},
    {CaseState::kPending, v1::CASE_STATE_PENDING}};

// Case.end_reason. kNone (open, or completed) is the unspecified value.
inline constexpr EnumPair<EndReason, v1::EndReason> kEndReasonPairs[] = {
    {EndReason::kNone, v1::END_REASON_UNSPECIFIED},
    {EndReason::kCustomerLeft, v1::END_REASON_CUSTOMER_LEFT},
    {EndReason::kPostDeleted, v1::END_REASON_POST_DELETED},
    {EndReason::kDuplicate, v1::END_REASON_DUPLICATE},
    {EndReason::kOther, v1::END_REASON_OTHER},
    {EndReason::kNoAgentWithinTtl, v1::END_REASON_NO_AGENT_WITHIN_TTL},
    {EndReason::kPlanExpired, v1::END_REASON_PLAN_EXPIRED},
    {EndReason::kCallbackOffered, v1::END_REASON_CALLBACK_OFFERED},
    {EndReason::kTicketCreated, v1::END_REASON_TICKET_CREATED},
    {EndReason::kOverflowedToDomain, v1::END_REASON_OVERFLOWED_TO_DOMAIN},
    {EndReason::kPendingTimeout, v1::END_REASON_PENDING_TIMEOUT}};

// CancelCaseRequest.reason: the cancel reasons of kCancelReasonNames. CANCEL_REASON_UNSPECIFIED
// has no pair: the engine records kDefaultCancelReason for it.
inline constexpr EnumPair<EndReason, v1::CancelReason> kCancelReasonPairs[] = {
    {EndReason::kCustomerLeft, v1::CANCEL_REASON_CUSTOMER_LEFT},
    {EndReason::kPostDeleted, v1::CANCEL_REASON_POST_DELETED},
    {EndReason::kDuplicate, v1::CANCEL_REASON_DUPLICATE},
    {EndReason::kOther, v1::CANCEL_REASON_OTHER}};

inline constexpr EnumPair<RevocationReason, v1::RevocationReason> kRevocationReasonPairs[] = {
    {RevocationReason::kTimedOut, v1::REVOCATION_REASON_TIMED_OUT},
    {RevocationReason::kCancelled, v1::REVOCATION_REASON_CANCELLED},
    {RevocationReason::kPresence, v1::REVOCATION_REASON_PRESENCE},
    {RevocationReason::kDisconnected, v1::REVOCATION_REASON_DISCONNECTED},
    {RevocationReason::kHeartbeatLost, v1::REVOCATION_REASON_HEARTBEAT_LOST},
    {RevocationReason::kSupervisor, v1::REVOCATION_REASON_SUPERVISOR}};

inline constexpr EnumPair<Exclusion, v1::ExclusionReason> kExclusionPairs[] = {
    {Exclusion::kPresence, v1::EXCLUSION_REASON_PRESENCE},
    {Exclusion::kCapacity, v1::EXCLUSION_REASON_CAPACITY},
    {Exclusion::kSkill, v1::EXCLUSION_REASON_SKILL},
    {Exclusion::kLanguage, v1::EXCLUSION_REASON_LANGUAGE},
    {Exclusion::kAuthority, v1::EXCLUSION_REASON_AUTHORITY},
    {Exclusion::kDeclined, v1::EXCLUSION_REASON_DECLINED}};

inline constexpr EnumPair<Strategy, v1::Strategy> kStrategyPairs[] = {
    {Strategy::kOutcome, v1::STRATEGY_OUTCOME},
    {Strategy::kLongestIdle, v1::STRATEGY_LONGEST_IDLE},
    {Strategy::kRoundRobin, v1::STRATEGY_ROUND_ROBIN},
    {Strategy::kLeastOccupied, v1::STRATEGY_LEAST_OCCUPIED},
    {Strategy::kFastestHandle, v1::STRATEGY_FASTEST_HANDLE}};

// PresenceChanged.reason. The engine says why it changed a presence with these words
// (DeskNotice::reason); the model has no enum for them. Any other word is unspecified.
inline constexpr EnumPair<absl::string_view, v1::PresenceChangeReason>
    kPresenceChangeReasonPairs[] = {{"missed_offers", v1::PRESENCE_CHANGE_REASON_MISSED_OFFERS},
                                    {"wrap_up_started", v1::PRESENCE_CHANGE_REASON_WRAP_UP_STARTED},
                                    {"wrap_up_ended", v1::PRESENCE_CHANGE_REASON_WRAP_UP_ENDED},
                                    {"supervisor", v1::PRESENCE_CHANGE_REASON_SUPERVISOR}};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_API_ENUMS_H_
