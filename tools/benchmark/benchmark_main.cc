// caserouter-benchmark: reads a live benchmark's running comparison (issue 17) from the
// router's SupervisionService.GetBenchmarkReport and prints it (benchmark_text.h).
//
//   caserouter-benchmark report --target=router:50051 --tls_ca=ca.crt
//       --token_file=supervisor.jwt [--fcr_precision=0.02] [--csat_precision=0.1] ...
//
// Exit status: 0 printed; 1 the call failed (the gRPC code and message on stderr); 2 bad usage.
#include <cstdio>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "caserouter/v1/supervision.grpc.pb.h"
#include "tools/benchmark/benchmark_text.h"
#include "tools/client_auth/client_flags.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50051", "the router's gRPC address");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(10), "deadline of the call");
ABSL_FLAG(double, fcr_precision, 0, "half-width wanted for the FCR difference (0 = 0.02)");
ABSL_FLAG(double, csat_precision, 0, "... for CSAT, in points (0 = 0.1)");
ABSL_FLAG(double, answer_seconds_precision, 0, "... for time to answer, in seconds (0 = 5)");
ABSL_FLAG(double, abandonment_precision, 0, "... for abandonment (0 = 0.01)");
ABSL_FLAG(double, service_level_precision, 0, "... for service level (0 = 0.02)");

namespace caserouter {
namespace {

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "caserouter-benchmark report --target=HOST:PORT [security flags] [--<measure>_precision=X]");
  std::vector<char*> args = absl::ParseCommandLine(argc, argv);
  if (args.size() != 2 || std::string(args[1]) != "report") {
    absl::FPrintF(stderr, "caserouter-benchmark: usage: %s\n", absl::ProgramUsageMessage());
    return 2;
  }
  absl::StatusOr<std::string> token = TokenFromFlags();
  if (!token.ok()) {
    absl::FPrintF(stderr, "caserouter-benchmark: %s\n", token.status().message());
    return 2;
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
      OpenChannel(absl::GetFlag(FLAGS_target), ClientSecurityFromFlags(), *token);
  if (!channel.ok()) {
    absl::FPrintF(stderr, "caserouter-benchmark: %s\n", channel.status().message());
    return 2;
  }
  v1::GetBenchmarkReportRequest request;
  request.set_fcr_precision(absl::GetFlag(FLAGS_fcr_precision));
  request.set_csat_precision(absl::GetFlag(FLAGS_csat_precision));
  request.set_answer_seconds_precision(absl::GetFlag(FLAGS_answer_seconds_precision));
  request.set_abandonment_precision(absl::GetFlag(FLAGS_abandonment_precision));
  request.set_service_level_precision(absl::GetFlag(FLAGS_service_level_precision));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::GetFlag(FLAGS_timeout)));
  v1::GetBenchmarkReportResponse response;
  grpc::Status status =
      v1::SupervisionService::NewStub(*channel)->GetBenchmarkReport(&context, request, &response);
  if (!status.ok()) {
    absl::FPrintF(stderr, "caserouter-benchmark: %s: %s\n",
                  absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())),
                  status.error_message());
    return 1;
  }
  absl::PrintF("%s", BenchmarkReportText(response, request));
  return 0;
}

}  // namespace
}  // namespace caserouter

int main(int argc, char** argv) { return caserouter::Main(argc, argv); }
