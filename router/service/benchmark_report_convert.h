// The benchmark report (issue 17) on the wire: GetBenchmarkReport's request → the precision
// asked for, and the engine's BenchmarkReport → GetBenchmarkReportResponse.
//
// Errors: INVALID_ARGUMENT naming the field for a negative or non-finite precision.
// Thread safety: pure functions.
#ifndef CASEROUTER_ROUTER_SERVICE_BENCHMARK_REPORT_CONVERT_H_
#define CASEROUTER_ROUTER_SERVICE_BENCHMARK_REPORT_CONVERT_H_

#include "absl/status/statusor.h"
#include "caserouter/v1/supervision.pb.h"
#include "router/engine/benchmark_tracking.h"
#include "router/policy/benchmark_stats.h"

namespace caserouter {

// 0 (unset) keeps each measure's default precision.
absl::StatusOr<BenchmarkPrecision> PrecisionFromProto(const v1::GetBenchmarkReportRequest& r);
void BenchmarkReportToProto(const BenchmarkReport& report, v1::GetBenchmarkReportResponse* out);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_BENCHMARK_REPORT_CONVERT_H_
