// Stored cases for a load run: a queue preloaded straight into the router's Redis, and the
// stored form of one case as the Redis ceiling's record.
//
// "Throughput at 100k queued" needs 100,000 open cases before the run. Submitting them over
// gRPC would take minutes at today's rates, so SeedQueue writes them the way the router
// itself does — RedisStateStore commits of whole Case records (same codec, same keys) under
// a lease it takes and releases — and the router finds them when it starts and recovers. The
// seeded cases are email (the longest time to live), need a skill no load desk has, and have
// customers and idempotency keys of their own, so they only wait.
//
//   absl::Status s = SeedQueue({.redis_port = port, .domain = "load", .cases = 100000});
//   FieldList record = SampleCaseRecord(120);   // what one HSET of a case writes
//
// Thread safety: pure function (SampleCaseRecord) and a call that uses its own connection
// (SeedQueue). Errors: INVALID_ARGUMENT for bad options, UNAVAILABLE when Redis cannot be
// reached, FAILED_PRECONDITION when a live router holds the domain's lease.
#ifndef CASEROUTER_TOOLS_LOAD_STORED_CASES_H_
#define CASEROUTER_TOOLS_LOAD_STORED_CASES_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "router/store/record_codec.h"

namespace caserouter::load {

struct SeedOptions {
  int redis_port = 0;  // on 127.0.0.1
  std::string domain;
  int64_t cases = 0;
  int batch = 1000;  // cases per commit
  int subject_bytes = 120;
  absl::Time now = absl::InfinitePast();  // when the cases were queued; InfinitePast = absl::Now()
};

absl::Status SeedQueue(const SeedOptions& options);

// The stored fields of a queued chat case with a subject of `subject_bytes`, as the router
// writes it after a submission.
FieldList SampleCaseRecord(int subject_bytes);

}  // namespace caserouter::load

#endif  // CASEROUTER_TOOLS_LOAD_STORED_CASES_H_
