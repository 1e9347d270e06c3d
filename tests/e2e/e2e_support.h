// What the end-to-end tests share: the fixture of a test with its own redis-server and router
// (RouterTest), a router in this process (the real Server on 127.0.0.1:0 over a real
// redis-server), the real `caserouter` binary as a child process, gRPC clients of every
// service (including health and reflection through a generic stub), an agent desk client with
// its own reader thread, and bounded polling.
//
// Security as in production: every router here serves TLS with a certificate of the test CA
// and takes bearer tokens of the test issuer and client certificates of the test CA (mTLS
// optional), all made with openssl at run time (tests/support/test_credentials.h). Clients
// carry the credential of their role: the intake stub an adapter's token ("e2e-adapter"),
// the supervision stub a supervisor's ("e2e-supervisor"), each desk its own agent's.
//
// Determinism: timeouts come from a YAML configuration written to a temp dir (short offer and
// heartbeat timeouts); tests wait for conditions with WaitFor and a generous bound, never for
// a fixed time.
#ifndef CASEROUTER_TESTS_E2E_E2E_SUPPORT_H_
#define CASEROUTER_TESTS_E2E_E2E_SUPPORT_H_

#include <sys/types.h>

#include <atomic>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "caserouter/v1/agent_desk.grpc.pb.h"
#include "caserouter/v1/case_intake.grpc.pb.h"
#include "caserouter/v1/supervision.grpc.pb.h"
#include "gtest/gtest.h"
#include "router/model/engine_config.h"
#include "router/service/server.h"
#include "router/store/redis_event_reader.h"
#include "router/store/redis_state_store.h"
#include "tests/support/redis_server.h"
#include "tests/support/test_credentials.h"

namespace caserouter::e2e {

// Bound for conditions that should hold within a tick or two; generous because the test
// machine may be loaded.
inline constexpr absl::Duration kWait = absl::Seconds(15);

// Polls `condition` every 10 ms until it holds or `timeout` passes.
bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout = kWait);

// The test configuration: domain "e2e", wrap-up 0, offers time out after `offer_timeout`,
// desks die after `heartbeat_timeout` of silence, the lease lasts `lease_ttl`, routing by
// longest idle without bullseye waiting (so that which agents may get a case does not depend
// on history).
std::string TestConfigYaml(absl::Duration offer_timeout = absl::Milliseconds(1500),
                           absl::Duration heartbeat_timeout = absl::Milliseconds(1500),
                           absl::Duration lease_ttl = absl::Seconds(1));

// A fresh temp directory, removed by the destructor.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  // Writes `contents` to path()/name and returns the full path.
  std::string Write(const std::string& name, const std::string& contents) const;

 private:
  std::string path_;
};

// A store of domain "e2e" on `port`, for reading what the router wrote.
std::unique_ptr<RedisStateStore> OpenStore(int port, const std::string& domain = "e2e");

// Health service status: 1 SERVING, 2 NOT_SERVING; an error status when the call failed.
absl::StatusOr<int> HealthStatus(const std::shared_ptr<grpc::Channel>& channel,
                                 const std::string& service,
                                 absl::Duration deadline = absl::Seconds(5));
// Service names from server reflection.
absl::StatusOr<std::vector<std::string>> ReflectedServices(
    const std::shared_ptr<grpc::Channel>& channel);

// The test credentials (one set per process); tests that use them run after RouterTest's
// SetUp or check SecureServerOptions first, which skip or fail without openssl.
TestCredentials& Credentials();
// The names of the standard callers.
inline constexpr char kTestAdapter[] = "e2e-adapter";
inline constexpr char kTestSupervisor[] = "e2e-supervisor";

// Secures `options` as the tests' routers are (TLS; mTLS optional; tokens). NOT_FOUND when
// openssl is missing (the test skips; FAILED_PRECONDITION when ServersRequired()).
absl::Status SecureServerOptions(ServerOptions* options);
// The same as flags of the real binary.
absl::StatusOr<std::vector<std::string>> SecureRouterFlags();

// TLS to 127.0.0.1:<port>, verifying the router against the test CA, with no credential
// (health, reflection, and the unauthenticated callers of tests).
std::shared_ptr<grpc::Channel> Dial(int port);
// The same, every call carrying a bearer token for `role` and `name`.
std::shared_ptr<grpc::Channel> Dial(int port, const std::string& role, const std::string& name);
// mTLS: the connection presents a client certificate for `role` and `name`.
std::shared_ptr<grpc::Channel> DialWithCertificate(int port, const std::string& role,
                                                   const std::string& name);
