// End-to-end: events to adapters (issue 13). A phone adapter follows its cases' events over
// gRPC (CaseIntakeService.FollowCases) with the project's follower
// (tools/adapter_client/case_follower.h) against a real redis-server and in-process routers:
// it learns which agent accepted its call, with the agent's contact address, and when the
// leader is replaced by another replica it resumes after its last event and misses nothing —
// the events it got are exactly its cases' events in the domain's stream, in order, each once.
// Also: another adapter sees only its own cases, the supervisor's feed sees every event, the
// role rules of both RPCs, a bad position, and a position the stream no longer keeps.
#include <atomic>
#include <fstream>
#include <iterator>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "router/store/redis_event_reader.h"
#include "tests/e2e/e2e_support.h"
#include "tools/adapter_client/case_follower.h"

#if !defined(CASEROUTER_ADAPTER_BINARY) || !defined(CASEROUTER_BINARY)
#error "CASEROUTER_ADAPTER_BINARY and CASEROUTER_BINARY must name the adapter tool and router"
#endif

namespace caserouter::e2e {
namespace {

constexpr char kContact[] = "sip:ana@pbx.example";

// The events one follower got, with a way to wait for one.
class Recorder {
 public:
  void Add(const v1::RoutingEvent& e) {
    absl::MutexLock lock(&mu_);
    events_.push_back(e);
  }
  std::vector<v1::RoutingEvent> events() const {
    absl::MutexLock lock(&mu_);
    return events_;
  }
  bool WaitFor(const std::string& type, const std::string& case_id) const {
    return e2e::WaitFor([&] {
      absl::MutexLock lock(&mu_);
      for (const v1::RoutingEvent& e : events_) {
        if (e.type() == type && e.case_id() == case_id) return true;
      }
      return false;
    });
  }

