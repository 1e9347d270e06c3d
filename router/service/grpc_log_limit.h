// GrpcLogLimit: gRPC's own log lines (gpr_log) through a limit, so that no client can make
// the router write a line per request or per connection (a failed TLS handshake, a broken
// HTTP/2 preface, a hostile peer's garbage each log an error in gRPC 1.51).
//
// Once installed, at most kLinesPerWindow lines per kWindow reach stderr, each with the
// router's timestamp; the rest are counted, and the next line written says how many were
// held back. The counts are process-wide (gpr_log is); the server exports them as
// caserouter_grpc_log_lines_total{written="true"|"false"}.
//
//   InstallGrpcLogLimit();                  // once, before the first gRPC object
//   GrpcLogCounts counts = ReadGrpcLogCounts();
//
// Thread safety: gRPC calls the sink from any thread; it takes a mutex per line.
#ifndef CASEROUTER_ROUTER_SERVICE_GRPC_LOG_LIMIT_H_
#define CASEROUTER_ROUTER_SERVICE_GRPC_LOG_LIMIT_H_

#include <cstdint>

#include "absl/time/time.h"

namespace caserouter {

inline constexpr int kGrpcLogLinesPerWindow = 20;
inline constexpr absl::Duration kGrpcLogWindow = absl::Minutes(1);

struct GrpcLogCounts {
  int64_t written = 0;
  int64_t suppressed = 0;
};

// Idempotent.
void InstallGrpcLogLimit();
GrpcLogCounts ReadGrpcLogCounts();

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_GRPC_LOG_LIMIT_H_
