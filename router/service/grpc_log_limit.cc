#include "router/service/grpc_log_limit.h"

#include <grpc/support/log.h>

#include <atomic>
#include <cstdio>
#include <mutex>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"

namespace caserouter {
namespace {

std::atomic<int64_t> written{0};
std::atomic<int64_t> suppressed{0};

absl::Mutex mu(absl::kConstInit);
absl::Time window_start ABSL_GUARDED_BY(mu) = absl::InfinitePast();
int in_window ABSL_GUARDED_BY(mu) = 0;
int64_t held_back ABSL_GUARDED_BY(mu) = 0;

const char* SeverityName(gpr_log_severity severity) {
  switch (severity) {
    case GPR_LOG_SEVERITY_DEBUG:
      return "debug";
    case GPR_LOG_SEVERITY_INFO:
      return "info";
    default:
      return "error";
  }
}

void LimitedSink(gpr_log_func_args* args) {
  const absl::Time now = absl::Now();
  absl::MutexLock lock(&mu);
  if (now - window_start >= kGrpcLogWindow) {
    window_start = now;
    in_window = 0;
  }
  if (in_window >= kGrpcLogLinesPerWindow) {
    ++held_back;
    suppressed.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  ++in_window;
  written.fetch_add(1, std::memory_order_relaxed);
  const std::string stamp = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", now, absl::UTCTimeZone());
  if (held_back > 0) {
    std::fprintf(stderr, "%s caserouter: grpc: %lld lines held back by the log limit\n",
                 stamp.c_str(), static_cast<long long>(held_back));
    held_back = 0;
  }
  std::fprintf(stderr, "%s caserouter: grpc %s: %s\n", stamp.c_str(), SeverityName(args->severity),
               args->message);
  std::fflush(stderr);
}

}  // namespace

void InstallGrpcLogLimit() {
  static std::once_flag once;
  std::call_once(once, [] { gpr_set_log_function(LimitedSink); });
}

GrpcLogCounts ReadGrpcLogCounts() {
  return GrpcLogCounts{written.load(std::memory_order_relaxed),
                       suppressed.load(std::memory_order_relaxed)};
}

}  // namespace caserouter
