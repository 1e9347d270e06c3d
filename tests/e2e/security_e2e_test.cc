// End-to-end: who may do what (issue 12), over real TLS on 127.0.0.1:0 against a real
// redis-server, with credentials made by openssl at run time.
//
// The RPC x role table (docs/security.md) one test per row: each RPC called with no
// credential, a bad token, a token signed by an unknown key, an expired token, a credential
// for another routing domain, and as each of the four roles, each call asserting the exact
// code (OK / UNAUTHENTICATED / PERMISSION_DENIED). The expected table is written out here, not
// read from the router's own (router/service/access_rules.h), so that the two must agree.
//
// Then the rules that need the call's content: an agent connects only as itself, reads only a
// case offered or assigned to it, and acts only on its own offers and cases; customer text
// goes only where it may; every refusal and supervisor action is counted and written to the
// event stream with the caller, never with customer text; reflection only when asked for.
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"
#include "tools/client_auth/client_security.h"

namespace caserouter::e2e {
namespace {

using grpc::StatusCode;

// Who calls.
enum class Who {
  kNobody,       // no credential at all
  kBadToken,     // a string that is no JWT
  kForeignKey,   // a well-formed token signed by a key the router does not know
  kExpired,      // a token of the right issuer that expired half an hour ago
  kOtherDomain,  // a valid supervisor token for another routing domain
  kAdapter,
  kAgent,  // agent "ana"
  kSupervisor,
  kViewer,
};
constexpr Who kEveryone[] = {Who::kNobody,  Who::kBadToken,    Who::kForeignKey,
                             Who::kExpired, Who::kOtherDomain, Who::kAdapter,
                             Who::kAgent,   Who::kSupervisor,  Who::kViewer};

const char* Name(Who who) {
  switch (who) {
    case Who::kNobody:
      return "nobody";
    case Who::kBadToken:
      return "bad token";
    case Who::kForeignKey:
      return "foreign key";
    case Who::kExpired:
      return "expired token";
    case Who::kOtherDomain:
      return "other domain";
    case Who::kAdapter:
      return "adapter";
    case Who::kAgent:
      return "agent";
    case Who::kSupervisor:
      return "supervisor";
    case Who::kViewer:
      return "viewer";
  }
  return "?";
}

// One row of the table: the RPC and the roles that may call it.
struct Row {
  const char* rpc;
  bool adapter, agent, supervisor, viewer;
};
const Row kTable[] = {
    {"SubmitCase", true, false, false, false},
    {"AddMessage", true, false, false, false},
    {"CancelCase", true, false, false, false},
    {"GetCase", true, true, true, false},    // the agent: its own case (here: ana's)
    {"Connect", false, true, false, false},  // the agent: as itself (ana as ana)
    {"CreateAgent", false, false, true, false},
    {"UpdateAgent", false, false, true, false},
    {"DeleteAgent", false, false, true, false},
    {"ReloadConfiguration", false, false, true, false},
    {"ListQueue", false, false, true, true},
    {"ListAgents", false, false, true, true},
    {"ExplainDecision", false, false, true, true},
    {"FollowCases", true, false, false, false},  // the adapter: its own cases
    {"WatchDomainEvents", false, false, true, false},
};

StatusCode Expected(const Row& row, Who who) {
  switch (who) {
    case Who::kNobody:
    case Who::kBadToken:
    case Who::kForeignKey:
    case Who::kExpired:
      return StatusCode::UNAUTHENTICATED;
    case Who::kOtherDomain:
      return StatusCode::PERMISSION_DENIED;
    case Who::kAdapter:
      return row.adapter ? StatusCode::OK : StatusCode::PERMISSION_DENIED;
    case Who::kAgent:
      return row.agent ? StatusCode::OK : StatusCode::PERMISSION_DENIED;
    case Who::kSupervisor:
      return row.supervisor ? StatusCode::OK : StatusCode::PERMISSION_DENIED;
    case Who::kViewer:
      return row.viewer ? StatusCode::OK : StatusCode::PERMISSION_DENIED;
  }
  return StatusCode::UNKNOWN;
}

void Deadline(grpc::ClientContext* context) {
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
}

// Offers and heartbeats that outlast the test: a case stays where the test put it.
class SecurityTest : public RouterTest {
 protected:
  SecurityTest() : RouterTest(TestConfigYaml(absl::Seconds(120), absl::Seconds(120))) {}

