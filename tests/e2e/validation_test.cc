// End-to-end input validation: one row per request field, each with one bad value. Every row
// must come back INVALID_ARGUMENT, name the field, not repeat customer text, and change
// nothing (same queue, same agents, same case). Unknown ids are NOT_FOUND (case_flow_test.cc).
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"
#include "tools/client_auth/client_security.h"

namespace caserouter::e2e {
namespace {

// Marks customer text: it must never appear in an error message.
constexpr char kSecret[] = "SECRETCUSTOMERTEXT";
constexpr char kBadUtf8[] = "caf\xc3 \xff";

class ValidationTest : public RouterTest {
 protected:
  ValidationTest()
      : RouterTest(TestConfigYaml(absl::Seconds(60), absl::Seconds(30)), "e2e-validation") {}

  void SetUp() override {
    RouterTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    // Something for the rows to leave alone: an agent and a queued case.
    ASSERT_TRUE(c().CreateAgent("ana", {{"billing", 8}}).ok());
    v1::SubmitCaseResponse response;
    v1::SubmitCaseRequest existing = SampleSubmission("existing");
    existing.set_subject(absl::StrCat("my card ", kSecret));
    ASSERT_TRUE(c().Submit(existing, &response).ok());
    existing_case_ = response.case_().case_id();
  }

  // What must not change: the queue, the agents, and the existing case's messages.
  std::string Snapshot() {
    std::string out;
    v1::ListQueueResponse queue;
    EXPECT_TRUE(c().ListQueue(&queue).ok());
    for (const auto& q : queue.cases()) absl::StrAppend(&out, q.case_id(), ":", q.state(), ";");
    v1::ListAgentsResponse agents;
    EXPECT_TRUE(c().ListAgents(&agents).ok());
    for (const auto& a : agents.agents()) {
      absl::StrAppend(&out, a.profile().SerializeAsString(), "/", a.presence(), ";");
    }
    v1::Case existing;
    EXPECT_TRUE(c().GetCase(existing_case_, &existing).ok());
    absl::StrAppend(&out, "messages=", existing.messages_size());
    return out;
  }

  static void ExpectInvalid(const std::string& row, grpc::StatusCode code,
                            const std::string& message, const std::string& field) {
    EXPECT_EQ(code, grpc::StatusCode::INVALID_ARGUMENT) << row << ": " << message;
    EXPECT_TRUE(absl::StrContains(message, field))
        << row << ": message \"" << message << "\" does not name " << field;
    EXPECT_FALSE(absl::StrContains(message, kSecret)) << row << ": " << message;
    EXPECT_FALSE(absl::StrContains(message, "\xff")) << row;
  }

