// The server's limits and admission over real gRPC (127.0.0.1:0), answered before the tick.
//
// Most tests here serve the three caserouter.v1 services over an engine that no thread runs:
// the test ticks it by hand. A call answered while the test has not ticked was answered
// without the engine: that is how "refused at once, before the tick" is asserted, by what
// happened rather than by how long it took. Without admission such a call would never be
// answered at all, and the test would fail on its wait's bound.
//
// The last tests run the whole Server (the engine on its own thread): a desk that stops
// reading is ended with RESOURCE_EXHAUSTED; health turns NOT_SERVING while the engine cannot
// answer (a store whose commit hangs), or the process is nearly out of file descriptors, and
// SERVING again once it can. A desk that sends ahead of its answers (before its Welcome, or
// faster than they are written) waits for them instead of being taken for one that does not
// read.
#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "router/engine/engine.h"
#include "router/service/admission.h"
#include "router/service/agent_desk_service.h"
#include "router/service/audit_log.h"
#include "router/service/call_gate.h"
#include "router/service/call_limiter.h"
#include "router/service/caller_limits.h"
#include "router/service/case_intake_service.h"
#include "router/service/server.h"
#include "router/service/server_metrics.h"
#include "router/service/supervision_service.h"
#include "router/service/token_verifier.h"
#include "router/service/transport_security.h"
#include "router/store/memory_state_store.h"
#include "tests/e2e/e2e_support.h"
#include "tools/client_auth/client_security.h"

namespace caserouter::e2e {
namespace {

#define SKIP_WITHOUT_REDIS(redis)                                                    \
  if (absl::IsNotFound((redis).status())) {                                          \
    GTEST_SKIP() << "redis-server is not installed: " << (redis).status().message(); \
  }                                                                                  \
  ASSERT_TRUE((redis).ok()) << (redis).status()

// A unary call started with the callback client API; `done` is notified with its status.
template <typename Response>
struct Pending {
  grpc::ClientContext context;
  Response response;
  grpc::Status status;
  absl::Notification done;

  bool Answered(absl::Duration timeout = kWait) {
    return done.WaitForNotificationWithTimeout(timeout);
  }
};

// The three services over an engine ticked by the test, on 127.0.0.1:0.
class HandTickedRouter {
 public:
  struct Limits {
    int max_calls_in_flight = 256;
    int max_desk_streams = 256;
  };

  HandTickedRouter(EngineConfig config, Limits limits)
      : metrics_(&registry_),
        calls_(limits.max_calls_in_flight, ServerLimit::kCallsInFlight, &metrics_),
        admission_(
            config, limits.max_calls_in_flight, [this] { return engine_.OpenCaseSnapshot(); },
            &clock_, &metrics_),
        engine_(config, &store_, &clock_, nullptr, "hand-ticked"),
        audit_(&registry_, &real_clock_, [](std::string, std::string, std::string, std::string) {}),
        // Each caller's share beyond the server's: these tests are about the server's.
        caller_limits_({limits.max_calls_in_flight + 1, limits.max_desk_streams + 1, 1000},
                       &metrics_),
        // Tokens are dated by the real clock; the engine's is the test's.
        gate_(config.domain, &real_clock_, &audit_, &caller_limits_, &metrics_),
        intake_(&engine_, &gate_, &calls_, &admission_),
        supervision_(&engine_, &clock_, &gate_, &calls_, nullptr),
        desk_(&engine_, &clock_, &gate_, AgentDeskService::Options{limits.max_desk_streams},
              &metrics_) {
    ServerOptions secure;
    if (!SecureServerOptions(&secure).ok()) return;  // started() is false: the test fails
    absl::StatusOr<std::unique_ptr<TokenVerifier>> verifier = TokenVerifier::Load(secure.tokens);
    if (!verifier.ok()) return;
    gate_.SetTokenVerifier(*std::move(verifier));
    absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
        ServerCredentialsFor(secure.transport);
    if (!credentials.ok()) return;
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", *credentials, &port_);
    builder.RegisterService(&intake_);
    builder.RegisterService(&supervision_);
    builder.RegisterService(&desk_);
    server_ = builder.BuildAndStart();
    clients_ = std::make_unique<Clients>(port_);
  }