// TLS to `address` ("127.0.0.1:<port>"), each call carrying the test credential of the role
// its service needs: the test adapter's for CaseIntakeService, the test supervisor's for
// SupervisionService, none for AgentDeskService (each desk brings its agent's). For tests
// that send every kind of call down one channel. `args` may set more channel arguments.
std::shared_ptr<grpc::Channel> DialWithServiceRoles(
    const std::string& address, grpc::ChannelArguments args = grpc::ChannelArguments());
// Opens TLS channels (the test CA, no credential) to an address: the channel factory of
// DeskAgents in tests, whose streams carry their agent's token (Credentials().Token).
std::function<std::shared_ptr<grpc::Channel>(const std::string&)> TestChannelFactory();

// The body of GET http://127.0.0.1:<port><path> (for /metrics).
absl::StatusOr<std::string> HttpGet(int port, const std::string& path);
// The value of `series` (a full series name with its labels, as /metrics prints it) on the
// /metrics of 127.0.0.1:<port>, or -1 when it cannot be read or is not there.
double MetricSample(int port, absl::string_view series);

// What `redis-cli -p <port> --raw <args...>` prints (redis-cli beside redis-server).
absl::StatusOr<std::string> RedisCli(int port, const std::vector<std::string>& args);

// Runs `binary` with `args` to its end and returns its exit code (stderr to `log_path`).
absl::StatusOr<int> RunToExit(const std::string& binary, const std::vector<std::string>& args,
                              const std::string& log_path,
                              absl::Duration timeout = absl::Seconds(30));

// How Clients authenticate.
enum class ClientCredential { kToken, kCertificate };

// Typed clients of the three caserouter.v1 services of the router on `port`: intake as the
// test adapter, supervision as the test supervisor (tokens, or client certificates), desks
// with no channel credential (DeskClient brings each agent's).
struct Clients {
  explicit Clients(int port, ClientCredential credential = ClientCredential::kToken);
  // The same for "127.0.0.1:<port>".
  explicit Clients(const std::string& address);
  std::shared_ptr<grpc::Channel> channel;  // no credential: health, reflection
  std::unique_ptr<v1::CaseIntakeService::Stub> intake;
  std::unique_ptr<v1::SupervisionService::Stub> supervision;
  std::unique_ptr<v1::AgentDeskService::Stub> desk;

  grpc::Status Submit(const v1::SubmitCaseRequest& request, v1::SubmitCaseResponse* response);
  grpc::Status GetCase(const std::string& case_id, v1::Case* out);
  // Creates an agent on all channels (phone 1, chat 3, social 4, email 5) with `skills`.
  grpc::Status CreateAgent(const std::string& agent_id,
                           const std::vector<std::pair<std::string, int>>& skills = {});
  // The first page of the queue, of up to 1000 cases (all of them, in these tests).
  grpc::Status ListQueue(v1::ListQueueResponse* out);
  grpc::Status ListAgents(v1::ListAgentsResponse* out);
};

// A valid submission on `channel` with the given idempotency key; customer text in the
// subject.
v1::SubmitCaseRequest SampleSubmission(const std::string& key,
                                       v1::Channel channel = v1::CHANNEL_PHONE);

// The router in this test process: Server over a RedisStateStore, config from a YAML file.
class InProcessRouter {
 public:
  // Starts and waits until the engine leads (health "" SERVING). `adjust` may change the
  // options (secured as SecureServerOptions does) before the server starts.
  static absl::StatusOr<std::unique_ptr<InProcessRouter>> Start(
      int redis_port, const std::string& yaml, const std::string& instance_id,
      const std::function<void(ServerOptions&)>& adjust = nullptr);
  ~InProcessRouter();
  Server& server() { return *server_; }
  Clients& clients() { return *clients_; }
  std::shared_ptr<grpc::Channel> channel() { return clients_->channel; }

 private:
  TempDir dir_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<Clients> clients_;
};

