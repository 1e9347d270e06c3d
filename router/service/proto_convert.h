// Conversions between caserouter.v1 messages and the engine's plain values.
//
// Inbound (proto → engine) the functions make only the checks a proto can fail and the engine
// cannot see: a required message left unset, CHANNEL_UNSPECIFIED, enum numbers outside the
// enum, text that is not UTF-8. Each failure is INVALID_ARGUMENT naming the proto field as a
// path from the request ("required_skills[1].skill", "profile.languages[0]"). Ranges and
// formats (proficiency 1-10, id characters, sizes) are the engine's to check (validation.h),
// so one rule lives in one place. Error messages never quote the offending value: it may be
// customer text.
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
#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"
#include "router/model/case.h"
#include "router/engine/engine.h"

namespace caserouter {

// --- Wire level ---

// Parses `bytes` into `message`. The protobuf runtime refuses proto3 strings that are not
// UTF-8 without saying which field; this names it ("subject: must be valid UTF-8"), so that a
// client can fix its request. Other malformed input: INVALID_ARGUMENT naming the message type.
absl::Status ParseProto(absl::string_view bytes, google::protobuf::Message* message);

// Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(absl::string_view text);

// --- Inbound: proto → engine ---

absl::StatusOr<Channel> ChannelFromProto(int value, absl::string_view field);
// Any defined presence but PRESENCE_UNSPECIFIED.
absl::StatusOr<Presence> PresenceFromProto(int value, absl::string_view field);
absl::StatusOr<CaseSpec> CaseSpecFromProto(const v1::SubmitCaseRequest& request);
// `field` prefixes the field names in errors; "" names them as the engine's validation does
// ("skills[1].name"), which the Supervision service uses so one field has one name.
absl::StatusOr<Agent> AgentFromProto(const v1::AgentProfile& profile, absl::string_view field);
Outcome OutcomeFromProto(const v1::Outcome& outcome);
// INVALID_ARGUMENT "<field>: required" when `value` is empty, "<field>: must be valid UTF-8"
// when it is not UTF-8.
absl::Status CheckRequiredText(absl::string_view field, absl::string_view value);
absl::Status CheckText(absl::string_view field, absl::string_view value);

// --- Outbound: engine → proto ---

v1::Channel ChannelToProto(Channel channel);
v1::Presence PresenceToProto(Presence presence);
v1::CaseState CaseStateToProto(CaseState state);

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
bool DeskNoticeToProto(const DeskNotice& notice, v1::DeskEvent* out);

void TimeToProto(absl::Time time, google::protobuf::Timestamp* out);
absl::Time TimeFromProto(const google::protobuf::Timestamp& time);
void DurationToProto(absl::Duration duration, google::protobuf::Duration* out);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_PROTO_CONVERT_H_
