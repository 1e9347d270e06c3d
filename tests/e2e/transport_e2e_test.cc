// End-to-end: the transport side of issue 12 — mTLS for every client, certificates and token
// keys replaced without a restart, the hello timeout, each caller's share of streams, malformed
// input counted rather than logged, and the exhaustion test: thousands of streams and
// connections without credentials while authenticated submissions go on.
//
// Every assertion is a count or a code. The exhaustion test prints its figures (streams,
// connections, submissions answered, their latency) and asserts only that every authenticated
// call was answered OK within a generous bound on "answered at all".
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/generic/generic_stub.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "gtest/gtest.h"
#include "router/service/grpc_log_limit.h"
#include "tests/e2e/e2e_support.h"
#include "tools/client_auth/client_security.h"

#ifndef CASEROUTER_BINARY
#error "CASEROUTER_BINARY must name the router binary"
#endif

namespace caserouter::e2e {
namespace {

using grpc::StatusCode;

#define SKIP_WITHOUT_SERVERS(redis)                                                  \
  if (absl::IsNotFound((redis).status())) {                                          \
    GTEST_SKIP() << "redis-server is not installed: " << (redis).status().message(); \
  }                                                                                  \
  ASSERT_TRUE((redis).ok()) << (redis).status();                                     \
  if (absl::StatusOr<TestCredentials*> creds = TestCredentials::Shared();            \
      absl::IsNotFound(creds.status())) {                                            \
    GTEST_SKIP() << "openssl is not installed: " << creds.status().message();        \
  }

void Deadline(grpc::ClientContext* context, absl::Duration d = absl::Seconds(10)) {
  context->set_deadline(absl::ToChronoTime(absl::Now() + d));
}

// The value of the first series of `name` with `labels` (a substring of its label set).
double MetricValue(const std::string& metrics, const std::string& name,
                   const std::string& labels = "") {
  for (absl::string_view line : absl::StrSplit(metrics, '\n')) {
    if (!absl::StartsWith(line, name) || line.size() <= name.size()) continue;
    const char next = line[name.size()];
    if (next != '{' && next != ' ') continue;
    if (!labels.empty() && !absl::StrContains(line, labels)) continue;
    double value = 0;
    const size_t space = line.rfind(' ');
    if (space != absl::string_view::npos && absl::SimpleAtod(line.substr(space + 1), &value)) {
      return value;
    }
  }
  return -1;
}

int CountOpenFilesForTest() {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    (void)entry;
    ++count;
  }
  return count;
}

int CountLines(const std::string& path) {
  std::ifstream in(path);
  return static_cast<int>(
      std::count(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>(), '\n'));
}

// A channel trusting `ca_file`, with no credential of its own.
std::shared_ptr<grpc::Channel> TrustingOnly(int port, const std::string& ca_file) {
  ClientSecurity security;
  security.ca_file = ca_file;
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return *OpenChannel(absl::StrCat("127.0.0.1:", port), security, "", args);
}

// mTLS with a certificate the test supplies.
std::shared_ptr<grpc::Channel> WithCertificate(int port, const TestCredentials::Pair& cert) {
  ClientSecurity security;
  security.ca_file = Credentials().ca_file();
  security.cert_file = cert.cert_file;
  security.key_file = cert.key_file;
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  return *OpenChannel(absl::StrCat("127.0.0.1:", port), security, "", args);
}

// ListAgents as whoever the channel is.
StatusCode ListAgentsCode(const std::shared_ptr<grpc::Channel>& channel) {
  auto stub = v1::SupervisionService::NewStub(channel);
  grpc::ClientContext context;
  Deadline(&context, absl::Seconds(5));
  v1::ListAgentsResponse response;
  return stub->ListAgents(&context, {}, &response).error_code();
}

// ---------------------------------------------------------------------------------------------
// mTLS

TEST(TransportTest, EveryClientWorksOverMutualTlsAlone) {
  absl::StatusOr<std::unique_ptr<RedisServer>> redis = RedisServer::Start();
  SKIP_WITHOUT_SERVERS(redis);
  // Client certificates required, and no token keys: certificates are the only credential.
  absl::StatusOr<std::unique_ptr<InProcessRouter>> router =
      InProcessRouter::Start((*redis)->port(), TestConfigYaml(absl::Seconds(60), absl::Seconds(60)),
                             "e2e-mtls", [](ServerOptions& o) {
                               o.transport.require_client_cert = true;
                               o.tokens.public_key_files.clear();
                               o.health_address = "127.0.0.1:0";
                             });
  ASSERT_TRUE(router.ok()) << router.status();
  const int port = (*router)->server().grpc_port();
  // Probes need no certificate: the plaintext health port.
  auto probe = grpc::CreateChannel(absl::StrCat("127.0.0.1:", (*router)->server().health_port()),
                                   grpc::InsecureChannelCredentials());
  absl::StatusOr<int> health = HealthStatus(probe, "");
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(*health, 1);

  Clients c(port, ClientCredential::kCertificate);  // adapter and supervisor certificates
  ASSERT_TRUE(c.CreateAgent("ana", {{"billing", 5}}).ok());
  auto ana_channel = DialWithCertificate(port, "agent", "ana");
  auto ana_stub = v1::AgentDeskService::NewStub(ana_channel);
  absl::StatusOr<std::unique_ptr<DeskClient>> ana =
      DeskClient::Connect(ana_stub.get(), "ana", absl::Milliseconds(200), "");
  ASSERT_TRUE(ana.ok()) << ana.status();
  ASSERT_EQ((*ana)->SetPresence(v1::PRESENCE_AVAILABLE)->code(), 0);

  v1::SubmitCaseResponse submitted;
  ASSERT_TRUE(c.Submit(SampleSubmission("mtls-1"), &submitted).ok());
  const std::string id = submitted.case_().case_id();
  std::optional<v1::Offer> offer = (*ana)->WaitForOffer();
  ASSERT_TRUE(offer.has_value());
  EXPECT_EQ(offer->case_().case_id(), id);
  EXPECT_EQ(offer->case_().subject(), "I was charged twice for March");
  ASSERT_EQ((*ana)->Accept(id)->code(), 0);
  // The agent reads the case she holds over her own certificate; once it is closed, it is no
  // longer hers to read.
  auto ana_intake = v1::CaseIntakeService::NewStub(ana_channel);
  auto ana_reads = [&] {
    grpc::ClientContext context;
    Deadline(&context);
    v1::GetCaseRequest get;
    get.set_case_id(id);
    v1::GetCaseResponse got;
    return ana_intake->GetCase(&context, get, &got).error_code();
  };
  EXPECT_EQ(ana_reads(), StatusCode::OK);
  ASSERT_EQ((*ana)->Complete(id, /*resolved=*/true, /*csat=*/5)->code(), 0);
  v1::Case done;
  ASSERT_TRUE(c.GetCase(id, &done).ok());
  EXPECT_EQ(done.state(), v1::CASE_STATE_COMPLETED);
  EXPECT_EQ(ana_reads(), StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(ListAgentsCode(DialWithCertificate(port, "viewer", "dashboard")), StatusCode::OK);

  // Without a certificate, with one from another CA, or with a token only: no connection.
  EXPECT_EQ(ListAgentsCode(Dial(port)), StatusCode::UNAVAILABLE);
  absl::StatusOr<TestCredentials::Pair> foreign =
      Credentials().UntrustedClientCertificate("supervisor", "mallory");
  ASSERT_TRUE(foreign.ok()) << foreign.status();
  EXPECT_EQ(ListAgentsCode(WithCertificate(port, *foreign)), StatusCode::UNAVAILABLE);
  EXPECT_EQ(ListAgentsCode(Dial(port, "supervisor", "token-only")), StatusCode::UNAVAILABLE);
  // A valid certificate of the wrong role, or of another agent connecting as ana.
  EXPECT_EQ(ListAgentsCode(ana_channel), StatusCode::PERMISSION_DENIED);
  auto bo_stub = v1::AgentDeskService::NewStub(DialWithCertificate(port, "agent", "bo"));
  absl::StatusOr<std::unique_ptr<DeskClient>> impostor =
      DeskClient::Connect(bo_stub.get(), "ana", absl::Milliseconds(200), "");
  EXPECT_EQ(impostor.status().code(), absl::StatusCode::kPermissionDenied) << impostor.status();
}

// ---------------------------------------------------------------------------------------------
// Credentials replaced without a restart

TEST(TransportTest, TokenKeysRotateWithoutARestart) {
  absl::StatusOr<std::unique_ptr<RedisServer>> redis = RedisServer::Start();
  SKIP_WITHOUT_SERVERS(redis);
  TestCredentials& creds = Credentials();
  ASSERT_TRUE(creds.MakeIssuerKey("rotated").ok());
  TempDir dir;
  const std::string keys = dir.Write("issuer.pub", ReadFileText(creds.issuer_public_key_file()));
  absl::StatusOr<std::unique_ptr<InProcessRouter>> router = InProcessRouter::Start(
      (*redis)->port(), TestConfigYaml(), "e2e-rotate", [&](ServerOptions& o) {
        o.tokens.public_key_files = {keys};
        o.credentials_refresh = absl::Milliseconds(50);
      });
  ASSERT_TRUE(router.ok()) << router.status();
  const int port = (*router)->server().grpc_port();
  ClientSecurity security;
  security.ca_file = creds.ca_file();
  auto with = [&](const std::string& token) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    return *OpenChannel(absl::StrCat("127.0.0.1:", port), security, token, args);
  };
  auto old_channel = with(creds.Token("viewer", "dash"));
  auto new_channel = with(creds.TokenSignedBy(creds.dir() + "/rotated.key", "viewer", "dash"));
  EXPECT_EQ(ListAgentsCode(old_channel), StatusCode::OK);
  EXPECT_EQ(ListAgentsCode(new_channel), StatusCode::UNAUTHENTICATED);

  // The operator replaces the key file (as a Secret update does): the new key signs, the old
  // no longer does, and the router never restarted.
  const std::string next = dir.Write("next.pub", ReadFileText(creds.dir() + "/rotated.pub"));
  std::filesystem::rename(next, keys);
  ASSERT_TRUE(WaitFor([&] { return ListAgentsCode(new_channel) == StatusCode::OK; }));
  EXPECT_EQ(ListAgentsCode(old_channel), StatusCode::UNAUTHENTICATED);
  // A broken file keeps the keys in force.
  std::ofstream(keys, std::ios::trunc) << "not a key\n";
  absl::SleepFor(absl::Milliseconds(300));  // several refreshes; only an absence is checked
  EXPECT_EQ(ListAgentsCode(new_channel), StatusCode::OK);
}

TEST(TransportTest, TheServerCertificateIsReloadedWithoutARestart) {
  absl::StatusOr<std::unique_ptr<RedisServer>> redis = RedisServer::Start();
  SKIP_WITHOUT_SERVERS(redis);
  TestCredentials& creds = Credentials();
  TempDir dir;
  const std::string cert = dir.Write("tls.crt", ReadFileText(creds.server_cert_file()));
  const std::string key = dir.Write("tls.key", ReadFileText(creds.server_key_file()));
  absl::StatusOr<std::unique_ptr<InProcessRouter>> router = InProcessRouter::Start(
      (*redis)->port(), TestConfigYaml(), "e2e-renew", [&](ServerOptions& o) {
        o.transport.cert_file = cert;
        o.transport.key_file = key;
        o.transport.refresh = absl::Seconds(1);  // gRPC's file watcher counts in seconds
      });
  ASSERT_TRUE(router.ok()) << router.status();
  const int port = (*router)->server().grpc_port();
  auto health = [&](const std::string& ca) {
    absl::StatusOr<int> status = HealthStatus(TrustingOnly(port, ca), "");
    return status.ok() ? *status : -1;
  };
  EXPECT_EQ(health(creds.ca_file()), 1);
  EXPECT_EQ(health(creds.untrusted_ca_file()), -1);

  // A renewed certificate (here from another CA, so that the test can tell) replaces the
  // files, key first as cert-manager's Secret update would have both at once.
  absl::StatusOr<TestCredentials::Pair> renewed = creds.UntrustedServerCertificate();
  ASSERT_TRUE(renewed.ok()) << renewed.status();
  const std::string new_key = dir.Write("new.key", renewed->key_pem);
  const std::string new_cert = dir.Write("new.crt", renewed->cert_pem);
  std::filesystem::rename(new_key, key);
  std::filesystem::rename(new_cert, cert);
  ASSERT_TRUE(WaitFor([&] { return health(creds.untrusted_ca_file()) == 1; }));
  EXPECT_EQ(health(creds.ca_file()), -1);
}

// A replica out of file descriptors can take no connection, so no call: health says so.
TEST(TransportTest, HealthIsNotServingWhenFileDescriptorsRunOut) {
  absl::StatusOr<std::unique_ptr<RedisServer>> redis = RedisServer::Start();
  SKIP_WITHOUT_SERVERS(redis);
  absl::StatusOr<std::unique_ptr<InProcessRouter>> router =
      InProcessRouter::Start((*redis)->port(), TestConfigYaml(), "e2e-files");
  ASSERT_TRUE(router.ok()) << router.status();
  auto channel = (*router)->channel();  // connected, before descriptors get scarce
  auto health = [&] {
    absl::StatusOr<int> status = HealthStatus(channel, "");
    return status.ok() ? *status : -1;
  };
  ASSERT_EQ(health(), 1);
  rlimit saved{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &saved), 0);
  // The process (router and test alike) now has a few descriptors left, fewer than the
  // router's reserve.
  rlimit scarce = saved;
  scarce.rlim_cur = static_cast<rlim_t>(CountOpenFilesForTest() + 16);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &scarce), 0);
  const bool went_down = WaitFor([&] { return health() == 2; });
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &saved), 0);
  EXPECT_TRUE(went_down);
  EXPECT_TRUE(WaitFor([&] { return health() == 1; }));
  absl::StatusOr<std::string> metrics = HttpGet((*router)->server().metrics_port(), "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_GT(MetricValue(*metrics, "caserouter_open_files"), 0);
  EXPECT_EQ(MetricValue(*metrics, "caserouter_open_files_limit"),
            static_cast<double>(saved.rlim_cur));
}

