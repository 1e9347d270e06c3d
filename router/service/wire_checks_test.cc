#include "router/service/wire_checks.h"

#include <string>

#include "absl/strings/match.h"
#include "caserouter/v1/agent_desk.pb.h"
#include "caserouter/v1/case_intake.pb.h"
#include "caserouter/v1/supervision.pb.h"
#include "gtest/gtest.h"

namespace caserouter {
namespace {

constexpr char kBadUtf8[] = "caf\xc3 bill \xff";

template <typename Message>
absl::Status Reparse(const Message& message) {
  std::string bytes;
  EXPECT_TRUE(message.SerializePartialToString(&bytes));
  Message parsed;
  return ParseRequest(bytes, &parsed);
}

void ExpectNamesField(const absl::Status& status, const std::string& field) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_TRUE(absl::StartsWith(status.message(), field + ": ")) << status;
  EXPECT_FALSE(absl::StrContains(status.message(), "caf")) << status;
  EXPECT_FALSE(absl::StrContains(status.message(), "bill")) << status;
}

TEST(ParseProtoTest, ParsesValidMessages) {
  v1::SubmitCaseRequest request;
  request.set_subject("Ça ne marche pas 😡");
  request.set_channel(v1::CHANNEL_CHAT);
  std::string bytes = request.SerializeAsString();
  v1::SubmitCaseRequest parsed;
  ASSERT_TRUE(ParseRequest(bytes, &parsed).ok());
  EXPECT_EQ(parsed.subject(), request.subject());
}

TEST(ParseProtoTest, NamesTopLevelStringThatIsNotUtf8) {
  v1::SubmitCaseRequest request;
  request.set_customer_id("c-1");
  request.set_subject(kBadUtf8);
  ExpectNamesField(Reparse(request), "subject");
}

TEST(ParseProtoTest, NamesRepeatedNestedField) {
  v1::SubmitCaseRequest request;
  request.add_required_skills()->set_skill("billing");
  request.add_required_skills()->set_skill(kBadUtf8);
  ExpectNamesField(Reparse(request), "required_skills[1].skill");
}

TEST(ParseProtoTest, NamesFieldInsideOneof) {
  v1::ConnectRequest request;
  request.set_request_id(7);
  request.mutable_accept()->set_case_id(kBadUtf8);
  ExpectNamesField(Reparse(request), "accept.case_id");
}

TEST(ParseProtoTest, NamesRepeatedStringInSubmessage) {
  v1::CreateAgentRequest request;
  request.mutable_profile()->set_agent_id("ana");
  request.mutable_profile()->add_languages("en");
  request.mutable_profile()->add_languages(kBadUtf8);
  ExpectNamesField(Reparse(request), "profile.languages[1]");
}

TEST(ParseProtoTest, GarbageIsInvalidArgumentNamingTheType) {
  v1::SubmitCaseRequest parsed;
  absl::Status status = ParseRequest("\xff\xff\xff\xff", &parsed);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(status.message(), "caserouter.v1.SubmitCaseRequest")) << status;
}

// The protobuf runtime logs a line naming the field when it meets a string that is not UTF-8;
// the wire checks must see it first, so nothing about customer text reaches the log.
TEST(ParseProtoTest, InvalidUtf8WritesNothingToStderr) {
  v1::SubmitCaseRequest request;
  request.set_subject(kBadUtf8);
  request.add_required_skills()->set_skill(kBadUtf8);
  v1::ConnectRequest desk;
  desk.mutable_hello()->set_agent_id(kBadUtf8);
  // Serializing them logs (the runtime checks on the way out too), so the bytes come first.
  const std::string submit_bytes = request.SerializePartialAsString();
  const std::string hello_bytes = desk.SerializePartialAsString();
  v1::SubmitCaseRequest submit_parsed;
  v1::ConnectRequest hello_parsed;
  testing::internal::CaptureStderr();
  absl::Status submit = ParseRequest(submit_bytes, &submit_parsed);
  absl::Status hello = ParseRequest(hello_bytes, &hello_parsed);
  const std::string logged = testing::internal::GetCapturedStderr();
  ExpectNamesField(submit, "required_skills[0].skill");
  ExpectNamesField(hello, "hello.agent_id");
  EXPECT_EQ(logged, "");
}

