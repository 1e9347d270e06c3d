// LoadSession: load against a caserouter (or the echo service) over real gRPC — channel
// adapters submitting cases and agent desks taking them — and what it measured.
//
// The client is gRPC's callback API throughout, so one process holds thousands of calls and
// desk streams on a handful of threads:
//
//   - Desks (AgentDeskService.Connect), opened once per session: agents created through
//     SupervisionService, one stream each (Hello, then AVAILABLE once welcomed), heartbeats at
//     the interval the Welcome asks for; every offer is accepted and, `handle_time` after the
//     accept is acknowledged, completed as resolved.
//   - Phases of submissions (CaseIntakeService.SubmitCase), one per Run call, with a mix of
//     channels, each case with a customer of its own (so none joins another's open case)
//     whose id carries the session id and the case's sequence number. Closed loop (`in_flight`
//     calls outstanding at every moment) or open loop (`rate` cases per second, at most
//     `max_in_flight` outstanding: a case due beyond that is not sent and is counted as
//     skipped). A burst on top: `burst_cases` public social posts spread evenly over
//     `burst_length`, `burst_at` into the measured window.
//
// Submit-to-offer runs from the send of a case's SubmitCase to the arrival of its first offer
// at a desk. A phase: submissions start; after `warmup` the measured window opens, and it
// closes after `duration` (or earlier, once `max_cases` were sent, answered and — with desks —
// completed). What completes inside the window is counted: answers, offers, accepts and
// completions, with their latencies. The server's CPU time, threads and RSS (/proc/<pid>) and
// Redis's counters (INFO commandstats) are read at both ends of the window, so a figure per
// case divides two counts of the same interval. The burst's submissions are counted whenever
// they complete. Then submissions stop and outstanding calls drain.
//
//   SessionOptions session;
//   session.target = "127.0.0.1:50051";
//   session.desks = 100;
//   absl::StatusOr<std::unique_ptr<LoadSession>> load = LoadSession::Open(session);
//   PhaseOptions phase;
//   phase.in_flight = 32;
//   absl::StatusOr<LoadResult> max = (*load)->Run(phase);
//   (*load)->WaitUntilCompleted(absl::Seconds(30));   // the desks caught up
//
// Nothing here judges how fast anything was: the result reports, the caller judges.
// Thread safety: a session is driven from one thread (Run calls one after the other). Errors:
// INVALID_ARGUMENT for bad options (naming the option; the target must be on 127.0.0.1),
// UNAVAILABLE when the target cannot be reached, DEADLINE_EXCEEDED when agents or desks cannot
// be set up, or calls do not drain, in time.
#ifndef CASEROUTER_TOOLS_LOAD_LOAD_DRIVER_H_
#define CASEROUTER_TOOLS_LOAD_LOAD_DRIVER_H_

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tools/client_auth/client_security.h"

namespace caserouter::load {

// gRPC status codes 0-16, by their numeric value.
inline constexpr int kGrpcCodes = 17;
using CodeCounts = std::array<int64_t, kGrpcCodes>;
// Channels by v1::Channel value: 0 unused, then phone, chat, social, email.
inline constexpr int kChannels = 5;

struct SessionOptions {
  std::string target;  // 127.0.0.1:<port>
  // How to reach the server: plaintext for the echo and the matrix's routers (so that both
  // are measured alike), TLS with the router's CA otherwise.
  ClientSecurity security = PlaintextSecurity();
  // The token issuer's private key (a file): the session issues the tokens its callers need
  // (an adapter for submissions, a supervisor to create agents, each desk's agent) for
  // `domain`. Empty: calls carry no token (the echo checks none).
  std::string issuer_key_file;
  std::string domain = "load";
  int submit_connections = 2;  // TCP connections for submissions
  int desk_connections = 4;    // TCP connections the desk streams share
  std::vector<std::string> topics = {"billing", "technical", "account", "sales", "outage"};

  int desks = 0;
  std::string agent_prefix = "load-";
  bool create_agents = true;    // false: the agents exist already
  int setup_parallelism = 128;  // agents being created / desks connecting at once
  absl::Duration setup_timeout = absl::Seconds(180);
  absl::Duration handle_time = absl::ZeroDuration();

  // Tags this session's cases (customer "<session_id>-<seq>"); empty: derived from the clock.
  std::string session_id;
  uint64_t seed = 1;