  ~HandTickedRouter() {
    if (server_ == nullptr) return;
    desk_.EndAllStreams(absl::UnavailableError("test over"));
    // Calls the engine never answered are cancelled at the deadline.
    server_->Shutdown(absl::ToChronoTime(absl::Now() + absl::Seconds(1)));
    server_->Wait();
  }

  bool started() const { return server_ != nullptr && port_ != 0; }
  Clients& c() { return *clients_; }
  Engine& engine() { return engine_; }
  AgentDeskService& desk() { return desk_; }
  const CallLimiter& calls() const { return calls_; }

  // Starts SubmitCase without waiting for it.
  std::shared_ptr<Pending<v1::SubmitCaseResponse>> StartSubmit(const v1::SubmitCaseRequest& r) {
    auto call = std::make_shared<Pending<v1::SubmitCaseResponse>>();
    call->context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
    c().intake->async()->SubmitCase(&call->context, &r, &call->response,
                                    [call](grpc::Status status) {
                                      call->status = std::move(status);
                                      call->done.Notify();
                                    });
    return call;
  }

  std::shared_ptr<Pending<v1::GetCaseResponse>> StartGetCase(const std::string& id) {
    auto call = std::make_shared<Pending<v1::GetCaseResponse>>();
    call->context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
    v1::GetCaseRequest request;
    request.set_case_id(id);
    c().intake->async()->GetCase(&call->context, &request, &call->response,
                                 [call](grpc::Status status) {
                                   call->status = std::move(status);
                                   call->done.Notify();
                                 });
    return call;
  }

  // Ticks until every call in `calls` is answered (each tick answers what it ran; a call may
  // reach the engine's queue a moment after it was started).
  template <typename Call>
  bool TickUntilAnswered(const std::vector<std::shared_ptr<Call>>& calls) {
    return WaitFor([&] {
      engine_.Tick();
      return std::all_of(calls.begin(), calls.end(),
                         [](const auto& call) { return call->done.HasBeenNotified(); });
    });
  }

  // The value of a counter of the registry with exactly `labels`; -1 when there is none.
  double Counter(const std::string& name, const std::map<std::string, std::string>& labels) {
    for (const auto& family : registry_.Collect()) {
      if (family.name != name) continue;
      for (const auto& metric : family.metric) {
        std::map<std::string, std::string> have;
        for (const auto& label : metric.label) have[label.name] = label.value;
        if (have == labels) return metric.counter.value;
      }
    }
    return -1;
  }

  double Gauge(const std::string& name) {
    for (const auto& family : registry_.Collect()) {
      if (family.name == name && !family.metric.empty()) return family.metric[0].gauge.value;
    }
    return -1;
  }