// ---------------------------------------------------------------------------------------------
// Streams that hold places

class StreamLimitsTest : public RouterTest {
 protected:
  StreamLimitsTest() : RouterTest(TestConfigYaml(absl::Seconds(60), absl::Seconds(60))) {}

  std::string Metrics() {
    absl::StatusOr<std::string> text = HttpGet(router_->server().metrics_port(), "/metrics");
    return text.ok() ? *text : "";
  }
};

// A Connect stream that says nothing: opened with a credential, never sends its Hello.
struct SilentStream {
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReaderWriter<v1::ConnectRequest, v1::ConnectResponse>> stream;

  grpc::Status End() {
    v1::ConnectResponse event;
    while (stream->Read(&event)) {
    }
    return stream->Finish();
  }
};

std::unique_ptr<SilentStream> OpenSilent(v1::AgentDeskService::Stub* stub,
                                         const std::string& token) {
  auto s = std::make_unique<SilentStream>();
  Deadline(&s->context, absl::Seconds(60));
  AttachToken(&s->context, token);
  s->stream = stub->Connect(&s->context);
  return s;
}

TEST(TransportTest, AStreamWithoutAHelloEndsAfterTheHelloTimeout) {
  absl::StatusOr<std::unique_ptr<RedisServer>> redis = RedisServer::Start();
  SKIP_WITHOUT_SERVERS(redis);
  absl::StatusOr<std::unique_ptr<InProcessRouter>> router =
      InProcessRouter::Start((*redis)->port(), TestConfigYaml(), "e2e-hello",
                             [](ServerOptions& o) { o.hello_timeout = absl::Milliseconds(300); });
  ASSERT_TRUE(router.ok()) << router.status();
  auto silent = OpenSilent((*router)->clients().desk.get(), Credentials().Token("agent", "ana"));
  grpc::Status end = silent->End();
  EXPECT_EQ(end.error_code(), StatusCode::DEADLINE_EXCEEDED) << end.error_message();
  EXPECT_TRUE(absl::StrContains(end.error_message(), "hello")) << end.error_message();
  absl::StatusOr<std::string> metrics = HttpGet((*router)->server().metrics_port(), "/metrics");
  ASSERT_TRUE(metrics.ok());
  EXPECT_EQ(MetricValue(*metrics, "caserouter_grpc_refusals_total", R"(reason="hello_timeout")"),
            1);
}

