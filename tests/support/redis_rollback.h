// Redis that loses its latest writes, for tests: a snapshot of the keys matching a pattern
// (DUMP and PTTL of each), and a rollback to it (every key matching the pattern now is deleted,
// the snapshot's keys are RESTOREd with what was left of their expiry).
//
// It stands in for what a power loss with appendfsync everysec, or the promotion of an
// asynchronous replica, does to a routing domain: the store forgets everything written after
// some moment — records, counters, the lease and the epoch — at once. It works on a live server,
// so a test needs no restart and no fixed timing.
//
//   absl::StatusOr<RedisKeySnapshot> before = SnapshotKeys(port, "cr:{d}:*");
//   ... writes acknowledged to clients ...
//   ASSERT_TRUE(RollBackKeys(port, *before).ok());   // the store forgot them
//
// Thread safety: plain functions; each opens its own connection. Errors: UNAVAILABLE when the
// server cannot be reached or answers unexpectedly.
#ifndef CASEROUTER_TESTS_SUPPORT_REDIS_ROLLBACK_H_
#define CASEROUTER_TESTS_SUPPORT_REDIS_ROLLBACK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace caserouter {

struct RedisKeySnapshot {
  struct Key {
    std::string name;
    std::string dump;  // DUMP's serialized value
    int64_t ttl_ms;    // PTTL; 0 = no expiry
  };
  std::string pattern;  // a SCAN MATCH glob
  std::vector<Key> keys;
};

absl::StatusOr<RedisKeySnapshot> SnapshotKeys(int port, absl::string_view pattern);
absl::Status RollBackKeys(int port, const RedisKeySnapshot& snapshot);

}  // namespace caserouter

#endif  // CASEROUTER_TESTS_SUPPORT_REDIS_ROLLBACK_H_