TEST(ParseProtoTest, EnumValuesOutsideTheirEnumNameTheField) {
  v1::SubmitCaseRequest submit;
  submit.set_channel(static_cast<v1::Channel>(99));
  ExpectNamesField(Reparse(submit), "channel");
  v1::ConnectRequest presence;
  presence.mutable_set_presence()->set_presence(static_cast<v1::Presence>(-3));
  ExpectNamesField(Reparse(presence), "set_presence.presence");
  v1::CancelCaseRequest cancel;
  cancel.set_case_id("c-1");
  cancel.set_reason(static_cast<v1::CancelReason>(5));
  ExpectNamesField(Reparse(cancel), "reason");
  // Unset and defined values pass, the zero value included: whether a field is required is
  // for the conversion to say.
  cancel.set_reason(v1::CANCEL_REASON_UNSPECIFIED);
  EXPECT_TRUE(Reparse(cancel).ok());
  cancel.set_reason(v1::CANCEL_REASON_DUPLICATE);
  EXPECT_TRUE(Reparse(cancel).ok());
}

TEST(ParseProtoTest, RefusesRequestsOverTheSizeLimit) {
  v1::AddMessageRequest request;
  request.set_case_id("c-1");
  request.set_text(std::string(kMaxRequestBytes, 'x'));
  absl::Status status = Reparse(request);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StartsWith(status.message(), "request: ")) << status;
  request.set_text(std::string(1000, 'x'));
  EXPECT_TRUE(Reparse(request).ok());
}

TEST(ParseNumbersOnlyTest, KeepsTheRequestIdOfARequestThatFailed) {
  v1::ConnectRequest request;
  request.set_request_id(42);
  request.mutable_accept()->set_case_id(kBadUtf8);
  const std::string bytes = request.SerializePartialAsString();
  v1::ConnectRequest parsed;
  ASSERT_FALSE(ParseRequest(bytes, &parsed).ok());
  testing::internal::CaptureStderr();
  ParseNumbersOnly(bytes, &parsed);
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
  EXPECT_EQ(parsed.request_id(), 42);
  EXPECT_FALSE(parsed.has_accept());
  ParseNumbersOnly("\xff\xff", &parsed);
  EXPECT_EQ(parsed.request_id(), 0);
}

TEST(CaseSpecFromProtoTest, ChecksTextOfInProcessMessages) {
  v1::SubmitCaseRequest r;
  r.set_channel(v1::CHANNEL_CHAT);
  r.set_topic(kBadUtf8);
  ExpectNamesField(CheckRequest(r), "topic");
  r.set_topic("billing");
  EXPECT_TRUE(CheckRequest(r).ok());
  r.set_channel(static_cast<v1::Channel>(7));
  ExpectNamesField(CheckRequest(r), "channel");
}

TEST(AgentConvertTest, BadTextNamesTheProfileField) {
  v1::CreateAgentRequest request;
  v1::AgentProfile& p = *request.mutable_profile();
  p.set_agent_id("ana");
  p.add_skills()->set_name("ok");
  p.add_skills()->set_name(kBadUtf8);
  ExpectNamesField(CheckRequest(request), "profile.skills[1].name");
  ExpectNamesField(CheckRequest(p), "skills[1].name");
}

TEST(IsValidUtf8Test, AcceptsAndRejects) {
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain"));
  EXPECT_TRUE(IsValidUtf8("\xc3\xa9"));           // é
  EXPECT_TRUE(IsValidUtf8("\xe2\x82\xac"));       // €
  EXPECT_TRUE(IsValidUtf8("\xf0\x9f\x98\xa1"));   // 😡
  EXPECT_FALSE(IsValidUtf8("\xc3"));              // truncated
  EXPECT_FALSE(IsValidUtf8("\xc0\x80"));          // overlong NUL
  EXPECT_FALSE(IsValidUtf8("\xed\xa0\x80"));      // surrogate
  EXPECT_FALSE(IsValidUtf8("\xf4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(IsValidUtf8("\x80"));              // stray continuation
  EXPECT_FALSE(IsValidUtf8("\xff"));
}

}  // namespace
}  // namespace caserouter