TEST_F(StreamLimitsTest, OneAgentCredentialHoldsOnlyItsShareOfDeskStreams) {
  ASSERT_TRUE(c().CreateAgent("bo").ok());
  const std::string ana = Credentials().Token("agent", "ana");
  std::vector<std::unique_ptr<SilentStream>> streams;
  for (int i = 0; i < 40; ++i) streams.push_back(OpenSilent(c().desk.get(), ana));
  // Four are held (the default share: a desk reconnecting overlaps its old stream); every
  // other one is refused at once, before it is read.
  ASSERT_TRUE(WaitFor([&] {
    return MetricValue(Metrics(), "caserouter_grpc_refusals_total",
                       R"(reason="desk_streams_per_caller")") == 36;
  }));
  // Another agent is not held back by ana's streams.
  absl::StatusOr<std::unique_ptr<DeskClient>> bo = DeskClient::Connect(c().desk.get(), "bo");
  ASSERT_TRUE(bo.ok()) << bo.status();
  // The four held end at the hello timeout (5 s by default), the rest ended at once.
  int refused = 0;
  int timed_out = 0;
  for (auto& stream : streams) {
    const StatusCode code = stream->End().error_code();
    refused += code == StatusCode::RESOURCE_EXHAUSTED;
    timed_out += code == StatusCode::DEADLINE_EXCEEDED;
  }
  EXPECT_EQ(refused, 36);
  EXPECT_EQ(timed_out, 4);
}

