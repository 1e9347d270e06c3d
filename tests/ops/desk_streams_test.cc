// Operations: thousands of agent desks on one replica with a bounded number of threads.
//
// The real `caserouter` binary (over a real redis-server) takes kDesks desk streams over
// loopback, each welcomed by the engine and left open, and the test counts the router's
// threads in /proc/<pid>/status before and while they are open. The synchronous server held
// two threads per desk (2,000 desks: more than 4,000 threads); the callback server holds
// none, so the count must stay under kMaxThreads whatever the number of desks. Counts, never
// times: the wait for the streams has a generous bound and nothing else depends on speed.
//
// The desks run in this process on gRPC's callback client API (a reactor per stream), over
// kChannels connections, so the test itself needs no thread per desk either.
#include <unistd.h>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"
#include "tools/client_auth/client_security.h"

namespace caserouter::e2e {
namespace {

constexpr int kDesks = 2000;
constexpr int kChannels = 20;
// The router's own threads (engine, health watcher, main), the metrics endpoint's, gRPC's
// pollers, executors and timer threads, and the synchronous reflection service's pool
// (at most 8): a few dozen on any machine, however many desks.
constexpr int kMaxThreads = 64;

// The number on the `field` line of /proc/<pid>/status ("Threads:", "VmRSS:" in kB); -1 when
// unreadable.
int StatusField(pid_t pid, absl::string_view field) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (absl::StartsWith(line, field)) {
      absl::string_view value = absl::StripAsciiWhitespace(
          absl::StripSuffix(absl::string_view(line).substr(field.size()), "kB"));
      int number = -1;
      if (absl::SimpleAtoi(value, &number)) return number;
    }
  }
  return -1;
}

int ThreadsOf(pid_t pid) { return StatusField(pid, "Threads:"); }

// Counts welcomed and ended desks of this test.
struct Tally {
  absl::Mutex mu;
  int welcomed ABSL_GUARDED_BY(mu) = 0;
  int ended ABSL_GUARDED_BY(mu) = 0;
  int ended_ok ABSL_GUARDED_BY(mu) = 0;
};

// One desk: Hello, then reads everything until the stream ends; Close half-closes it.
class Desk final : public grpc::ClientBidiReactor<v1::ConnectRequest, v1::ConnectResponse> {
 public:
  Desk(v1::AgentDeskService::Stub* stub, const std::string& agent_id, Tally* tally)
      : tally_(tally) {
    hello_.set_request_id(1);
    hello_.mutable_hello()->set_agent_id(agent_id);
    AttachToken(&context_, Credentials().Token("agent", agent_id));
    stub->async()->Connect(&context_, this);
    StartWrite(&hello_);
    StartRead(&event_);
    StartCall();
  }

  void Close() { StartWritesDone(); }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // the stream is ending; OnDone follows
    if (event_.has_welcome()) {
      absl::MutexLock lock(&tally_->mu);
      ++tally_->welcomed;
    }
    StartRead(&event_);
  }
  void OnDone(const grpc::Status& status) override {
    {
      absl::MutexLock lock(&tally_->mu);
      ++tally_->ended;
      tally_->ended_ok += status.ok();
    }
    done_.Notify();
  }
  void Await() { done_.WaitForNotification(); }

 private:
  Tally* const tally_;
  grpc::ClientContext context_;
  v1::ConnectRequest hello_;
  v1::ConnectResponse event_;
  absl::Notification done_;
};

