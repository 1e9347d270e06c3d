// caserouter-load: load for a caserouter over gRPC on this machine, and its ceilings.
//
//   caserouter-load matrix --router=build/router/caserouter     # the whole matrix, markdown
//   caserouter-load run --target=127.0.0.1:50051 --in_flight=32 --desks=100
//       --server_pid=$(pidof caserouter) --redis_port=6379      # one phase against a router
//   caserouter-load echo --address=127.0.0.1:0                  # the echo ceiling (server)
//   caserouter-load ceiling --redis_port=6379                   # the Redis write ceiling
//   caserouter-load seed --redis_port=6379 --domain=load --cases=100000
//
// Every address is on 127.0.0.1: this tool loads only the machine it runs on. `matrix`
// starts its own redis-server, echo service and routers on free ports and stops them; the
// others talk to servers you started. Exit codes: 0 done, 1 the run failed, 2 bad flags.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "router/service/server_settings.h"
#include "tools/load/echo_server.h"
#include "tools/load/load_driver.h"
#include "tools/load/matrix.h"
#include "tools/load/redis_probe.h"
#include "tools/load/stored_cases.h"

// run
ABSL_FLAG(std::string, target, "", "run: the router (or echo) to load, 127.0.0.1:<port>");
ABSL_FLAG(int, in_flight, 32, "run: calls outstanding (closed loop); 0 = open loop at --rate");
ABSL_FLAG(double, rate, 0, "run: cases per second when --in_flight=0");
ABSL_FLAG(int, max_in_flight, 4096, "run: open loop: at most this many outstanding");
ABSL_FLAG(std::string, channel_mix, "0.35,0.3,0.15,0.2",
          "run: relative weights of phone, chat, social, email");
ABSL_FLAG(int, subject_bytes, 120, "run, matrix: bytes of customer text per case");
ABSL_FLAG(int64_t, max_cases, 0, "run: stop after this many submissions (0 = by time)");
ABSL_FLAG(int, burst_cases, -1,
          "run, matrix: public posts in the burst; 0 = no burst; unset: none for run, 10000 "
          "for matrix");
ABSL_FLAG(absl::Duration, burst_at, absl::Seconds(2), "run: burst start, into the window");
ABSL_FLAG(absl::Duration, burst_length, absl::Seconds(1), "run: the burst lasts this long");
ABSL_FLAG(int, desks, 0, "run: agent desks that accept and complete every offer");
ABSL_FLAG(bool, create_agents, true, "run: create the desks' agents first");
ABSL_FLAG(absl::Duration, handle_time, absl::ZeroDuration(), "run: accept to complete");
ABSL_FLAG(int, submit_connections, 2, "run: TCP connections for submissions");
ABSL_FLAG(int, desk_connections, 4, "run: TCP connections shared by the desk streams");
ABSL_FLAG(int, server_pid, 0, "run: the server's pid, for CPU, threads and RSS (0 = none)");
ABSL_FLAG(std::string, tls_ca, "",
          "run: the router's CA (a PEM file): TLS; empty = plaintext (the echo, or a router "
          "started with --plaintext)");
ABSL_FLAG(std::string, issuer_key, "",
          "run: the token issuer's private key (a PEM file): the load signs a token for each "
          "caller (adapter, supervisor, every desk's agent) for --domain; empty = no tokens");
ABSL_FLAG(int, redis_port, 0,
          "run, ceiling, seed: the server's Redis on 127.0.0.1, for round trips (0 = none)");
ABSL_FLAG(absl::Duration, warmup, absl::Seconds(1), "run, matrix: before the window opens");
ABSL_FLAG(absl::Duration, duration, absl::Seconds(8), "run, matrix, ceiling: window length");
// echo
ABSL_FLAG(std::string, address, "127.0.0.1:0", "echo: listen address (port 0 = any free)");
// seed
ABSL_FLAG(std::string, domain, "load", "seed, run: the routing domain");
ABSL_FLAG(int64_t, cases, 100000, "seed: open cases to write");
// ceiling
ABSL_FLAG(int, depth, 128, "ceiling: HSETs per round trip");
// matrix
ABSL_FLAG(std::string, router, "", "matrix: the caserouter binary");
ABSL_FLAG(std::string, redis_server, "redis-server", "matrix: the redis-server binary");
ABSL_FLAG(int, rounds, 2, "matrix: rounds of echo/router alternation per in-flight level");
ABSL_FLAG(std::string, in_flight_levels, "1,32,128", "matrix: closed-loop levels");
ABSL_FLAG(std::string, queued_levels, "32,128", "matrix: levels at the deep queue");
ABSL_FLAG(int64_t, queued, 100000, "matrix: open cases seeded for the queue rows (0 = none)");
ABSL_FLAG(std::string, desk_levels, "10,100,1000,10000", "matrix: desk counts");
ABSL_FLAG(int, burst_desks, 100, "matrix: desks during the burst");
ABSL_FLAG(std::string, work_dir, "", "matrix: keep logs here (default: a temp dir, removed)");
ABSL_FLAG(std::string, out, "", "matrix: also write the markdown report to this file");

