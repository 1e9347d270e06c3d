// RedisProbe: what the load generator asks of the router's Redis — its counters before and
// after a run — and the machine's ceiling for Redis writes.
//
// Round trips per case come from INFO commandstats. Redis counts the commands a Lua script
// runs as calls of their own (an EVALSHA that writes 40 fields shows as 1 evalsha and 40
// hset), so the number of round trips is not the sum of all calls: it is the calls of what a
// client sends outside a script — EVAL/EVALSHA/FCALL (the store's commit and lease scripts, one
// round trip each) and PING (its health check). A pipelined burst of plain commands (the
// store's Load, at start-up only) is not counted. `commands` is every call but this probe's own
// INFO, scripts' inner commands included: the work Redis does.
//
// The ceiling (WriteCeiling) is a pipelined HSET loop of records of a given shape: batches of
// `depth` HSETs, each batch one round trip, over a bounded key space so that Redis memory does
// not grow with the run. It says how many records of the router's size the machine can write
// when nothing else is in the way.
//
//   absl::StatusOr<std::unique_ptr<RedisProbe>> redis = RedisProbe::Connect("127.0.0.1", port);
//   absl::StatusOr<RedisCounters> before = (*redis)->Counters();
//   ... load ...
//   int64_t round_trips = after->round_trips - before->round_trips;
//
// Thread safety: a RedisProbe is used from one thread at a time. Errors: UNAVAILABLE when
// Redis cannot be reached or answers with an error; INVALID_ARGUMENT for bad arguments. Only
// 127.0.0.1 is accepted as host: load traffic stays on this machine.
#ifndef CASEROUTER_TOOLS_LOAD_REDIS_PROBE_H_
#define CASEROUTER_TOOLS_LOAD_REDIS_PROBE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

struct redisContext;

namespace caserouter::load {

struct RedisCounters {
  int64_t round_trips = 0;  // script calls and PINGs (see above)
  int64_t commands = 0;     // every call but INFO
};

// calls=N of every command in the text of INFO commandstats ("cmdstat_<name>:calls=N,...").
absl::flat_hash_map<std::string, int64_t> ParseCommandStats(absl::string_view info);
// Round trips and commands from those calls.
RedisCounters CountersFromCalls(const absl::flat_hash_map<std::string, int64_t>& calls);

class RedisProbe {
 public:
  static absl::StatusOr<std::unique_ptr<RedisProbe>> Connect(
      const std::string& host, int port, absl::Duration timeout = absl::Seconds(5));
  ~RedisProbe();
  RedisProbe(const RedisProbe&) = delete;
  RedisProbe& operator=(const RedisProbe&) = delete;

  absl::Status Ping();
  // The text of INFO <section>.
  absl::StatusOr<std::string> Info(absl::string_view section);
  absl::StatusOr<RedisCounters> Counters();
  // Empties every database (between scenarios of a matrix on its own private server).
  absl::Status FlushAll();
  absl::StatusOr<int64_t> DbSize();

 private:
  explicit RedisProbe(redisContext* context) : context_(context) {}
  // Runs one command; its reply as text (status, string, or an integer in decimal).
  absl::StatusOr<std::string> Run(const std::vector<std::string>& argv);

  redisContext* context_;
};

struct CeilingOptions {
  std::string host = "127.0.0.1";
  int port = 0;
  // One record's (field, value) pairs, written with one HSET.
  std::vector<std::pair<std::string, std::string>> record;
  int depth = 128;        // HSETs per round trip
  int key_space = 10000;  // records are written to this many keys, round robin
  absl::Duration duration = absl::Seconds(3);
  int64_t max_records = 0;  // > 0: stop after this many (tests)
  std::string key_prefix = "caserouter-load:ceiling:";
};

struct CeilingResult {
  int64_t records = 0;
  int64_t record_bytes = 0;  // field and value bytes of one record
  absl::Duration elapsed;
  double records_per_second() const;
};

// The pipelined write loop. The keys it wrote are deleted at the end.
absl::StatusOr<CeilingResult> WriteCeiling(const CeilingOptions& options);

}  // namespace caserouter::load

#endif  // CASEROUTER_TOOLS_LOAD_REDIS_PROBE_H_