  // Measured when set: the server process and its Redis (on 127.0.0.1).
  pid_t server_pid = 0;
  int redis_port = 0;
};

struct PhaseOptions {
  // Closed loop when in_flight > 0, else open loop at `rate` cases per second.
  int in_flight = 32;
  double rate = 0;
  int max_in_flight = 4096;
  // Relative weights of phone, chat, social, email.
  std::array<double, 4> channel_mix = {0.35, 0.3, 0.15, 0.2};
  int subject_bytes = 120;
  absl::Duration call_timeout = absl::Seconds(30);

  absl::Duration warmup = absl::Seconds(1);
  absl::Duration duration = absl::Seconds(10);
  absl::Duration drain_timeout = absl::Seconds(30);
  int64_t max_cases = 0;  // > 0: send at most this many normal submissions

  // The burst: public social posts on top of the normal load.
  int burst_cases = 0;
  absl::Duration burst_at = absl::Seconds(2);
  absl::Duration burst_length = absl::Seconds(1);
};

absl::Status ValidateSessionOptions(const SessionOptions& options);
absl::Status ValidatePhaseOptions(const PhaseOptions& options);

struct Percentiles {
  int64_t count = 0;
  absl::Duration p50, p99, max;
};

struct SubmitResult {
  int64_t sent = 0;
  int64_t ok = 0;
  std::array<CodeCounts, kChannels> errors_by_channel{};
  Percentiles ack;      // OK answers
  Percentiles refusal;  // RESOURCE_EXHAUSTED answers
  int64_t skipped = 0;  // open loop: due while max_in_flight were outstanding
  CodeCounts errors() const;
  int64_t error_total() const;
};

struct DeskResult {
  int requested = 0;
  int connected = 0;          // welcomed and AVAILABLE
  CodeCounts setup_errors{};  // CreateAgent or Connect failures by code (session-wide)
  int64_t offers = 0;         // every offer received in the window
  int64_t accepts = 0;        // accepts acknowledged OK
  int64_t completes = 0;      // completes acknowledged OK
  int64_t revoked = 0;
  CodeCounts action_errors{};  // Acks with a non-OK code
  CodeCounts stream_ends{};    // streams that ended while the session wanted them (session-wide)
  Percentiles offer;           // submit -> first offer, cases of this session
};

struct ServerResult {
  bool measured = false;
  absl::Duration cpu;  // CPU time in the window
  int threads_start = 0, threads_peak = 0, threads_end = 0;
  int64_t rss_start = 0, rss_peak = 0, rss_end = 0;  // bytes
};

struct RedisResult {
  bool measured = false;
  int64_t round_trips = 0;
  int64_t commands = 0;
};

struct LoadResult {
  absl::Duration window;
  SubmitResult normal;
  SubmitResult burst;
  DeskResult desks;
  ServerResult server;
  RedisResult redis;
  absl::Duration client_cpu;  // this process, in the window
  // OK answers to normal submissions per second of the window.
  double throughput() const;
};

class LoadSession {
 public:
  // Connects, creates the agents and connects the desks.
  static absl::StatusOr<std::unique_ptr<LoadSession>> Open(const SessionOptions& options);
  // Closes the desk streams.
  ~LoadSession();
  LoadSession(const LoadSession&) = delete;
  LoadSession& operator=(const LoadSession&) = delete;

  absl::StatusOr<LoadResult> Run(const PhaseOptions& phase);
  // Waits until the desks completed every case this session submitted with success;
  // DEADLINE_EXCEEDED naming how many are left.
  absl::Status WaitUntilCompleted(absl::Duration timeout);
  // How long Open took to create the agents and connect the desks.
  absl::Duration setup_time() const;

  class Impl;

 private:
  explicit LoadSession(Impl* impl) : impl_(impl) {}
  Impl* impl_;  // leaked, not freed, when calls did not drain: callbacks may still refer to it
};

// One session, one phase.
absl::StatusOr<LoadResult> RunLoad(const SessionOptions& session, const PhaseOptions& phase);

// Polls grpc.health.v1.Health/Check (service "") until it answers SERVING.
absl::Status WaitForServing(const std::string& target, absl::Duration timeout,
                            const ClientSecurity& security = PlaintextSecurity());

}  // namespace caserouter::load

#endif  // CASEROUTER_TOOLS_LOAD_LOAD_DRIVER_H_