  std::string existing_case_;
};

v1::SubmitCaseRequest ValidSubmission() {
  v1::SubmitCaseRequest r = SampleSubmission("fresh-key");
  r.set_customer_id("cust-77");
  r.set_subject(absl::StrCat("the router ate my refund ", kSecret));
  r.add_required_skills()->set_skill("billing");
  r.mutable_required_skills(0)->set_min_proficiency(3);
  r.add_required_skills()->set_skill("refunds");
  r.mutable_required_skills(1)->set_min_proficiency(2);
  return r;
}

struct SubmitRow {
  const char* name;
  const char* field;
  std::function<void(v1::SubmitCaseRequest&)> spoil;
};

TEST_F(ValidationTest, EverySubmitCaseFieldIsCheckedAndNothingChanges) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<SubmitRow> rows = {
      {"channel unspecified", "channel", [](auto& r) { r.set_channel(v1::CHANNEL_UNSPECIFIED); }},
      {"channel unknown", "channel", [](auto& r) { r.set_channel(static_cast<v1::Channel>(99)); }},
      {"customer_id empty", "customer_id", [](auto& r) { r.set_customer_id(""); }},
      {"customer_id long", "customer_id",
       [](auto& r) { r.set_customer_id(std::string(129, 'c')); }},
      {"customer_id space", "customer_id",
       [](auto& r) { r.set_customer_id(absl::StrCat("a ", kSecret)); }},
      {"customer_id utf8", "customer_id", [](auto& r) { r.set_customer_id(kBadUtf8); }},
      {"topic empty", "topic", [](auto& r) { r.set_topic(""); }},
      {"topic upper", "topic", [](auto& r) { r.set_topic(absl::StrCat("Billing ", kSecret)); }},
      {"topic long", "topic", [](auto& r) { r.set_topic(std::string(65, 't')); }},
      {"topic utf8", "topic", [](auto& r) { r.set_topic(kBadUtf8); }},
      {"required_skills too many", "required_skills",
       [](auto& r) {
         for (int i = 0; i < 15; ++i) {
           auto* s = r.add_required_skills();
           s->set_skill(absl::StrCat("s", i));
           s->set_min_proficiency(1);
         }
       }},
      {"skill name", "required_skills[0].skill",
       [](auto& r) { r.mutable_required_skills(0)->set_skill("Bad Skill"); }},
      {"skill empty", "required_skills[1].skill",
       [](auto& r) { r.mutable_required_skills(1)->set_skill(""); }},
      {"skill utf8", "required_skills[1].skill",
       [](auto& r) { r.mutable_required_skills(1)->set_skill(kBadUtf8); }},
      {"min_proficiency 0", "required_skills[1].min_proficiency",
       [](auto& r) { r.mutable_required_skills(1)->set_min_proficiency(0); }},
      {"min_proficiency 11", "required_skills[0].min_proficiency",
       [](auto& r) { r.mutable_required_skills(0)->set_min_proficiency(11); }},
      {"language tag", "language", [](auto& r) { r.set_language("not a tag!"); }},
      {"language long", "language", [](auto& r) { r.set_language(std::string(17, 'e')); }},
      {"language utf8", "language", [](auto& r) { r.set_language(kBadUtf8); }},
      {"authority negative", "authority_needed", [](auto& r) { r.set_authority_needed(-1); }},
      {"authority huge", "authority_needed", [](auto& r) { r.set_authority_needed(1000000001); }},
      {"customer_value negative", "customer_value", [](auto& r) { r.set_customer_value(-1); }},
      {"customer_value huge", "customer_value", [](auto& r) { r.set_customer_value(2e9); }},
      {"customer_value nan", "customer_value", [&](auto& r) { r.set_customer_value(nan); }},
      {"sentiment high", "sentiment", [](auto& r) { r.set_sentiment(1.5); }},
      {"sentiment low", "sentiment", [](auto& r) { r.set_sentiment(-2); }},
      {"sentiment nan", "sentiment", [&](auto& r) { r.set_sentiment(nan); }},
      {"reach negative", "reach", [](auto& r) { r.set_reach(-1); }},
      {"reach huge", "reach", [](auto& r) { r.set_reach(10000000001); }},
      {"explicit_priority negative", "explicit_priority",
       [](auto& r) { r.set_explicit_priority(-1); }},
      {"explicit_priority high", "explicit_priority",
       [](auto& r) { r.set_explicit_priority(101); }},
      {"subject long", "subject",
       [](auto& r) {
         std::string text;
         while (text.size() <= 8192) text += kSecret;
         r.set_subject(text);
       }},
      {"subject utf8", "subject", [](auto& r) { r.set_subject(absl::StrCat(kSecret, kBadUtf8)); }},
      {"idempotency_key empty", "idempotency_key", [](auto& r) { r.set_idempotency_key(""); }},
      {"idempotency_key long", "idempotency_key",
       [](auto& r) { r.set_idempotency_key(std::string(129, 'k')); }},
      {"idempotency_key space", "idempotency_key",
       [](auto& r) { r.set_idempotency_key("two words"); }},
      {"idempotency_key utf8", "idempotency_key", [](auto& r) { r.set_idempotency_key(kBadUtf8); }},
  };
  const std::string before = Snapshot();
  for (const SubmitRow& row : rows) {
    v1::SubmitCaseRequest request = ValidSubmission();
    row.spoil(request);
    v1::SubmitCaseResponse response;
    grpc::Status status = c().Submit(request, &response);
    ExpectInvalid(row.name, status.error_code(), status.error_message(), row.field);
    EXPECT_EQ(Snapshot(), before) << row.name << " changed something";
  }
  // The key the rows used was never taken: the valid request is new.
  v1::SubmitCaseResponse response;
  ASSERT_TRUE(c().Submit(ValidSubmission(), &response).ok());
  EXPECT_FALSE(response.deduplicated());
}

struct CallRow {
  const char* name;
  const char* field;
  std::function<grpc::Status(Clients&, const std::string& existing_case)> call;
};

v1::AgentProfile ValidProfile(const std::string& id) {
  v1::AgentProfile p;
  p.set_agent_id(id);
  auto* s = p.add_skills();
  s->set_name("billing");
  s->set_proficiency(7);
  p.add_languages("en");
  p.set_authority_limit(100);
  p.set_max_phone(1);
  p.set_max_chat(3);
  return p;
}

grpc::Status Create(Clients& c, const std::function<void(v1::AgentProfile&)>& spoil) {
  grpc::ClientContext context;
  v1::CreateAgentRequest request;
  *request.mutable_profile() = ValidProfile("newbie");
  spoil(*request.mutable_profile());
  v1::CreateAgentResponse response;
  return c.supervision->CreateAgent(&context, request, &response);
}

// Ids that break the id rule (1-128 printable ASCII without spaces): too long, and a space
// with customer-looking text after it, which must not come back in the error.
const std::string kLongCaseId(129, 'c');
const std::string kSpacedCaseId = absl::StrCat("c00000001 ", kSecret);

grpc::Status Cancel(Clients& c, const std::string& case_id) {
  grpc::ClientContext context;
  v1::CancelCaseRequest request;
  request.set_case_id(case_id);
  v1::CancelCaseResponse response;
  return c.intake->CancelCase(&context, request, &response);
}

grpc::Status Explain(Clients& c, const std::string& case_id) {
  grpc::ClientContext context;
  v1::ExplainDecisionRequest request;
  request.set_case_id(case_id);
  v1::ExplainDecisionResponse response;
  return c.supervision->ExplainDecision(&context, request, &response);
}

grpc::Status Delete(Clients& c, const std::string& agent_id) {
  grpc::ClientContext context;
  v1::DeleteAgentRequest request;
  request.set_agent_id(agent_id);
  v1::DeleteAgentResponse response;
  return c.supervision->DeleteAgent(&context, request, &response);
}

grpc::Status ListQueuePage(Clients& c, int page_size, const std::string& page_token) {
  grpc::ClientContext context;
  v1::ListQueueRequest request;
  request.set_page_size(page_size);
  request.set_page_token(page_token);
  v1::ListQueueResponse response;
  return c.supervision->ListQueue(&context, request, &response);
}

TEST_F(ValidationTest, EveryOtherRequestFieldIsCheckedAndNothingChanges) {
  auto add_message = [](const std::string& id, const std::string& text) {
    return [id, text](Clients& c, const std::string& existing) {
      grpc::ClientContext context;
      v1::AddMessageRequest request;
      request.set_case_id(id == "*" ? existing : id);
      request.set_text(text);
      v1::AddMessageResponse response;
      return c.intake->AddMessage(&context, request, &response);
    };
  };
  std::string long_text;
  while (long_text.size() <= 8192) long_text += kSecret;
  const std::vector<CallRow> rows = {
      {"add_message case_id", "case_id", add_message("", "hello")},
      {"add_message case_id long", "case_id", add_message(kLongCaseId, "hello")},
      {"add_message case_id space", "case_id", add_message(kSpacedCaseId, "hello")},
      {"add_message empty text", "text", add_message("*", "")},
      {"add_message long text", "text", add_message("*", long_text)},
      {"add_message utf8", "text", add_message("*", absl::StrCat(kSecret, kBadUtf8))},
      {"cancel case_id", "case_id",
       [](Clients& c, const std::string&) {
         grpc::ClientContext context;
         v1::CancelCaseRequest request;
         v1::CancelCaseResponse response;
         return c.intake->CancelCase(&context, request, &response);
       }},
      {"cancel case_id long", "case_id",
       [](Clients& c, const std::string&) { return Cancel(c, kLongCaseId); }},
      {"cancel case_id space", "case_id",
       [](Clients& c, const std::string&) { return Cancel(c, kSpacedCaseId); }},
      {"cancel reason", "reason",
       [](Clients& c, const std::string& existing) {
         grpc::ClientContext context;
         v1::CancelCaseRequest request;
         request.set_case_id(existing);
         request.set_reason(static_cast<v1::CancelReason>(42));  // no such reason
         v1::CancelCaseResponse response;
         return c.intake->CancelCase(&context, request, &response);
       }},
      {"get case_id", "case_id",
       [](Clients& c, const std::string&) {
         v1::Case ignored;
         return c.GetCase("", &ignored);
       }},
      {"get case_id long", "case_id",
       [](Clients& c, const std::string&) {
         v1::Case ignored;
         return c.GetCase(kLongCaseId, &ignored);
       }},
      {"get case_id space", "case_id",
       [](Clients& c, const std::string&) {
         v1::Case ignored;
         return c.GetCase(kSpacedCaseId, &ignored);
       }},
      {"create without profile", "profile",
       [](Clients& c, const std::string&) {
         grpc::ClientContext context;
         v1::CreateAgentResponse response;
         return c.supervision->CreateAgent(&context, v1::CreateAgentRequest(), &response);
       }},
      {"agent_id empty", "agent_id",
       [](Clients& c, const std::string&) {
         return Create(c, [](auto& p) { p.set_agent_id(""); });
       }},
      {"agent_id chars", "agent_id",
       [](Clients& c, const std::string&) {
         return Create(c, [](auto& p) { p.set_agent_id("ana maria"); });
       }},
      {"agent_id long", "agent_id",
       [](Clients& c, const std::string&) {
         return Create(c, [](auto& p) { p.set_agent_id(std::string(65, 'a')); });
       }},
      {"skills too many", "skills",
       [](Clients& c, const std::string&) {
         return Create(c, [](auto& p) {
           for (int i = 0; i < 64; ++i) {  // 65 with the one ValidProfile has
             auto* s = p.add_skills();
             s->set_name(absl::StrCat("skill", i));
             s->set_proficiency(5);
           }
         });
       }},
      {"languages too many", "languages",
       [](Clients& c, const std::string&) {
         return Create(c, [](auto& p) {
           for (int i = 0; i < 16; ++i) p.add_languages(absl::StrCat("x", i));  // 17 in all
         });
       }},
      {"agent_id utf8", "agent_id",
       [](Clients& c, const std::string&) {
         return Create(c, [](auto& p) { p.set_agent_id(kBadUtf8); });
       }},
      {"skill name", "skills[0].name",
       [](Clients& c, const std::string&) {
         return Create(c, [](auto& p) { p.mutable_skills(0)->set_name("Billing"); });
       }},
      {"skill utf8", "skills[0].name",
       [](Clients& c, const std::string&) {
         return Create(c, [](auto& p) { p.mutable_skills(0)->set_name(kBadUtf8); });
       }},
      {"skill proficiency 0", "skills[0].proficiency",
       [](Clients& c, const std::string&) {
         return Create(c, [](auto& p) { p.mutable_skills(0)->set_proficiency(0); });
       }},
      {"skill proficiency 11", "skills[0].proficiency",
       [](Clients& c, const std::string&) {
         return Create(c, [](auto& p) { p.mutable_skills(0)->set_proficiency(11); });
       }},
      {"skill duplicate", "skills[1].name",
       [](Clients& c, const std::string&) {
         return Create(c, [](auto& p) { *p.add_skills() = p.skills(0); });
       }},
      {"language tag", "languages[0]",
       [](Clients& c, const std::string&) {
         return Create(c, [](auto& p) { p.set_languages(0, "english please"); });
       }},
      {"language utf8", "languages[0]",
       [](Clients& c, const std::string&) {
         return Create(c, [](auto& p) { p.set_languages(0, kBadUtf8); });
       }},
      {"authority_limit", "authority_limit",
       [](Clients& c, const std::string&) {
         return Create(c, [](auto& p) { p.set_authority_limit(-5); });
       }},
      {"max_phone", "max_phone",
       [](Clients& c, const std::string&) {
         return Create(c, [](auto& p) { p.set_max_phone(2); });
       }},
      {"max_chat", "max_chat",
       [](Clients& c, const std::string&) {
         return Create(c, [](auto& p) { p.set_max_chat(21); });
       }},
      {"max_social", "max_social",
       [](Clients& c, const std::string&) {
         return Create(c, [](auto& p) { p.set_max_social(-1); });
       }},
      {"max_email", "max_email",
       [](Clients& c, const std::string&) {
         return Create(c, [](auto& p) { p.set_max_email(51); });
       }},
      {"update without profile", "profile",
       [](Clients& c, const std::string&) {
         grpc::ClientContext context;
         v1::UpdateAgentResponse response;
         return c.supervision->UpdateAgent(&context, v1::UpdateAgentRequest(), &response);
       }},
      {"update bad proficiency", "skills[0].proficiency",
       [](Clients& c, const std::string&) {
         grpc::ClientContext context;
         v1::UpdateAgentRequest request;
         *request.mutable_profile() = ValidProfile("ana");
         request.mutable_profile()->mutable_skills(0)->set_proficiency(42);
         v1::UpdateAgentResponse response;
         return c.supervision->UpdateAgent(&context, request, &response);
       }},
      {"delete agent_id", "agent_id",
       [](Clients& c, const std::string&) {
         grpc::ClientContext context;
         v1::DeleteAgentResponse response;
         return c.supervision->DeleteAgent(&context, v1::DeleteAgentRequest(), &response);
       }},
      {"delete agent_id long", "agent_id",
       [](Clients& c, const std::string&) { return Delete(c, std::string(65, 'a')); }},
      {"delete agent_id chars", "agent_id",
       [](Clients& c, const std::string&) { return Delete(c, absl::StrCat("ana ", kSecret)); }},
      {"list_queue negative", "page_size",
       [](Clients& c, const std::string&) { return ListQueuePage(c, -1, ""); }},
      {"list_queue high", "page_size",
       [](Clients& c, const std::string&) { return ListQueuePage(c, 1001, ""); }},
      {"list_queue page_token", "page_token",
       [](Clients& c, const std::string&) { return ListQueuePage(c, 10, kSecret); }},
      {"explain case_id", "case_id",
       [](Clients& c, const std::string&) {
         grpc::ClientContext context;
         v1::ExplainDecisionResponse response;
         return c.supervision->ExplainDecision(&context, v1::ExplainDecisionRequest(), &response);
       }},
      {"explain case_id long", "case_id",
       [](Clients& c, const std::string&) { return Explain(c, kLongCaseId); }},
      {"explain case_id space", "case_id",
       [](Clients& c, const std::string&) { return Explain(c, kSpacedCaseId); }},
  };
  const std::string before = Snapshot();
  for (const CallRow& row : rows) {
    grpc::Status status = row.call(c(), existing_case_);
    ExpectInvalid(row.name, status.error_code(), status.error_message(), row.field);
    EXPECT_EQ(Snapshot(), before) << row.name << " changed something";
  }
}

struct DeskRow {
  const char* name;
  const char* field;
  std::function<void(v1::ConnectRequest&)> make;
};

TEST_F(ValidationTest, EveryDeskRequestFieldIsAckedInvalidAndTheStreamLives) {
  absl::StatusOr<std::unique_ptr<DeskClient>> desk = DeskClient::Connect(c().desk.get(), "ana");
  ASSERT_TRUE(desk.ok()) << desk.status();
  ASSERT_EQ((*desk)->SetPresence(v1::PRESENCE_AVAILABLE)->code(), 0);
  // An assigned case to complete with a bad outcome.
  std::optional<v1::Offer> offer = (*desk)->WaitForOffer();
  ASSERT_TRUE(offer.has_value());
  const std::string held = offer->case_().case_id();
  ASSERT_EQ((*desk)->Accept(held)->code(), 0);

  const std::vector<DeskRow> rows = {
      {"presence unspecified", "set_presence.presence",
       [](auto& r) { r.mutable_set_presence()->set_presence(v1::PRESENCE_UNSPECIFIED); }},
      {"presence wrap-up", "set_presence.presence",
       [](auto& r) { r.mutable_set_presence()->set_presence(v1::PRESENCE_WRAP_UP); }},
      {"presence unknown", "set_presence.presence",
       [](auto& r) { r.mutable_set_presence()->set_presence(static_cast<v1::Presence>(42)); }},
      {"accept empty", "accept.case_id", [](auto& r) { r.mutable_accept(); }},
      {"accept utf8", "accept.case_id", [](auto& r) { r.mutable_accept()->set_case_id(kBadUtf8); }},
      {"accept long", "accept.case_id",
       [](auto& r) { r.mutable_accept()->set_case_id(kLongCaseId); }},
      {"accept space", "accept.case_id",
       [](auto& r) { r.mutable_accept()->set_case_id(kSpacedCaseId); }},
      {"decline empty", "decline.case_id", [](auto& r) { r.mutable_decline(); }},
      {"decline long", "decline.case_id",
       [](auto& r) { r.mutable_decline()->set_case_id(kLongCaseId); }},
      {"decline space", "decline.case_id",
       [](auto& r) { r.mutable_decline()->set_case_id(kSpacedCaseId); }},
      {"complete empty", "complete.case_id",
       [](auto& r) { r.mutable_complete()->mutable_outcome()->set_resolved(true); }},
      {"complete long", "complete.case_id",
       [](auto& r) {
         r.mutable_complete()->set_case_id(kLongCaseId);
         r.mutable_complete()->mutable_outcome()->set_resolved(true);
       }},
      {"complete space", "complete.case_id",
       [](auto& r) {
         r.mutable_complete()->set_case_id(kSpacedCaseId);
         r.mutable_complete()->mutable_outcome()->set_resolved(true);
       }},
      {"complete without outcome", "complete.outcome",
       [&](auto& r) { r.mutable_complete()->set_case_id(held); }},
      {"complete csat", "csat",
       [&](auto& r) {
         r.mutable_complete()->set_case_id(held);
         r.mutable_complete()->mutable_outcome()->set_csat(6);
       }},
      {"no action", "action", [](auto&) {}},
      {"second hello", "hello", [](auto& r) { r.mutable_hello()->set_agent_id("ana"); }},
  };
  const std::string before = Snapshot();
  for (const DeskRow& row : rows) {
    v1::ConnectRequest request;
    row.make(request);
    absl::StatusOr<v1::Ack> ack = (*desk)->Send(request);
    ASSERT_TRUE(ack.ok()) << row.name << ": " << ack.status();
    ExpectInvalid(row.name, static_cast<grpc::StatusCode>(ack->code()), ack->message(), row.field);
    EXPECT_EQ(Snapshot(), before) << row.name << " changed something";
  }
  v1::Case still;
  ASSERT_TRUE(c().GetCase(held, &still).ok());
  EXPECT_EQ(still.state(), v1::CASE_STATE_ASSIGNED);
  EXPECT_EQ((*desk)->SetPresence(v1::PRESENCE_AWAY)->code(), 0);  // the stream still works
}

// Opens a raw Connect stream, sends `first`, and returns how the stream ended.
grpc::Status ConnectWith(Clients& c, const v1::ConnectRequest& first) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  AttachToken(&context, Credentials().Token("agent", "ana"));
  auto stream = c.desk->Connect(&context);
  stream->Write(first);
  stream->WritesDone();
  v1::ConnectResponse event;
  while (stream->Read(&event)) {
  }
  return stream->Finish();
}

