// End-to-end for operations: a real `prometheus` scrapes the real `caserouter` binary (over a
// real redis-server) while agents and adapters drive a small load over gRPC, and every query
// of every Grafana dashboard must parse and return data. The recording rules of
// deploy/prometheus are loaded too, because dashboards read them.
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

namespace caserouter::e2e {
namespace {

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

std::string UrlEncode(const std::string& s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char ch : s) {
    if (isalnum(ch) || ch == '-' || ch == '_' || ch == '.' || ch == '~') {
      out.push_back(static_cast<char>(ch));
    } else {
      out.push_back('%');
      out.push_back(kHex[ch >> 4]);
      out.push_back(kHex[ch & 15]);
    }
  }
  return out;
}

bool OnPath(const std::string& program) {
  return system(absl::StrCat("command -v ", program, " >/dev/null 2>&1").c_str()) == 0;
}

std::vector<std::string> DashboardQueries() {
  std::string command = absl::StrCat("python3 ", CASEROUTER_SOURCE_DIR,
                                     "/deploy/dashboard_queries.py --min-count 10");
  FILE* pipe = popen(command.c_str(), "r");
  std::vector<std::string> queries;
  if (pipe == nullptr) return queries;
  char line[8192];
  while (fgets(line, sizeof(line), pipe) != nullptr) {
    std::string q(absl::StripTrailingAsciiWhitespace(line));
    if (!q.empty()) queries.push_back(q);
  }
  pclose(pipe);
  return queries;
}

// A real prometheus on a free loopback port, scraping `metrics_port` every second.
class PrometheusServer {
 public:
  bool Start(int metrics_port, const TempDir& dir) {
    port_ = FreePort();
    std::string rules =
        absl::StrCat(CASEROUTER_SOURCE_DIR, "/deploy/prometheus/caserouter.rules.yml");
    std::string config = dir.Write("prometheus.yml", absl::StrCat(R"(
global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: [")",
                                                                  rules, R"("]
scrape_configs:
  - job_name: caserouter
    static_configs:
      - targets: ["127.0.0.1:)",
                                                                  metrics_port, R"("]
        labels: {domain: e2e}
)"));
    std::string data = absl::StrCat(dir.path(), "/tsdb");
    std::string listen = absl::StrCat("--web.listen-address=127.0.0.1:", port_);
    std::string log = absl::StrCat(dir.path(), "/prometheus.log");
    pid_ = fork();
    if (pid_ == 0) {
      FILE* out = freopen(log.c_str(), "w", stderr);
      (void)out;
      execlp("prometheus", "prometheus", ("--config.file=" + config).c_str(),
             ("--storage.tsdb.path=" + data).c_str(), listen.c_str(), nullptr);
      _exit(127);
    }
    return WaitFor([&] { return HttpGet(port_, "/-/ready").ok(); }, absl::Seconds(30));
  }
  ~PrometheusServer() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
  }
  // The JSON answer of an instant query.
  absl::StatusOr<std::string> Query(const std::string& promql) {
    return HttpGet(port_, "/api/v1/query?query=" + UrlEncode(promql));
  }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

// An unattended desk: accepts every offer and completes it, resolved three times in four.
class AutoAgent {
 public:
  AutoAgent(std::unique_ptr<DeskClient> desk) : desk_(std::move(desk)) {
    thread_ = std::thread([this] { Work(); });
  }
  ~AutoAgent() {
    stop_ = true;
    thread_.join();
  }

