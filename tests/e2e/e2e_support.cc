#include "tests/e2e/e2e_support.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <utility>

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/support/client_interceptor.h>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "e2e_probe.pb.h"
#include "router/config/config_loader.h"
#include "tools/client_auth/client_security.h"

namespace caserouter::e2e {
namespace {

absl::Status FromGrpc(const grpc::Status& status) {
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

grpc::ByteBuffer ToBuffer(const google::protobuf::Message& message) {
  std::string bytes = message.SerializeAsString();
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

bool FromBuffer(const grpc::ByteBuffer& buffer, google::protobuf::Message* message) {
  grpc::Slice slice;
  if (!buffer.DumpToSingleSlice(&slice).ok()) return false;
  return message->ParseFromArray(slice.begin(), static_cast<int>(slice.size()));
}

// Waits for the one outstanding operation on `cq`.
bool Await(grpc::CompletionQueue& cq) {
  void* tag = nullptr;
  bool ok = false;
  return cq.Next(&tag, &ok) && ok;
}

void Drain(grpc::CompletionQueue& cq) {
  cq.Shutdown();
  void* tag = nullptr;
  bool ok = false;
  while (cq.Next(&tag, &ok)) {
  }
}

}  // namespace

bool WaitFor(const std::function<bool()>& condition, absl::Duration timeout) {
  const absl::Time deadline = absl::Now() + timeout;
  for (;;) {
    if (condition()) return true;
    if (absl::Now() >= deadline) return false;
    absl::SleepFor(absl::Milliseconds(10));
  }
}

std::string TestConfigYaml(absl::Duration offer_timeout, absl::Duration heartbeat_timeout,
                           absl::Duration lease_ttl) {
  return absl::StrFormat(R"(domain: e2e
channels:
  phone:  {wrap_up_seconds: 0}
  chat:   {wrap_up_seconds: 0}
  social: {wrap_up_seconds: 0}
  email:  {wrap_up_seconds: 0}
topics: [billing, technical]
offers: {timeout_seconds: %f, max_missed_in_row: 100, decline_pass_seconds: 300}
agents: {heartbeat_timeout_seconds: %f, reconnect_grace_seconds: 60}
leadership: {lease_ttl_seconds: %f}
routing: {strategy: longest_idle, bullseye_share: 0}
)",
                         absl::ToDoubleSeconds(offer_timeout),
                         absl::ToDoubleSeconds(heartbeat_timeout),
                         absl::ToDoubleSeconds(lease_ttl));
}

TempDir::TempDir() {
  std::string pattern = (std::filesystem::temp_directory_path() / "caserouter-e2e-XXXXXX");
  char* made = mkdtemp(pattern.data());
  if (made != nullptr) path_ = made;
}

TempDir::~TempDir() {
  std::error_code ignored;
  if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
}

std::string TempDir::Write(const std::string& name, const std::string& contents) const {
  std::string full = absl::StrCat(path_, "/", name);
  std::ofstream(full) << contents;
  return full;
}

std::unique_ptr<RedisStateStore> OpenStore(int port, const std::string& domain) {
  RedisOptions options;
  options.port = port;
  options.domain = domain;
  options.connect_timeout = absl::Milliseconds(500);
  options.command_timeout = absl::Seconds(2);
  absl::StatusOr<std::unique_ptr<RedisStateStore>> store = RedisStateStore::Connect(options);
  return store.ok() ? *std::move(store) : nullptr;
}

TestCredentials& Credentials() {
  absl::StatusOr<TestCredentials*> creds = TestCredentials::Shared();
  if (!creds.ok()) {
    std::fprintf(stderr, "test credentials: %s\n", std::string(creds.status().message()).c_str());
    std::abort();  // callers checked SecureServerOptions first
  }
  return **creds;
}

absl::Status SecureServerOptions(ServerOptions* options) {
  absl::StatusOr<TestCredentials*> creds = TestCredentials::Shared();
  if (!creds.ok()) return creds.status();
  options->transport.cert_file = (*creds)->server_cert_file();
  options->transport.key_file = (*creds)->server_key_file();
  options->transport.client_ca_file = (*creds)->ca_file();
  options->transport.require_client_cert = false;
  options->tokens.public_key_files = {(*creds)->issuer_public_key_file()};
  return absl::OkStatus();
}

absl::StatusOr<std::vector<std::string>> SecureRouterFlags() {
  absl::StatusOr<TestCredentials*> creds = TestCredentials::Shared();
  if (!creds.ok()) return creds.status();
  return std::vector<std::string>{
      absl::StrCat("--tls_cert=", (*creds)->server_cert_file()),
      absl::StrCat("--tls_key=", (*creds)->server_key_file()),
      absl::StrCat("--tls_client_ca=", (*creds)->ca_file()), "--tls_require_client_cert=false",
      absl::StrCat("--jwt_public_keys=", (*creds)->issuer_public_key_file())};
}

namespace {

std::shared_ptr<grpc::Channel> OpenTestChannel(int port, const ClientSecurity& security,
                                               const std::string& token) {
  grpc::ChannelArguments args;
  // A connection of its own per channel, as separate clients would have.
  args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      OpenChannel(absl::StrCat("127.0.0.1:", port), security, token, args);
  if (!channel.ok()) {
    std::fprintf(stderr, "test channel: %s\n", std::string(channel.status().message()).c_str());
    std::abort();
  }
  return *std::move(channel);
}

}  // namespace

std::shared_ptr<grpc::Channel> Dial(int port) {
  ClientSecurity security;
  security.ca_file = Credentials().ca_file();
  return OpenTestChannel(port, security, "");
}

std::shared_ptr<grpc::Channel> Dial(int port, const std::string& role, const std::string& name) {
  ClientSecurity security;
  security.ca_file = Credentials().ca_file();
  return OpenTestChannel(port, security, Credentials().Token(role, name));
}

std::shared_ptr<grpc::Channel> DialWithCertificate(int port, const std::string& role,
                                                   const std::string& name) {
  absl::StatusOr<TestCredentials::Pair> cert = Credentials().ClientCertificate(role, name);
  if (!cert.ok()) {
    std::fprintf(stderr, "client certificate: %s\n", std::string(cert.status().message()).c_str());
    std::abort();
  }
  ClientSecurity security;
  security.ca_file = Credentials().ca_file();
  security.cert_file = cert->cert_file;
  security.key_file = cert->key_file;
  return OpenTestChannel(port, security, "");
}

absl::StatusOr<std::string> HttpGet(int port, const std::string& path) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{5, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return absl::UnavailableError("connect");
  }
  std::string request =
      absl::StrCat("GET ", path, " HTTP/1.0\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
  if (write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
    close(fd);
    return absl::UnavailableError("write");
  }
  std::string response;
  char buffer[4096];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof(buffer));
    if (n <= 0) break;
    response.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  size_t body = response.find("\r\n\r\n");
  if (body == std::string::npos) return absl::DataLossError("no HTTP body");
  return response.substr(body + 4);
}

double MetricSample(int port, absl::string_view series) {
  absl::StatusOr<std::string> text = HttpGet(port, "/metrics");
  if (!text.ok()) return -1;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    if (absl::ConsumePrefix(&line, series) && absl::ConsumePrefix(&line, " ")) {
      double value = 0;
      if (absl::SimpleAtod(line, &value)) return value;
    }
  }
  return -1;
}

