// RunMatrix: the whole load matrix of issue 10 on this machine in one command, with its own
// servers, and the markdown report of it.
//
// The matrix starts a private redis-server (AOF on, fsync every second: Redis's own default
// for AOF) and the echo service, and for every router row a fresh `caserouter` on a flushed
// Redis, all on free loopback ports; it stops them all at the end (and they die with it, by
// PR_SET_PDEATHSIG, if it is killed). Rows:
//
//   ceilings   the Redis write loop (pipelined HSETs of a stored case's size) and Redis PING
//              latency; the echo service at every in-flight level
//   submit     the router with no desks on an empty queue at every in-flight level,
//              alternating echo and router per level and round, so that each router figure
//              has an echo figure taken moments before it (the machine is shared and noisy)
//   queued     the router after recovering `queued` seeded open cases, at the queued levels;
//              then restarted with the queue limit at that size: every submission refused
//   desks      per desk count: the maximum (closed loop) with desks accepting and completing,
//              then half of that rate (open loop): submit-to-offer latency
//   burst      `burst_cases` public posts within a second on top of phone, chat and email at
//              a steady rate, with desks: what is refused, how fast, and memory after
//
// A row that cannot run (too many desks for this machine or this router) is reported with
// the reason, and the matrix goes on. The report says which targets of issue 10 the figures
// meet (Targets in RenderMarkdown); it never fails because of speed.
//
//   MatrixOptions options;
//   options.router_binary = "build/router/caserouter";
//   options.echo_binary = "build/tools/caserouter-load";   // runs `caserouter-load echo`
//   absl::StatusOr<MatrixReport> report = RunMatrix(options);
//   std::cout << RenderMarkdown(*report);
//
// Thread safety: one matrix per process at a time. Errors: INVALID_ARGUMENT for bad options,
// NOT_FOUND when a binary is missing, UNAVAILABLE when Redis or the echo service cannot start
// (a router row that fails is reported in its row instead).
#ifndef CASEROUTER_TOOLS_LOAD_MATRIX_H_
#define CASEROUTER_TOOLS_LOAD_MATRIX_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tools/load/load_driver.h"
#include "tools/load/redis_probe.h"

namespace caserouter::load {

struct MatrixOptions {
  std::string router_binary;
  std::string echo_binary;
  std::string redis_binary = "redis-server";
  std::string work_dir;  // logs, configuration, Redis files; empty: a new temp dir, removed after

  absl::Duration warmup = absl::Seconds(1);
  absl::Duration duration = absl::Seconds(8);
  int rounds = 2;
  std::vector<int> in_flight = {1, 32, 128};
  std::vector<int> queued_in_flight = {32, 128};
  int64_t queued = 100000;
  std::vector<int> desks = {10, 100, 1000, 10000};
  int burst_cases = 10000;
  int burst_desks = 100;
  absl::Duration burst_settle = absl::Seconds(6);  // measured after the burst, for memory
  int subject_bytes = 120;
  absl::Duration ceiling_duration = absl::Seconds(3);

  // One line per step, for a person watching (stderr); may be empty.
  std::function<void(const std::string&)> progress;
};

// One measured phase of the matrix.
struct Measurement {
  bool ran = false;
  std::string failure;  // why it did not run or did not finish, when !ran
  std::string system;   // "echo" or "router"
  int in_flight = 0;    // closed loop; 0 for open loop
  double rate = 0;      // open loop
  int desks = 0;
  int64_t queued = 0;  // open cases when the phase began
  int round = 0;
  LoadResult result;
};

struct DeskRow {
  int desks = 0;
  absl::Duration setup;  // agents created and desks connected
  Measurement max;       // closed loop
  Measurement half;      // open loop at half of max's throughput
};

struct MatrixReport {
  std::string machine;  // cores, memory, kernel, Redis version
  std::string started;  // UTC
  absl::Duration elapsed;

  CeilingResult redis_ceiling;
  int redis_ceiling_depth = 0;
  absl::Duration redis_ping_p50, redis_ping_p99;

  std::vector<Measurement> submit;  // echo and router, every level and round
  std::vector<Measurement> queued;
  absl::Duration recovery;    // router start to SERVING with `queued` open cases
  int64_t rss_empty = 0;      // a router just started on an empty Redis
  int64_t rss_recovered = 0;  // ... and just after recovering `queued` open cases
  int subject_bytes = 0;
  Measurement full_queue;
  std::vector<DeskRow> desks;
  Measurement burst;
  int burst_cases = 0;
};

absl::StatusOr<MatrixReport> RunMatrix(const MatrixOptions& options);

// The report as markdown: tables of the rows above and the targets of issue 10 with a
// verdict each ("met", "not yet", "not measured").
std::string RenderMarkdown(const MatrixReport& report);

}  // namespace caserouter::load

#endif  // CASEROUTER_TOOLS_LOAD_MATRIX_H_
