// End-to-end (issue 14, item 5): the supervisor controls over real gRPC (TLS on 127.0.0.1:0)
// against a real redis-server — a supervisor sets an agent's presence, ends an agent's
// session, gives a waiting case to a chosen agent (refused with the reason for an ineligible
// one, recorded as the supervisor's in ExplainDecision and the event stream), changes a
// waiting case's priority and requirements, lists the cases that need a supervisor and takes
// one over, and lists an agent's cases; and no other role may call any of them.
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

namespace caserouter::e2e {
namespace {

using grpc::StatusCode;

// Phone SLA of one second (the shortest there is), so a case past its authority need goes
// to an agent without that authority — and needs a supervisor — within a second. Offers and
// heartbeats outlast the test: a case stays where the test put it.
std::string FloorYaml() {
  std::string yaml = TestConfigYaml(absl::Seconds(120), absl::Seconds(120));
  absl::StrReplaceAll(
      {{"phone:  {wrap_up_seconds: 0}", "phone:  {wrap_up_seconds: 0, sla_seconds: 1}"}}, &yaml);
  return yaml;
}

void Deadline(grpc::ClientContext* context) {
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
}

class SupervisorControlsTest : public RouterTest {
 protected:
  SupervisorControlsTest() : RouterTest(FloorYaml()) {}

  // Creates `agent` with `skills` and `authority`, connects its desk, and sets `presence`.
  std::unique_ptr<DeskClient> Desk(const std::string& agent,
                                   const std::vector<std::pair<std::string, int>>& skills,
                                   v1::Presence presence = v1::PRESENCE_AVAILABLE,
                                   int64_t authority = 1000) {
    grpc::Status created = c().CreateAgent(agent, skills);
    EXPECT_TRUE(created.ok()) << created.error_message();
    if (authority != 1000) {
      grpc::ClientContext context;
      Deadline(&context);
      v1::UpdateAgentRequest request;
      v1::AgentProfile* p = request.mutable_profile();
      p->set_agent_id(agent);
      for (const auto& [name, level] : skills) {
        v1::Skill* s = p->add_skills();
        s->set_name(name);
        s->set_proficiency(level);
      }
      p->add_languages("en");
      p->set_authority_limit(authority);
      p->set_max_phone(1);
      p->set_max_chat(3);
      p->set_max_social(4);
      p->set_max_email(5);
      v1::UpdateAgentResponse response;
      grpc::Status updated = c().supervision->UpdateAgent(&context, request, &response);
      EXPECT_TRUE(updated.ok()) << updated.error_message();
    }
    absl::StatusOr<std::unique_ptr<DeskClient>> desk = DeskClient::Connect(c().desk.get(), agent);
    EXPECT_TRUE(desk.ok()) << desk.status();
    if (!desk.ok()) return nullptr;
    if (presence != v1::PRESENCE_AWAY) {
      absl::StatusOr<v1::Ack> ack = (*desk)->SetPresence(presence);
      EXPECT_TRUE(ack.ok() && ack->code() == 0) << (ack.ok() ? ack->message() : "no ack");
    }
    return *std::move(desk);
  }