absl::StatusOr<int> RunToExit(const std::string& binary, const std::vector<std::string>& args,
                              const std::string& log_path, absl::Duration timeout) {
  std::vector<std::string> argv_strings = {binary};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) return absl::InternalError("cannot open the log");
  pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(log, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  close(log);
  const absl::Time deadline = absl::Now() + timeout;
  int status = 0;
  while (absl::Now() < deadline) {
    if (waitpid(pid, &status, WNOHANG) == pid) {
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  return absl::DeadlineExceededError("the process did not exit");
}

absl::StatusOr<std::string> RedisCli(int port, const std::vector<std::string>& args) {
  absl::StatusOr<std::string> server = RedisServer::FindBinary();
  if (!server.ok()) return server.status();
  const std::string cli = (std::filesystem::path(*server).parent_path() / "redis-cli").string();
  TempDir dir;
  std::vector<std::string> all = {"-p", absl::StrCat(port), "--raw"};
  all.insert(all.end(), args.begin(), args.end());
  const std::string out = dir.path() + "/out";
  absl::StatusOr<int> code = RunToExit(cli, all, out);
  if (!code.ok()) return code.status();
  std::ifstream in(out);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (*code != 0) return absl::UnavailableError(absl::StrCat("redis-cli failed: ", text));
  return text;
}

absl::StatusOr<int> HealthStatus(const std::shared_ptr<grpc::Channel>& channel,
                                 const std::string& service, absl::Duration deadline) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + deadline));
  grpc::CompletionQueue cq;
  HealthCheckRequest request;
  request.set_service(service);
  auto call =
      stub.PrepareUnaryCall(&context, "/grpc.health.v1.Health/Check", ToBuffer(request), &cq);
  call->StartCall();
  grpc::ByteBuffer buffer;
  grpc::Status status;
  call->Finish(&buffer, &status, reinterpret_cast<void*>(1));
  Await(cq);
  Drain(cq);
  if (!status.ok()) return FromGrpc(status);
  HealthCheckResponse response;
  if (!FromBuffer(buffer, &response)) return absl::DataLossError("bad health response");
  return response.status();
}