namespace caserouter::load {
namespace {

constexpr int kExitFailed = 1;
constexpr int kExitBadFlags = 2;

absl::StatusOr<std::vector<int>> IntList(const std::string& flag, const std::string& text) {
  std::vector<int> out;
  for (absl::string_view item : absl::StrSplit(text, ',', absl::SkipEmpty())) {
    int n = 0;
    if (!absl::SimpleAtoi(item, &n) || n < 0) {
      return absl::InvalidArgumentError(absl::StrCat(flag, ": a comma-separated list of counts"));
    }
    out.push_back(n);
  }
  return out;
}

absl::Status ParseMix(const std::string& text, std::array<double, 4>* mix) {
  std::vector<absl::string_view> items = absl::StrSplit(text, ',');
  if (items.size() != 4) return absl::InvalidArgumentError("channel_mix: four weights");
  for (int i = 0; i < 4; ++i) {
    if (!absl::SimpleAtod(items[i], &(*mix)[i])) {
      return absl::InvalidArgumentError("channel_mix: four numbers");
    }
  }
  return absl::OkStatus();
}

std::string CodesText(const CodeCounts& codes) {
  static const char* const kNames[kGrpcCodes] = {"OK",
                                                 "CANCELLED",
                                                 "UNKNOWN",
                                                 "INVALID_ARGUMENT",
                                                 "DEADLINE_EXCEEDED",
                                                 "NOT_FOUND",
                                                 "ALREADY_EXISTS",
                                                 "PERMISSION_DENIED",
                                                 "RESOURCE_EXHAUSTED",
                                                 "FAILED_PRECONDITION",
                                                 "ABORTED",
                                                 "OUT_OF_RANGE",
                                                 "UNIMPLEMENTED",
                                                 "INTERNAL",
                                                 "UNAVAILABLE",
                                                 "DATA_LOSS",
                                                 "UNAUTHENTICATED"};
  std::string out;
  for (int i = 1; i < kGrpcCodes; ++i) {
    if (codes[i] > 0) absl::StrAppend(&out, out.empty() ? "" : ", ", kNames[i], " ", codes[i]);
  }
  return out.empty() ? "none" : out;
}

void PrintSubmit(const char* name, const SubmitResult& s) {
  absl::PrintF("%s: sent %d, ok %d, skipped %d, errors %s\n", name, s.sent, s.ok, s.skipped,
               CodesText(s.errors()));
  absl::PrintF(
      "%s ack: p50 %.3f ms, p99 %.3f ms, max %.3f ms; refusals: p50 %.3f ms, p99 "
      "%.3f ms\n",
      name, absl::ToDoubleMilliseconds(s.ack.p50), absl::ToDoubleMilliseconds(s.ack.p99),
      absl::ToDoubleMilliseconds(s.ack.max), absl::ToDoubleMilliseconds(s.refusal.p50),
      absl::ToDoubleMilliseconds(s.refusal.p99));
}

int Run() {
  SessionOptions session;
  session.target = absl::GetFlag(FLAGS_target);
  session.desks = absl::GetFlag(FLAGS_desks);
  session.create_agents = absl::GetFlag(FLAGS_create_agents);
  session.handle_time = absl::GetFlag(FLAGS_handle_time);
  session.submit_connections = absl::GetFlag(FLAGS_submit_connections);
  session.desk_connections = absl::GetFlag(FLAGS_desk_connections);
  session.server_pid = absl::GetFlag(FLAGS_server_pid);
  session.redis_port = absl::GetFlag(FLAGS_redis_port);
  session.security.plaintext = absl::GetFlag(FLAGS_tls_ca).empty();
  session.security.ca_file = absl::GetFlag(FLAGS_tls_ca);
  session.issuer_key_file = absl::GetFlag(FLAGS_issuer_key);
  session.domain = absl::GetFlag(FLAGS_domain);
  PhaseOptions phase;
  phase.in_flight = absl::GetFlag(FLAGS_in_flight);
  phase.rate = absl::GetFlag(FLAGS_rate);
  phase.max_in_flight = absl::GetFlag(FLAGS_max_in_flight);
  phase.subject_bytes = absl::GetFlag(FLAGS_subject_bytes);
  phase.max_cases = absl::GetFlag(FLAGS_max_cases);
  phase.burst_cases = std::max(0, absl::GetFlag(FLAGS_burst_cases));
  phase.burst_at = absl::GetFlag(FLAGS_burst_at);
  phase.burst_length = absl::GetFlag(FLAGS_burst_length);
  phase.warmup = absl::GetFlag(FLAGS_warmup);
  phase.duration = absl::GetFlag(FLAGS_duration);
  absl::Status valid = ParseMix(absl::GetFlag(FLAGS_channel_mix), &phase.channel_mix);
  if (valid.ok()) valid = ValidateSessionOptions(session);
  if (valid.ok()) valid = ValidatePhaseOptions(phase);
  if (!valid.ok()) {
    absl::FPrintF(stderr, "caserouter-load: %s\n", valid.message());
    return kExitBadFlags;
  }
  absl::StatusOr<LoadResult> result = RunLoad(session, phase);
  if (!result.ok()) {
    absl::FPrintF(stderr, "caserouter-load: %s\n", result.status().ToString());
    return kExitFailed;
  }
  const LoadResult& r = *result;
  absl::PrintF("window: %.2f s; throughput %.1f cases/s\n", absl::ToDoubleSeconds(r.window),
               r.throughput());
  PrintSubmit("submit", r.normal);
  if (phase.burst_cases > 0) PrintSubmit("burst", r.burst);
  if (session.desks > 0) {
    absl::PrintF(
        "desks: %d of %d connected; offers %d, accepts %d, completes %d, revoked %d; "
        "desk errors %s; streams ended %s\n",
        r.desks.connected, r.desks.requested, r.desks.offers, r.desks.accepts, r.desks.completes,
        r.desks.revoked, CodesText(r.desks.action_errors), CodesText(r.desks.stream_ends));
    absl::PrintF("submit->offer: %d samples, p50 %.3f ms, p99 %.3f ms, max %.3f ms\n",
                 r.desks.offer.count, absl::ToDoubleMilliseconds(r.desks.offer.p50),
                 absl::ToDoubleMilliseconds(r.desks.offer.p99),
                 absl::ToDoubleMilliseconds(r.desks.offer.max));
  }
  const int64_t answered = r.normal.ok + r.burst.ok;
  if (r.server.measured) {
    absl::PrintF(
        "server: CPU %.0f µs/case, threads %d -> peak %d -> %d, RSS %.1f -> peak %.1f "
        "-> %.1f MiB\n",
        answered > 0 ? absl::ToDoubleMicroseconds(r.server.cpu) / answered : 0.0,
        r.server.threads_start, r.server.threads_peak, r.server.threads_end,
        r.server.rss_start / 1048576.0, r.server.rss_peak / 1048576.0,
        r.server.rss_end / 1048576.0);
  }
  if (r.redis.measured) {
    absl::PrintF("redis: %.3f round trips/case, %.1f commands/case\n",
                 answered > 0 ? static_cast<double>(r.redis.round_trips) / answered : 0.0,
                 answered > 0 ? static_cast<double>(r.redis.commands) / answered : 0.0);
  }
  absl::PrintF("client: CPU %.0f µs/case\n",
               answered > 0 ? absl::ToDoubleMicroseconds(r.client_cpu) / answered : 0.0);
  return 0;
}

int Echo() {
  // The signals reach only the sigwait below: block them before gRPC starts any thread.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  absl::StatusOr<std::unique_ptr<EchoServer>> echo =
      EchoServer::Start(absl::GetFlag(FLAGS_address));
  if (!echo.ok()) {
    absl::FPrintF(stderr, "caserouter-load echo: %s\n", echo.status().message());
    return absl::IsInvalidArgument(echo.status()) ? kExitBadFlags : kExitFailed;
  }
  absl::PrintF("grpc_port=%d\n", (*echo)->port());
  std::fflush(stdout);
  int signal = 0;
  sigwait(&signals, &signal);
  absl::FPrintF(stderr, "caserouter-load echo: %d calls answered\n", (*echo)->calls());
  (*echo)->Shutdown();
  return 0;
}

int Ceiling() {
  CeilingOptions options;
  options.port = absl::GetFlag(FLAGS_redis_port);
  options.depth = absl::GetFlag(FLAGS_depth);
  options.duration = absl::GetFlag(FLAGS_duration);
  options.record = SampleCaseRecord(absl::GetFlag(FLAGS_subject_bytes));
  absl::StatusOr<CeilingResult> result = WriteCeiling(options);
  if (!result.ok()) {
    absl::FPrintF(stderr, "caserouter-load ceiling: %s\n", result.status().message());
    return absl::IsInvalidArgument(result.status()) ? kExitBadFlags : kExitFailed;
  }
  absl::PrintF("%d records of %d bytes in %.2f s: %.0f records/s, %d per round trip\n",
               result->records, result->record_bytes, absl::ToDoubleSeconds(result->elapsed),
               result->records_per_second(), options.depth);
  return 0;
}

int Seed() {
  SeedOptions options;
  options.redis_port = absl::GetFlag(FLAGS_redis_port);
  options.domain = absl::GetFlag(FLAGS_domain);
  options.cases = absl::GetFlag(FLAGS_cases);
  options.subject_bytes = absl::GetFlag(FLAGS_subject_bytes);
  if (absl::Status s = SeedQueue(options); !s.ok()) {
    absl::FPrintF(stderr, "caserouter-load seed: %s\n", s.message());
    return absl::IsInvalidArgument(s) ? kExitBadFlags : kExitFailed;
  }
  absl::PrintF("seeded %d open cases in domain %s\n", options.cases, options.domain);
  return 0;
}

int Matrix(const char* self) {
  MatrixOptions options;
  options.router_binary = absl::GetFlag(FLAGS_router);
  options.echo_binary = self;
  options.redis_binary = absl::GetFlag(FLAGS_redis_server);
  options.work_dir = absl::GetFlag(FLAGS_work_dir);
  options.warmup = absl::GetFlag(FLAGS_warmup);
  options.duration = absl::GetFlag(FLAGS_duration);
  options.rounds = absl::GetFlag(FLAGS_rounds);
  options.queued = absl::GetFlag(FLAGS_queued);
  options.burst_desks = absl::GetFlag(FLAGS_burst_desks);
  options.subject_bytes = absl::GetFlag(FLAGS_subject_bytes);
  if (int burst = absl::GetFlag(FLAGS_burst_cases); burst >= 0) options.burst_cases = burst;
  absl::StatusOr<std::vector<int>> levels =
      IntList("in_flight_levels", absl::GetFlag(FLAGS_in_flight_levels));
  absl::StatusOr<std::vector<int>> queued_levels =
      IntList("queued_levels", absl::GetFlag(FLAGS_queued_levels));
  absl::StatusOr<std::vector<int>> desks = IntList("desk_levels", absl::GetFlag(FLAGS_desk_levels));
  for (const auto* list : {&levels, &queued_levels, &desks}) {
    if (!list->ok()) {
      absl::FPrintF(stderr, "caserouter-load matrix: %s\n", list->status().message());
      return kExitBadFlags;
    }
  }
  options.in_flight = *levels;
  options.queued_in_flight = *queued_levels;
  options.desks = *desks;
  options.progress = [](const std::string& line) { absl::FPrintF(stderr, "[load] %s\n", line); };
  absl::StatusOr<MatrixReport> report = RunMatrix(options);
  if (!report.ok()) {
    absl::FPrintF(stderr, "caserouter-load matrix: %s\n", report.status().ToString());
    return absl::IsInvalidArgument(report.status()) ? kExitBadFlags : kExitFailed;
  }
  const std::string markdown = RenderMarkdown(*report);
  std::cout << markdown;
  if (const std::string out = absl::GetFlag(FLAGS_out); !out.empty()) {
    std::ofstream(out) << markdown;
  }
  return 0;
}

}  // namespace
}  // namespace caserouter::load

int main(int argc, char** argv) {
  caserouter::ApplyProcessSettings();  // as the router's main: the echo is its ceiling
  absl::SetProgramUsageMessage(
      "caserouter-load matrix|run|echo|ceiling|seed [flags]: load for a caserouter on this "
      "machine (127.0.0.1 only), and its ceilings");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() != 2) {
    absl::FPrintF(stderr, "usage: caserouter-load matrix|run|echo|ceiling|seed [flags]\n");
    return caserouter::load::kExitBadFlags;
  }
  const std::string command = args[1];
  if (command == "run") return caserouter::load::Run();
  if (command == "echo") return caserouter::load::Echo();
  if (command == "ceiling") return caserouter::load::Ceiling();
  if (command == "seed") return caserouter::load::Seed();
  if (command == "matrix") {
    // The echo service is this program's own `echo` command.
    std::error_code error;
    const std::string self = std::filesystem::read_symlink("/proc/self/exe", error).string();
    return caserouter::load::Matrix(error ? argv[0] : self.c_str());
  }
  absl::FPrintF(stderr, "caserouter-load: unknown command %s\n", command);
  return caserouter::load::kExitBadFlags;
}