  void SetUp() override {
    RouterTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    port_ = router_->server().grpc_port();
    ASSERT_TRUE(c().CreateAgent("ana", {{"billing", 5}}).ok());
    ASSERT_TRUE(c().CreateAgent("bo", {{"billing", 5}}).ok());
  }

  std::shared_ptr<grpc::Channel> As(Who who) {
    TestCredentials& creds = Credentials();
    ClientSecurity security;
    security.ca_file = creds.ca_file();
    std::string token;
    switch (who) {
      case Who::kNobody:
        return Dial(port_);
      case Who::kBadToken:
        token = "not-a-token";
        break;
      case Who::kForeignKey:
        token = creds.ForeignToken("supervisor", "mallory");
        break;
      case Who::kExpired:
        token = creds.Token("supervisor", "old", absl::Minutes(30));
        break;
      case Who::kOtherDomain:
        token = creds.Token("supervisor", "elsewhere", absl::Hours(2), "other-domain");
        break;
      case Who::kAdapter:
        return Dial(port_, "adapter", "rows-adapter");
      case Who::kAgent:
        return Dial(port_, "agent", "ana");
      case Who::kSupervisor:
        return Dial(port_, "supervisor", "rows-supervisor");
      case Who::kViewer:
        return Dial(port_, "viewer", "rows-dashboard");
    }
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        OpenChannel(absl::StrCat("127.0.0.1:", port_), security, token);
    EXPECT_TRUE(channel.ok()) << channel.status();
    return *channel;
  }

  std::string Unique(const std::string& prefix) { return absl::StrCat(prefix, ++unique_); }