TEST_F(ValidationTest, AStreamMustOpenWithAValidHello) {
  v1::ConnectRequest heartbeat;
  heartbeat.mutable_heartbeat();
  grpc::Status status = ConnectWith(c(), heartbeat);
  ExpectInvalid("first not hello", status.error_code(), status.error_message(), "hello");
  v1::ConnectRequest empty_hello;
  empty_hello.mutable_hello();
  status = ConnectWith(c(), empty_hello);
  ExpectInvalid("hello without agent", status.error_code(), status.error_message(),
                "hello.agent_id");
  v1::ConnectRequest bad_hello;
  bad_hello.mutable_hello()->set_agent_id(kBadUtf8);
  status = ConnectWith(c(), bad_hello);
  ExpectInvalid("hello utf8", status.error_code(), status.error_message(), "hello.agent_id");
  v1::ConnectRequest spaced_hello;
  spaced_hello.mutable_hello()->set_agent_id("ana maria");
  status = ConnectWith(c(), spaced_hello);
  ExpectInvalid("hello spaces", status.error_code(), status.error_message(), "hello.agent_id");
}

TEST_F(ValidationTest, ARequestIdBelowZeroIsRejected) {
  v1::ConnectRequest hello;
  hello.set_request_id(-1);
  hello.mutable_hello()->set_agent_id("ana");
  grpc::Status status = ConnectWith(c(), hello);
  ExpectInvalid("hello request_id", status.error_code(), status.error_message(), "request_id");

  // On an open stream: the Ack says INVALID_ARGUMENT and the stream lives on.
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  AttachToken(&context, Credentials().Token("agent", "ana"));
  auto stream = c().desk->Connect(&context);
  hello.set_request_id(1);
  ASSERT_TRUE(stream->Write(hello));
  v1::ConnectRequest heartbeat;
  heartbeat.set_request_id(-7);
  heartbeat.mutable_heartbeat();
  ASSERT_TRUE(stream->Write(heartbeat));
  heartbeat.set_request_id(8);
  ASSERT_TRUE(stream->Write(heartbeat));
  std::optional<v1::Ack> negative, next;
  v1::ConnectResponse event;
  while (!next && stream->Read(&event)) {
    if (!event.has_ack()) continue;
    if (event.ack().request_id() == -7) negative = event.ack();
    if (event.ack().request_id() == 8) next = event.ack();
  }
  stream->WritesDone();
  while (stream->Read(&event)) {
  }
  stream->Finish();
  ASSERT_TRUE(negative.has_value());
  ExpectInvalid("heartbeat request_id", static_cast<grpc::StatusCode>(negative->code()),
                negative->message(), "request_id");
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->code(), 0);
}