absl::StatusOr<std::vector<std::string>> ReflectedServices(
    const std::shared_ptr<grpc::Channel>& channel) {
  grpc::GenericStub stub(channel);
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(5)));
  grpc::CompletionQueue cq;
  auto call = stub.PrepareCall(
      &context, "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo", &cq);
  void* tag = reinterpret_cast<void*>(1);
  call->StartCall(tag);
  bool ok = Await(cq);
  ServerReflectionRequest request;
  request.set_list_services("*");
  grpc::ByteBuffer buffer;
  if (ok) {
    call->Write(ToBuffer(request), tag);
    ok = Await(cq);
  }
  if (ok) {
    call->Read(&buffer, tag);
    ok = Await(cq);
  }
  call->WritesDone(tag);
  Await(cq);
  grpc::Status status;
  call->Finish(&status, tag);
  Await(cq);
  Drain(cq);
  if (!status.ok()) return FromGrpc(status);
  ServerReflectionResponse response;
  if (!ok || !FromBuffer(buffer, &response)) return absl::DataLossError("no reflection answer");
  std::vector<std::string> names;
  for (const auto& s : response.list_services_response().service()) names.push_back(s.name());
  return names;
}

namespace {

// The test credential for the service of each call (DialWithServiceRoles).
class ServiceRoleInterceptor final : public grpc::experimental::Interceptor {
 public:
  explicit ServiceRoleInterceptor(std::string method) : method_(std::move(method)) {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(
            grpc::experimental::InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      std::multimap<std::string, std::string>* metadata = methods->GetSendInitialMetadata();
      std::string token;
      if (absl::StartsWith(method_, "/caserouter.v1.CaseIntakeService/")) {
        token = Credentials().Token("adapter", kTestAdapter);
      } else if (absl::StartsWith(method_, "/caserouter.v1.SupervisionService/")) {
        token = Credentials().Token("supervisor", kTestSupervisor);
      }
      if (!token.empty() && metadata->find("authorization") == metadata->end()) {
        metadata->emplace("authorization", absl::StrCat("Bearer ", token));
      }
    }
    methods->Proceed();
  }

 private:
  const std::string method_;
};

class ServiceRoleInterceptorFactory final
    : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo* info) override {
    return new ServiceRoleInterceptor(info->method());
  }
};

ClientSecurity TestCa() {
  ClientSecurity security;
  security.ca_file = Credentials().ca_file();
  return security;
}

}  // namespace