  // A case nobody can take (no agent has its skill): it stays queued.
  std::string SubmitQueued() {
    v1::SubmitCaseRequest request = SampleSubmission(Unique("queued-"));
    v1::SkillRequirement* skill = request.add_required_skills();
    skill->set_skill("nobody-has-this");
    skill->set_min_proficiency(1);
    v1::SubmitCaseResponse response;
    grpc::Status status = c().Submit(request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.case_().case_id();
  }

  // Connects ana's desk (kept in ana_) and returns a case offered to her.
  std::string OfferToAna() {
    if (ana_ == nullptr) {
      absl::StatusOr<std::unique_ptr<DeskClient>> desk = DeskClient::Connect(c().desk.get(), "ana");
      EXPECT_TRUE(desk.ok()) << desk.status();
      if (!desk.ok()) return "";
      ana_ = *std::move(desk);
      EXPECT_EQ(ana_->SetPresence(v1::PRESENCE_AVAILABLE)->code(), 0);
    }
    const size_t seen = ana_->offers_received();
    v1::SubmitCaseResponse response;
    EXPECT_TRUE(c().Submit(SampleSubmission(Unique("for-ana-")), &response).ok());
    std::optional<v1::Offer> offer = ana_->WaitForOffer(seen);
    EXPECT_TRUE(offer.has_value());
    return offer.has_value() ? offer->case_().case_id() : "";
  }

  // A case assigned to ana.
  std::string AssignedToAna() {
    const std::string id = OfferToAna();
    absl::StatusOr<v1::Ack> ack = ana_->Accept(id);
    EXPECT_TRUE(ack.ok() && ack->code() == 0) << (ack.ok() ? ack->message() : "no ack");
    return id;
  }

  v1::AgentProfile Profile(const std::string& id) {
    v1::AgentProfile p;
    p.set_agent_id(id);
    v1::Skill* skill = p.add_skills();
    skill->set_name("billing");
    skill->set_proficiency(4);
    p.add_languages("en");
    p.set_max_chat(2);
    return p;
  }

  // Calls `rpc` as `who`, after what the call needs to succeed when allowed.
  StatusCode Invoke(const std::string& rpc, Who who) {
    std::shared_ptr<grpc::Channel> channel = As(who);
    auto intake = v1::CaseIntakeService::NewStub(channel);
    auto supervision = v1::SupervisionService::NewStub(channel);
    grpc::ClientContext context;
    Deadline(&context);
    grpc::Status status;
    if (rpc == "SubmitCase") {
      v1::SubmitCaseResponse response;
      status = intake->SubmitCase(&context, SampleSubmission(Unique("row-")), &response);
    } else if (rpc == "AddMessage") {
      v1::AddMessageRequest request;
      request.set_case_id(SubmitQueued());
      request.set_text("any news?");
      v1::AddMessageResponse response;
      status = intake->AddMessage(&context, request, &response);
    } else if (rpc == "CancelCase") {
      v1::CancelCaseRequest request;
      request.set_case_id(SubmitQueued());
      v1::CancelCaseResponse response;
      status = intake->CancelCase(&context, request, &response);
    } else if (rpc == "GetCase") {
      if (ana_case_.empty()) ana_case_ = AssignedToAna();
      v1::GetCaseRequest request;
      request.set_case_id(ana_case_);
      v1::GetCaseResponse response;
      status = intake->GetCase(&context, request, &response);
    } else if (rpc == "Connect") {
      auto desk = v1::AgentDeskService::NewStub(channel);
      // No token of its own: the channel's credential is the one tried.
      absl::StatusOr<std::unique_ptr<DeskClient>> opened =
          DeskClient::Connect(desk.get(), "ana", absl::Milliseconds(200), "");
      return opened.ok() ? StatusCode::OK
                         : static_cast<StatusCode>(static_cast<int>(opened.status().code()));
    } else if (rpc == "CreateAgent") {
      v1::CreateAgentRequest request;
      *request.mutable_profile() = Profile(Unique("new-"));
      v1::CreateAgentResponse response;
      status = supervision->CreateAgent(&context, request, &response);
    } else if (rpc == "UpdateAgent") {
      v1::UpdateAgentRequest request;
      *request.mutable_profile() = Profile("bo");
      v1::UpdateAgentResponse response;
      status = supervision->UpdateAgent(&context, request, &response);
    } else if (rpc == "DeleteAgent") {
      const std::string id = Unique("gone-");
      EXPECT_TRUE(c().CreateAgent(id).ok());
      v1::DeleteAgentRequest request;
      request.set_agent_id(id);
      v1::DeleteAgentResponse response;
      status = supervision->DeleteAgent(&context, request, &response);
    } else if (rpc == "ReloadConfiguration") {
      v1::ReloadConfigurationResponse response;
      status = supervision->ReloadConfiguration(&context, {}, &response);
    } else if (rpc == "ListQueue") {
      v1::ListQueueResponse response;
      status = supervision->ListQueue(&context, {}, &response);
    } else if (rpc == "ListAgents") {
      v1::ListAgentsResponse response;
      status = supervision->ListAgents(&context, {}, &response);
    } else if (rpc == "ExplainDecision") {
      if (routed_case_.empty()) routed_case_ = OfferToAna();
      v1::ExplainDecisionRequest request;
      request.set_case_id(routed_case_);
      v1::ExplainDecisionResponse response;
      status = supervision->ExplainDecision(&context, request, &response);
    } else if (rpc == "FollowCases") {
      // Allowed: the feed delivers the events of the caller's own case (a submission the
      // other roles are refused).
      {
        grpc::ClientContext submit_context;
        Deadline(&submit_context);
        v1::SubmitCaseResponse submitted;
        intake->SubmitCase(&submit_context, SampleSubmission(Unique("own-")), &submitted);
      }
      v1::FollowCasesRequest request;
      request.set_after_event_id("0");
      auto reader = intake->FollowCases(&context, request);
      v1::FollowCasesResponse response;
      if (reader->Read(&response)) {
        context.TryCancel();
        reader->Finish();
        return StatusCode::OK;
      }
      status = reader->Finish();
    } else if (rpc == "WatchDomainEvents") {
      v1::WatchDomainEventsRequest request;
      request.set_after_event_id("0");
      auto reader = supervision->WatchDomainEvents(&context, request);
      v1::WatchDomainEventsResponse response;
      if (reader->Read(&response)) {
        context.TryCancel();
        reader->Finish();
        return StatusCode::OK;
      }
      status = reader->Finish();
    } else {
      ADD_FAILURE() << "no such RPC in the test: " << rpc;
    }
    if (!status.ok() && status.error_code() != StatusCode::UNAUTHENTICATED &&
        status.error_code() != StatusCode::PERMISSION_DENIED) {
      ADD_FAILURE() << rpc << " as " << Name(who) << ": " << status.error_code() << " "
                    << status.error_message();
    }
    return status.error_code();
  }

  std::string Metrics() {
    absl::StatusOr<std::string> text = HttpGet(router_->server().metrics_port(), "/metrics");
    EXPECT_TRUE(text.ok()) << text.status();
    return text.ok() ? *text : "";
  }

  // The domain's event stream as redis-cli prints it: one field or value per line.
  std::string Events() {
    absl::StatusOr<std::string> events =
        RedisCli(redis_->port(), {"XRANGE", "cr:{e2e}:events", "-", "+"});
    EXPECT_TRUE(events.ok()) << events.status();
    return events.ok() ? *events : "";
  }

  int port_ = 0;
  int unique_ = 0;
  std::unique_ptr<DeskClient> ana_;
  std::string ana_case_;
  std::string routed_case_;
};

class RpcRoleTest : public SecurityTest, public ::testing::WithParamInterface<Row> {};

TEST_P(RpcRoleTest, EachCallerGetsItsExactCode) {
  const Row& row = GetParam();
  for (Who who : kEveryone) {
    EXPECT_EQ(Invoke(row.rpc, who), Expected(row, who)) << row.rpc << " as " << Name(who);
  }
}

INSTANTIATE_TEST_SUITE_P(Table, RpcRoleTest, ::testing::ValuesIn(kTable),
                         [](const ::testing::TestParamInfo<Row>& info) {
                           return std::string(info.param.rpc);
                         });

TEST_F(SecurityTest, AnAgentConnectsOnlyAsItselfAndCannotTakeAnotherAgentsSession) {
  const std::string id = AssignedToAna();  // ana holds a case, with its customer text
  auto bo_channel = Dial(port_, "agent", "bo");
  auto stub = v1::AgentDeskService::NewStub(bo_channel);
  absl::StatusOr<std::unique_ptr<DeskClient>> impostor =
      DeskClient::Connect(stub.get(), "ana", absl::Milliseconds(200), "");
  ASSERT_FALSE(impostor.ok());
  EXPECT_EQ(impostor.status().code(), absl::StatusCode::kPermissionDenied) << impostor.status();
  // ana's session was not replaced: her stream lives on and still works.
  EXPECT_FALSE(ana_->WaitForEnd(absl::Milliseconds(300)).has_value());
  EXPECT_EQ(ana_->SetPresence(v1::PRESENCE_AVAILABLE)->code(), 0);
  // Neither the offer's text nor anything else reached the impostor: it was refused before
  // a session opened. And bo as bo is fine.
  absl::StatusOr<std::unique_ptr<DeskClient>> bo =
      DeskClient::Connect(stub.get(), "bo", absl::Milliseconds(200), "");
  ASSERT_TRUE(bo.ok()) << bo.status();
  EXPECT_EQ((*bo)->welcome().assigned_cases_size(), 0);
  v1::Case held;
  ASSERT_TRUE(c().GetCase(id, &held).ok());
  EXPECT_EQ(held.agent_id(), "ana");
  EXPECT_EQ(held.state(), v1::CASE_STATE_ASSIGNED);
}

TEST_F(SecurityTest, AnAgentActsOnlyOnItsOwnOffersAndCases) {
  absl::StatusOr<std::unique_ptr<DeskClient>> bo = DeskClient::Connect(c().desk.get(), "bo");
  ASSERT_TRUE(bo.ok()) << bo.status();
  // bo is away, so the next case goes to ana.
  const std::string offered = OfferToAna();
  absl::StatusOr<v1::Ack> ack = (*bo)->Accept(offered);
  ASSERT_TRUE(ack.ok());
  EXPECT_EQ(ack->code(), static_cast<int>(StatusCode::PERMISSION_DENIED)) << ack->message();
  ack = (*bo)->Decline(offered);
  ASSERT_TRUE(ack.ok());
  EXPECT_EQ(ack->code(), static_cast<int>(StatusCode::PERMISSION_DENIED)) << ack->message();
  EXPECT_FALSE(ack->has_case_());

  ASSERT_EQ(ana_->Accept(offered)->code(), 0);
  // bo completing ana's case unresolved with CSAT 1 (the attack of the issue) is refused...
  ack = (*bo)->Complete(offered, /*resolved=*/false, /*csat=*/1);
  ASSERT_TRUE(ack.ok());
  EXPECT_EQ(ack->code(), static_cast<int>(StatusCode::PERMISSION_DENIED)) << ack->message();
  // ... and the case is still ana's, open, with no outcome on anyone's record.
  v1::Case held;
  ASSERT_TRUE(c().GetCase(offered, &held).ok());
  EXPECT_EQ(held.state(), v1::CASE_STATE_ASSIGNED);
  EXPECT_EQ(held.agent_id(), "ana");
  EXPECT_FALSE(held.has_outcome());
  ASSERT_EQ(ana_->Complete(offered, /*resolved=*/true, /*csat=*/5)->code(), 0);
}

TEST_F(SecurityTest, AnAgentReadsOnlyACaseOfferedOrAssignedToIt) {
  const std::string mine = AssignedToAna();
  const std::string queued = SubmitQueued();
  auto intake = v1::CaseIntakeService::NewStub(Dial(port_, "agent", "ana"));
  auto get = [&](const std::string& id, v1::Case* out) {
    grpc::ClientContext context;
    Deadline(&context);
    v1::GetCaseRequest request;
    request.set_case_id(id);
    v1::GetCaseResponse response;
    grpc::Status status = intake->GetCase(&context, request, &response);
    if (out != nullptr) *out = response.case_();
    return status;
  };
  v1::Case own;
  ASSERT_TRUE(get(mine, &own).ok());
  EXPECT_EQ(own.subject(), "I was charged twice for March");  // her case: with its text
  // A case not offered to her, and an id that does not exist, are alike to her: refused.
  grpc::Status other = get(queued, nullptr);
  EXPECT_EQ(other.error_code(), StatusCode::PERMISSION_DENIED) << other.error_message();
  EXPECT_FALSE(absl::StrContains(other.error_message(), "charged"));
  EXPECT_EQ(get("c99999999", nullptr).error_code(), StatusCode::PERMISSION_DENIED);
  // bo may not read ana's case either.
  auto bo = v1::CaseIntakeService::NewStub(Dial(port_, "agent", "bo"));
  grpc::ClientContext context;
  Deadline(&context);
  v1::GetCaseRequest request;
  request.set_case_id(mine);
  v1::GetCaseResponse response;
  EXPECT_EQ(bo->GetCase(&context, request, &response).error_code(), StatusCode::PERMISSION_DENIED);
}

TEST_F(SecurityTest, CustomerTextGoesToAdaptersSupervisorsAndTheHoldingAgentOnly) {
  const std::string id = AssignedToAna();
  for (Who who : {Who::kAdapter, Who::kSupervisor}) {
    auto intake = v1::CaseIntakeService::NewStub(As(who));
    grpc::ClientContext context;
    Deadline(&context);
    v1::GetCaseRequest request;
    request.set_case_id(id);
    v1::GetCaseResponse response;
    ASSERT_TRUE(intake->GetCase(&context, request, &response).ok()) << Name(who);
    EXPECT_EQ(response.case_().subject(), "I was charged twice for March") << Name(who);
  }
  // The viewer's snapshots (dashboards) never carry it.
  auto viewer = v1::SupervisionService::NewStub(As(Who::kViewer));
  grpc::ClientContext context;
  Deadline(&context);
  v1::ListQueueResponse queue;
  SubmitQueued();
  ASSERT_TRUE(viewer->ListQueue(&context, {}, &queue).ok());
  ASSERT_GT(queue.cases_size(), 0);
  for (const v1::Case& listed : queue.cases()) EXPECT_EQ(listed.subject(), "");
}

TEST_F(SecurityTest, RefusalsAndSupervisorActionsAreCountedAndWrittenWithTheCaller) {
  EXPECT_EQ(Invoke("SubmitCase", Who::kNobody), StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Invoke("CreateAgent", Who::kViewer), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Invoke("UpdateAgent", Who::kSupervisor), StatusCode::OK);
  auto impostor = v1::AgentDeskService::NewStub(Dial(port_, "agent", "bo"));
  EXPECT_FALSE(DeskClient::Connect(impostor.get(), "ana", absl::Milliseconds(200), "").ok());

  const std::string metrics = Metrics();
  EXPECT_TRUE(absl::StrContains(
      metrics,
      R"(caserouter_auth_refusals_total{code="unauthenticated",method="SubmitCase",role="none"} 1)"))
      << metrics;
  EXPECT_TRUE(absl::StrContains(
      metrics,
      R"(caserouter_auth_refusals_total{code="permission_denied",method="CreateAgent",role="viewer"} 1)"));
  EXPECT_TRUE(absl::StrContains(
      metrics,
      R"(caserouter_auth_refusals_total{code="permission_denied",method="Connect",role="agent"} 1)"));
  EXPECT_TRUE(
      absl::StrContains(metrics, R"(caserouter_supervisor_actions_total{method="UpdateAgent"} 1)"));

  // The leader writes them to the event stream with the next batch.
  std::string events;
  ASSERT_TRUE(WaitFor([&] {
    events = Events();
    return absl::StrContains(events, "method=Connect code=permission_denied caller=agent:bo") &&
           absl::StrContains(events, "method=UpdateAgent caller=supervisor:rows-supervisor");
  })) << events;
  EXPECT_TRUE(absl::StrContains(events, "method=SubmitCase code=unauthenticated caller=-"));
  EXPECT_TRUE(absl::StrContains(
      events, "method=CreateAgent code=permission_denied caller=viewer:rows-dashboard"));
  EXPECT_FALSE(absl::StrContains(events, "charged twice")) << "customer text in the events";
}

TEST_F(SecurityTest, ReflectionIsServedOnlyWhenTurnedOn) {
  EXPECT_EQ(ReflectedServices(Dial(port_)).status().code(), absl::StatusCode::kUnimplemented);
  // Another router, turned on for debugging, with a Redis of its own (so it leads).
  absl::StatusOr<std::unique_ptr<RedisServer>> redis = RedisServer::Start();
  ASSERT_TRUE(redis.ok()) << redis.status();
  absl::StatusOr<std::unique_ptr<InProcessRouter>> debug =
      InProcessRouter::Start((*redis)->port(), TestConfigYaml(), "e2e-debug",
                             [](ServerOptions& o) { o.reflection = true; });
  ASSERT_TRUE(debug.ok()) << debug.status();
  absl::StatusOr<std::vector<std::string>> services =
      ReflectedServices(Dial((*debug)->server().grpc_port()));
  ASSERT_TRUE(services.ok()) << services.status();
  EXPECT_NE(std::find(services->begin(), services->end(), "caserouter.v1.CaseIntakeService"),
            services->end());
}

}  // namespace
}  // namespace caserouter::e2e
