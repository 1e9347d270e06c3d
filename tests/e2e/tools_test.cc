// End-to-end: the quick start. caserouter-adapter replays the synthetic workload and
// caserouter-agent runs unattended desks (creating its agents itself) against a router on
// 127.0.0.1:0 over a real redis-server; cases must flow from submission to completion. As in
// the demo, over TLS: the adapter presents a client certificate (mTLS), the agents and the
// supervisor that creates them carry bearer tokens from files.
#include <sys/stat.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <regex>
#include <string>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

#if !defined(CASEROUTER_AGENT_BINARY) || !defined(CASEROUTER_ADAPTER_BINARY)
#error "CASEROUTER_AGENT_BINARY and CASEROUTER_ADAPTER_BINARY must name the tools"
#endif

namespace caserouter::e2e {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The value of `name=<n>` in `text`, or -1.
int Counter(const std::string& text, const std::string& name) {
  std::smatch match;
  if (!std::regex_search(text, match, std::regex(absl::StrCat("\\b", name, "=([0-9]+)")))) {
    return -1;
  }
  int value = -1;
  return absl::SimpleAtoi(match[1].str(), &value) ? value : -1;
}

// The value of the last `name=<n>` in `text`, or -1.
int LastCounter(const std::string& text, const std::string& name) {
  const std::regex pattern(absl::StrCat("\\b", name, "=([0-9]+)"));
  int value = -1;
  for (auto it = std::sregex_iterator(text.begin(), text.end(), pattern);
       it != std::sregex_iterator(); ++it) {
    if (!absl::SimpleAtoi((*it)[1].str(), &value)) value = -1;
  }
  return value;
}

TEST(ToolsTest, QuickStartReplayAndUnattendedAgentsCompleteCases) {
  absl::StatusOr<std::unique_ptr<RedisServer>> redis = RedisServer::Start();
  if (absl::IsNotFound(redis.status())) {
    GTEST_SKIP() << "redis-server is not installed: " << redis.status().message();
  }
  ASSERT_TRUE(redis.ok()) << redis.status();
  absl::StatusOr<std::unique_ptr<InProcessRouter>> router = InProcessRouter::Start(
      (*redis)->port(), TestConfigYaml(absl::Seconds(10), absl::Seconds(10)), "e2e-tools");
  ASSERT_TRUE(router.ok()) << router.status();
  const std::string target = absl::StrCat("--target=127.0.0.1:", (*router)->server().grpc_port());
  TempDir dir;
  TestCredentials& creds = Credentials();
  const std::string ca = absl::StrCat("--tls_ca=", creds.ca_file());
  absl::StatusOr<TestCredentials::Pair> adapter_cert = creds.ClientCertificate("adapter", "replay");
  ASSERT_TRUE(adapter_cert.ok()) << adapter_cert.status();
  const std::string supervisor = dir.Write("supervisor.jwt", creds.Token("supervisor", "tools"));
  ASSERT_EQ(mkdir((dir.path() + "/agents").c_str(), 0700), 0);
  for (const char* id : {"agent-1", "agent-2", "agent-3"}) {
    dir.Write(absl::StrCat("agents/", id, ".jwt"), creds.Token("agent", id));
  }

  absl::StatusOr<int> agent_exit;
  std::thread agents([&] {
    agent_exit = RunToExit(CASEROUTER_AGENT_BINARY,
                           {target, ca, "--auto", "--count=3", "--create",
                            absl::StrCat("--supervisor_token_file=", supervisor),
                            absl::StrCat("--token_dir=", dir.path(), "/agents"),
                            "--skills=billing:6,technical:6,account:6,sales:6,outage:6",
                            "--languages=en,de", "--authority=1000", "--handle_seconds=0.2",
                            "--accept_delay=20ms", "--decline_rate=0", "--run_for=10s"},
                           dir.path() + "/agents.log");
  });
  absl::StatusOr<int> adapter_exit =
      RunToExit(CASEROUTER_ADAPTER_BINARY,
                {target, ca, absl::StrCat("--tls_cert=", adapter_cert->cert_file),
                 absl::StrCat("--tls_key=", adapter_cert->key_file), "replay", "--rate=4",
                 "--seconds=3", "--seed=5", "--key_prefix=t1-"},
                dir.path() + "/adapter.log");
  agents.join();

  const std::string adapter_log = ReadFile(dir.path() + "/adapter.log");
  const std::string agents_log = ReadFile(dir.path() + "/agents.log");
  ASSERT_TRUE(adapter_exit.ok()) << adapter_exit.status();
  EXPECT_EQ(*adapter_exit, 0) << adapter_log;
  ASSERT_TRUE(agent_exit.ok()) << agent_exit.status();
  EXPECT_EQ(*agent_exit, 0) << agents_log;

  const int submitted = Counter(adapter_log, "submitted");
  EXPECT_GT(submitted, 0) << adapter_log;
  EXPECT_EQ(Counter(adapter_log, "accepted"), submitted) << adapter_log;
  EXPECT_EQ(Counter(adapter_log, "errors"), 0) << adapter_log;
  // issue 13: the replay learns the assignments of its cases from their events.
  EXPECT_GT(LastCounter(adapter_log, "assigned"), 0) << adapter_log;
  EXPECT_EQ(Counter(agents_log, "agents"), 3) << agents_log;
  EXPECT_GT(Counter(agents_log, "completed"), 0) << agents_log;
  EXPECT_EQ(Counter(agents_log, "errors"), 0) << agents_log;

  // The router agrees: the tool created the agents, and completions reached the metrics.
  v1::ListAgentsResponse listed;
  ASSERT_TRUE((*router)->clients().ListAgents(&listed).ok());
  EXPECT_EQ(listed.agents_size(), 3);
  absl::StatusOr<std::string> metrics = HttpGet((*router)->server().metrics_port(), "/metrics");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  EXPECT_TRUE(
      std::regex_search(*metrics, std::regex("caserouter_cases_completed_total\\{[^}]*\\} [1-9]")))
      << *metrics;
}

}  // namespace
}  // namespace caserouter::e2e