 private:
  mutable absl::Mutex mu_;
  std::vector<v1::RoutingEvent> events_ ABSL_GUARDED_BY(mu_);
};

// A follower as adapter `name`, dialing whichever router `address` names at each attempt.
std::unique_ptr<CaseFollower> Follow(const std::string& name, std::atomic<int>* port,
                                     Recorder* recorder, const std::string& after = "0") {
  auto factory = TestChannelFactory();
  auto follower = std::make_unique<CaseFollower>(
      std::vector<std::string>{"router"},
      CaseFollower::Options{.after_event_id = after,
                            .token = Credentials().Token("adapter", name),
                            .channel_factory =
                                [factory, port](const std::string&) {
                                  return factory(absl::StrCat("127.0.0.1:", port->load()));
                                },
                            .max_backoff = absl::Milliseconds(300)},
      [recorder](const v1::RoutingEvent& e) { recorder->Add(e); }, nullptr);
  follower->Start();
  return follower;
}

// Every event of the domain's stream, from Redis itself.
std::vector<StoredEvent> StreamEvents(int redis_port) {
  RedisOptions options;
  options.port = redis_port;
  options.domain = "e2e";
  absl::StatusOr<std::unique_ptr<RedisEventReader>> reader = RedisEventReader::Connect(options);
  EXPECT_TRUE(reader.ok()) << reader.status();
  if (!reader.ok()) return {};
  absl::StatusOr<EventPage> page = (*reader)->ReadAfter("0", 100000, absl::ZeroDuration());
  EXPECT_TRUE(page.ok()) << page.status();
  return page.ok() ? page->events : std::vector<StoredEvent>{};
}

grpc::Status CreateAgentWithContact(Clients& c, const std::string& id, const std::string& contact) {
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  v1::CreateAgentRequest request;
  v1::AgentProfile* p = request.mutable_profile();
  p->set_agent_id(id);
  p->add_languages("en");
  p->set_max_phone(1);
  p->set_contact_address(contact);
  v1::CreateAgentResponse response;
  return c.supervision->CreateAgent(&context, request, &response);
}

std::string Submit(Clients& c, const std::string& key) {
  v1::SubmitCaseResponse response;
  grpc::Status status = c.Submit(SampleSubmission(key), &response);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return response.case_().case_id();
}

// Offers and heartbeats outlast the test: cases stay where the test put them.
class AdapterEventsTest : public RouterTest {
 protected:
  AdapterEventsTest()
      : RouterTest(TestConfigYaml(absl::Seconds(120), absl::Seconds(120), absl::Seconds(1))) {}
};

TEST_F(AdapterEventsTest, APhoneAdapterLearnsTheAcceptingAgentAndResumesAcrossAFailover) {
  ASSERT_TRUE(CreateAgentWithContact(c(), "ana", kContact).ok());
  std::atomic<int> port{router_->server().grpc_port()};
  Recorder mine;
  std::unique_ptr<CaseFollower> follower = Follow(kTestAdapter, &port, &mine);

  // Leader A: the call is offered to ana, who accepts it.
  const std::string call = Submit(c(), "call-1");
  {
    absl::StatusOr<std::unique_ptr<DeskClient>> ana = DeskClient::Connect(c().desk.get(), "ana");
    ASSERT_TRUE(ana.ok()) << ana.status();
    ASSERT_EQ((*ana)->SetPresence(v1::PRESENCE_AVAILABLE)->code(), 0);
    ASSERT_TRUE((*ana)->WaitForOffer().has_value());
    ASSERT_EQ((*ana)->Accept(call)->code(), 0);
    ASSERT_TRUE(mine.WaitFor("accepted", call));
  }
  std::vector<v1::RoutingEvent> before = mine.events();
  ASSERT_GE(before.size(), 3u);
  EXPECT_EQ(before[0].type(), "submitted");
  const v1::RoutingEvent& accepted = before.back();
  EXPECT_EQ(accepted.type(), "accepted");
  EXPECT_EQ(accepted.agent_id(), "ana");
  EXPECT_EQ(accepted.agent_contact_address(), kContact);  // where the adapter bridges the call
  const std::string last_on_a = follower->last_event_id();
  EXPECT_EQ(last_on_a, accepted.event_id());

  // The leader is replaced: A shuts down (its feeds end UNAVAILABLE) and B takes the domain.
  router_.reset();
  absl::StatusOr<std::unique_ptr<InProcessRouter>> b =
      InProcessRouter::Start(redis_->port(), yaml_, "e2e-2");
  ASSERT_TRUE(b.ok()) << b.status();
  port = (*b)->server().grpc_port();

  // On B: a second call comes and goes, and ana completes the first one.
  const std::string second = Submit((*b)->clients(), "call-2");
  {
    grpc::ClientContext context;
    v1::CancelCaseRequest cancel;
    cancel.set_case_id(second);
    v1::CancelCaseResponse response;
    ASSERT_TRUE((*b)->clients().intake->CancelCase(&context, cancel, &response).ok());
  }
  {
    absl::StatusOr<std::unique_ptr<DeskClient>> ana =
        DeskClient::Connect((*b)->clients().desk.get(), "ana");
    ASSERT_TRUE(ana.ok()) << ana.status();
    ASSERT_EQ((*ana)->Complete(call, true, 5)->code(), 0);
  }
  ASSERT_TRUE(mine.WaitFor("completed", call));
  ASSERT_TRUE(mine.WaitFor("cancelled", second));
  EXPECT_GE(follower->feeds_opened(), 2);  // it did reconnect

  // Another adapter's feed: only its own case.
  Recorder theirs;
  std::unique_ptr<CaseFollower> other = Follow("chat-adapter", &port, &theirs);
  std::string own;
  {
    auto channel = Dial(port.load(), "adapter", "chat-adapter");
    auto intake = v1::CaseIntakeService::NewStub(channel);
    grpc::ClientContext context;
    v1::SubmitCaseResponse response;
    ASSERT_TRUE(
        intake->SubmitCase(&context, SampleSubmission("chat-1", v1::CHANNEL_CHAT), &response).ok());
    own = response.case_().case_id();
  }
  ASSERT_TRUE(theirs.WaitFor("submitted", own));
  for (const v1::RoutingEvent& e : theirs.events()) EXPECT_EQ(e.case_id(), own) << e.type();
  other->Stop();
  follower->Stop();

  // Nothing missed, nothing twice: the follower's events are exactly the stream's events of
  // the adapter's two cases, in stream order.
  std::vector<std::string> expected;
  for (const StoredEvent& s : StreamEvents(redis_->port())) {
    const Event& e = s.event;
    if ((e.case_id == call || e.case_id == second) && e.type != "supervisor_action" &&
        e.type != "call_refused") {
      expected.push_back(absl::StrCat(s.id, " ", e.type, " ", e.case_id));
    }
  }
  std::vector<std::string> got;
  for (const v1::RoutingEvent& e : mine.events()) {
    got.push_back(absl::StrCat(e.event_id(), " ", e.type(), " ", e.case_id()));
  }
  EXPECT_EQ(got, expected);
  std::set<std::string> types;
  for (const v1::RoutingEvent& e : mine.events()) types.insert(e.type());
  for (const char* type : {"submitted", "offered", "accepted", "completed", "cancelled"}) {
    EXPECT_TRUE(types.count(type)) << type;
  }
}

// The adapter tool prints the events, the accepting agent's contact address with them.
TEST_F(AdapterEventsTest, TheAdapterToolPrintsTheAssignment) {
  ASSERT_TRUE(CreateAgentWithContact(c(), "ana", kContact).ok());
  const std::string call = Submit(c(), "tool-1");
  absl::StatusOr<std::unique_ptr<DeskClient>> ana = DeskClient::Connect(c().desk.get(), "ana");
  ASSERT_TRUE(ana.ok()) << ana.status();
  ASSERT_EQ((*ana)->SetPresence(v1::PRESENCE_AVAILABLE)->code(), 0);
  ASSERT_TRUE((*ana)->WaitForOffer().has_value());
  ASSERT_EQ((*ana)->Accept(call)->code(), 0);

  TempDir dir;
  const std::string token = dir.Write("adapter.jwt", Credentials().Token("adapter", kTestAdapter));
  absl::StatusOr<int> exit =
      RunToExit(CASEROUTER_ADAPTER_BINARY,
                {absl::StrCat("--target=127.0.0.1:", router_->server().grpc_port()),
                 absl::StrCat("--tls_ca=", Credentials().ca_file()),
                 absl::StrCat("--token_file=", token), "follow", "--after=0", "--max_events=3"},
                dir.path() + "/follow.log");
  ASSERT_TRUE(exit.ok()) << exit.status();
  std::ifstream in(dir.path() + "/follow.log");
  const std::string log((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(*exit, 0) << log;
  EXPECT_NE(log.find(absl::StrCat("submitted  case=", call)), std::string::npos) << log;
  EXPECT_NE(log.find(absl::StrCat("accepted  case=", call, "  agent=ana  contact=", kContact)),
            std::string::npos)
      << log;
}

TEST_F(AdapterEventsTest, TheSupervisorFeedCarriesEveryEventOfTheDomain) {
  ASSERT_TRUE(CreateAgentWithContact(c(), "ana", kContact).ok());
  const std::string id = Submit(c(), "any-1");
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(15)));
  v1::WatchDomainEventsRequest request;
  request.set_after_event_id("0");
  auto reader = c().supervision->WatchDomainEvents(&context, request);
  std::vector<std::string> types;
  v1::WatchDomainEventsResponse response;
  bool saw_agent = false;
  bool saw_case = false;
  while (!(saw_agent && saw_case) && reader->Read(&response)) {
    types.push_back(response.event().type());
    if (response.event().type() == "agent_created") {
      saw_agent = true;
      EXPECT_EQ(response.event().agent_contact_address(), kContact);
    }
    if (response.event().type() == "submitted" && response.event().case_id() == id) {
      saw_case = true;
    }
  }
  EXPECT_TRUE(saw_agent);
  EXPECT_TRUE(saw_case);
  absl::StatusOr<std::string> metrics = HttpGet(router_->server().metrics_port(), "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_NE(metrics->find("\ncaserouter_event_feeds 1\n"), std::string::npos) << *metrics;
  context.TryCancel();
  reader->Finish();
  // The feed's place is given back when it ends.
  EXPECT_TRUE(WaitFor([&] {
    absl::StatusOr<std::string> now = HttpGet(router_->server().metrics_port(), "/metrics");
    return now.ok() && now->find("\ncaserouter_event_feeds 0\n") != std::string::npos;
  }));
}

grpc::StatusCode FollowAs(int port, const std::string& role, const std::string& name,
                          const std::string& after) {
  auto intake = v1::CaseIntakeService::NewStub(Dial(port, role, name));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  v1::FollowCasesRequest request;
  request.set_after_event_id(after);
  auto reader = intake->FollowCases(&context, request);
  v1::FollowCasesResponse response;
  if (reader->Read(&response)) {
    context.TryCancel();
    reader->Finish();
    return grpc::StatusCode::OK;
  }
  return reader->Finish().error_code();
}

grpc::StatusCode WatchAs(int port, const std::string& role, const std::string& name) {
  auto supervision = v1::SupervisionService::NewStub(Dial(port, role, name));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  v1::WatchDomainEventsRequest request;
  request.set_after_event_id("0");
  auto reader = supervision->WatchDomainEvents(&context, request);
  v1::WatchDomainEventsResponse response;
  if (reader->Read(&response)) {
    context.TryCancel();
    reader->Finish();
    return grpc::StatusCode::OK;
  }
  return reader->Finish().error_code();
}

TEST_F(AdapterEventsTest, OnlyAdaptersFollowCasesAndOnlySupervisorsWatchTheDomain) {
  const int port = router_->server().grpc_port();
  Submit(c(), "mine-1");  // the test adapter has a case, so its feed has an event to give
  EXPECT_EQ(FollowAs(port, "adapter", kTestAdapter, "0"), grpc::StatusCode::OK);
  EXPECT_EQ(FollowAs(port, "agent", "ana", "0"), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(FollowAs(port, "supervisor", kTestSupervisor, "0"),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(FollowAs(port, "viewer", "wall", "0"), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(WatchAs(port, "supervisor", kTestSupervisor), grpc::StatusCode::OK);
  EXPECT_EQ(WatchAs(port, "adapter", kTestAdapter), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(WatchAs(port, "agent", "ana"), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(WatchAs(port, "viewer", "wall"), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(FollowAs(port, "adapter", kTestAdapter, "yesterday"),
            grpc::StatusCode::INVALID_ARGUMENT);
}

// The real binary opens its feeds on the Redis it writes (server_main.cc), and a second
// adapter process resumes where the first one stopped.
TEST_F(AdapterEventsTest, TheRouterBinaryServesTheFeedFromItsRedis) {
  router_.reset();  // the binary takes the domain instead
  TempDir dir;
  const std::string config = dir.Write("caserouter.yaml", yaml_);
  absl::StatusOr<std::unique_ptr<RouterProcess>> binary = RouterProcess::Start(
      CASEROUTER_BINARY,
      {"--grpc_address=127.0.0.1:0",
       "--metrics_address=", absl::StrCat("--redis_address=127.0.0.1:", redis_->port()),
       absl::StrCat("--config=", config), "--instance_id=binary", "--drain_timeout=1s"},
      dir.path() + "/router.log");
  ASSERT_TRUE(binary.ok()) << binary.status();
  const int port = (*binary)->grpc_port();
  ASSERT_TRUE(WaitFor([&] {
    absl::StatusOr<int> health = HealthStatus(Dial(port), "");
    return health.ok() && *health == 1;
  }));
  Clients clients(port);
  const std::string first = Submit(clients, "bin-1");
  std::atomic<int> target{port};
  Recorder seen;
  std::unique_ptr<CaseFollower> follower = Follow(kTestAdapter, &target, &seen);
  ASSERT_TRUE(seen.WaitFor("submitted", first));
  follower->Stop();
  const std::string resume_after = follower->last_event_id();

  const std::string second = Submit(clients, "bin-2");
  Recorder resumed;
  std::unique_ptr<CaseFollower> again = Follow(kTestAdapter, &target, &resumed, resume_after);
  ASSERT_TRUE(resumed.WaitFor("submitted", second));
  again->Stop();
  for (const v1::RoutingEvent& e : resumed.events()) {
    EXPECT_NE(e.case_id(), first) << "an event before the position came again: " << e.type();
  }
}

TEST_F(AdapterEventsTest, APositionTheStreamNoLongerKeepsIsOutOfRange) {
  Submit(c(), "old-1");
  absl::StatusOr<std::string> trimmed =
      RedisCli(redis_->port(), {"XTRIM", "cr:{e2e}:events", "MAXLEN", "0"});
  ASSERT_TRUE(trimmed.ok()) << trimmed.status();
  Submit(c(), "new-1");  // the stream now starts after position 1-0
  EXPECT_EQ(FollowAs(router_->server().grpc_port(), "adapter", kTestAdapter, "1-0"),
            grpc::StatusCode::OUT_OF_RANGE);
}

}  // namespace
}  // namespace caserouter::e2e