std::shared_ptr<grpc::Channel> DialWithServiceRoles(const std::string& address,
                                                    grpc::ChannelArguments args) {
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      ChannelCredentialsFor(TestCa());
  if (!credentials.ok()) std::abort();
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> factories;
  factories.push_back(std::make_unique<ServiceRoleInterceptorFactory>());
  return grpc::experimental::CreateCustomChannelWithInterceptors(address, *credentials, args,
                                                                 std::move(factories));
}

std::function<std::shared_ptr<grpc::Channel>(const std::string&)> TestChannelFactory() {
  return [](const std::string& target) {
    grpc::ChannelArguments args;
    args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
    args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
    args.SetLoadBalancingPolicyName("round_robin");
    return *OpenChannel(target, TestCa(), "", args);
  };
}

Clients::Clients(const std::string& address)
    : Clients(std::stoi(address.substr(address.rfind(':') + 1))) {}

Clients::Clients(int port, ClientCredential credential) : channel(Dial(port)) {
  auto as = [&](const char* role, const char* name) {
    return credential == ClientCredential::kToken ? Dial(port, role, name)
                                                  : DialWithCertificate(port, role, name);
  };
  intake = v1::CaseIntakeService::NewStub(as("adapter", kTestAdapter));
  supervision = v1::SupervisionService::NewStub(as("supervisor", kTestSupervisor));
  desk = v1::AgentDeskService::NewStub(channel);
}

namespace {
void SetDeadline(grpc::ClientContext* context) {
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
}
}  // namespace

grpc::Status Clients::Submit(const v1::SubmitCaseRequest& request,
                             v1::SubmitCaseResponse* response) {
  grpc::ClientContext context;
  SetDeadline(&context);
  return intake->SubmitCase(&context, request, response);
}

grpc::Status Clients::GetCase(const std::string& case_id, v1::Case* out) {
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::GetCaseRequest request;
  request.set_case_id(case_id);
  v1::GetCaseResponse response;
  grpc::Status status = intake->GetCase(&context, request, &response);
  if (status.ok()) *out = response.case_();
  return status;
}

grpc::Status Clients::CreateAgent(const std::string& agent_id,
                                  const std::vector<std::pair<std::string, int>>& skills) {
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::CreateAgentRequest request;
  v1::AgentProfile* p = request.mutable_profile();
  p->set_agent_id(agent_id);
  for (const auto& [name, level] : skills) {
    v1::Skill* s = p->add_skills();
    s->set_name(name);
    s->set_proficiency(level);
  }
  p->add_languages("en");
  p->set_authority_limit(1000);
  p->set_max_phone(1);
  p->set_max_chat(3);
  p->set_max_social(4);
  p->set_max_email(5);
  v1::CreateAgentResponse response;
  return supervision->CreateAgent(&context, request, &response);
}

grpc::Status Clients::ListQueue(v1::ListQueueResponse* out) {
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::ListQueueRequest request;
  request.set_page_size(1000);
  return supervision->ListQueue(&context, request, out);
}

grpc::Status Clients::ListAgents(v1::ListAgentsResponse* out) {
  grpc::ClientContext context;
  SetDeadline(&context);
  return supervision->ListAgents(&context, v1::ListAgentsRequest(), out);
}

v1::SubmitCaseRequest SampleSubmission(const std::string& key, v1::Channel channel) {
  v1::SubmitCaseRequest r;
  r.set_channel(channel);
  r.set_customer_id(absl::StrCat("cust-", key));
  r.set_topic("billing");
  r.set_language("en");
  r.set_customer_value(100);
  r.set_explicit_priority(10);
  r.set_subject("I was charged twice for March");
  r.set_idempotency_key(key);
  return r;
}

// --- InProcessRouter ---