 private:
  prometheus::Registry registry_;
  ServerMetrics metrics_;
  FakeClock clock_;  // never advanced: a bucket does not refill during a test
  MemoryStateStore store_;
  CallLimiter calls_;
  Admission admission_;
  Engine engine_;
  RealClock real_clock_;
  AuditLog audit_;
  CallerLimits caller_limits_;
  CallGate gate_;
  CaseIntakeService intake_;
  SupervisionService supervision_;
  AgentDeskService desk_;
  int port_ = 0;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<Clients> clients_;
};

// Defaults with every channel's rate off and no live reserve, for the test to set.
EngineConfig NoLimits(int max_queue) {
  EngineConfig config;
  config.domain = "e2e";  // the test credentials' domain
  config.max_queue = max_queue;
  config.admission.live_reserve_share = 0;
  for (ChannelAdmission& a : config.admission.channels) a = ChannelAdmission{0, 0};
  return config;
}

// A submission from its own customer (cust-<key>), so that none joins another's case.
v1::SubmitCaseRequest Submission(const std::string& key, v1::Channel channel) {
  return SampleSubmission(key, channel);
}

template <typename Call>
int CountAnswered(const std::vector<std::shared_ptr<Call>>& calls) {
  return static_cast<int>(std::count_if(
      calls.begin(), calls.end(), [](const auto& call) { return call->done.HasBeenNotified(); }));
}

TEST(ServerLimitsTest, AFullQueueIsRefusedWithoutATick) {
  HandTickedRouter router(NoLimits(3), {});
  ASSERT_TRUE(router.started());
  std::vector<std::shared_ptr<Pending<v1::SubmitCaseResponse>>> first;
  for (int i = 0; i < 3; ++i) {
    first.push_back(router.StartSubmit(Submission(absl::StrCat("full-", i), v1::CHANNEL_PHONE)));
  }
  // Not ticked: three submissions wait for the engine, and the queue counts them already.
  ASSERT_TRUE(WaitFor([&] { return router.calls().in_use() == 3; }));
  auto early = router.StartSubmit(Submission("full-early", v1::CHANNEL_CHAT));
  ASSERT_TRUE(early->Answered());
  EXPECT_EQ(early->status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_EQ(CountAnswered(first), 0);

  ASSERT_TRUE(router.TickUntilAnswered(first));
  for (const auto& call : first) EXPECT_TRUE(call->status.ok()) << call->status.error_message();
  EXPECT_EQ(router.engine().OpenCaseCount(), 3);

  // The queue is full: every channel is refused, and no tick runs meanwhile.
  for (v1::Channel channel :
       {v1::CHANNEL_PHONE, v1::CHANNEL_CHAT, v1::CHANNEL_SOCIAL, v1::CHANNEL_EMAIL}) {
    auto call = router.StartSubmit(Submission(absl::StrCat("full-more-", channel), channel));
    ASSERT_TRUE(call->Answered()) << channel;
    EXPECT_EQ(call->status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED) << channel;
    EXPECT_TRUE(absl::StrContains(call->status.error_message(), "max_queue"))
        << call->status.error_message();
    EXPECT_FALSE(absl::StrContains(call->status.error_message(), "charged twice"));
  }
  EXPECT_EQ(router.Counter("caserouter_admission_refusals_total",
                           {{"channel", "chat"}, {"reason", "queue_full"}}),
            2);
  EXPECT_EQ(router.Counter("caserouter_admission_refusals_total",
                           {{"channel", "email"}, {"reason", "queue_full"}}),
            1);
}

TEST(ServerLimitsTest, ASocialBurstBeyondItsRateIsRefusedAtOnceWhilePhoneAndChatAreAccepted) {
  EngineConfig config = NoLimits(10000);
  config.admission.channels[ChannelIndex(Channel::kSocial)] = ChannelAdmission{1, 5};
  HandTickedRouter router(config, {});
  ASSERT_TRUE(router.started());

  std::vector<std::shared_ptr<Pending<v1::SubmitCaseResponse>>> posts;
  for (int i = 0; i < 50; ++i) {
    posts.push_back(router.StartSubmit(Submission(absl::StrCat("post-", i), v1::CHANNEL_SOCIAL)));
  }
  // Not ticked: the 45 beyond the burst are answered, the 5 within it wait for the engine.
  ASSERT_TRUE(WaitFor([&] { return CountAnswered(posts) == 45; })) << CountAnswered(posts);
  int refused = 0;
  for (const auto& post : posts) {
    if (!post->done.HasBeenNotified()) continue;
    EXPECT_EQ(post->status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
    EXPECT_TRUE(absl::StrContains(post->status.error_message(), "social"))
        << post->status.error_message();
    ++refused;
  }
  EXPECT_EQ(refused, 45);

  std::vector<std::shared_ptr<Pending<v1::SubmitCaseResponse>>> live;
  for (int i = 0; i < 20; ++i) {
    live.push_back(router.StartSubmit(Submission(absl::StrCat("call-", i), v1::CHANNEL_PHONE)));
    live.push_back(router.StartSubmit(Submission(absl::StrCat("chat-", i), v1::CHANNEL_CHAT)));
  }
  ASSERT_TRUE(router.TickUntilAnswered(live));
  ASSERT_TRUE(router.TickUntilAnswered(posts));
  for (const auto& call : live) EXPECT_TRUE(call->status.ok()) << call->status.error_message();
  int accepted_posts = 0;
  for (const auto& post : posts) accepted_posts += post->status.ok();
  EXPECT_EQ(accepted_posts, 5);
  EXPECT_EQ(router.engine().OpenCaseCount(), 45);

  EXPECT_EQ(router.Counter("caserouter_admission_refusals_total",
                           {{"channel", "social"}, {"reason", "rate"}}),
            45);
  for (const char* channel : {"phone", "chat"}) {
    for (const char* reason : {"rate", "queue_full", "live_reserve"}) {
      EXPECT_EQ(router.Counter("caserouter_admission_refusals_total",
                               {{"channel", channel}, {"reason", reason}}),
                0)
          << channel << " " << reason;
    }
  }
}

TEST(ServerLimitsTest, TheLiveReserveKeepsRoomForPhoneAndChatAfterASocialBurst) {
  EngineConfig config = NoLimits(10);
  config.admission.live_reserve_share = 0.4;  // social and email stop at 6 open cases
  HandTickedRouter router(config, {});
  ASSERT_TRUE(router.started());

  std::vector<std::shared_ptr<Pending<v1::SubmitCaseResponse>>> posts;
  for (int i = 0; i < 12; ++i) {
    posts.push_back(router.StartSubmit(Submission(absl::StrCat("viral-", i), v1::CHANNEL_SOCIAL)));
  }
  ASSERT_TRUE(WaitFor([&] { return CountAnswered(posts) == 6; }));  // refused, not ticked
  ASSERT_TRUE(router.TickUntilAnswered(posts));
  int accepted = 0;
  for (const auto& post : posts) {
    if (post->status.ok()) {
      ++accepted;
    } else {
      EXPECT_TRUE(absl::StrContains(post->status.error_message(), "phone and chat"))
          << post->status.error_message();
    }
  }
  EXPECT_EQ(accepted, 6);

  std::vector<std::shared_ptr<Pending<v1::SubmitCaseResponse>>> live;
  for (int i = 0; i < 2; ++i) {
    live.push_back(router.StartSubmit(Submission(absl::StrCat("line-", i), v1::CHANNEL_PHONE)));
    live.push_back(router.StartSubmit(Submission(absl::StrCat("talk-", i), v1::CHANNEL_CHAT)));
  }
  ASSERT_TRUE(router.TickUntilAnswered(live));
  for (const auto& call : live) EXPECT_TRUE(call->status.ok()) << call->status.error_message();
  EXPECT_EQ(router.engine().OpenCaseCount(), 10);
  EXPECT_EQ(router.Counter("caserouter_admission_refusals_total",
                           {{"channel", "social"}, {"reason", "live_reserve"}}),
            6);
}

TEST(ServerLimitsTest, PostsWaitingForTheEngineLeaveCallsInFlightForPhoneAndChat) {
  EngineConfig config = NoLimits(10000);
  config.admission.live_reserve_share = 0.3;  // 7 of the 10 places for social and email
  HandTickedRouter router(config, {.max_calls_in_flight = 10});
  ASSERT_TRUE(router.started());
  std::vector<std::shared_ptr<Pending<v1::SubmitCaseResponse>>> posts;
  for (int i = 0; i < 7; ++i) {
    posts.push_back(router.StartSubmit(Submission(absl::StrCat("wait-", i), v1::CHANNEL_SOCIAL)));
  }
  ASSERT_TRUE(WaitFor([&] { return router.calls().in_use() == 7; }));
  auto more = router.StartSubmit(Submission("wait-more", v1::CHANNEL_EMAIL));
  ASSERT_TRUE(more->Answered());  // not ticked
  EXPECT_EQ(more->status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(absl::StrContains(more->status.error_message(), "phone and chat"))
      << more->status.error_message();

  std::vector<std::shared_ptr<Pending<v1::SubmitCaseResponse>>> live;
  for (int i = 0; i < 3; ++i) {
    live.push_back(router.StartSubmit(
        Submission(absl::StrCat("live-", i), i % 2 ? v1::CHANNEL_CHAT : v1::CHANNEL_PHONE)));
  }
  ASSERT_TRUE(router.TickUntilAnswered(live));
  ASSERT_TRUE(router.TickUntilAnswered(posts));
  for (const auto& call : live) EXPECT_TRUE(call->status.ok()) << call->status.error_message();
  for (const auto& post : posts) EXPECT_TRUE(post->status.ok()) << post->status.error_message();
  EXPECT_EQ(router.Counter("caserouter_admission_refusals_total",
                           {{"channel", "email"}, {"reason", "live_reserve"}}),
            1);
  EXPECT_EQ(router.Counter("caserouter_grpc_refusals_total", {{"reason", "calls_in_flight"}}), 0);
}

TEST(ServerLimitsTest, CallsBeyondMaxCallsInFlightAreRefusedAtOnceAndTheirPlacesComeBack) {
  HandTickedRouter router(NoLimits(100), {.max_calls_in_flight = 4});
  ASSERT_TRUE(router.started());
  std::vector<std::shared_ptr<Pending<v1::GetCaseResponse>>> waiting;
  for (int i = 0; i < 4; ++i) waiting.push_back(router.StartGetCase(absl::StrCat("c0000000", i)));
  ASSERT_TRUE(WaitFor([&] { return router.calls().in_use() == 4; }));

  auto refused = router.StartGetCase("c00000009");
  ASSERT_TRUE(refused->Answered());
  EXPECT_EQ(refused->status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(absl::StrContains(refused->status.error_message(), "max_calls_in_flight"))
      << refused->status.error_message();
  EXPECT_EQ(CountAnswered(waiting), 0);
  EXPECT_EQ(router.Counter("caserouter_grpc_refusals_total", {{"reason", "calls_in_flight"}}), 1);
  EXPECT_EQ(router.Gauge("caserouter_grpc_calls_in_flight"), 4);

  ASSERT_TRUE(router.TickUntilAnswered(waiting));
  for (const auto& call : waiting) {
    EXPECT_EQ(call->status.error_code(), grpc::StatusCode::NOT_FOUND);
  }
  ASSERT_TRUE(WaitFor([&] { return router.calls().in_use() == 0; }));
  std::vector<std::shared_ptr<Pending<v1::GetCaseResponse>>> again = {
      router.StartGetCase("c00000010")};
  ASSERT_TRUE(router.TickUntilAnswered(again));
  EXPECT_EQ(again[0]->status.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST(ServerLimitsTest, AClientThatHangsUpGivesItsPlaceBackOnlyOnceTheEngineAnswered) {
  HandTickedRouter router(NoLimits(100), {.max_calls_in_flight = 2});
  ASSERT_TRUE(router.started());
  auto call = router.StartGetCase("c00000001");
  ASSERT_TRUE(WaitFor([&] { return router.calls().in_use() == 1; }));
  call->context.TryCancel();
  ASSERT_TRUE(call->Answered());
  EXPECT_EQ(call->status.error_code(), grpc::StatusCode::CANCELLED);
  // Its command still waits in the engine's queue, so its place is still taken.
  EXPECT_EQ(router.calls().in_use(), 1);
  router.engine().Tick();
  ASSERT_TRUE(WaitFor([&] { return router.calls().in_use() == 0; }));
}

// Opens a Connect stream and sends a Hello, without waiting for anything.
struct RawDesk {
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReaderWriter<v1::ConnectRequest, v1::ConnectResponse>> stream;
};

std::unique_ptr<RawDesk> OpenDesk(Clients& c, const std::string& agent_id) {
  auto desk = std::make_unique<RawDesk>();
  desk->context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
  AttachToken(&desk->context, Credentials().Token("agent", agent_id));
  desk->stream = c.desk->Connect(&desk->context);
  v1::ConnectRequest hello;
  hello.mutable_hello()->set_agent_id(agent_id);
  desk->stream->Write(hello);
  return desk;
}

TEST(ServerLimitsTest, DeskStreamsBeyondMaxDeskStreamsAreRefusedAtOnce) {
  HandTickedRouter router(NoLimits(100), {.max_desk_streams = 2});
  ASSERT_TRUE(router.started());
  std::unique_ptr<RawDesk> ana = OpenDesk(router.c(), "ana");
  std::unique_ptr<RawDesk> bob = OpenDesk(router.c(), "bob");
  ASSERT_TRUE(WaitFor([&] { return router.desk().open_streams() == 2; }));

  std::unique_ptr<RawDesk> eve = OpenDesk(router.c(), "eve");
  v1::ConnectResponse event;
  EXPECT_FALSE(eve->stream->Read(&event));  // not one event: the stream is refused
  grpc::Status status = eve->stream->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
  EXPECT_TRUE(absl::StrContains(status.error_message(), "max_desk_streams"))
      << status.error_message();
  EXPECT_EQ(router.Counter("caserouter_grpc_refusals_total", {{"reason", "desk_streams"}}), 1);
  EXPECT_EQ(router.Gauge("caserouter_desk_streams"), 2);

  // A stream that ends makes room.
  ana->context.TryCancel();
  ASSERT_TRUE(WaitFor([&] { return router.desk().open_streams() == 1; }));
  std::unique_ptr<RawDesk> eve_again = OpenDesk(router.c(), "eve");
  ASSERT_TRUE(WaitFor([&] { return router.desk().open_streams() == 2; }));
  EXPECT_EQ(router.Counter("caserouter_grpc_refusals_total", {{"reason", "desk_streams"}}), 1);
}

// A desk may send ahead of its Welcome (its Hello, then its presence and heartbeats at once).
// Those requests wait, unread, until the engine opened the session: before, every one read
// was answered with an Ack queued behind the Welcome, and 1,024 of them ended the stream as
// "not reading" although the desk read everything it was sent.
TEST(ServerLimitsTest, RequestsSentBeforeTheWelcomeWaitForItInsteadOfEndingTheStream) {
  HandTickedRouter router(NoLimits(100), {});
  ASSERT_TRUE(router.started());
  router.engine().Tick();  // leads the domain
  absl::Notification created;
  Agent ana;
  ana.id = "ana";
  router.engine().CreateAgent(ana, [&](absl::StatusOr<AgentView>) { created.Notify(); });
  router.engine().Tick();
  ASSERT_TRUE(created.WaitForNotificationWithTimeout(kWait));

  constexpr int kAhead = 3 * AgentDeskService::kMaxQueuedEvents;
  std::unique_ptr<RawDesk> desk = OpenDesk(router.c(), "ana");
  v1::ConnectRequest heartbeat;
  heartbeat.mutable_heartbeat();
  // Written from another thread: once the transport's windows are full, writes wait for
  // the server to read, which it does only after the Welcome.
  std::thread writer([&] {
    for (int i = 1; i <= kAhead; ++i) {
      heartbeat.set_request_id(i);
      if (!desk->stream->Write(heartbeat)) return;
    }
  });
  absl::SleepFor(absl::Milliseconds(200));  // let requests arrive before the engine answers
  int acks = 0;
  bool welcomed = false;
  v1::ConnectResponse event;
  std::thread ticker([&] {
    // The engine opens the session (and answers what reaches it) only when ticked.
    while (!welcomed || acks < kAhead + 1) {
      router.engine().Tick();
      absl::SleepFor(absl::Milliseconds(5));
      if (desk->context.deadline() < std::chrono::system_clock::now()) return;
    }
  });
  while ((!welcomed || acks < kAhead + 1) && desk->stream->Read(&event)) {
    if (event.has_welcome()) welcomed = true;
    if (event.has_ack()) {
      EXPECT_TRUE(welcomed) << "an Ack before the Welcome";
      ++acks;
    }
  }
  writer.join();
  EXPECT_TRUE(welcomed);
  EXPECT_EQ(acks, kAhead + 1);  // the Hello's and every heartbeat's
  EXPECT_EQ(router.Counter("caserouter_grpc_refusals_total", {{"reason", "desk_not_reading"}}), 0);
  desk->context.TryCancel();
  ticker.join();
}

// The whole server on a store whose commits can be held, to make the engine stall.
class HeldStore final : public StateStore {
 public:
  void Hold() {
    absl::MutexLock lock(&mu_);
    held_ = true;
  }
  void Release() {
    absl::MutexLock lock(&mu_);
    held_ = false;
  }
  absl::StatusOr<int64_t> AcquireLeadership(absl::string_view owner, absl::Duration ttl,
                                            absl::Time now) override {
    return store_.AcquireLeadership(owner, ttl, now);
  }
  absl::Status RenewLeadership(absl::string_view owner, int64_t epoch, absl::Duration ttl,
                               absl::Time now) override {
    return store_.RenewLeadership(owner, epoch, ttl, now);
  }
  absl::Status ReleaseLeadership(absl::string_view owner) override {
    return store_.ReleaseLeadership(owner);
  }
  absl::Status Commit(const Batch& batch, int64_t epoch) override {
    {
      absl::MutexLock lock(&mu_);
      mu_.Await(absl::Condition(
          +[](bool* held) { return !*held; }, &held_));
    }
    return store_.Commit(batch, epoch);
  }
  absl::StatusOr<StoredState> Load(absl::Time now, const LoadProgress& progress) override {
    return store_.Load(now, progress);
  }

 private:
  MemoryStateStore store_;
  absl::Mutex mu_;
  bool held_ ABSL_GUARDED_BY(mu_) = false;
};

TEST(ServerLimitsTest, HealthIsNotServingWhileTheEngineCannotAnswer) {
  auto owned = std::make_unique<HeldStore>();
  HeldStore* store = owned.get();
  ServerOptions options;
  ASSERT_TRUE(SecureServerOptions(&options).ok());
  options.instance_id = "stall-1";
  options.metrics_address = "";
  options.health_poll_interval = absl::Milliseconds(20);
  options.engine_stall_timeout = absl::Milliseconds(200);
  options.drain_timeout = absl::Seconds(1);
  EngineConfig config = NoLimits(100);
  absl::StatusOr<std::unique_ptr<Server>> server = Server::Start(options, config, std::move(owned));
  ASSERT_TRUE(server.ok()) << server.status();
  auto channel = Dial((*server)->grpc_port());
  auto health = [&] {
    absl::StatusOr<int> status = HealthStatus(channel, "");
    return status.ok() ? *status : -1;
  };
  ASSERT_TRUE(WaitFor([&] { return health() == 1; }));

  store->Hold();
  Clients c((*server)->grpc_port());
  auto call = std::make_shared<Pending<v1::SubmitCaseResponse>>();
  v1::SubmitCaseRequest request = Submission("stuck", v1::CHANNEL_PHONE);
  c.intake->async()->SubmitCase(&call->context, &request, &call->response,
                                [call](grpc::Status status) {
                                  call->status = std::move(status);
                                  call->done.Notify();
                                });
  // The submission's commit hangs: the engine answers nothing, so the replica cannot take
  // calls, though it still leads its domain.
  ASSERT_TRUE(WaitFor([&] { return health() == 2; }));
  EXPECT_TRUE((*server)->IsServing());
  EXPECT_FALSE(call->done.HasBeenNotified());

  store->Release();
  ASSERT_TRUE(call->Answered());
  EXPECT_TRUE(call->status.ok()) << call->status.error_message();
  ASSERT_TRUE(WaitFor([&] { return health() == 1; }));
  (*server)->Shutdown();
}

TEST(ServerLimitsTest, HealthIsNotServingWhileEveryCallPlaceIsTaken) {
  auto owned = std::make_unique<HeldStore>();
  HeldStore* store = owned.get();
  ServerOptions options;
  ASSERT_TRUE(SecureServerOptions(&options).ok());
  options.instance_id = "full-1";
  options.metrics_address = "";
  options.health_poll_interval = absl::Milliseconds(20);
  options.engine_stall_timeout = absl::Hours(1);  // only the places may turn health here
  options.max_calls_in_flight = 3;
  options.drain_timeout = absl::Seconds(1);
  absl::StatusOr<std::unique_ptr<Server>> server =
      Server::Start(options, NoLimits(100), std::move(owned));
  ASSERT_TRUE(server.ok()) << server.status();
  auto channel = Dial((*server)->grpc_port());
  auto health = [&] {
    absl::StatusOr<int> status = HealthStatus(channel, "");
    return status.ok() ? *status : -1;
  };
  ASSERT_TRUE(WaitFor([&] { return health() == 1; }));

  // Commits hang, so every submission keeps its place until the store is released.
  store->Hold();
  Clients c((*server)->grpc_port());
  std::vector<std::shared_ptr<Pending<v1::SubmitCaseResponse>>> calls;
  std::vector<v1::SubmitCaseRequest> requests;
  requests.reserve(3);
  auto submit = [&](int i) {
    auto call = std::make_shared<Pending<v1::SubmitCaseResponse>>();
    requests.push_back(Submission(absl::StrCat("held-", i), v1::CHANNEL_CHAT));
    c.intake->async()->SubmitCase(&call->context, &requests.back(), &call->response,
                                  [call](grpc::Status status) {
                                    call->status = std::move(status);
                                    call->done.Notify();
                                  });
    calls.push_back(call);
  };
  submit(0);
  submit(1);
  // Two of three places taken, for ten health polls: still SERVING.
  absl::SleepFor(absl::Milliseconds(200));
  EXPECT_EQ(health(), 1);
  submit(2);
  // EXPECT, not ASSERT: the store must be released below, or the server cannot shut down.
  EXPECT_TRUE(WaitFor([&] { return health() == 2; }))
      << "every call place taken: a new caller would be refused";
  EXPECT_TRUE((*server)->IsServing()) << "it still leads its domain";

  store->Release();
  for (auto& call : calls) {
    ASSERT_TRUE(call->Answered());
    EXPECT_TRUE(call->status.ok()) << call->status.error_message();
  }
  ASSERT_TRUE(WaitFor([&] { return health() == 1; }));
  (*server)->Shutdown();
}

// A desk that freezes (reads nothing, sends nothing) while its customer keeps writing: the
// engine is never held up by it, and its session ends when its heartbeats stop. (A desk whose
// transport stops taking bytes is ended by the stall timeout or the queue's cap; a desk that
// sends ahead of its answers waits for them: see the Welcome test above.)
TEST(ServerLimitsTest, AFrozenDeskIsEndedWithoutBlockingTheEngine) {
  RedisServer::Options redis_options;
  absl::StatusOr<std::unique_ptr<RedisServer>> redis = RedisServer::Start(redis_options);
  SKIP_WITHOUT_REDIS(redis);
  absl::StatusOr<std::unique_ptr<InProcessRouter>> router = InProcessRouter::Start(
      (*redis)->port(), TestConfigYaml(absl::Seconds(60), absl::Seconds(2)), "e2e-frozen");
  ASSERT_TRUE(router.ok()) << router.status();
  Clients& c = (*router)->clients();
  ASSERT_TRUE(c.CreateAgent("ana").ok());

  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
  AttachToken(&context, Credentials().Token("agent", "ana"));
  auto stream = c.desk->Connect(&context);
  v1::ConnectRequest hello;
  hello.set_request_id(1);
  hello.mutable_hello()->set_agent_id("ana");
  ASSERT_TRUE(stream->Write(hello));
  v1::ConnectResponse event;
  ASSERT_TRUE(stream->Read(&event));
  ASSERT_TRUE(event.has_welcome());
  // The desk takes a case (blind: it knows the id from the submission), then freezes.
  v1::ConnectRequest available;
  available.set_request_id(2);
  available.mutable_set_presence()->set_presence(v1::PRESENCE_AVAILABLE);
  ASSERT_TRUE(stream->Write(available));
  v1::SubmitCaseResponse submitted;
  ASSERT_TRUE(c.Submit(SampleSubmission("frozen"), &submitted).ok());
  v1::ConnectRequest accept;
  accept.set_request_id(3);
  accept.mutable_accept()->set_case_id(submitted.case_().case_id());
  ASSERT_TRUE(stream->Write(accept));
  ASSERT_TRUE(WaitFor([&] {
    v1::Case now;
    return c.GetCase(submitted.case_().case_id(), &now).ok() &&
           now.state() == v1::CASE_STATE_ASSIGNED;
  }));
  // 199 messages of 8000 bytes for the frozen desk: every call is answered (the engine only
  // queues for the desk and never waits on it).
  const std::string text(8000, 'm');
  for (int added = 0; added < 199; ++added) {
    grpc::ClientContext message_context;
    message_context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
    v1::AddMessageRequest message;
    message.set_case_id(submitted.case_().case_id());
    message.set_text(text);
    v1::AddMessageResponse response;
    grpc::Status status = c.intake->AddMessage(&message_context, message, &response);
    ASSERT_TRUE(status.ok()) << added << ": " << status.error_message();
  }
  // No heartbeat from the desk: its session ends at the heartbeat timeout.
  ASSERT_TRUE(WaitFor([&] {
    v1::ListAgentsResponse agents;
    return c.ListAgents(&agents).ok() && agents.agents_size() == 1 && !agents.agents(0).connected();
  }));
  while (stream->Read(&event)) {
  }
  grpc::Status status = stream->Finish();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  EXPECT_TRUE(absl::StrContains(status.error_message(), "heartbeat")) << status.error_message();
  // The case waits for her to come back (the reconnect grace period), with its messages.
  v1::Case held;
  ASSERT_TRUE(c.GetCase(submitted.case_().case_id(), &held).ok());
  EXPECT_EQ(held.messages_size(), 199);
}

}  // namespace
}  // namespace caserouter::e2e