// ---------------------------------------------------------------------------------------------
// The real binary: malformed input, silent connections, exhaustion

class RouterBinaryTest : public ::testing::Test {
 protected:
  void Start(std::vector<std::string> extra) {
    absl::StatusOr<std::unique_ptr<RedisServer>> redis = RedisServer::Start();
    if (absl::IsNotFound(redis.status())) GTEST_SKIP() << redis.status().message();
    ASSERT_TRUE(redis.ok()) << redis.status();
    if (absl::StatusOr<TestCredentials*> creds = TestCredentials::Shared();
        absl::IsNotFound(creds.status())) {
      GTEST_SKIP() << creds.status().message();
    }
    redis_ = *std::move(redis);
    const std::string config =
        dir_.Write("caserouter.yaml", TestConfigYaml(absl::Seconds(60), absl::Seconds(60)));
    log_ = dir_.path() + "/router.log";
    std::vector<std::string> args = {"--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
                                     absl::StrCat("--redis_address=127.0.0.1:", redis_->port()),
                                     absl::StrCat("--config=", config), "--instance_id=binary"};
    args.insert(args.end(), extra.begin(), extra.end());
    absl::StatusOr<std::unique_ptr<RouterProcess>> router =
        RouterProcess::Start(CASEROUTER_BINARY, args, log_);
    ASSERT_TRUE(router.ok()) << router.status();
    router_ = *std::move(router);
    port_ = router_->grpc_port();
    ASSERT_TRUE(WaitFor([&] {
      absl::StatusOr<int> health = HealthStatus(Dial(port_), "");
      return health.ok() && *health == 1;
    }));
  }

