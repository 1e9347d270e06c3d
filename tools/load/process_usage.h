// ProcessUsage: what a process costs the machine, read from Linux's /proc.
//
// A load run compares the router with a trivial echo service by what each spends per call:
// CPU time (utime + stime of /proc/<pid>/stat, all threads, in clock ticks of 10 ms on this
// kernel, so a figure needs a run of seconds to mean something), threads and resident memory
// (Threads and VmRSS of /proc/<pid>/status). The parsers are pure functions over the files'
// text so that the test can feed them samples; ReadProcessUsage does the reading.
//
//   absl::StatusOr<ProcessUsage> before = ReadProcessUsage(pid);
//   ... load ...
//   absl::StatusOr<ProcessUsage> after = ReadProcessUsage(pid);
//   absl::Duration cpu = after->cpu - before->cpu;
//
// Thread safety: pure functions; ReadProcessUsage may be called from any thread. Errors:
// NOT_FOUND when the process is gone, DATA_LOSS when a file does not have the expected shape.
#ifndef CASEROUTER_TOOLS_LOAD_PROCESS_USAGE_H_
#define CASEROUTER_TOOLS_LOAD_PROCESS_USAGE_H_

#include <sys/types.h>

#include <cstdint>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace caserouter::load {

struct ProcessUsage {
  absl::Duration cpu;  // user + system time of all threads so far
  int threads = 0;
  int64_t rss_bytes = 0;  // resident set size now
};

// utime + stime from the text of /proc/<pid>/stat, at `ticks_per_second`. The command name
// (field 2) may hold spaces and parentheses, so fields are counted after its last ')'.
absl::StatusOr<absl::Duration> ParseStatCpu(absl::string_view stat, int64_t ticks_per_second);
// Threads and VmRSS (kB) from the text of /proc/<pid>/status.
absl::Status ParseStatus(absl::string_view status, ProcessUsage* usage);

absl::StatusOr<ProcessUsage> ReadProcessUsage(pid_t pid);

}  // namespace caserouter::load

#endif  // CASEROUTER_TOOLS_LOAD_PROCESS_USAGE_H_