absl::StatusOr<std::unique_ptr<InProcessRouter>> InProcessRouter::Start(
    int redis_port, const std::string& yaml, const std::string& instance_id,
    const std::function<void(ServerOptions&)>& adjust) {
  auto router = std::unique_ptr<InProcessRouter>(new InProcessRouter());
  const std::string path = router->dir_.Write("caserouter.yaml", yaml);
  absl::StatusOr<EngineConfig> config = LoadEngineConfigFile(path);
  if (!config.ok()) return config.status();
  RedisOptions redis;
  redis.port = redis_port;
  redis.domain = config->domain;
  redis.connect_timeout = absl::Milliseconds(300);
  redis.command_timeout = absl::Seconds(1);
  absl::StatusOr<std::unique_ptr<RedisStateStore>> store = RedisStateStore::Connect(redis);
  if (!store.ok()) return store.status();
  ServerOptions options;
  if (absl::Status secured = SecureServerOptions(&options); !secured.ok()) return secured;
  options.instance_id = instance_id;
  options.drain_timeout = absl::Seconds(2);
  options.config_path = path;
  options.load_config = [path] { return LoadEngineConfigFile(path); };
  options.open_events = [redis]() -> absl::StatusOr<std::unique_ptr<EventSource>> {
    return RedisEventReader::Connect(redis);
  };
  if (adjust) adjust(options);
  absl::StatusOr<std::unique_ptr<Server>> server =
      Server::Start(options, *config, *std::move(store));
  if (!server.ok()) return server.status();
  router->server_ = *std::move(server);
  router->clients_ = std::make_unique<Clients>(router->server_->grpc_port());
  // Waits over mTLS, so that a router which requires client certificates is waited for too.
  auto channel = DialWithCertificate(router->server_->grpc_port(), "viewer", "e2e-probe");
  if (!WaitFor([&] {
        absl::StatusOr<int> health = HealthStatus(channel, "");
        return health.ok() && *health == 1;
      })) {
    return absl::DeadlineExceededError("router did not become SERVING");
  }
  return router;
}

InProcessRouter::~InProcessRouter() {
  clients_.reset();
  if (server_ != nullptr) server_->Shutdown();
}

// --- RouterTest ---

RouterTest::RouterTest(std::string yaml, std::string instance_id)
    : yaml_(std::move(yaml)), instance_id_(std::move(instance_id)) {}

void RouterTest::SetUp() {
  absl::StatusOr<std::unique_ptr<RedisServer>> redis = RedisServer::Start();
  if (absl::IsNotFound(redis.status())) {
    GTEST_SKIP() << "redis-server is not installed: " << redis.status().message();
  }
  ASSERT_TRUE(redis.ok()) << redis.status();
  redis_ = *std::move(redis);
  if (absl::StatusOr<TestCredentials*> creds = TestCredentials::Shared();
      absl::IsNotFound(creds.status())) {
    GTEST_SKIP() << "openssl is not installed: " << creds.status().message();
  }
  absl::StatusOr<std::unique_ptr<InProcessRouter>> router =
      InProcessRouter::Start(redis_->port(), yaml_, instance_id_);
  ASSERT_TRUE(router.ok()) << router.status();
  router_ = *std::move(router);
}

// --- RouterProcess ---

absl::StatusOr<std::unique_ptr<RouterProcess>> RouterProcess::Start(
    const std::string& binary, const std::vector<std::string>& args, const std::string& log_path) {
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return absl::InternalError("pipe");
  absl::StatusOr<std::vector<std::string>> secure = SecureRouterFlags();
  if (!secure.ok()) return secure.status();
  std::vector<std::string> argv_strings = {binary, "--print_ports"};
  argv_strings.insert(argv_strings.end(), secure->begin(), secure->end());
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : argv_strings) argv.push_back(a.data());
  argv.push_back(nullptr);
  const int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) return absl::InternalError("cannot open the router log");

  pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork");
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(out[1], STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
    // The test process blocks no signals the router needs; reset the mask for sigwait.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execv(binary.c_str(), argv.data());
    _exit(127);
  }
  close(out[1]);
  close(log);
  auto process = std::unique_ptr<RouterProcess>(new RouterProcess());
  process->pid_ = pid;

  // Read the ports line.
  std::string line;
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (line.find('\n') == std::string::npos && absl::Now() < deadline) {
    pollfd p{out[0], POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char buffer[256];
    ssize_t n = read(out[0], buffer, sizeof(buffer));
    if (n <= 0) break;
    line.append(buffer, static_cast<size_t>(n));
  }
  // Keep reading end open only as long as needed: the router prints nothing else.
  close(out[0]);
  if (std::sscanf(line.c_str(), "grpc_port=%d metrics_port=%d", &process->grpc_port_,
                  &process->metrics_port_) != 2) {
    return absl::UnavailableError(absl::StrCat("router did not print its ports; see ", log_path));
  }
  return process;
}

