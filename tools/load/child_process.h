// ChildProcess: a server the load matrix starts for itself (redis-server, the router, the echo
// service), on loopback, and stops.
//
// The child gets PR_SET_PDEATHSIG(SIGKILL), so it dies with the load generator even when that
// is killed; its stderr (and stdout unless a ports line is awaited) go to a log file. A server
// started with --print_ports prints "grpc_port=N ..." on stdout once listening: Start can wait
// for that first line and hand it back. A bare program name is looked up on PATH.
//
//   absl::StatusOr<std::unique_ptr<ChildProcess>> router = ChildProcess::Start(
//       {"build/router/caserouter", "--print_ports", ...}, "/tmp/x/router.log",
//       /*await_first_line=*/true);
//   int port = ParsePort((*router)->first_line(), "grpc_port");
//   (*router)->Terminate();   // SIGTERM, then SIGKILL after the grace
//
// Thread safety: not thread-safe; pid() may be read from any thread. Errors: INTERNAL when
// the process cannot be created, UNAVAILABLE when it exits or prints nothing within the
// timeout (the message names the log).
#ifndef CASEROUTER_TOOLS_LOAD_CHILD_PROCESS_H_
#define CASEROUTER_TOOLS_LOAD_CHILD_PROCESS_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace caserouter::load {

class ChildProcess {
 public:
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(
      const std::vector<std::string>& argv, const std::string& log_path, bool await_first_line,
      absl::Duration timeout = absl::Seconds(60));
  ~ChildProcess();  // Terminate()
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  const std::string& first_line() const { return first_line_; }
  // True while the process has not exited.
  bool Running();
  // SIGTERM, then SIGKILL once `grace` passed; returns the exit code (-1 if killed).
  int Terminate(absl::Duration grace = absl::Seconds(10));

 private:
  ChildProcess() = default;
  pid_t pid_ = -1;
  std::string first_line_;
};

// The value of "<key>=N" in a ports line; 0 when absent.
int ParsePort(absl::string_view line, absl::string_view key);

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0 and released), for
// servers that cannot bind port 0 and report it (redis-server).
absl::StatusOr<int> FreeLoopbackPort();

}  // namespace caserouter::load

#endif  // CASEROUTER_TOOLS_LOAD_CHILD_PROCESS_H_
