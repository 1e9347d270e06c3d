// MemoryStateStore: a StateStore held in process memory, for unit tests of the engine.
//
// It is a small real store, not a mock: it keeps every record in its encoded form (the same
// field lists RedisStateStore writes to Redis hashes, see record_codec.h), so engine tests
// exercise the codec, and it implements the same lease, epoch, fencing and retention rules as
// the Redis store. Both pass the contract suite in state_store_contract.h.
//
//   MemoryStateStore store;
//   absl::StatusOr<int64_t> epoch = store.AcquireLeadership("replica-a", absl::Seconds(10), now);
//   Batch batch;  batch.now = now;  batch.cases.push_back(c);
//   absl::Status s = store.Commit(batch, *epoch);
//
//   // A second replica of the same domain, and an outage of the first one's store:
//   std::unique_ptr<MemoryStateStore> replica_b = store.NewHandle();
//   store.SetUnavailable(true);   // every call on `store` now returns UNAVAILABLE
//
// Semantics (shared with RedisStateStore):
//   - Lease: free when nobody holds it, when it expired at `now` (expiry <= now), or when
//     `owner` holds it. Time is the `now` passed in (the Redis store uses the server's clock).
//     Every successful AcquireLeadership raises the epoch by a random 1..2^32, even for the
//     same owner (each handle draws from its own seeded generator: deterministic runs, and two
//     replicas acquiring from the same rolled-back state get different epochs).
//   - RenewLeadership succeeds only if `epoch` is current and the lease is `owner`'s or free.
//   - Commit succeeds only if `epoch` equals the current epoch (a domain nobody ever led has
//     epoch 0); otherwise FAILED_PRECONDITION "fenced out" and nothing is written.
//   - Within a batch, removed_agents are applied before agents, so an agent removed and
//     re-created in one tick survives.
//   - Retention: at each commit, closed cases (completed, cancelled, expired) whose
//     closed_time < batch.now - batch.closed_retention are dropped, including ones from
//     earlier batches. Load returns what is stored and does not filter.
//   - Events are kept (encoded) up to the newest kMaxEvents, like the Redis stream's MAXLEN.
//   - Load decodes kLoadChunkRecords records per hold of the lock and calls its progress
//     callback between chunks without it, like the Redis store's pipelined round trips; a
//     commit between two chunks may therefore be seen in part, as it may be with Redis (a
//     leader loads before it commits, so this does not happen to the engine).
//
// Thread safety: thread-safe. Handles made by NewHandle share the data under one mutex and may
// be used from different threads (two engines failing over in one test). SetUnavailable may
// be called from any thread while another uses the handle.
// Errors: UNAVAILABLE while SetUnavailable(true); FAILED_PRECONDITION as above;
// INVALID_ARGUMENT for an empty owner or a ttl under one millisecond; DATA_LOSS cannot happen
// in practice (records are encoded by this process) but is reported like the Redis store's.
#ifndef CASEROUTER_ROUTER_STORE_MEMORY_STATE_STORE_H_
#define CASEROUTER_ROUTER_STORE_MEMORY_STATE_STORE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "router/model/random_source.h"
#include "router/store/record_codec.h"
#include "router/store/state_store.h"

namespace caserouter {

class MemoryStateStore : public StateStore {
 public:
  static constexpr size_t kMaxEvents = 100000;

  // A new, empty routing domain.
  MemoryStateStore();
  ~MemoryStateStore() override;

  MemoryStateStore(const MemoryStateStore&) = delete;
  MemoryStateStore& operator=(const MemoryStateStore&) = delete;

  // Another handle on this handle's data, as a second replica's connection to the same Redis
  // would be. It starts available, whatever this handle's SetUnavailable says.
  std::unique_ptr<MemoryStateStore> NewHandle() const;

  // While true, every call on this handle returns UNAVAILABLE and changes nothing: the store
  // is unreachable from this replica. Other handles are not affected.
  void SetUnavailable(bool unavailable);

  // A store that loses its latest writes (a power loss with appendfsync everysec, an
  // asynchronous replica promoted): Snapshot copies everything this handle's domain holds now —
  // records, events, lease, epoch — into a new, independent store; RestoreFrom replaces the
  // domain's data (seen by every handle) by a copy of `snapshot`'s, forgetting every write since.
  std::unique_ptr<MemoryStateStore> Snapshot() const;
  void RestoreFrom(const MemoryStateStore& snapshot);

  // The stored events, oldest first (encoded by EncodeEvent).
  std::vector<FieldList> events() const;

  absl::StatusOr<int64_t> AcquireLeadership(absl::string_view owner, absl::Duration ttl,
                                            absl::Time now) override;
  absl::Status RenewLeadership(absl::string_view owner, int64_t epoch, absl::Duration ttl,
                               absl::Time now) override;
  absl::Status ReleaseLeadership(absl::string_view owner) override;
  absl::Status Commit(const Batch& batch, int64_t epoch) override;
  using StateStore::Load;
  absl::StatusOr<StoredState> Load(absl::Time now, const LoadProgress& progress) override;

 private:
  struct Domain;
  explicit MemoryStateStore(std::shared_ptr<Domain> domain);
  struct Contents;
  static Contents CopyOut(const Domain& domain);
  static void CopyIn(Contents contents, Domain& domain);
  absl::Status CheckAvailable() const;

  std::shared_ptr<Domain> domain_;
  std::atomic<bool> unavailable_{false};
  SeededRandomSource epoch_random_;  // this handle's epoch increments
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_STORE_MEMORY_STATE_STORE_H_
