// RedisServer: a real redis-server (or redis-sentinel) for tests, on a free loopback port in its
// own temp dir.
//
// Tests that need Redis start their own server rather than sharing one on a fixed port (see
// STYLE.md). This helper picks a free port (binds 127.0.0.1:0 and reads the port back),
// starts `redis-server --port N --bind 127.0.0.1 --save "" --appendonly yes|no --dir <tmp>
// --daemonize no`, waits until it answers PING (over a raw socket: the helper needs no Redis
// client library), and stops it and removes its directory when destroyed.
//
//   absl::StatusOr<std::unique_ptr<RedisServer>> redis = RedisServer::Start();
//   if (absl::IsNotFound(redis.status())) GTEST_SKIP() << redis.status().message();
//   ASSERT_TRUE(redis.ok()) << redis.status();
//   Connect a client to 127.0.0.1:(*redis)->port() ...
//   (*redis)->Kill();               // the server dies at once (SIGKILL), mid-test
//   ASSERT_TRUE((*redis)->Restart().ok());  // same port and dir; with appendonly, data survives
//
// With appendonly, every write is fsynced before the reply (appendfsync always), so whatever
// a client saw acknowledged survives Kill() + Restart(). The server is started with
// PR_SET_PDEATHSIG, so it dies with the test process even if the test crashes.
//
// Thread safety: not thread-safe; use an instance from one thread. port() may be read from
// any thread. Errors: Start returns NOT_FOUND when redis-server is not on PATH (the caller
// skips the test) — FAILED_PRECONDITION instead when ServersRequired(), so that the caller's
// ASSERT fails — UNAVAILABLE when the server does not start or answer in time (the message
// includes the end of its log), INTERNAL when the temp dir or process cannot be created.
#ifndef CASEROUTER_TESTS_SUPPORT_REDIS_SERVER_H_
#define CASEROUTER_TESTS_SUPPORT_REDIS_SERVER_H_

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace caserouter {

// True when the environment has CASEROUTER_REQUIRE_SERVERS=1 (scripts/test.sh sets it). A
// test that needs a server binary (redis-server, prometheus) must then fail when the binary is
// missing instead of skipping: otherwise a CI image without them goes green having run no
// store, end-to-end or dashboard test.
bool ServersRequired();

// A port the kernel just handed out for 127.0.0.1 (bound to 0, read back, closed), for a
// server that must keep its address across restarts. Another process may take it meanwhile:
// callers retry with a new one when the bind fails.
absl::StatusOr<int> PickFreeLoopbackPort();

class RedisServer {
 public:
  struct Options {
    bool appendonly = false;              // persist to an AOF in the temp dir
    std::vector<std::string> extra_args;  // e.g. {"--requirepass", "secret"}
    absl::Duration start_timeout = absl::Seconds(10);
    // A Redis Sentinel instead of a server: `redis-sentinel <dir>/sentinel.conf`, the file
    // holding port, bind and dir, then these lines (e.g. "sentinel monitor m 127.0.0.1 6379 2").
    // Sentinel rewrites the file as it learns; Restart keeps it. extra_args and appendonly are
    // not used.
    bool sentinel = false;
    std::vector<std::string> sentinel_config;
  };

  static absl::StatusOr<std::unique_ptr<RedisServer>> Start(Options options);
  static absl::StatusOr<std::unique_ptr<RedisServer>> Start() { return Start(Options()); }

  // Full path of `name` (redis-server, redis-sentinel) found on PATH; NOT_FOUND when missing
  // (FAILED_PRECONDITION when ServersRequired()).
  static absl::StatusOr<std::string> FindBinary(const std::string& name = "redis-server");

  ~RedisServer();  // stops the server (SIGTERM, then SIGKILL) and removes its directory
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  int port() const { return port_; }
  const std::string& dir() const { return dir_; }
  bool running() const { return pid_ > 0; }
  // The server's process id while running (e.g. to SIGSTOP it in a timeout test), else -1.
  pid_t pid() const { return pid_; }

  // SIGKILL, and waits until the process is gone. No-op when not running.
  void Kill();
  // Starts the server again on the same port and dir and waits for PING. FAILED_PRECONDITION
  // when it is still running.
  absl::Status Restart();
  // PING over a raw socket: OK on +PONG (or -NOAUTH from a server with a password),
  // UNAVAILABLE otherwise.
  absl::Status Ping() const;
  // One command over a raw socket (RESP), for tests that steer the server (REPLICAOF, SAVE,
  // SENTINEL ...). The reply flattened: strings and numbers joined by single spaces, nil as
  // "(nil)"; an error reply is FAILED_PRECONDITION with its text. UNAVAILABLE when the server
  // does not answer within `timeout`.
  absl::StatusOr<std::string> Command(const std::vector<std::string>& args,
                                      absl::Duration timeout = absl::Seconds(5)) const;

 private:
  RedisServer(std::string binary, Options options, std::string dir, int port);
  absl::Status Launch();  // starts the process and waits for PING
  std::string LogTail() const;

  std::string binary_;
  Options options_;
  std::string dir_;
  int port_;
  pid_t pid_ = -1;
};

}  // namespace caserouter

#endif  // CASEROUTER_TESTS_SUPPORT_REDIS_SERVER_H_