// The fixture of a test with a redis-server and an in-process router of its own. SetUp
// starts both, or skips the test (saying why) when redis-server is not installed; a subclass
// that overrides SetUp calls RouterTest::SetUp() first and returns when IsSkipped() or
// HasFatalFailure(). The router runs with `yaml` as its configuration file and `instance_id`
// in the lease.
class RouterTest : public ::testing::Test {
 protected:
  explicit RouterTest(std::string yaml = TestConfigYaml(), std::string instance_id = "e2e-1");
  void SetUp() override;

  Clients& c() { return router_->clients(); }

  const std::string yaml_;
  const std::string instance_id_;
  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<InProcessRouter> router_;
};

// The real `caserouter` binary as a child process (dies with the test process).
class RouterProcess {
 public:
  // Starts `binary` with --print_ports and `args`, and waits for its ports line.
  static absl::StatusOr<std::unique_ptr<RouterProcess>> Start(const std::string& binary,
                                                              const std::vector<std::string>& args,
                                                              const std::string& log_path);
  ~RouterProcess();  // SIGTERM, then SIGKILL after 10 s
  int grpc_port() const { return grpc_port_; }
  int metrics_port() const { return metrics_port_; }
  pid_t pid() const { return pid_; }
  // SIGKILL and reap.
  void Kill();
  // SIGTERM and wait for the exit code (-1 if it had to be killed).
  int Terminate(absl::Duration timeout = absl::Seconds(10));

 private:
  pid_t pid_ = -1;
  int grpc_port_ = 0;
  int metrics_port_ = 0;
};

// One agent desk's Connect stream. A reader thread collects every event; a heartbeat thread
// sends Heartbeat every `heartbeat_every` until StopHeartbeats (0 = never).
class DeskClient {
 public:
  // Connects, sends Hello, and waits for Welcome. The error is the stream's status when the
  // server ended it instead. The stream carries a bearer token for agent `agent_id`, or
  // `token` when given ("" = none: the channel's credential, a client certificate).
  static absl::StatusOr<std::unique_ptr<DeskClient>> Connect(
      v1::AgentDeskService::Stub* stub, const std::string& agent_id,
      absl::Duration heartbeat_every = absl::Milliseconds(200),
      std::optional<std::string> token = std::nullopt);
  ~DeskClient();

  const v1::Welcome& welcome() const { return welcome_; }

  // Sends `request` (its request_id is set here) and waits for the Ack.
  absl::StatusOr<v1::Ack> Send(v1::ConnectRequest request);
  absl::StatusOr<v1::Ack> SetPresence(v1::Presence presence);
  absl::StatusOr<v1::Ack> Accept(const std::string& case_id);
  absl::StatusOr<v1::Ack> Decline(const std::string& case_id);
  absl::StatusOr<v1::Ack> Complete(const std::string& case_id, bool resolved, int csat);

  // The first offer received after `after` offers (0 = the first ever), waiting up to
  // `timeout`.
  std::optional<v1::Offer> WaitForOffer(size_t after = 0, absl::Duration timeout = kWait);
  size_t offers_received() const;
  // Offers received for `case_id` so far.
  int OffersFor(const std::string& case_id) const;
  bool WaitForRevoked(const std::string& case_id, absl::Duration timeout = kWait);

  void StopHeartbeats();
  // Cancels the call from the client side (as a desktop that crashed would, abruptly).
  void Cancel();
  // Waits for the stream to end and returns its status.
  std::optional<grpc::Status> WaitForEnd(absl::Duration timeout = kWait);
  std::vector<v1::ConnectResponse> events() const;

 private:
  DeskClient() = default;
  void ReadLoop();
  void HeartbeatLoop(absl::Duration every);
  bool Write(const v1::ConnectRequest& request);

  grpc::ClientContext context_;
  std::unique_ptr<grpc::ClientReaderWriter<v1::ConnectRequest, v1::ConnectResponse>> stream_;
  v1::Welcome welcome_;
  std::atomic<int64_t> next_request_id_{1};
  std::atomic<bool> heartbeats_{true};
  absl::Mutex write_mu_;

  mutable absl::Mutex mu_;
  std::vector<v1::ConnectResponse> events_ ABSL_GUARDED_BY(mu_);
  bool ended_ ABSL_GUARDED_BY(mu_) = false;
  grpc::Status end_status_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;

  std::thread reader_;
  std::thread heartbeater_;
};

}  // namespace caserouter::e2e

#endif  // CASEROUTER_TESTS_E2E_E2E_SUPPORT_H_