RouterProcess::~RouterProcess() {
  if (pid_ > 0) Terminate();
}

void RouterProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

int RouterProcess::Terminate(absl::Duration timeout) {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  const absl::Time deadline = absl::Now() + timeout;
  int status = 0;
  while (absl::Now() < deadline) {
    pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  Kill();
  return -1;
}

// --- DeskClient ---

absl::StatusOr<std::unique_ptr<DeskClient>> DeskClient::Connect(v1::AgentDeskService::Stub* stub,
                                                                const std::string& agent_id,
                                                                absl::Duration heartbeat_every,
                                                                std::optional<std::string> token) {
  auto desk = std::unique_ptr<DeskClient>(new DeskClient());
  AttachToken(&desk->context_, token.has_value() ? *token : Credentials().Token("agent", agent_id));
  desk->stream_ = stub->Connect(&desk->context_);
  v1::ConnectRequest hello;
  hello.set_request_id(desk->next_request_id_++);
  hello.mutable_hello()->set_agent_id(agent_id);
  desk->Write(hello);
  desk->reader_ = std::thread([d = desk.get()] { d->ReadLoop(); });
  bool welcomed = false;
  {
    absl::MutexLock lock(&desk->mu_);
    auto ready = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(desk->mu_) {
      for (const auto& e : desk->events_) {
        if (e.has_welcome()) return true;
      }
      return desk->ended_;
    };
    desk->mu_.AwaitWithTimeout(absl::Condition(&ready), kWait);
    for (const auto& e : desk->events_) {
      if (e.has_welcome()) {
        desk->welcome_ = e.welcome();
        welcomed = true;
      }
    }
  }
  if (!welcomed) {
    std::optional<grpc::Status> end = desk->WaitForEnd();
    if (!end.has_value()) return absl::DeadlineExceededError("no Welcome and no end");
    return FromGrpc(*end);
  }
  if (heartbeat_every > absl::ZeroDuration()) {
    desk->heartbeater_ =
        std::thread([d = desk.get(), heartbeat_every] { d->HeartbeatLoop(heartbeat_every); });
  }
  return desk;
}

DeskClient::~DeskClient() {
  {
    absl::MutexLock lock(&mu_);
    stop_ = true;
  }
  if (heartbeater_.joinable()) heartbeater_.join();
  context_.TryCancel();
  if (reader_.joinable()) reader_.join();
  WaitForEnd(absl::Seconds(5));
}

bool DeskClient::Write(const v1::ConnectRequest& request) {
  absl::MutexLock lock(&write_mu_);
  {
    absl::MutexLock state(&mu_);
    if (ended_) return false;
  }
  return stream_->Write(request);
}

void DeskClient::ReadLoop() {
  v1::ConnectResponse event;
  while (stream_->Read(&event)) {
    absl::MutexLock lock(&mu_);
    events_.push_back(event);
  }
  // The server's side is done. Finish waits for writes in flight (write_mu_), so no Write
  // runs concurrently with it.
  absl::MutexLock write_lock(&write_mu_);
  grpc::Status status = stream_->Finish();
  absl::MutexLock lock(&mu_);
  end_status_ = status;
  ended_ = true;
}

void DeskClient::HeartbeatLoop(absl::Duration every) {
  for (;;) {
    {
      absl::MutexLock lock(&mu_);
      auto stop = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stop_ || ended_; };
      if (mu_.AwaitWithTimeout(absl::Condition(&stop), every)) return;
    }
    if (!heartbeats_.load()) continue;
    v1::ConnectRequest request;
    request.set_request_id(next_request_id_++);
    request.mutable_heartbeat();
    Write(request);
  }
}