TEST(DeskStreamsTest, TwoThousandDesksRunOnABoundedNumberOfRouterThreads) {
  absl::StatusOr<std::unique_ptr<RedisServer>> redis = RedisServer::Start();
  if (absl::IsNotFound(redis.status())) GTEST_SKIP() << redis.status().message();
  ASSERT_TRUE(redis.ok()) << redis.status();
  TempDir dir;
  // Desks stay silent: their sessions must outlive the test without heartbeats.
  const std::string config = dir.Write(
      "caserouter.yaml", TestConfigYaml(absl::Seconds(60), absl::Seconds(600), absl::Seconds(5)));
  absl::StatusOr<std::unique_ptr<RouterProcess>> router =
      RouterProcess::Start(CASEROUTER_BINARY,
                           {"--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
                            absl::StrCat("--redis_address=127.0.0.1:", (*redis)->port()),
                            absl::StrCat("--config=", config), "--instance_id=threads-1",
                            absl::StrCat("--max_desk_streams=", kDesks + 10)},
                           dir.path() + "/router.log");
  ASSERT_TRUE(router.ok()) << router.status();
  const pid_t pid = (*router)->pid();
  Clients admin((*router)->grpc_port());
  ASSERT_TRUE(WaitFor([&] {
    absl::StatusOr<int> health = HealthStatus(admin.channel, "");
    return health.ok() && *health == 1;
  }));

  // The agents, created a batch at a time.
  constexpr int kBatch = 200;
  for (int first = 0; first < kDesks; first += kBatch) {
    struct Create {
      grpc::ClientContext context;
      v1::CreateAgentRequest request;
      v1::CreateAgentResponse response;
      grpc::Status status;
      absl::Notification done;
    };
    std::vector<std::unique_ptr<Create>> batch;
    for (int i = first; i < first + kBatch; ++i) {
      auto create = std::make_unique<Create>();
      create->context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(60)));
      v1::AgentProfile* profile = create->request.mutable_profile();
      profile->set_agent_id(absl::StrFormat("desk-%05d", i));
      profile->set_max_chat(1);
      Create* raw = create.get();
      admin.supervision->async()->CreateAgent(&raw->context, &raw->request, &raw->response,
                                              [raw](grpc::Status status) {
                                                raw->status = std::move(status);
                                                raw->done.Notify();
                                              });
      batch.push_back(std::move(create));
    }
    for (auto& create : batch) {
      create->done.WaitForNotification();
      ASSERT_TRUE(create->status.ok()) << create->status.error_message();
    }
  }
  const int threads_before = ThreadsOf(pid);
  const int rss_before = StatusField(pid, "VmRSS:");
  ASSERT_GT(threads_before, 0);

  std::vector<std::unique_ptr<v1::AgentDeskService::Stub>> stubs;
  for (int i = 0; i < kChannels; ++i) {
    // A connection per channel: distinct arguments keep gRPC from sharing one.
    grpc::ChannelArguments args;
    args.SetInt("caserouter.test.connection", i);
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    ClientSecurity security;
    security.ca_file = Credentials().ca_file();
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        OpenChannel(absl::StrCat("127.0.0.1:", (*router)->grpc_port()), security, "", args);
    ASSERT_TRUE(channel.ok()) << channel.status();
    stubs.push_back(v1::AgentDeskService::NewStub(*channel));
  }
  Tally tally;
  std::vector<std::unique_ptr<Desk>> desks;
  for (int i = 0; i < kDesks; ++i) {
    desks.push_back(std::make_unique<Desk>(stubs[i % kChannels].get(),
                                           absl::StrFormat("desk-%05d", i), &tally));
  }
  ASSERT_TRUE(WaitFor(
      [&] {
        absl::MutexLock lock(&tally.mu);
        return tally.welcomed + tally.ended == kDesks;
      },
      absl::Seconds(120)));
  {
    absl::MutexLock lock(&tally.mu);
    ASSERT_EQ(tally.welcomed, kDesks) << tally.ended << " streams ended early";
  }

  const int threads_during = ThreadsOf(pid);
  // Reported, not asserted: memory depends on the allocator and the machine.
  std::printf(
      "router threads: %d with no desk, %d with %d desk streams open; "
      "resident %d -> %d KiB\n",
      threads_before, threads_during, kDesks, rss_before, StatusField(pid, "VmRSS:"));
  EXPECT_LT(threads_during, kMaxThreads);
  // Not one thread per desk, nor per hundred: the count is the server's own.
  EXPECT_LT(threads_during - threads_before, kDesks / 100);

  absl::StatusOr<std::string> metrics = HttpGet((*router)->metrics_port(), "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_TRUE(absl::StrContains(*metrics, absl::StrCat("caserouter_desk_streams ", kDesks)))
      << *metrics;
  v1::ListAgentsResponse agents;
  ASSERT_TRUE(admin.ListAgents(&agents).ok());
  int connected = 0;
  for (const auto& agent : agents.agents()) connected += agent.connected();
  EXPECT_EQ(connected, kDesks);

  // The desks leave; every stream ends OK and the router lets them all go.
  for (auto& desk : desks) desk->Close();
  for (auto& desk : desks) desk->Await();
  {
    absl::MutexLock lock(&tally.mu);
    EXPECT_EQ(tally.ended_ok, kDesks);
  }
  ASSERT_TRUE(WaitFor([&] {
    absl::StatusOr<std::string> m = HttpGet((*router)->metrics_port(), "/metrics");
    return m.ok() && absl::StrContains(*m, "caserouter_desk_streams 0");
  }));
  EXPECT_EQ((*router)->Terminate(), 0);
}

}  // namespace
}  // namespace caserouter::e2e