  // Submits a phone case needing billing at 5 (and `authority`).
  std::string Submit(const std::string& key, int64_t authority = 0) {
    v1::SubmitCaseRequest request = SampleSubmission(key);
    v1::SkillRequirement* skill = request.add_required_skills();
    skill->set_skill("billing");
    skill->set_min_proficiency(5);
    request.set_authority_needed(authority);
    v1::SubmitCaseResponse response;
    grpc::Status status = c().Submit(request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.case_().case_id();
  }

  v1::Case Get(const std::string& id) {
    v1::Case out;
    grpc::Status status = c().GetCase(id, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  v1::AgentStatus AgentOf(const std::string& id) {
    v1::ListAgentsResponse agents;
    EXPECT_TRUE(c().ListAgents(&agents).ok());
    for (const v1::AgentStatus& a : agents.agents()) {
      if (a.profile().agent_id() == id) return a;
    }
    ADD_FAILURE() << "no agent " << id;
    return {};
  }

  grpc::Status Assign(const std::string& case_id, const std::string& agent_id,
                      v1::AssignCaseResponse* out) {
    grpc::ClientContext context;
    Deadline(&context);
    v1::AssignCaseRequest request;
    request.set_case_id(case_id);
    request.set_agent_id(agent_id);
    return c().supervision->AssignCase(&context, request, out);
  }

  v1::ExplainDecisionResponse Explain(const std::string& case_id) {
    grpc::ClientContext context;
    Deadline(&context);
    v1::ExplainDecisionRequest request;
    request.set_case_id(case_id);
    v1::ExplainDecisionResponse out;
    grpc::Status status = c().supervision->ExplainDecision(&context, request, &out);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return out;
  }

  // The event stream's entries, flattened (type, case, agent and detail in one string each).
  std::string Events() {
    absl::StatusOr<std::string> text =
        RedisCli(redis_->port(), {"XRANGE", "cr:{e2e}:events", "-", "+"});
    return text.ok() ? *text : "";
  }
};

TEST_F(SupervisorControlsTest, SetsAnAgentsPresenceAndTheDeskIsTold) {
  std::unique_ptr<DeskClient> ana = Desk("ana", {{"billing", 8}}, v1::PRESENCE_AWAY);
  ASSERT_NE(ana, nullptr);
  ASSERT_EQ(AgentOf("ana").presence(), v1::PRESENCE_AWAY);

  grpc::ClientContext context;
  Deadline(&context);
  v1::SetAgentPresenceRequest request;
  request.set_agent_id("ana");
  request.set_presence(v1::PRESENCE_AVAILABLE);
  v1::SetAgentPresenceResponse response;
  grpc::Status status = c().supervision->SetAgentPresence(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.agent().presence(), v1::PRESENCE_AVAILABLE);
  EXPECT_EQ(AgentOf("ana").presence(), v1::PRESENCE_AVAILABLE);
  ASSERT_TRUE(WaitFor([&] {
    for (const v1::ConnectResponse& e : ana->events()) {
      if (e.has_presence_changed() && e.presence_changed().presence() == v1::PRESENCE_AVAILABLE &&
          e.presence_changed().reason() == v1::PRESENCE_CHANGE_REASON_SUPERVISOR) {
        return true;
      }
    }
    return false;
  })) << "the desk was not told";
  // Now AVAILABLE, she gets work.
  const std::string id = Submit("presence-1");
  std::optional<v1::Offer> offer = ana->WaitForOffer();
  ASSERT_TRUE(offer.has_value());
  EXPECT_EQ(offer->case_().case_id(), id);

  // AVAILABLE needs a desk: an agent without one is refused, naming the agent.
  ASSERT_TRUE(c().CreateAgent("bob").ok());
  grpc::ClientContext again;
  Deadline(&again);
  request.set_agent_id("bob");
  status = c().supervision->SetAgentPresence(&again, request, &response);
  EXPECT_EQ(status.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "agent_id")) << status.error_message();
  // WRAP_UP is the engine's, not a supervisor's.
  grpc::ClientContext bad;
  Deadline(&bad);
  request.set_agent_id("ana");
  request.set_presence(v1::PRESENCE_WRAP_UP);
  status = c().supervision->SetAgentPresence(&bad, request, &response);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "presence")) << status.error_message();
}

TEST_F(SupervisorControlsTest, EndsAnAgentsSession) {
  std::unique_ptr<DeskClient> ana = Desk("ana", {{"billing", 8}});
  ASSERT_NE(ana, nullptr);
  ASSERT_TRUE(AgentOf("ana").connected());

  grpc::ClientContext context;
  Deadline(&context);
  v1::EndAgentSessionRequest request;
  request.set_agent_id("ana");
  v1::EndAgentSessionResponse response;
  grpc::Status status = c().supervision->EndAgentSession(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();

  std::optional<grpc::Status> end = ana->WaitForEnd();
  ASSERT_TRUE(end.has_value()) << "the stream did not end";
  EXPECT_EQ(end->error_code(), StatusCode::UNAVAILABLE);
  EXPECT_TRUE(absl::StrContains(end->error_message(), "ended_by_supervisor"))
      << end->error_message();
  v1::AgentStatus after = AgentOf("ana");
  EXPECT_FALSE(after.connected());
  EXPECT_EQ(after.presence(), v1::PRESENCE_OFFLINE);

  grpc::ClientContext again;
  Deadline(&again);
  status = c().supervision->EndAgentSession(&again, request, &response);
  EXPECT_EQ(status.error_code(), StatusCode::FAILED_PRECONDITION);
}

TEST_F(SupervisorControlsTest, AssignsAWaitingCaseToAChosenAgentOrSaysWhyNot) {
  // Bob declines the case: it waits (he may not get it again in this pass, nobody else can).
  std::unique_ptr<DeskClient> bob = Desk("bob", {{"billing", 8}});
  std::unique_ptr<DeskClient> dan = Desk("dan", {{"technical", 8}});  // lacks billing
  std::unique_ptr<DeskClient> eve = Desk("eve", {{"billing", 8}}, v1::PRESENCE_AWAY);
  ASSERT_NE(bob, nullptr);
  ASSERT_NE(dan, nullptr);
  ASSERT_NE(eve, nullptr);
  const std::string id = Submit("assign-1");
  std::optional<v1::Offer> offer = bob->WaitForOffer();
  ASSERT_TRUE(offer.has_value());
  ASSERT_EQ(offer->case_().case_id(), id);
  absl::StatusOr<v1::Ack> declined = bob->Decline(id);
  ASSERT_TRUE(declined.ok() && declined->code() == 0);
  ASSERT_TRUE(WaitFor([&] { return Get(id).state() == v1::CASE_STATE_QUEUED; }));

  // Refused for an ineligible agent, with the reason.
  v1::AssignCaseResponse response;
  grpc::Status refused = Assign(id, "dan", &response);
  EXPECT_EQ(refused.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(absl::StrContains(refused.error_message(), "not eligible"))
      << refused.error_message();
  EXPECT_TRUE(absl::StrContains(refused.error_message(), "skill")) << refused.error_message();
  refused = Assign(id, "eve", &response);
  EXPECT_EQ(refused.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(absl::StrContains(refused.error_message(), "presence")) << refused.error_message();
  EXPECT_EQ(Assign(id, "nobody", &response).error_code(), StatusCode::NOT_FOUND);
  EXPECT_EQ(dan->offers_received(), 0u);

  // The supervisor gives it back to Bob past his decline.
  grpc::Status assigned = Assign(id, "bob", &response);
  ASSERT_TRUE(assigned.ok()) << assigned.error_message();
  EXPECT_EQ(response.case_().state(), v1::CASE_STATE_OFFERED);
  EXPECT_EQ(response.case_().agent_id(), "bob");
  EXPECT_TRUE(response.case_().subject().empty());  // no customer text for the supervisor here
  std::optional<v1::Offer> again = bob->WaitForOffer(1);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->case_().case_id(), id);

  v1::ExplainDecisionResponse why = Explain(id);
  EXPECT_TRUE(why.assigned_by_supervisor());
  EXPECT_EQ(why.supervisor(), absl::StrCat("supervisor:", kTestSupervisor));
  EXPECT_EQ(why.winner().agent_id(), "bob");
  const std::string events = Events();
  EXPECT_TRUE(absl::StrContains(events, "assigned_by_supervisor")) << events;

  // An offered case is not waiting.
  grpc::Status twice = Assign(id, "eve", &response);
  EXPECT_EQ(twice.error_code(), StatusCode::FAILED_PRECONDITION);
  EXPECT_TRUE(absl::StrContains(twice.error_message(), "not waiting")) << twice.error_message();
}

TEST_F(SupervisorControlsTest, ChangesAWaitingCasesPriorityAndRequirements) {
  std::unique_ptr<DeskClient> fay = Desk("fay", {{"technical", 8}});  // cannot take billing
  ASSERT_NE(fay, nullptr);
  const std::string id = Submit("update-1");
  ASSERT_TRUE(WaitFor([&] { return Get(id).state() == v1::CASE_STATE_QUEUED; }));
  const v1::Case before = Get(id);

  grpc::ClientContext context;
  Deadline(&context);
  v1::UpdateWaitingCaseRequest request;
  request.set_case_id(id);
  request.set_explicit_priority(90);
  v1::UpdateWaitingCaseResponse response;
  grpc::Status status = c().supervision->UpdateWaitingCase(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.case_().explicit_priority(), 90);
  EXPECT_EQ(Get(id).explicit_priority(), 90);
  EXPECT_EQ(fay->offers_received(), 0u);

  grpc::ClientContext bad;
  Deadline(&bad);
  request.set_explicit_priority(101);
  status = c().supervision->UpdateWaitingCase(&bad, request, &response);
  EXPECT_EQ(status.error_code(), StatusCode::INVALID_ARGUMENT);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "explicit_priority"))
      << status.error_message();

  // Now it needs the technical skill, on the technical topic: Fay gets it, at its old age.
  grpc::ClientContext change;
  Deadline(&change);
  request.clear_explicit_priority();
  v1::SkillRequirement* skill = request.mutable_requirements()->add_required_skills();
  skill->set_skill("technical");
  skill->set_min_proficiency(5);
  request.mutable_requirements()->set_language("en");
  request.mutable_requirements()->set_topic("technical");
  status = c().supervision->UpdateWaitingCase(&change, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::optional<v1::Offer> offer = fay->WaitForOffer();
  ASSERT_TRUE(offer.has_value());
  EXPECT_EQ(offer->case_().case_id(), id);
  EXPECT_EQ(offer->case_().topic(), "technical");
  EXPECT_EQ(offer->case_().explicit_priority(), 90);
  EXPECT_EQ(Get(id).create_time().seconds(), before.create_time().seconds());

  // A case that is no longer waiting cannot be changed.
  absl::StatusOr<v1::Ack> accepted = fay->Accept(id);
  ASSERT_TRUE(accepted.ok() && accepted->code() == 0);
  grpc::ClientContext late;
  Deadline(&late);
  status = c().supervision->UpdateWaitingCase(&late, request, &response);
  EXPECT_EQ(status.error_code(), StatusCode::FAILED_PRECONDITION);
}

TEST_F(SupervisorControlsTest, ListsCasesNeedingASupervisorAndTakesOneOver) {
  // Ana may grant 1000; the case needs 5000. Past its one-second SLA it goes to her anyway,
  // marked as needing a supervisor.
  std::unique_ptr<DeskClient> ana = Desk("ana", {{"billing", 8}});
  ASSERT_NE(ana, nullptr);
  const std::string id = Submit("takeover-1", /*authority=*/5000);
  std::optional<v1::Offer> offer = ana->WaitForOffer();
  ASSERT_TRUE(offer.has_value());
  ASSERT_EQ(offer->case_().case_id(), id);
  EXPECT_TRUE(offer->case_().needs_supervisor());
  absl::StatusOr<v1::Ack> accepted = ana->Accept(id);
  ASSERT_TRUE(accepted.ok() && accepted->code() == 0);

  grpc::ClientContext list;
  Deadline(&list);
  v1::ListCasesNeedingSupervisorResponse needing;
  grpc::Status status = c().supervision->ListCasesNeedingSupervisor(
      &list, v1::ListCasesNeedingSupervisorRequest(), &needing);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(needing.cases_size(), 1);
  EXPECT_EQ(needing.cases(0).case_id(), id);
  EXPECT_TRUE(needing.cases(0).subject().empty());

  // The supervisor's own agent, empowered for it, takes it over from Ana.
  std::unique_ptr<DeskClient> sam = Desk("sam", {{"billing", 9}}, v1::PRESENCE_AVAILABLE, 100000);
  ASSERT_NE(sam, nullptr);
  grpc::ClientContext take;
  Deadline(&take);
  v1::TakeOverCaseRequest request;
  request.set_case_id(id);
  request.set_agent_id("sam");
  v1::TakeOverCaseResponse response;
  status = c().supervision->TakeOverCase(&take, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(response.case_().agent_id(), "sam");
  EXPECT_FALSE(response.case_().needs_supervisor());
  ASSERT_TRUE(ana->WaitForRevoked(id));
  std::optional<v1::Offer> taken = sam->WaitForOffer();
  ASSERT_TRUE(taken.has_value());
  EXPECT_EQ(taken->case_().case_id(), id);
  absl::StatusOr<v1::Ack> sam_accepted = sam->Accept(id);
  ASSERT_TRUE(sam_accepted.ok() && sam_accepted->code() == 0) << sam_accepted->message();
  EXPECT_EQ(AgentOf("ana").active_cases(0), 0);  // her phone line is free again

  v1::ExplainDecisionResponse why = Explain(id);
  EXPECT_TRUE(why.assigned_by_supervisor());
  EXPECT_EQ(why.winner().agent_id(), "sam");
  EXPECT_TRUE(absl::StrContains(Events(), "taken_over_by_supervisor"));

  grpc::ClientContext relist;
  Deadline(&relist);
  status = c().supervision->ListCasesNeedingSupervisor(
      &relist, v1::ListCasesNeedingSupervisorRequest(), &needing);
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(needing.cases_size(), 0);
}

TEST_F(SupervisorControlsTest, ListsAnAgentsCases) {
  std::unique_ptr<DeskClient> ana = Desk("ana", {{"billing", 8}});
  ASSERT_NE(ana, nullptr);
  const std::string id = Submit("list-1");
  std::optional<v1::Offer> offer = ana->WaitForOffer();
  ASSERT_TRUE(offer.has_value());
  absl::StatusOr<v1::Ack> accepted = ana->Accept(id);
  ASSERT_TRUE(accepted.ok() && accepted->code() == 0);

  grpc::ClientContext context;
  Deadline(&context);
  v1::ListAgentCasesRequest request;
  request.set_agent_id("ana");
  v1::ListAgentCasesResponse response;
  grpc::Status status = c().supervision->ListAgentCases(&context, request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(response.cases_size(), 1);
  EXPECT_EQ(response.cases(0).case_id(), id);
  EXPECT_EQ(response.cases(0).state(), v1::CASE_STATE_ASSIGNED);
  EXPECT_TRUE(response.cases(0).subject().empty());

  grpc::ClientContext unknown;
  Deadline(&unknown);
  request.set_agent_id("nobody");
  EXPECT_EQ(c().supervision->ListAgentCases(&unknown, request, &response).error_code(),
            StatusCode::NOT_FOUND);
}

// Every supervisor control is a supervisor's: adapters, agents and viewers are refused.
TEST_F(SupervisorControlsTest, NoOtherRoleMayUseTheControls) {
  const int port = router_->server().grpc_port();
  struct Caller {
    const char* role;
    const char* name;
  };
  for (const Caller& caller : {Caller{"adapter", "floor-adapter"}, Caller{"agent", "ana"},
                               Caller{"viewer", "floor-dashboard"}}) {
    auto stub = v1::SupervisionService::NewStub(Dial(port, caller.role, caller.name));
    std::vector<std::pair<const char*, grpc::Status>> calls;
    {
      grpc::ClientContext ctx;
      Deadline(&ctx);
      v1::SetAgentPresenceRequest r;
      r.set_agent_id("ana");
      r.set_presence(v1::PRESENCE_AVAILABLE);
      v1::SetAgentPresenceResponse out;
      calls.emplace_back("SetAgentPresence", stub->SetAgentPresence(&ctx, r, &out));
    }
    {
      grpc::ClientContext ctx;
      Deadline(&ctx);
      v1::EndAgentSessionRequest r;
      r.set_agent_id("ana");
      v1::EndAgentSessionResponse out;
      calls.emplace_back("EndAgentSession", stub->EndAgentSession(&ctx, r, &out));
    }
    {
      grpc::ClientContext ctx;
      Deadline(&ctx);
      v1::AssignCaseRequest r;
      r.set_case_id("c1");
      r.set_agent_id("ana");
      v1::AssignCaseResponse out;
      calls.emplace_back("AssignCase", stub->AssignCase(&ctx, r, &out));
    }
    {
      grpc::ClientContext ctx;
      Deadline(&ctx);
      v1::UpdateWaitingCaseRequest r;
      r.set_case_id("c1");
      r.set_explicit_priority(1);
      v1::UpdateWaitingCaseResponse out;
      calls.emplace_back("UpdateWaitingCase", stub->UpdateWaitingCase(&ctx, r, &out));
    }
    {
      grpc::ClientContext ctx;
      Deadline(&ctx);
      v1::ListCasesNeedingSupervisorResponse out;
      calls.emplace_back(
          "ListCasesNeedingSupervisor",
          stub->ListCasesNeedingSupervisor(&ctx, v1::ListCasesNeedingSupervisorRequest(), &out));
    }
    {
      grpc::ClientContext ctx;
      Deadline(&ctx);
      v1::TakeOverCaseRequest r;
      r.set_case_id("c1");
      r.set_agent_id("ana");
      v1::TakeOverCaseResponse out;
      calls.emplace_back("TakeOverCase", stub->TakeOverCase(&ctx, r, &out));
    }
    {
      grpc::ClientContext ctx;
      Deadline(&ctx);
      v1::ListAgentCasesRequest r;
      r.set_agent_id("ana");
      v1::ListAgentCasesResponse out;
      calls.emplace_back("ListAgentCases", stub->ListAgentCases(&ctx, r, &out));
    }
    for (const auto& [rpc, status] : calls) {
      EXPECT_EQ(status.error_code(), StatusCode::PERMISSION_DENIED) << rpc << " as " << caller.role;
      EXPECT_TRUE(absl::StrContains(status.error_message(), "needs the role supervisor"))
          << rpc << ": " << status.error_message();
    }
  }
}

}  // namespace
}  // namespace caserouter::e2e
