// LogLifecycle: one line per lifecycle event on stderr (started, leader acquired or lost, store
// unavailable, configuration reloaded, shutdown).
//
// Only ever pass closed-set words, ids of this process, addresses and status codes: never
// customer text, and never a message that could carry it. Thread-safe (one fprintf per line).
// Not for the engine thread: stderr can block when nobody drains it.
#ifndef CASEROUTER_ROUTER_SERVICE_LIFECYCLE_LOG_H_
#define CASEROUTER_ROUTER_SERVICE_LIFECYCLE_LOG_H_

#include <string>

#include "absl/strings/str_format.h"

namespace caserouter {

void LogLifecycleLine(const std::string& line);

template <typename... Args>
void LogLifecycle(const absl::FormatSpec<Args...>& format, const Args&... args) {
  LogLifecycleLine(absl::StrFormat(format, args...));
}

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_LIFECYCLE_LOG_H_
