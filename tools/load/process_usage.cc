#include "tools/load/process_usage.h"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace caserouter::load {
namespace {

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat(path, ": cannot be read"));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

absl::StatusOr<absl::Duration> ParseStatCpu(absl::string_view stat, int64_t ticks_per_second) {
  const size_t close = stat.rfind(')');
  if (close == absl::string_view::npos || ticks_per_second <= 0) {
    return absl::DataLossError("stat: no command name");
  }
  // After ") " come field 3 (state) onwards; utime and stime are fields 14 and 15.
  std::vector<absl::string_view> fields =
      absl::StrSplit(stat.substr(close + 1), ' ', absl::SkipEmpty());
  constexpr size_t kUtime = 14 - 3;
  constexpr size_t kStime = 15 - 3;
  int64_t utime = 0;
  int64_t stime = 0;
  if (fields.size() <= kStime || !absl::SimpleAtoi(fields[kUtime], &utime) ||
      !absl::SimpleAtoi(fields[kStime], &stime)) {
    return absl::DataLossError("stat: no utime and stime");
  }
  return absl::Seconds(static_cast<double>(utime + stime) / ticks_per_second);
}

absl::Status ParseStatus(absl::string_view status, ProcessUsage* usage) {
  bool threads = false;
  bool rss = false;
  for (absl::string_view line : absl::StrSplit(status, '\n')) {
    if (absl::ConsumePrefix(&line, "Threads:")) {
      threads = absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &usage->threads);
    } else if (absl::ConsumePrefix(&line, "VmRSS:")) {
      line = absl::StripAsciiWhitespace(line);
      int64_t kib = 0;
      rss = absl::ConsumeSuffix(&line, "kB") &&
            absl::SimpleAtoi(absl::StripAsciiWhitespace(line), &kib);
      usage->rss_bytes = kib * 1024;
    }
  }
  if (!threads || !rss) return absl::DataLossError("status: no Threads or VmRSS line");
  return absl::OkStatus();
}

absl::StatusOr<ProcessUsage> ReadProcessUsage(pid_t pid) {
  const std::string dir = absl::StrCat("/proc/", pid, "/");
  absl::StatusOr<std::string> stat = ReadFile(dir + "stat");
  if (!stat.ok()) return stat.status();
  absl::StatusOr<std::string> status = ReadFile(dir + "status");
  if (!status.ok()) return status.status();
  ProcessUsage usage;
  absl::StatusOr<absl::Duration> cpu = ParseStatCpu(*stat, sysconf(_SC_CLK_TCK));
  if (!cpu.ok()) return cpu.status();
  usage.cpu = *cpu;
  if (absl::Status s = ParseStatus(*status, &usage); !s.ok()) return s;
  return usage;
}

}  // namespace caserouter::load
