#include "tests/support/redis_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/clock.h"

namespace caserouter {
namespace {

constexpr int kPortAttempts = 5;

// A port the kernel just handed out for 127.0.0.1. Another process may take it before
// redis-server binds it; Start retries with a new port when that happens.
absl::StatusOr<int> PickFreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    std::string error = std::strerror(errno);
    close(fd);
    return absl::InternalError(absl::StrCat("bind 127.0.0.1:0: ", error));
  }
  close(fd);
  return ntohs(addr.sin_port);
}

absl::StatusOr<std::string> MakeTempDir() {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string templ =
      absl::StrCat(base != nullptr && *base != '\0' ? base : "/tmp", "/caserouter-redis-XXXXXX");
  if (mkdtemp(templ.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("mkdtemp ", templ, ": ", std::strerror(errno)));
  }
  return templ;
}

bool SendAll(int fd, absl::string_view data) {
  while (!data.empty()) {
    ssize_t n = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n <= 0) return false;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

absl::StatusOr<int> PickFreeLoopbackPort() { return PickFreePort(); }

bool ServersRequired() {
  const char* value = std::getenv("CASEROUTER_REQUIRE_SERVERS");
  return value != nullptr && absl::string_view(value) == "1";
}

absl::StatusOr<std::string> RedisServer::FindBinary(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (path != nullptr) {
    for (absl::string_view dir : absl::StrSplit(path, ':', absl::SkipEmpty())) {
      std::string candidate = absl::StrCat(dir, "/", name);
      if (access(candidate.c_str(), X_OK) == 0) return candidate;
    }
  }
  if (ServersRequired()) {
    return absl::FailedPreconditionError(
        absl::StrCat(name, " not found on PATH and CASEROUTER_REQUIRE_SERVERS=1 (install the ",
                     name, " package)"));
  }
  return absl::NotFoundError(
      absl::StrCat(name, " not found on PATH (install the ", name, " package to run this test)"));
}

absl::StatusOr<std::unique_ptr<RedisServer>> RedisServer::Start(Options options) {
  absl::StatusOr<std::string> binary =
      FindBinary(options.sentinel ? "redis-sentinel" : "redis-server");
  if (!binary.ok()) return binary.status();
  absl::Status last = absl::UnavailableError("redis-server did not start");
  for (int attempt = 0; attempt < kPortAttempts; ++attempt) {
    absl::StatusOr<std::string> dir = MakeTempDir();
    if (!dir.ok()) return dir.status();
    absl::StatusOr<int> port = PickFreePort();
    if (!port.ok()) return port.status();
    std::unique_ptr<RedisServer> server(new RedisServer(*binary, options, *dir, *port));
    last = server->Launch();
    if (last.ok()) return server;
    // Lost the port to another process between picking and binding it: try another.
    if (!absl::StrContains(server->LogTail(), "in use")) break;
  }
  return last;
}

RedisServer::RedisServer(std::string binary, Options options, std::string dir, int port)
    : binary_(std::move(binary)), options_(std::move(options)), dir_(std::move(dir)), port_(port) {}

RedisServer::~RedisServer() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    absl::Time deadline = absl::Now() + absl::Seconds(5);
    while (waitpid(pid_, nullptr, WNOHANG) == 0) {
      if (absl::Now() > deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, nullptr, 0);
        break;
      }
      absl::SleepFor(absl::Milliseconds(10));
    }
    pid_ = -1;
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

void RedisServer::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

absl::Status RedisServer::Restart() {
  if (pid_ > 0) return absl::FailedPreconditionError("redis-server is still running");
  return Launch();
}

