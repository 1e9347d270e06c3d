// What every fault scenario runs: real `caserouter` processes (a leader and standbys) over a
// real Redis, clients that record everything they see into one history (history.h), and the
// means to inject faults. A scenario starts a RouterFleet, starts Submitters and FaultDesks,
// injects its faults, stops the load, runs the FinalSweep and hands the history to the checker.
//
//   RouterFleet fleet(binary, yaml, {"--redis_address=127.0.0.1:" + port}, dir, 2);
//   HistoryRecorder history(dir + "/history.jsonl");
//   LeaderWatch watch(&history, fleet.addresses());
//   Submitters load(&history, fleet.addresses(), {.threads = 4, .key_prefix = "s1"});
//   ... fleet.Kill(fleet.Leader()); ...
//   load.Stop();
//   FinalSweep(&history, fleet.addresses());
//   EXPECT_TRUE(CheckHistory(history.Snapshot()).empty());
//
// Each replica keeps its gRPC port across restarts (picked once), so clients keep one address
// list. Clients retry a submission with the same idempotency key against the next address on
// any answer that says "not here, not now" (UNAVAILABLE, DEADLINE_EXCEEDED, ABORTED,
// RESOURCE_EXHAUSTED), as an adapter should (docs/reliability.md).
//
// Thread safety: RouterFleet from the test thread only (addresses() from any); the others are
// thread-safe and stop in their destructors.
#ifndef CASEROUTER_TESTS_FAULTS_FAULT_HARNESS_H_
#define CASEROUTER_TESTS_FAULTS_FAULT_HARNESS_H_

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "caserouter/v1/case_intake.grpc.pb.h"
#include "tests/e2e/e2e_support.h"
#include "tests/faults/history.h"
#include "tools/agent_client/desk_agent.h"

namespace caserouter::faults {

// The router configuration of the fault suite: lease 1 s, heartbeat timeout 1.5 s (desks
// heartbeat every 0.5 s and give a silent router up after 1.5 s), offers time out after 2 s.
std::string FaultConfigYaml(const std::string& extra = "");

// A channel per address, kept (gRPC reconnects it when the process comes back).
class Channels {
 public:
  std::shared_ptr<grpc::Channel> Get(const std::string& address);

 private:
  absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_ ABSL_GUARDED_BY(mu_);
};

class RouterFleet {
 public:
  // Starts `replicas` processes of `binary` with `yaml` and `redis_args` (--redis_address=...
  // or --redis_sentinels=...), and waits until one leads.
  static absl::StatusOr<std::unique_ptr<RouterFleet>> Start(const std::string& binary,
                                                            const std::string& yaml,
                                                            std::vector<std::string> redis_args,
                                                            const std::string& dir, int replicas);
  ~RouterFleet();

  const std::vector<std::string>& addresses() const { return addresses_; }
  int size() const { return static_cast<int>(addresses_.size()); }
  // The replica whose health "" is SERVING, or -1.
  int Leader() const;
  // Waits until some replica leads and returns it (-1 after `timeout`).
  int WaitForLeader(absl::Duration timeout = absl::Seconds(20)) const;
  pid_t pid(int replica) const;
  bool running(int replica) const { return processes_[replica] != nullptr; }
  void Kill(int replica);  // SIGKILL
  absl::Status Restart(int replica);
  void Pause(int replica);   // SIGSTOP
  void Resume(int replica);  // SIGCONT

 private:
  RouterFleet() = default;
  absl::Status Launch(int replica);

  std::string binary_;
  std::string config_path_;
  std::vector<std::string> redis_args_;
  std::string dir_;
  std::vector<int> ports_;
  std::vector<std::string> addresses_;
  std::vector<std::unique_ptr<e2e::RouterProcess>> processes_;
  std::vector<bool> paused_;
  int launches_ = 0;
};

// Polls every replica's health every 50 ms and records each change of who leads ("leader"
// records; a replica that does not answer within 300 ms counts as not leading).
class LeaderWatch {
 public:
  LeaderWatch(HistoryRecorder* history, std::vector<std::string> addresses);
  ~LeaderWatch();

 private:
  void Run();
  HistoryRecorder* const history_;
  const std::vector<std::string> addresses_;
  Channels channels_;
  absl::Notification stop_;
  std::thread thread_;
};

// Concurrent submitters: each thread submits new cases (a new key and a new customer each),
// retrying each key until it is answered OK or `give_up` passes, and records every answer.
class Submitters {
 public:
  struct Options {
    int threads = 4;
    std::string key_prefix = "s";
    absl::Duration call_deadline = absl::Seconds(2);
    absl::Duration give_up = absl::Seconds(60);
    absl::Duration pause_between_cases = absl::Milliseconds(20);
  };
  Submitters(HistoryRecorder* history, std::vector<std::string> addresses, Options options);
  ~Submitters();  // Stop()
  // Each thread finishes the key it is on (OK or give_up), then stops.
  void Stop();
  int64_t acknowledged() const { return acknowledged_.load(); }
  // Times of the OK answers, in the order they came.
  std::vector<absl::Time> ok_times() const;

 private:
  void Run(int thread);
  HistoryRecorder* const history_;
  const std::vector<std::string> addresses_;
  const Options options_;
  Channels channels_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> acknowledged_{0};
  mutable absl::Mutex mu_;
  std::vector<absl::Time> ok_times_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> threads_;
};

// Unattended desks on the project's agent client (DeskAgent), recording what they see: they
// accept every offer after `accept_delay` (declining every `decline_every`-th), and complete
// what they hold after `handle_time`.
class FaultDesks {
 public:
  struct Options {
    int desks = 3;
    std::string id_prefix = "agent-";
    absl::Duration accept_delay = absl::Milliseconds(50);
    absl::Duration handle_time = absl::Milliseconds(300);
    int decline_every = 7;  // 0 = never
    // Create the agents first (on the leader).
    bool create = true;
  };
  FaultDesks(HistoryRecorder* history, std::vector<std::string> addresses, Options options);
  ~FaultDesks();  // stops every desk
  // Each desk's current or last session's replica, by agent.
  std::map<std::string, std::string> replicas() const;
  // True once every desk has a session with `address` (waiting up to `timeout`).
  bool WaitUntilAllOn(const std::string& address, absl::Duration timeout) const;
  absl::Status created() const { return created_; }

 private:
  class Desk;
  HistoryRecorder* const history_;
  absl::Status created_;
  std::vector<std::unique_ptr<Desk>> desks_;
};

// Creates the agent on whichever replica leads (retrying for up to 20 s).
absl::Status CreateAgentOnLeader(const std::vector<std::string>& addresses,
                                 const std::string& agent_id);

// GetCase of every case acknowledged in `history` on the leader, recorded with final=true.
// Retries each for up to `timeout` while no replica can answer.
void FinalSweep(HistoryRecorder* history, const std::vector<std::string>& addresses,
                absl::Duration timeout = absl::Seconds(30));

// Records a "fault" record (what was done) and returns its time.
absl::Time RecordFault(HistoryRecorder* history, const std::string& what);

// From a fault to the first OK answer after it.
absl::Duration TimeToFirstOk(const std::vector<absl::Time>& ok_times, absl::Time fault);

}  // namespace caserouter::faults

#endif  // CASEROUTER_TESTS_FAULTS_FAULT_HARNESS_H_