  std::string Metrics() {
    absl::StatusOr<std::string> text = HttpGet(router_->metrics_port(), "/metrics");
    return text.ok() ? *text : "";
  }

  TempDir dir_;
  std::string log_;
  std::unique_ptr<RedisServer> redis_;
  std::unique_ptr<RouterProcess> router_;
  int port_ = 0;
};

// A SubmitCaseRequest whose subject is not UTF-8, as bytes (the C++ client would log its own
// complaint for each if it serialized one).
grpc::ByteBuffer BrokenSubmission(int i) {
  v1::SubmitCaseRequest request = SampleSubmission(absl::StrCat("broken-", i));
  request.set_subject("MARK");
  std::string bytes = request.SerializeAsString();
  bytes.replace(bytes.find("MARK"), 4, "\xff\xfe\xc3(");
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

TEST_F(RouterBinaryTest, MalformedRequestsAreCountedNotLogged) {
  Start({});
  if (IsSkipped() || HasFatalFailure()) return;
  const int lines_before = CountLines(log_);
  grpc::GenericStub stub(Dial(port_, "adapter", kTestAdapter));
  constexpr int kRequests = 5000;
  std::atomic<int> invalid{0};
  std::atomic<int> done{0};
  absl::Notification all_done;
  // 64 at a time.
  std::atomic<int> next{0};
  std::function<void()> send = [&] {
    const int i = next.fetch_add(1);
    if (i >= kRequests) return;
    auto* context = new grpc::ClientContext;
    Deadline(context, absl::Seconds(60));
    auto* request = new grpc::ByteBuffer(BrokenSubmission(i));
    auto* response = new grpc::ByteBuffer;
    stub.UnaryCall(context, "/caserouter.v1.CaseIntakeService/SubmitCase", grpc::StubOptions(),
                   request, response, [&, context, request, response](grpc::Status status) {
                     if (status.error_code() == StatusCode::INVALID_ARGUMENT &&
                         status.error_message() == "subject: must be valid UTF-8") {
                       invalid.fetch_add(1);
                     }
                     delete context;
                     delete request;
                     delete response;
                     if (done.fetch_add(1) + 1 == kRequests) all_done.Notify();
                     send();
                   });
  };
  for (int i = 0; i < 64; ++i) send();
  ASSERT_TRUE(all_done.WaitForNotificationWithTimeout(absl::Seconds(120)));
  EXPECT_EQ(invalid.load(), kRequests);
  EXPECT_EQ(MetricValue(Metrics(), "caserouter_malformed_requests_total", R"(method="SubmitCase")"),
            kRequests);
  // Not a line per request: the log holds what it held, give or take a lifecycle line.
  EXPECT_LE(CountLines(log_) - lines_before, 2) << ReadFileText(log_);
}

// Opens a TCP connection to the router's port; -1 on failure.
int RawConnect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

TEST_F(RouterBinaryTest, GarbageConnectionsAreClosedWithoutALogLineEach) {
  Start({"--handshake_timeout=1s"});
  if (IsSkipped() || HasFatalFailure()) return;
  const int lines_before = CountLines(log_);
  // 300 peers that send something that is not TLS, and one that sends nothing at all.
  constexpr int kGarbage = 300;
  int closed = 0;
  for (int i = 0; i < kGarbage; ++i) {
    int fd = RawConnect(port_);
    ASSERT_GE(fd, 0);
    const char junk[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n\x16\x03\x01garbage";
    (void)send(fd, junk, sizeof(junk), MSG_NOSIGNAL);
    timeval tv{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    char buffer[512];
    while (recv(fd, buffer, sizeof(buffer), 0) > 0) {
    }
    ++closed;
    close(fd);
  }
  EXPECT_EQ(closed, kGarbage);
  int silent = RawConnect(port_);
  ASSERT_GE(silent, 0);
  timeval tv{15, 0};
  setsockopt(silent, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  char byte;
  // The handshake timeout closes it: recv returns 0 (closed), not -1 (our own timeout).
  EXPECT_EQ(recv(silent, &byte, 1, 0), 0);
  close(silent);
  const int added = CountLines(log_) - lines_before;
  std::printf("garbage connections: %d closed; router log lines added: %d\n", kGarbage, added);
  EXPECT_LE(added, kGrpcLogLinesPerWindow + 1) << ReadFileText(log_);
  // The router still serves.
  EXPECT_EQ(ListAgentsCode(Dial(port_, "viewer", "after")), StatusCode::OK);
}

// True when the peer closed `fd` within `wait` (recv returns 0 or a reset), false when it is
// still open at the end of the wait.
bool ClosedByPeerWithin(int fd, absl::Duration wait) {
  pollfd p{fd, POLLIN | POLLRDHUP, 0};
  if (poll(&p, 1, static_cast<int>(absl::ToInt64Milliseconds(wait))) <= 0) return false;
  char byte;
  const ssize_t got = recv(fd, &byte, 1, MSG_DONTWAIT | MSG_PEEK);
  return got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
}

TEST_F(RouterBinaryTest, ConnectionsBeyondMaxConnectionsAreClosedAtAcceptAndTheirPlacesComeBack) {
  constexpr int kMax = 24;
  // Silent connections stay for the whole test unless the ceiling closes them.
  Start({absl::StrCat("--max_connections=", kMax), "--handshake_timeout=600s"});
  if (IsSkipped() || HasFatalFailure()) return;
  // One authenticated connection, made before the flood; it keeps working throughout.
  std::shared_ptr<grpc::Channel> adapter_channel = Dial(port_, "adapter", kTestAdapter);
  auto adapter = v1::CaseIntakeService::NewStub(adapter_channel);
  auto submit = [&](const std::string& key) {
    grpc::ClientContext context;
    Deadline(&context, absl::Seconds(30));
    v1::SubmitCaseResponse response;
    return adapter->SubmitCase(&context, SampleSubmission(key), &response).error_code();
  };
  ASSERT_EQ(submit("before-flood"), StatusCode::OK);
  // The fixture's health probe may still hold its connection for a moment: count what the
  // router has open now from its gauge.
  ASSERT_TRUE(WaitFor([&] {
    return MetricValue(Metrics(), "caserouter_grpc_connections", "") == 1;
  })) << Metrics();

  // The flood: twice the ceiling.
  std::vector<int> raw;
  for (int i = 0; i < 2 * kMax; ++i) {
    int fd = RawConnect(port_);  // the kernel completes it; the router decides at accept
    ASSERT_GE(fd, 0) << "connection " << i;
    raw.push_back(fd);
  }
  int closed = 0;
  int held = 0;
  for (int fd : raw) {
    if (ClosedByPeerWithin(fd, absl::Milliseconds(300))) {
      ++closed;
    } else {
      ++held;
    }
  }
  std::printf("max_connections=%d: %d silent connections held, %d closed at accept\n", kMax, held,
              closed);
  EXPECT_EQ(held, kMax - 1) << "the authenticated connection holds one place";
  EXPECT_EQ(closed, kMax + 1);
  EXPECT_GE(MetricValue(Metrics(), "caserouter_grpc_refusals_total", R"(reason="connections")"),
            kMax + 1);
  // Calls over a connection already made go on; health says a new caller would be refused.
  EXPECT_EQ(submit("during-flood"), StatusCode::OK);
  EXPECT_TRUE(WaitFor([&] {
    absl::StatusOr<int> health = HealthStatus(adapter_channel, "");
    return health.ok() && *health == 2;  // NOT_SERVING
  })) << "health must be NOT_SERVING while every connection place is taken";
  // A new caller is turned away while the places are taken...
  EXPECT_NE(ListAgentsCode(Dial(port_, "viewer", "while-full")), StatusCode::OK);

  // ...and the places come back when connections end.
  for (int fd : raw) close(fd);
  EXPECT_TRUE(WaitFor([&] {
    absl::StatusOr<int> health = HealthStatus(adapter_channel, "");
    return health.ok() && *health == 1;
  })) << "health must be SERVING again";
  EXPECT_EQ(ListAgentsCode(Dial(port_, "viewer", "after-flood")), StatusCode::OK);
  EXPECT_EQ(submit("after-flood"), StatusCode::OK);
}

// --- The exhaustion test ---

// How the streams of one batch ended; shared by the streams, which may outlive the waiter.
struct StreamTally {
  explicit StreamTally(int streams) : left(streams) {}
  std::atomic<int64_t> codes[17] = {};
  std::atomic<int> left;
  absl::Notification all_done;
};

// A Connect stream on the callback API that records how it ended, then deletes itself.
class CountedStream final
    : public grpc::ClientBidiReactor<v1::ConnectRequest, v1::ConnectResponse> {
 public:
  CountedStream(v1::AgentDeskService::Stub* stub, const std::string& token,
                std::shared_ptr<StreamTally> tally)
      : tally_(std::move(tally)) {
    Deadline(&context_, absl::Seconds(900));
    AttachToken(&context_, token);
    stub->async()->Connect(&context_, this);
    StartRead(&event_);
    StartCall();
  }
  void OnReadDone(bool ok) override {
    if (ok) StartRead(&event_);
  }
  void OnDone(const grpc::Status& status) override {
    std::shared_ptr<StreamTally> tally = std::move(tally_);
    delete this;
    tally->codes[status.error_code()].fetch_add(1);
    if (tally->left.fetch_sub(1) == 1) tally->all_done.Notify();
  }

 private:
  grpc::ClientContext context_;
  v1::ConnectResponse event_;
  std::shared_ptr<StreamTally> tally_;
};

TEST_F(RouterBinaryTest, UnauthenticatedStreamsAndConnectionsCannotStarveAuthenticatedCalls) {
  // Connections that never finish a handshake stay for the whole test (the harder case: by
  // default they would be closed after 10 s); the agent credential's silent streams too.
  Start({"--handshake_timeout=600s", "--hello_timeout=600s"});
  if (IsSkipped() || HasFatalFailure()) return;
  constexpr int kRawConnections = 2000;
  constexpr int kTlsConnections = 100;
  constexpr int kStreamsPerConnection = 20;
  constexpr int kAgentStreams = 1100;  // the issue's 1,100 silent Connects, with a credential
  constexpr int kSubmissions = 400;
  constexpr int kInFlight = 8;
  rlimit files{};
  getrlimit(RLIMIT_NOFILE, &files);
  files.rlim_cur = files.rlim_max;
  setrlimit(RLIMIT_NOFILE, &files);
  if (files.rlim_cur < kRawConnections + kTlsConnections + 512) {
    GTEST_SKIP() << "this machine allows " << files.rlim_cur
                 << " open files; the test needs about 2,700";
  }

  // Authenticated submissions, kInFlight at a time; latency of each, in microseconds.
  auto adapter = v1::CaseIntakeService::NewStub(Dial(port_, "adapter", kTestAdapter));
  auto submit_all = [&](const std::string& prefix, std::vector<int64_t>* micros, int* ok) {
    absl::Mutex mu;
    std::atomic<int> next{0};
    std::vector<std::thread> workers;
    for (int w = 0; w < kInFlight; ++w) {
      workers.emplace_back([&] {
        for (int i = next.fetch_add(1); i < kSubmissions; i = next.fetch_add(1)) {
          grpc::ClientContext context;
          Deadline(&context, absl::Seconds(60));  // a bound on "answered at all"
          v1::SubmitCaseResponse response;
          const absl::Time start = absl::Now();
          grpc::Status status = adapter->SubmitCase(
              &context, SampleSubmission(absl::StrCat(prefix, i), v1::CHANNEL_CHAT), &response);
          const int64_t took = absl::ToInt64Microseconds(absl::Now() - start);
          absl::MutexLock lock(&mu);
          micros->push_back(took);
          *ok += status.ok();
          if (!status.ok()) {
            ADD_FAILURE() << "authenticated submission " << i << ": " << status.error_code() << " "
                          << status.error_message();
          }
        }
      });
    }
    for (auto& t : workers) t.join();
  };
  auto percentile = [](std::vector<int64_t> v, double p) {
    if (v.empty()) return 0.0;
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))] / 1000.0;
  };

  std::vector<int64_t> calm;
  int calm_ok = 0;
  submit_all("calm-", &calm, &calm_ok);

  // The attack. 1: raw TCP connections that never start a handshake.
  std::vector<int> raw;
  for (int i = 0; i < kRawConnections; ++i) {
    int fd = RawConnect(port_);
    ASSERT_GE(fd, 0) << "connection " << i;
    raw.push_back(fd);
  }
  // 2: TLS connections without credentials, each opening streams and calls in a loop for as
  // long as the authenticated submissions run.
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (int i = 0; i < kTlsConnections; ++i)
    channels.push_back(TrustingOnly(port_, Credentials().ca_file()));
  std::atomic<int64_t> stream_codes[17] = {};
  std::atomic<int64_t> call_codes[17] = {};
  std::atomic<bool> attacking{true};
  std::atomic<int64_t> streams_opened{0};
  std::vector<std::thread> attackers;
  for (int a = 0; a < 4; ++a) {
    attackers.emplace_back([&, a] {
      std::vector<std::unique_ptr<v1::AgentDeskService::Stub>> desks;
      std::vector<std::unique_ptr<v1::CaseIntakeService::Stub>> intakes;
      for (int i = a; i < kTlsConnections; i += 4) {
        desks.push_back(v1::AgentDeskService::NewStub(channels[i]));
        intakes.push_back(v1::CaseIntakeService::NewStub(channels[i]));
      }
      int round = 0;
      do {
        // A wave of kStreamsPerConnection streams on each of this thread's connections.
        auto wave =
            std::make_shared<StreamTally>(static_cast<int>(desks.size()) * kStreamsPerConnection);
        for (auto& desk : desks) {
          for (int s = 0; s < kStreamsPerConnection; ++s) new CountedStream(desk.get(), "", wave);
        }
        streams_opened.fetch_add(static_cast<int64_t>(desks.size()) * kStreamsPerConnection);
        for (auto& intake : intakes) {
          grpc::ClientContext context;
          Deadline(&context);
          v1::SubmitCaseResponse response;
          call_codes[intake
                         ->SubmitCase(&context, SampleSubmission(absl::StrCat("x", a, round)),
                                      &response)
                         .error_code()]
              .fetch_add(1);
        }
        wave->all_done.WaitForNotificationWithTimeout(absl::Seconds(60));
        for (int code = 0; code < 17; ++code) stream_codes[code].fetch_add(wave->codes[code]);
        ++round;
      } while (attacking.load());
    });
  }
  // 3: one agent credential's 1,100 streams that never send a Hello.
  auto agent_desk = v1::AgentDeskService::NewStub(Dial(port_));
  auto agent_tally = std::make_shared<StreamTally>(kAgentStreams);
  const std::string ana = Credentials().Token("agent", "ana");
  for (int i = 0; i < kAgentStreams; ++i) new CountedStream(agent_desk.get(), ana, agent_tally);
  // Every agent stream beyond its share is answered, at once (the 4 held end with the router).
  EXPECT_TRUE(WaitFor(
      [&] {
        return agent_tally->codes[StatusCode::RESOURCE_EXHAUSTED].load() == kAgentStreams - 4;
      },
      absl::Seconds(60)));

  // Meanwhile: the authenticated submissions, and a desk that connects.
  Clients clients(port_);
  ASSERT_TRUE(clients.CreateAgent("bo").ok());
  std::vector<int64_t> attacked;
  int attacked_ok = 0;
  submit_all("attacked-", &attacked, &attacked_ok);
  absl::StatusOr<std::unique_ptr<DeskClient>> bo = DeskClient::Connect(clients.desk.get(), "bo");
  EXPECT_TRUE(bo.ok()) << bo.status();
  absl::StatusOr<int> health = HealthStatus(Dial(port_), "");
  attacking = false;
  for (auto& t : attackers) t.join();

  const int64_t unauth_streams = stream_codes[StatusCode::UNAUTHENTICATED].load();
  const int64_t unauth_calls = call_codes[StatusCode::UNAUTHENTICATED].load();
  const std::string metrics = Metrics();
  std::printf(
      "exhaustion: %d raw TCP connections held open and %d TLS connections without "
      "credentials; %lld unauthenticated streams (%lld refused UNAUTHENTICATED) and %lld "
      "unauthenticated calls (%lld UNAUTHENTICATED); one agent credential's %d silent streams: "
      "4 held, %lld RESOURCE_EXHAUSTED\n"
      "authenticated submissions: calm %d/%d OK, p50 %.2f ms, p99 %.2f ms; under attack %d/%d "
      "OK, p50 %.2f ms, p99 %.2f ms; a desk connected during the attack: %s; health: %d\n",
      kRawConnections, kTlsConnections, static_cast<long long>(streams_opened.load()),
      static_cast<long long>(unauth_streams),
      static_cast<long long>(call_codes[0].load() + unauth_calls),
      static_cast<long long>(unauth_calls), kAgentStreams,
      static_cast<long long>(agent_tally->codes[StatusCode::RESOURCE_EXHAUSTED].load()), calm_ok,
      kSubmissions, percentile(calm, 0.5), percentile(calm, 0.99), attacked_ok, kSubmissions,
      percentile(attacked, 0.5), percentile(attacked, 0.99), bo.ok() ? "yes" : "no",
      health.ok() ? *health : -1);
  EXPECT_EQ(calm_ok, kSubmissions);
  EXPECT_EQ(attacked_ok, kSubmissions);
  EXPECT_EQ(static_cast<int>(attacked.size()), kSubmissions);
  ASSERT_TRUE(health.ok()) << health.status();
  EXPECT_EQ(*health, 1);
  // Every unauthenticated stream and call was refused as such; none got anything else.
  EXPECT_GE(streams_opened.load(), kTlsConnections * kStreamsPerConnection);
  EXPECT_EQ(unauth_streams, streams_opened.load());
  EXPECT_GT(unauth_calls, 0);
  EXPECT_EQ(call_codes[0].load(), 0);
  EXPECT_GE(MetricValue(metrics, "caserouter_auth_refusals_total",
                        R"(code="unauthenticated",method="Connect",role="none")"),
            unauth_streams);

  for (int fd : raw) close(fd);
}

}  // namespace
}  // namespace caserouter::e2e