absl::Status RedisServer::Launch() {
  // Everything the child needs is prepared before fork: after fork, a multithreaded parent's
  // child may only make async-signal-safe calls.
  std::vector<std::string> args = {binary_,
                                   "--port",
                                   absl::StrCat(port_),
                                   "--bind",
                                   "127.0.0.1",
                                   "--save",
                                   "",
                                   "--appendonly",
                                   options_.appendonly ? "yes" : "no",
                                   "--appendfsync",
                                   "always",
                                   "--dir",
                                   dir_,
                                   "--daemonize",
                                   "no"};
  for (const std::string& a : options_.extra_args) args.push_back(a);
  if (options_.sentinel) {
    const std::string conf = absl::StrCat(dir_, "/sentinel.conf");
    if (access(conf.c_str(), F_OK) != 0) {  // a restart keeps what Sentinel learnt
      std::ofstream out(conf);
      out << "port " << port_ << "\nbind 127.0.0.1\ndir " << dir_ << "\n";
      for (const std::string& line : options_.sentinel_config) out << line << "\n";
      if (!out) return absl::InternalError(absl::StrCat("cannot write ", conf));
    }
    args = {binary_, conf};
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::string log_path = absl::StrCat(dir_, "/redis.log");
  int log_fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) {
    return absl::InternalError(absl::StrCat("open ", log_path, ": ", std::strerror(errno)));
  }
  const pid_t parent = getpid();

  pid_t pid = fork();
  if (pid < 0) {
    close(log_fd);
    return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  }
  if (pid == 0) {
    // Die with the test process, even if it crashes.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(127);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, STDIN_FILENO);
    dup2(log_fd, STDOUT_FILENO);
    dup2(log_fd, STDERR_FILENO);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(log_fd);
  pid_ = pid;

  absl::Time deadline = absl::Now() + options_.start_timeout;
  for (;;) {
    int wstatus = 0;
    if (waitpid(pid_, &wstatus, WNOHANG) == pid_) {
      pid_ = -1;
      return absl::UnavailableError(
          absl::StrCat("redis-server exited during start-up; log: ", LogTail()));
    }
    if (Ping().ok()) return absl::OkStatus();
    if (absl::Now() > deadline) {
      Kill();
      return absl::UnavailableError(absl::StrCat("redis-server did not answer PING within ",
                                                 absl::FormatDuration(options_.start_timeout),
                                                 "; log: ", LogTail()));
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
}

absl::Status RedisServer::Ping() const {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("socket: ", std::strerror(errno)));
  timeval tv{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  std::string reply;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      SendAll(fd, "PING\r\n")) {
    char buf[256];
    while (!absl::StrContains(reply, "\r\n")) {
      ssize_t n = recv(fd, buf, sizeof(buf), 0);
      if (n <= 0) break;
      reply.append(buf, static_cast<size_t>(n));
    }
  }
  close(fd);
  // A server still loading its AOF answers -LOADING: not ready yet. One started with
  // --requirepass answers -NOAUTH: it is up.
  if (absl::StartsWith(reply, "+PONG") || absl::StartsWith(reply, "-NOAUTH")) {
    return absl::OkStatus();
  }
  return absl::UnavailableError(absl::StrCat("no PONG from 127.0.0.1:", port_));
}

namespace {

// Reads one RESP reply from `fd` into `out` (flattened), buffering in `buffer`.
class RespReader {
 public:
  explicit RespReader(int fd) : fd_(fd) {}

  absl::Status Read(std::string* out) {
    std::string line;
    if (absl::Status s = Line(&line); !s.ok()) return s;
    if (line.empty()) return absl::UnavailableError("empty reply");
    const char type = line[0];
    const std::string rest = line.substr(1);
    switch (type) {
      case '+':
      case ':':
        Append(out, rest);
        return absl::OkStatus();
      case '-':
        return absl::FailedPreconditionError(rest);
      case '$': {
        long long n = std::atoll(rest.c_str());  // NOLINT(runtime/int)
        if (n < 0) {
          Append(out, "(nil)");
          return absl::OkStatus();
        }
        std::string bulk;
        if (absl::Status s = Bytes(static_cast<size_t>(n) + 2, &bulk); !s.ok()) return s;
        Append(out, bulk.substr(0, static_cast<size_t>(n)));
        return absl::OkStatus();
      }
      case '*': {
        long long n = std::atoll(rest.c_str());  // NOLINT(runtime/int)
        if (n < 0) {
          Append(out, "(nil)");
          return absl::OkStatus();
        }
        for (long long i = 0; i < n; ++i) {  // NOLINT(runtime/int)
          if (absl::Status s = Read(out); !s.ok()) return s;
        }
        return absl::OkStatus();
      }
      default:
        return absl::UnavailableError("not a RESP reply");
    }
  }

 private:
  static void Append(std::string* out, absl::string_view word) {
    if (!out->empty()) out->push_back(' ');
    out->append(word.data(), word.size());
  }
  absl::Status Fill() {
    char chunk[4096];
    ssize_t n = recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) return absl::UnavailableError("no reply");
    buffer_.append(chunk, static_cast<size_t>(n));
    return absl::OkStatus();
  }
  absl::Status Line(std::string* line) {
    for (;;) {
      size_t end = buffer_.find("\r\n");
      if (end != std::string::npos) {
        *line = buffer_.substr(0, end);
        buffer_.erase(0, end + 2);
        return absl::OkStatus();
      }
      if (absl::Status s = Fill(); !s.ok()) return s;
    }
  }
  absl::Status Bytes(size_t n, std::string* out) {
    while (buffer_.size() < n) {
      if (absl::Status s = Fill(); !s.ok()) return s;
    }
    *out = buffer_.substr(0, n);
    buffer_.erase(0, n);
    return absl::OkStatus();
  }

  const int fd_;
  std::string buffer_;
};

}  // namespace

absl::StatusOr<std::string> RedisServer::Command(const std::vector<std::string>& args,
                                                 absl::Duration timeout) const {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return absl::UnavailableError(absl::StrCat("socket: ", std::strerror(errno)));
  timeval tv = absl::ToTimeval(timeout);
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port_));
  std::string request = absl::StrCat("*", args.size(), "\r\n");
  for (const std::string& a : args) absl::StrAppend(&request, "$", a.size(), "\r\n", a, "\r\n");
  std::string reply;
  absl::Status status = absl::UnavailableError(absl::StrCat("cannot reach 127.0.0.1:", port_));
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 && SendAll(fd, request)) {
    status = RespReader(fd).Read(&reply);
  }
  close(fd);
  if (!status.ok()) return status;
  return reply;
}

std::string RedisServer::LogTail() const {
  std::ifstream in(absl::StrCat(dir_, "/redis.log"));
  std::stringstream ss;
  ss << in.rdbuf();
  std::string log = ss.str();
  constexpr size_t kTail = 1500;
  return log.size() > kTail ? log.substr(log.size() - kTail) : log;
}

}  // namespace caserouter