absl::StatusOr<v1::Ack> DeskClient::Send(v1::ConnectRequest request) {
  const int64_t id = next_request_id_++;
  request.set_request_id(id);
  if (!Write(request)) return absl::UnavailableError("stream ended");
  absl::MutexLock lock(&mu_);
  std::optional<v1::Ack> ack;
  auto answered = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    for (const auto& e : events_) {
      if (e.has_ack() && e.ack().request_id() == id) {
        ack = e.ack();
        return true;
      }
    }
    return ended_;
  };
  mu_.AwaitWithTimeout(absl::Condition(&answered), kWait);
  if (!ack.has_value()) return absl::DeadlineExceededError("no Ack");
  return *ack;
}

absl::StatusOr<v1::Ack> DeskClient::SetPresence(v1::Presence presence) {
  v1::ConnectRequest r;
  r.mutable_set_presence()->set_presence(presence);
  return Send(r);
}

absl::StatusOr<v1::Ack> DeskClient::Accept(const std::string& case_id) {
  v1::ConnectRequest r;
  r.mutable_accept()->set_case_id(case_id);
  return Send(r);
}

absl::StatusOr<v1::Ack> DeskClient::Decline(const std::string& case_id) {
  v1::ConnectRequest r;
  r.mutable_decline()->set_case_id(case_id);
  return Send(r);
}

absl::StatusOr<v1::Ack> DeskClient::Complete(const std::string& case_id, bool resolved, int csat) {
  v1::ConnectRequest r;
  r.mutable_complete()->set_case_id(case_id);
  r.mutable_complete()->mutable_outcome()->set_resolved(resolved);
  r.mutable_complete()->mutable_outcome()->set_csat(csat);
  return Send(r);
}

std::optional<v1::Offer> DeskClient::WaitForOffer(size_t after, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  std::optional<v1::Offer> offer;
  auto arrived = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    size_t seen = 0;
    for (const auto& e : events_) {
      if (!e.has_offer()) continue;
      if (seen++ == after) {
        offer = e.offer();
        return true;
      }
    }
    return false;
  };
  mu_.AwaitWithTimeout(absl::Condition(&arrived), timeout);
  return offer;
}

size_t DeskClient::offers_received() const {
  absl::MutexLock lock(&mu_);
  size_t n = 0;
  for (const auto& e : events_) n += e.has_offer() ? 1 : 0;
  return n;
}

int DeskClient::OffersFor(const std::string& case_id) const {
  absl::MutexLock lock(&mu_);
  int n = 0;
  for (const auto& e : events_) n += (e.has_offer() && e.offer().case_().case_id() == case_id);
  return n;
}

bool DeskClient::WaitForRevoked(const std::string& case_id, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto revoked = [&]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    for (const auto& e : events_) {
      if (e.has_offer_revoked() && e.offer_revoked().case_id() == case_id) return true;
    }
    return false;
  };
  return mu_.AwaitWithTimeout(absl::Condition(&revoked), timeout);
}

void DeskClient::StopHeartbeats() { heartbeats_.store(false); }

void DeskClient::Cancel() { context_.TryCancel(); }

std::optional<grpc::Status> DeskClient::WaitForEnd(absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto ended = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return ended_; };
  if (!mu_.AwaitWithTimeout(absl::Condition(&ended), timeout)) return std::nullopt;
  return end_status_;
}

std::vector<v1::ConnectResponse> DeskClient::events() const {
  absl::MutexLock lock(&mu_);
  return events_;
}

}  // namespace caserouter::e2e
