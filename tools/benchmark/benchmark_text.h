// The text `caserouter-benchmark report` prints: a live benchmark's GetBenchmarkReport answer
// as a table per arm and a line per difference (issue 17).
//
//   benchmark running (slots) at 2026-12-02T01:30:00Z
//   arm        strategy      cases  left-out  open  fcr-pending  fcr               ...
//   outcome    outcome          412        31     9           40  0.712 ± 0.046 (n=301) ...
//   idle vs outcome: fcr -0.051 [-0.117, 0.015] raw -0.060, need 2140 more cases for ±0.02 ...
//
// Thread safety: pure. Errors: none.
#ifndef CASEROUTER_TOOLS_BENCHMARK_BENCHMARK_TEXT_H_
#define CASEROUTER_TOOLS_BENCHMARK_BENCHMARK_TEXT_H_

#include <string>

#include "caserouter/v1/supervision.pb.h"

namespace caserouter {

std::string BenchmarkReportText(const v1::GetBenchmarkReportResponse& report,
                                const v1::GetBenchmarkReportRequest& asked);

}  // namespace caserouter

#endif  // CASEROUTER_TOOLS_BENCHMARK_BENCHMARK_TEXT_H_