TEST_F(ValidationTest, ACaseHoldsAtMost200Messages) {
  v1::Case existing;
  ASSERT_TRUE(c().GetCase(existing_case_, &existing).ok());
  const int room = 200 - existing.messages_size();
  ASSERT_GT(room, 0);
  for (int i = 0; i < room; ++i) {
    grpc::ClientContext context;
    v1::AddMessageRequest request;
    request.set_case_id(existing_case_);
    request.set_text(absl::StrCat("message ", i, " ", kSecret));
    v1::AddMessageResponse response;
    ASSERT_TRUE(c().intake->AddMessage(&context, request, &response).ok()) << i;
  }
  grpc::ClientContext context;
  v1::AddMessageRequest request;
  request.set_case_id(existing_case_);
  request.set_text(absl::StrCat("one too many ", kSecret));
  v1::AddMessageResponse response;
  grpc::Status status = c().intake->AddMessage(&context, request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << status.error_message();
  EXPECT_TRUE(absl::StrContains(status.error_message(), "200")) << status.error_message();
  EXPECT_FALSE(absl::StrContains(status.error_message(), kSecret)) << status.error_message();
  ASSERT_TRUE(c().GetCase(existing_case_, &existing).ok());
  EXPECT_EQ(existing.messages_size(), 200);
}

}  // namespace
}  // namespace caserouter::e2e
