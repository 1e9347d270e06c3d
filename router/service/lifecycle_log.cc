#include "router/service/lifecycle_log.h"

#include <cstdio>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace caserouter {

void LogLifecycleLine(const std::string& line) {
  absl::FPrintF(stderr, "%s caserouter: %s\n",
                absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", absl::Now(), absl::UTCTimeZone()), line);
  std::fflush(stderr);
}

}  // namespace caserouter
