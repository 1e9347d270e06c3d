#include "tools/load/child_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"

namespace caserouter::load {

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Start(
    const std::vector<std::string>& argv, const std::string& log_path, bool await_first_line,
    absl::Duration timeout) {
  if (argv.empty()) return absl::InvalidArgumentError("child: no command");
  int out[2] = {-1, -1};
  if (await_first_line && pipe2(out, O_CLOEXEC) != 0) return absl::InternalError("pipe");
  const int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log < 0) return absl::InternalError(absl::StrCat("cannot open ", log_path));
  std::vector<std::string> strings = argv;
  std::vector<char*> args;
  for (std::string& a : strings) args.push_back(a.data());
  args.push_back(nullptr);

  const pid_t pid = fork();
  if (pid < 0) return absl::InternalError("fork");
  if (pid == 0) {
    // Only async-signal-safe calls between fork and exec.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    dup2(await_first_line ? out[1] : log, STDOUT_FILENO);
    dup2(log, STDERR_FILENO);
    // The router waits for its signals with sigwait; give it a clean mask.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execvp(args[0], args.data());  // a bare name is looked up on PATH
    _exit(127);
  }
  close(log);
  auto child = std::unique_ptr<ChildProcess>(new ChildProcess());
  child->pid_ = pid;
  if (!await_first_line) return child;

  close(out[1]);
  std::string text;
  const absl::Time deadline = absl::Now() + timeout;
  while (text.find('\n') == std::string::npos && absl::Now() < deadline && child->Running()) {
    pollfd p{out[0], POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char buffer[256];
    const ssize_t n = read(out[0], buffer, sizeof(buffer));
    if (n <= 0) break;
    text.append(buffer, static_cast<size_t>(n));
  }
  // The servers this starts print nothing on stdout after their ports line.
  close(out[0]);
  const size_t newline = text.find('\n');
  if (newline == std::string::npos) {
    return absl::UnavailableError(
        absl::StrCat(argv[0], " printed no ports line in time; see ", log_path));
  }
  child->first_line_ = text.substr(0, newline);
  return child;
}

ChildProcess::~ChildProcess() { Terminate(); }

bool ChildProcess::Running() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

int ChildProcess::Terminate(absl::Duration grace) {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  const absl::Time deadline = absl::Now() + grace;
  int status = 0;
  while (absl::Now() < deadline) {
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
  return -1;
}

int ParsePort(absl::string_view line, absl::string_view key) {
  for (absl::string_view item : absl::StrSplit(line, ' ', absl::SkipEmpty())) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(item, '=');
    int port = 0;
    if (kv.first == key && absl::SimpleAtoi(kv.second, &port)) return port;
  }
  return 0;
}

absl::StatusOr<int> FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::InternalError("socket");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    close(fd);
    return absl::InternalError("bind 127.0.0.1:0");
  }
  close(fd);
  return static_cast<int>(ntohs(address.sin_port));
}

}  // namespace caserouter::load
