// RedisStateStore: the production StateStore, on Redis through hiredis.
//
// Key schema, version 1
// ---------------------
// Every key of a routing domain starts with `cr:{<domain>}:`. The braces are a Redis Cluster
// hash tag: all keys of a domain hash to one slot, so one Lua script may touch all of them and
// a domain lives on one shard. Ids inside key names are escaped: every byte outside
// [A-Za-z0-9_.@-] is written %XX (so ':', '{', '}' and '%' in an id cannot break the schema);
// ids in the usual alphabet appear as they are. Records are hashes in the field format of
// record_codec.h (field "v" = record format version).
//
//   cr:{d}:case:<id>               hash   one case; rewritten whole (DEL + HSET) on each upsert.
//                                         A closed case gets PEXPIRE = what is left of its
//                                         retention (closed_time + retention - batch.now).
//                                         Its idempotency keys are fields of it (its own and
//                                         "joined_keys"), so each key is written in the same
//                                         fenced commit as its case and expires with it.
//   cr:{d}:open                    set    <id> of every open case (queued, offered, assigned)
//   cr:{d}:closed                  zset   <id> of closed cases, scored by closed time in unix
//                                         milliseconds with a microsecond fraction; members
//                                         below batch.now - retention are deleted (with their
//                                         case hash) at every commit.
//   cr:{d}:agent:<id>              hash   one agent
//   cr:{d}:agents                  set    <id> of every agent
//   cr:{d}:stats:<agent>:<topic>   hash   quality record of an agent on a topic
//   cr:{d}:stats                   set    "<agent>:<topic>" of every quality record
//   cr:{d}:rel:<customer>:<agent>  hash   relationship of a customer with an agent
//   cr:{d}:rels                    set    "<customer>:<agent>" of every relationship
//   cr:{d}:seq                     string no longer written or read: case ids were a counter
//                                         here until they came to carry random bits instead
//                                         (router/model/case_id.h); may be deleted
//   cr:{d}:events                  stream audit events (XADD MAXLEN ~ 100000), fields time,
//                                         type, case, agent, detail; never read by Load
//   cr:{d}:lease                   string owner of the leadership lease, PX ttl
//   cr:{d}:epoch                   string the fencing epoch: INCRBY a random 1..2^32 on every
//                                         successful acquire (state_store.h says why)
//   (<id> and the index members above are the escaped forms.)
//
// A change to this layout that old code cannot read bumps the version (and the record format
// in record_codec.h); readers refuse records of an unknown version with DATA_LOSS.
//
// Round trips
// -----------
// Commit is one round trip: EVALSHA of a fixed Lua script whose KEYS[1] is the epoch key. The
// script first checks that the epoch still equals the committer's (else the whole batch is
// refused: FAILED_PRECONDITION "fenced out"), then runs the batch's commands passed in ARGV.
// Redis runs a script atomically, so the batch is all or nothing and fenced. Values travel as
// length-delimited arguments, so customer text is binary-safe. If the server has lost the
// script (restart, SCRIPT FLUSH, failover) the NOSCRIPT reply is answered with one EVAL.
// Acquire, Renew and Release are one script each (compare-and-set on the lease). Load reads
// the index sets in one pipelined round trip, then every record's HGETALL in pipelined chunks
// of kLoadChunkRecords, the next chunk sent before the current one is read (Redis serves one
// while the store decodes the other), not one round trip per key. Replies of a load are read
// into one flat buffer (no hiredis reply object per field) and decoded from it into the
// records; the progress callback runs between chunks. Records come back in the order of
// their escaped ids (id order for ids in the usual alphabet), like the memory store's: the
// engine rebuilds ordered maps from them, much faster in order.
// The lease runs on the Redis server's clock (PX), not on the `now` passed in, so replicas
// with skewed clocks agree on when it lapses.
//
// Connection
// ----------
// A store has two connections: one for Commit and Load, one for the lease and Ping, so that
// a leader can renew its lease while it loads a large domain (a load may outlast the lease)
// and a health check never waits behind a load or a large commit.
// Connect never contacts Redis: it returns a store that connects on its first call, so a
// server can start (and report NOT_SERVING) while Redis is down. Each call connects if needed
// (TCP with connect_timeout, AUTH when a password is set, SCRIPT LOAD of the scripts); an I/O
// error, a timeout (command_timeout), a protocol error or an unexpected error reply drops the
// connection and returns UNAVAILABLE, and the next call reconnects. A Commit that returns
// UNAVAILABLE may or may not have been applied (the reply may have been lost); records are
// whole values, so writing the batch again is safe. Connect sets SIGPIPE to SIG_IGN if it is
// still at its default, because a write to a connection Redis closed must be an error, not a
// dead process. hiredis 0.14 has no TLS and no Cluster redirects: point it at a primary, a
// proxy, or Sentinels (below); all of a domain's keys being in one slot keeps that possible.
//
//   RedisOptions options;
//   options.host = "redis";  options.domain = "eu-west";
//   absl::StatusOr<std::unique_ptr<RedisStateStore>> store = RedisStateStore::Connect(options);
//   if (!store.ok()) return store.status();          // bad options only
//   absl::Status up = (*store)->Ping();              // UNAVAILABLE while Redis is down
//
// Sentinel
// --------
// With `sentinels`, the store asks them for the primary (SENTINEL get-master-addr-by-name, one
// after the other until one answers; the one that answered is asked first next time) whenever
// it opens a connection, and checks with ROLE that the server it reached is a primary. It
// learns of a failover three ways: a write refused because the connection broke, a READONLY
// reply (the old primary demoted to a replica), and Sentinel's `+switch-master` message, which
// a watcher thread subscribes to on one Sentinel. Each drops the connection, and the next call
// connects to the primary the Sentinels name. The first call on a connection to a primary other
// than the one before returns UNAVAILABLE ("primary moved"): the engine then steps down and
// rebuilds from the new primary, which may lack the last writes of the old one (without
// min_replicas_acked), rather than keep serving a memory the store no longer has. Fencing is
// unchanged: the epoch lives in the primary's data.
//
// Durability
// ----------
// With min_replicas_acked = n > 0, a Commit (and an AcquireLeadership) returns OK only after
// `WAIT n replica_ack_timeout` says n replicas have the write; fewer is UNAVAILABLE, although
// the primary has it: the engine steps down and its callers are told UNAVAILABLE, so no OK is
// given for a write that a failover to a replica could erase (a retry with the same
// idempotency key finds the case if it survived). What WAIT cannot promise (a replica that
// acknowledged and then lost the write itself) is in docs/reliability.md.
//
// Thread safety: thread-safe; calls are serialized per connection (the engine thread uses
// both, a health check may Ping concurrently). A Load's progress callback may call the lease
// operations and Ping of the same store, not Commit or Load (they wait for the load to end).
// Errors: as StateStore documents — UNAVAILABLE for any connection, timeout, protocol or
// unexpected server error (including a wrong password), FAILED_PRECONDITION when fenced out
// or the lease is held by another owner, DATA_LOSS naming the key and field of a record that
// cannot be decoded (never its value: it may be customer text), INVALID_ARGUMENT for bad
// options, an empty owner or a ttl under one millisecond.
#ifndef CASEROUTER_ROUTER_STORE_REDIS_STATE_STORE_H_
#define CASEROUTER_ROUTER_STORE_REDIS_STATE_STORE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "router/model/random_source.h"
#include "router/store/state_store.h"

