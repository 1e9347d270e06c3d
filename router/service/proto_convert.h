// Conversions between caserouter.v1 messages and the engine's plain values.
//
// Inbound (proto → engine) the functions make only the checks a conversion can fail: a
// required enum left at *_UNSPECIFIED, a number no table pairs with. Each failure is
// INVALID_ARGUMENT naming the proto field. The wire shape (UTF-8, enum values, sizes) was
// checked when the request was parsed (wire_checks.h); ranges and formats (proficiency 1-10,
// id characters, counts) are the engine's to check (router/model/validation.h). So one rule
// lives in one place. Error messages never quote the offending value: it may be customer
// text. Enums convert through one table per closed set (api_enums.h).
//
// Outbound (engine → proto) never fails. Infinite times (never answered, still open) leave the
// Timestamp field unset (has_answer_time() is false).
//
//   absl::StatusOr<CaseSpec> spec = CaseSpecFromProto(request);
//   if (!spec.ok()) return ToGrpcStatus(spec.status());
//   engine.SubmitCase(*std::move(spec), ...);
//
// Thread safety: plain functions over values.
#ifndef CASEROUTER_ROUTER_SERVICE_PROTO_CONVERT_H_
#define CASEROUTER_ROUTER_SERVICE_PROTO_CONVERT_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "agents/agent.h"
#include "agents/channel.h"
#include "caserouter/v1/agent_desk.pb.h"
#include "caserouter/v1/case_intake.pb.h"
#include "caserouter/v1/common.pb.h"
#include "caserouter/v1/supervision.pb.h"
#include "google/protobuf/duration.pb.h"
#include "google/protobuf/timestamp.pb.h"
#include "router/engine/engine.h"
#include "router/model/case.h"

namespace caserouter {

// --- Inbound: proto → engine ---

// INVALID_ARGUMENT "<field>: required" for CHANNEL_UNSPECIFIED.
absl::StatusOr<Channel> ChannelFromProto(int value, absl::string_view field);
// Any defined presence but PRESENCE_UNSPECIFIED. Which of them a desk may set is the engine's
// rule (ValidateSettablePresence).
absl::StatusOr<Presence> PresenceFromProto(int value, absl::string_view field);
// The word CancelCase takes: "" for CANCEL_REASON_UNSPECIFIED (the engine records its
// default), else the reason's name.
absl::StatusOr<std::string> CancelReasonFromProto(int value, absl::string_view field);
absl::StatusOr<CaseSpec> CaseSpecFromProto(const v1::SubmitCaseRequest& request);
// The profile of a Create/UpdateAgentRequest: "profile: required" when unset.
template <typename Request>
absl::StatusOr<Agent> AgentFromRequest(const Request& request);
Agent AgentFromProto(const v1::AgentProfile& profile);
Outcome OutcomeFromProto(const v1::Outcome& outcome);
// A desk's Transfer (issue 14): the case id checked, the kind, the recipient or the new
// requirements. INVALID_ARGUMENT naming the field (transfer.case_id, transfer.kind, ...).
absl::StatusOr<TransferRequest> TransferFromProto(const v1::Transfer& transfer);
// A GetContext answer (issue 14): the case with its text (the agent's own).
void AgentContextToProto(const AgentContext& context, v1::CaseContext* out);
// Requirements as the engine takes them.
WaitingCaseChange::Requirements RequirementsFromProto(const v1::CaseRequirements& requirements);

// --- Outbound: engine → proto ---

v1::Channel ChannelToProto(Channel channel);
v1::Presence PresenceToProto(Presence presence);
v1::CaseState CaseStateToProto(CaseState state);
// The engine's end-reason word (Case::end_reason); END_REASON_UNSPECIFIED for "" or a word
// the table lacks.
v1::EndReason EndReasonToProto(absl::string_view end_reason);

// Whether a case's customer text (subject, messages) goes out: only to the agent holding the
// case and to GetCase callers.
enum class CaseText { kInclude, kOmit };
void CaseViewToProto(const CaseView& view, CaseText text, v1::Case* out);
void AgentToProfileProto(const Agent& agent, v1::AgentProfile* out);
// `now` gives the idle duration.
void AgentViewToProto(const AgentView& view, absl::Time now, v1::AgentStatus* out);
void WelcomeToProto(const Welcome& welcome, v1::Welcome* out);
// At most kMaxExplainedAgentIds agent ids per exclusion reason.
void ExplanationToProto(const Explanation& explanation, v1::ExplainDecisionResponse* out);
inline constexpr int kMaxExplainedAgentIds = 50;
// False for kSessionEnded, which is not an event but the end of the stream.
bool DeskNoticeToProto(const DeskNotice& notice, v1::ConnectResponse* out);

void TimeToProto(absl::Time time, google::protobuf::Timestamp* out);
absl::Time TimeFromProto(const google::protobuf::Timestamp& time);
void DurationToProto(absl::Duration duration, google::protobuf::Duration* out);

// --- Implementation ---

template <typename Request>
absl::StatusOr<Agent> AgentFromRequest(const Request& request) {
  if (!request.has_profile()) return absl::InvalidArgumentError("profile: required");
  return AgentFromProto(request.profile());
}

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_PROTO_CONVERT_H_
