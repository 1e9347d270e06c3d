#include "tests/support/redis_server.h"

#include <cstdlib>
#include <filesystem>
#include <string>

#include "gtest/gtest.h"

namespace caserouter {
namespace {

#define START_REDIS_OR_SKIP(var, options)                                         \
  absl::StatusOr<std::unique_ptr<RedisServer>> var = RedisServer::Start(options); \
  if (absl::IsNotFound(var.status())) GTEST_SKIP() << var.status().message();     \
  ASSERT_TRUE(var.ok()) << var.status()

TEST(RedisServerTest, StartsOnALoopbackPortAndStopsWhenDestroyed) {
  std::string dir;
  int port = 0;
  {
    START_REDIS_OR_SKIP(redis, RedisServer::Options());
    port = (*redis)->port();
    dir = (*redis)->dir();
    EXPECT_GT(port, 0);
    EXPECT_TRUE((*redis)->running());
    EXPECT_TRUE((*redis)->Ping().ok());
    EXPECT_TRUE(std::filesystem::is_directory(dir));
  }
  EXPECT_FALSE(std::filesystem::exists(dir));
}

TEST(RedisServerTest, KillThenRestartOnTheSamePort) {
  RedisServer::Options options;
  options.appendonly = true;
  START_REDIS_OR_SKIP(redis, options);
  RedisServer& server = **redis;
  int port = server.port();
  server.Kill();
  EXPECT_FALSE(server.running());
  EXPECT_EQ(server.Ping().code(), absl::StatusCode::kUnavailable);
  ASSERT_TRUE(server.Restart().ok());
  EXPECT_EQ(server.port(), port);
  EXPECT_TRUE(server.Ping().ok());
  EXPECT_EQ(server.Restart().code(), absl::StatusCode::kFailedPrecondition);
}

TEST(RedisServerTest, TwoServersGetDifferentPorts) {
  START_REDIS_OR_SKIP(a, RedisServer::Options());
  START_REDIS_OR_SKIP(b, RedisServer::Options());
  EXPECT_NE((*a)->port(), (*b)->port());
  EXPECT_NE((*a)->dir(), (*b)->dir());
}

TEST(RedisServerTest, BadArgumentsReportTheLog) {
  absl::StatusOr<std::string> binary = RedisServer::FindBinary();
  if (absl::IsNotFound(binary.status())) GTEST_SKIP() << binary.status().message();
  ASSERT_TRUE(binary.ok()) << binary.status();
  RedisServer::Options options;
  options.extra_args = {"--no-such-option", "1"};
  absl::StatusOr<std::unique_ptr<RedisServer>> redis = RedisServer::Start(options);
  EXPECT_EQ(redis.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(redis.status().message().find("no-such-option"), absl::string_view::npos)
      << redis.status();
}

// Restores an environment variable when the scope ends.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) {
    const char* old = std::getenv(name);
    if (old != nullptr) old_ = old;
    had_ = old != nullptr;
    if (value != nullptr) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnv() {
    if (had_) {
      setenv(name_, old_.c_str(), 1);
    } else {
      unsetenv(name_);
    }
  }

 private:
  const char* name_;
  std::string old_;
  bool had_ = false;
};

TEST(RedisServerTest, AMissingBinarySkipsUnlessServersAreRequired) {
  ScopedEnv path("PATH", "/nonexistent");
  {
    ScopedEnv require("CASEROUTER_REQUIRE_SERVERS", nullptr);
    EXPECT_FALSE(ServersRequired());
    absl::StatusOr<std::unique_ptr<RedisServer>> redis = RedisServer::Start();
    EXPECT_EQ(redis.status().code(), absl::StatusCode::kNotFound);
    EXPECT_NE(redis.status().message().find("redis-server"), absl::string_view::npos);
  }
  ScopedEnv require("CASEROUTER_REQUIRE_SERVERS", "1");
  EXPECT_TRUE(ServersRequired());
  // Not NOT_FOUND: every caller skips only on NOT_FOUND, so this one fails its ASSERT.
  EXPECT_EQ(RedisServer::Start().status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace caserouter