 private:
  void Work() {
    size_t seen = 0;
    int n = 0;
    while (!stop_) {
      std::optional<v1::Offer> offer = desk_->WaitForOffer(seen, absl::Milliseconds(200));
      if (!offer) continue;
      ++seen;
      const std::string id = offer->case_().case_id();
      if (!desk_->Accept(id).ok()) continue;
      ++n;
      (void)desk_->Complete(id, /*resolved=*/n % 4 != 0, /*csat=*/1 + n % 5);
    }
  }
  std::unique_ptr<DeskClient> desk_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(DashboardE2eTest, EveryPanelQueryParsesAndReturnsDataFromARealPrometheus) {
  for (const char* program : {"redis-server", "prometheus"}) {
    if (OnPath(program)) continue;
    if (ServersRequired()) {
      FAIL() << program << " is not installed and CASEROUTER_REQUIRE_SERVERS=1";
    }
    GTEST_SKIP() << program << " is not installed";
  }
  TempDir dir;
  absl::StatusOr<std::unique_ptr<RedisServer>> redis = RedisServer::Start();
  ASSERT_TRUE(redis.ok()) << redis.status();
  std::string config = dir.Write("caserouter.yaml", R"(
domain: e2e
channels:
  phone: {sla_seconds: 1, wrap_up_seconds: 0}
  chat: {sla_seconds: 1, wrap_up_seconds: 0}
  social: {sla_seconds: 1, wrap_up_seconds: 0}
  email: {sla_seconds: 1, wrap_up_seconds: 0}
topics: [billing, technical]
offers: {timeout_seconds: 30}
agents: {heartbeat_timeout_seconds: 30}
leadership: {lease_ttl_seconds: 2}
# Issue 17: the benchmark gives the Benchmark dashboard's panels their series.
benchmark:
  enabled: true
  mode: split
  arms:
    - {name: outcome, strategy: outcome}
    - {name: idle, strategy: longest_idle}
# Issue 16: the "By queue" row needs queues; the case nobody can take overflows after 1 s.
queues:
  - name: klingon
    filter: "skill.klingon > 0"
    plan: [{wait_seconds: 1}, {overflow: everything}]
  - name: everything
    service_level: {target_seconds: 1}
)");
  absl::StatusOr<std::unique_ptr<RouterProcess>> router =
      RouterProcess::Start(CASEROUTER_BINARY,
                           {"--grpc_address=127.0.0.1:0", "--metrics_address=127.0.0.1:0",
                            absl::StrCat("--redis_address=127.0.0.1:", (*redis)->port()),
                            "--config=" + config, "--instance_id=dashboard-e2e"},
                           dir.path() + "/router.log");
  ASSERT_TRUE(router.ok()) << router.status();
  Clients clients((*router)->grpc_port());
  ASSERT_TRUE(WaitFor([&] { return HealthStatus(clients.channel, "").value_or(0) == 1; }));

  PrometheusServer prometheus;
  ASSERT_TRUE(prometheus.Start((*router)->metrics_port(), dir)) << "prometheus did not start";

  // Load: three agents working, cases on every channel and two topics, repeat customers, one
  // cancellation, one case nobody can take (an unknown skill).
  std::vector<std::unique_ptr<AutoAgent>> agents;
  for (const char* id : {"ana", "bo", "cy"}) {
    ASSERT_TRUE(clients.CreateAgent(id, {{"billing", 8}, {"technical", 6}}).ok());
    absl::StatusOr<std::unique_ptr<DeskClient>> desk = DeskClient::Connect(clients.desk.get(), id);
    ASSERT_TRUE(desk.ok()) << desk.status();
    ASSERT_TRUE((*desk)->SetPresence(v1::PRESENCE_AVAILABLE).ok());
    agents.push_back(std::make_unique<AutoAgent>(*std::move(desk)));
  }
  const v1::Channel channels[] = {v1::CHANNEL_PHONE, v1::CHANNEL_CHAT, v1::CHANNEL_SOCIAL,
                                  v1::CHANNEL_EMAIL};
  int submitted = 0;
  auto submit_round = [&](int round) {
    for (int i = 0; i < 8; ++i) {
      v1::SubmitCaseRequest r =
          SampleSubmission(absl::StrCat("load-", round, "-", i), channels[i % 4]);
      r.set_customer_id(absl::StrCat("cust-", i % 5));  // repeat customers
      r.set_topic(i % 2 ? "technical" : "billing");
      v1::SubmitCaseResponse response;
      if (clients.Submit(r, &response).ok()) ++submitted;
    }
  };
  v1::SubmitCaseRequest stuck = SampleSubmission("stuck", v1::CHANNEL_EMAIL);
  v1::SkillRequirement* skill = stuck.add_required_skills();
  skill->set_skill("klingon");
  skill->set_min_proficiency(9);
  v1::SubmitCaseResponse stuck_response;
  ASSERT_TRUE(clients.Submit(stuck, &stuck_response).ok());
  v1::SubmitCaseRequest leaving = SampleSubmission("leaving", v1::CHANNEL_EMAIL);
  leaving.add_required_skills()->CopyFrom(*skill);
  v1::SubmitCaseResponse leaving_response;
  ASSERT_TRUE(clients.Submit(leaving, &leaving_response).ok());
  {
    grpc::ClientContext context;
    v1::CancelCaseRequest cancel;
    cancel.set_case_id(leaving_response.case_().case_id());
    v1::CancelCaseResponse cancelled;
    ASSERT_TRUE(clients.intake->CancelCase(&context, cancel, &cancelled).ok());
  }
  // Load keeps flowing while Prometheus scrapes and the queries run.
  std::atomic<bool> stop_load{false};
  std::thread load([&] {
    for (int round = 0; !stop_load; ++round) {
      submit_round(round);
      absl::SleepFor(absl::Milliseconds(500));  // pacing the load, not an assertion
    }
  });
  struct JoinOnExit {  // also when an assertion below returns early
    std::atomic<bool>& stop;
    std::thread& thread;
    ~JoinOnExit() {
      stop = true;
      if (thread.joinable()) thread.join();
    }
  } join_load{stop_load, load};

  // Prometheus has scraped the router and evaluated the rules at least a few times.
  ASSERT_TRUE(WaitFor(
      [&] {
        absl::StatusOr<std::string> up =
            prometheus.Query("sum(rate(caserouter_cases_completed_total[1m])) > 0");
        return up.ok() && up->find("\"result\":[]") == std::string::npos &&
               up->find("\"status\":\"success\"") != std::string::npos;
      },
      absl::Seconds(60)))
      << "prometheus never saw completed cases; up: " << prometheus.Query("up").value_or("?")
      << "\ncompleted: " << prometheus.Query("sum(caserouter_cases_completed_total)").value_or("?")
      << "\nreceived: " << prometheus.Query("sum(caserouter_cases_received_total)").value_or("?");

  std::vector<std::string> queries = DashboardQueries();
  ASSERT_GE(queries.size(), 10u);
  for (const std::string& q : queries) {
    std::string answer;
    bool ok = WaitFor(
        [&] {
          absl::StatusOr<std::string> r = prometheus.Query(q);
          if (!r.ok()) return false;
          answer = *r;
          return answer.find("\"status\":\"success\"") != std::string::npos &&
                 answer.find("\"result\":[]") == std::string::npos;
        },
        absl::Seconds(20));
    EXPECT_TRUE(ok) << "query returned no data or failed: " << q << "\nanswer: " << answer;
  }
  stop_load = true;
  load.join();
  EXPECT_GT(submitted, 0);
  agents.clear();
}

}  // namespace
}  // namespace caserouter::e2e
