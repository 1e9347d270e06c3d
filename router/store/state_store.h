// StateStore: the only storage seam of the engine.
//
// The engine keeps all routing state of its routing domain in memory and writes every tick's
// changes as one Batch (group commit): Commit applies a whole batch atomically or not at all,
// and only after it returns OK does the engine answer RPCs or push offers. Load returns what a
// new leader needs to rebuild the domain after a crash or a failover.
//
// Fencing: replicas of a domain compete for a lease. AcquireLeadership succeeds when the lease
// is free, has lapsed, or is already held by `owner`, and then raises the domain's epoch by a
// random amount (1..2^32, from a RandomSource) and returns it. Commit carries that epoch and is
// refused with FAILED_PRECONDITION when the domain's epoch is another (the caller must step
// down). The increment is random, not 1, because a store may forget its latest writes (Redis
// with appendfsync everysec after a power loss, an asynchronous replica promoted): with +1, the
// next leader after such a rollback got the very epoch a deposed leader still held, and both
// could commit. With a random increment two acquisitions made from the same rolled-back state
// share an epoch with odds of 2^-32, so an epoch names one acquisition.
// RenewLeadership is a compare-and-set on the epoch: it extends the lease, or takes it back
// when it lapsed, only while the epoch is still the caller's, i.e. nobody acquired the lease
// since (every acquisition changes the epoch).
//
// Implementations: RedisStateStore (production; key schema in redis_state_store.h) and
// MemoryStateStore (unit tests of the engine). One contract suite (state_store_contract.h)
// runs against both.
//
// Rules every implementation keeps (the contract suite checks them):
//   - within a batch, removed_agents are applied before agents, so an agent removed and
//     re-created in one tick survives;
//   - a domain nobody ever led has epoch 0;
//   - the lease runs on the store's clock: MemoryStateStore uses the `now` passed in,
//     RedisStateStore the Redis server's own clock (PX), ignoring `now`;
//   - Load does not filter by time; retention is applied at commit.
//   - Load reads in chunks and calls its LoadProgress before the first record and after every
//     kLoadChunkRecords records at most, on the calling thread. The callback may acquire,
//     renew or release the lease on the same store (a new leader renews its lease while a
//     large domain loads: a load may take longer than the lease lasts); it must not Commit or
//     Load there. An error from the callback stops the load, which returns that error and
//     leaves the store usable.
//
// Thread safety: the engine uses an instance from its one thread; both implementations are
// nevertheless thread-safe, so a health check may Ping while the engine commits, and the
// lease may be renewed while a Load runs. Errors: UNAVAILABLE when the backing store cannot
// be reached (nothing may be assumed written), FAILED_PRECONDITION when fenced out or the
// lease is held by another owner, DATA_LOSS when a stored record cannot be decoded.
#ifndef CASEROUTER_ROUTER_STORE_STATE_STORE_H_
#define CASEROUTER_ROUTER_STORE_STATE_STORE_H_

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "agents/agent.h"
#include "agents/quality_record.h"
#include "router/model/case.h"

namespace caserouter {

// One audit event; appended to the domain's event stream. Never holds customer text.
struct Event {
  absl::Time time;
  std::string type;      // closed set: submitted, offered, accepted, declined, timed_out, ...
  std::string case_id;   // may be empty
  std::string agent_id;  // may be empty
  std::string detail;    // closed-set words or numbers only
};

// The changes of one tick. Records are whole values (upserts), not deltas.
struct Batch {
  std::vector<Case> cases;
  std::vector<Agent> agents;
  std::vector<std::string> removed_agents;
  std::vector<QualityRecord> quality;
  std::vector<Relationship> relationships;
  std::vector<Event> events;
  absl::Time now;  // closed cases older than now - closed_retention are dropped
  absl::Duration closed_retention = absl::Hours(24);

  bool empty() const {
    return cases.empty() && agents.empty() && removed_agents.empty() && quality.empty() &&
           relationships.empty() && events.empty();
  }
  // Number of records written (for batch-size metrics).
  size_t size() const {
    return cases.size() + agents.size() + removed_agents.size() + quality.size() +
           relationships.size() + events.size();
  }
};

// Everything a new leader rebuilds from.
struct StoredState {
  std::vector<Case> cases;  // every open case, and closed ones within the retention window
  std::vector<Agent> agents;
  std::vector<QualityRecord> quality;
  std::vector<Relationship> relationships;
};

// At most this many records are read between two calls of a Load's progress callback.
inline constexpr size_t kLoadChunkRecords = 1000;

// Called by Load with the records read so far and the number it will read in all (known once
// the store has read its indexes). A non-OK status stops the load.
using LoadProgress = std::function<absl::Status(size_t records_read, size_t records_total)>;

class StateStore {
 public:
  virtual ~StateStore() = default;

  // Takes or renews the domain's lease for `ttl` and returns the new epoch (> 0, greater than
  // the domain's last one as this store remembers it). FAILED_PRECONDITION if another owner
  // holds a live lease.
  virtual absl::StatusOr<int64_t> AcquireLeadership(absl::string_view owner, absl::Duration ttl,
                                                    absl::Time now) = 0;
  // Extends `owner`'s lease at `epoch` for `ttl`, or takes it back if it lapsed and nobody
  // acquired it since (the domain's epoch is still `epoch`). FAILED_PRECONDITION if another
  // owner holds a live lease or the epoch moved on: this replica no longer leads.
  virtual absl::Status RenewLeadership(absl::string_view owner, int64_t epoch, absl::Duration ttl,
                                       absl::Time now) = 0;
  // Gives the lease up (clean shutdown), if `owner` holds it.
  virtual absl::Status ReleaseLeadership(absl::string_view owner) = 0;

  // Writes `batch` atomically, checked against `epoch`.
  virtual absl::Status Commit(const Batch& batch, int64_t epoch) = 0;

  // Reads the domain's state, calling `progress` (may be empty) as described above.
  virtual absl::StatusOr<StoredState> Load(absl::Time now, const LoadProgress& progress) = 0;
  // The same without progress. Implementations bring it into scope with
  // `using StateStore::Load;`.
  absl::StatusOr<StoredState> Load(absl::Time now) { return Load(now, LoadProgress()); }
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_STORE_STATE_STORE_H_