namespace caserouter {

struct RedisAddress {
  std::string host;
  int port = 0;
};

struct RedisOptions {
  std::string host = "127.0.0.1";  // the primary, when no Sentinels are named
  int port = 6379;
  // Sentinels to ask for the primary of `master_name` (host and port above are then unused).
  std::vector<RedisAddress> sentinels;
  std::string master_name;
  std::string password;  // sent with AUTH after connecting when not empty
  std::string domain;    // routing domain: the hash tag of every key; required
  absl::Duration connect_timeout = absl::Seconds(1);
  // Per read or write on the socket: how long a hung server takes to be noticed.
  absl::Duration command_timeout = absl::Seconds(2);
  // After each commit and each acquisition of the lease, WAIT until this many replicas have
  // the write, for at most replica_ack_timeout; fewer is UNAVAILABLE (see Durability). 0 = none.
  int min_replicas_acked = 0;
  absl::Duration replica_ack_timeout = absl::Milliseconds(500);
};

class RedisStateStore : public StateStore {
 public:
  static constexpr int kSchemaVersion = 1;
  static constexpr int64_t kEventStreamMaxLen = 100000;

  // Checks the options and returns a store that connects lazily (see above).
  // INVALID_ARGUMENT for an empty domain or host, a port outside 1..65535 or a non-positive
  // timeout.
  static absl::StatusOr<std::unique_ptr<RedisStateStore>> Connect(RedisOptions options);

  ~RedisStateStore() override;
  RedisStateStore(const RedisStateStore&) = delete;
  RedisStateStore& operator=(const RedisStateStore&) = delete;

  // Connects if needed and sends PING. OK when Redis answers, UNAVAILABLE otherwise.
  absl::Status Ping();

  // "cr:{<escaped domain>}:", the prefix of every key of this store's domain.
  const std::string& key_prefix() const { return prefix_; }

  absl::StatusOr<int64_t> AcquireLeadership(absl::string_view owner, absl::Duration ttl,
                                            absl::Time now) override;
  absl::Status RenewLeadership(absl::string_view owner, int64_t epoch, absl::Duration ttl,
                               absl::Time now) override;
  absl::Status ReleaseLeadership(absl::string_view owner) override;
  absl::Status Commit(const Batch& batch, int64_t epoch) override;
  using StateStore::Load;
  absl::StatusOr<StoredState> Load(absl::Time now, const LoadProgress& progress) override;

 private:
  // A hiredis connection and the loaded scripts' hashes. Defined in the .cc, which alone
  // includes <hiredis/hiredis.h>, so that users of this header never see hiredis types.
  class Connection;
  // Where the primary is: the fixed address, or what the Sentinels say (and the watcher of
  // their +switch-master messages).
  class PrimaryLocator;
  explicit RedisStateStore(RedisOptions options);
  // WAIT for min_replicas_acked replicas on `connection` after a write. UNAVAILABLE when fewer
  // answer in time.
  absl::Status AwaitReplicas(Connection& connection, absl::string_view what);

  const RedisOptions options_;
  const std::string prefix_;
  std::unique_ptr<PrimaryLocator> locator_;  // before the connections, which use it
  SystemRandomSource epoch_random_;          // the epoch's increments: see state_store.h
  // Commit and Load.
  absl::Mutex mu_;
  std::unique_ptr<Connection> connection_ ABSL_GUARDED_BY(mu_);
  // The lease and Ping: a lease is renewed while a long Load holds the data connection, and
  // a health check is not held up by one.
  absl::Mutex lease_mu_ ABSL_ACQUIRED_AFTER(mu_);
  std::unique_ptr<Connection> lease_connection_ ABSL_GUARDED_BY(lease_mu_);
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_STORE_REDIS_STATE_STORE_H_
