// Leadership: this replica's lease on its routing domain.
//
// Replicas of one domain compete for a lease in the store (renewed every third of its time to
// live) and get an epoch with it; every batch is checked against the epoch, so a deposed
// leader cannot write. Keep() is called at the start of every tick and says where this
// replica stands; the engine rebuilds its state when the lease was just taken and steps down
// when it was lost.
//
// The lease is held through the rebuild, however long it takes: the engine calls Hold()
// between the chunks of the load and after each step, and Hold renews when a third of the
// ttl has passed, so a domain that takes longer to load than the lease lasts still converges
// (before, the lease lapsed during such a load and the replica stepped down and loaded again,
// forever). A replica that lost the lease while loading learns it at the next Hold and must
// not serve.
//
// A renewal that finds the lease lapsed takes it back when nobody else led in between: the
// store's renewal is a compare-and-set on the epoch, and every acquisition changes the epoch
// (by a random amount, so that acquisitions made after the store forgot its latest writes do
// not meet on one value: state_store.h), so an unchanged epoch proves that no other replica
// took the lease (and none could commit, being fenced to the current epoch) since this one
// last held it. The state in memory is then still the store's, and a stall longer than the
// lease (a long step of a rebuild, a long first tick) costs no reload. A moved epoch means
// someone else led: lost. (Before, the proof was a re-acquisition returning exactly
// epoch + 1, which a store that forgot an acquisition could also return.)
//
//   Leadership leadership(&store, "replica-a");
//   switch (leadership.Keep(serving, ttl, now)) {
//     case Standing::kTaken:   // load, calling leadership.Hold(ttl, clock.Now()) as it goes
//     ...
//   }
//
// Thread safety: engine thread only. Errors: store failures are reported as kLost/kNone by
// Keep; Hold returns FAILED_PRECONDITION when the lease is lost and UNAVAILABLE when the store
// cannot be reached (the rebuild stops either way).
#ifndef CASEROUTER_ROUTER_ENGINE_LEADERSHIP_H_
#define CASEROUTER_ROUTER_ENGINE_LEADERSHIP_H_

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "router/store/state_store.h"

namespace caserouter {

class Leadership {
 public:
  enum class Standing {
    kHeld,   // leading, lease fresh
    kTaken,  // the lease was just taken: rebuild (calling Hold), then serve
    kLost,   // was leading and the renewal failed: step down
    kNone,   // not leading (another replica does, or the store is unreachable)
  };

  // `store` must outlive this object; `instance_id` names this replica in the lease.
  Leadership(StateStore* store, std::string instance_id)
      : store_(store), instance_id_(std::move(instance_id)) {}

  // `serving`: this replica leads with its state loaded. Renews or tries to take the lease
  // as due at `now` (a failed attempt is retried after min(ttl / 5, 1 s)).
  Standing Keep(bool serving, absl::Duration ttl, absl::Time now);
  // During the rebuild after kTaken: renews the lease if a third of `ttl` has passed since it
  // was taken or last renewed. OK while it is held.
  absl::Status Hold(absl::Duration ttl, absl::Time now);
  // Forget the lease (stepped down); try to take it again at the next tick.
  void Forget() {
    epoch_ = 0;
    next_attempt_ = absl::InfinitePast();
  }
  // The rebuild after kTaken failed: not leading; the next attempt waits as after a refusal.
  void Abandon() { epoch_ = 0; }
  // Gives the lease up so a standby takes over at once (clean shutdown).
  void Release();
  int64_t epoch() const { return epoch_; }

  // The store could not be reached at the last try (UNAVAILABLE from the lease, or from a
  // commit: NoteStoreUnavailable). An attempt to lead may then block for the store's whole
  // command timeout (a hung Redis), so the engine answers the commands that wait before it.
  bool store_unreachable() const { return store_unreachable_; }
  void NoteStoreUnavailable() { store_unreachable_ = true; }
  // True when Keep(false, ...) at `now` would try to take the lease.
  bool AttemptDue(absl::Time now) const { return now >= next_attempt_; }

 private:
  // Renews at `now`; a lapsed lease is taken back if nobody else led since (see above).
  absl::Status Renew(absl::Duration ttl, absl::Time now);

  StateStore* const store_;
  const std::string instance_id_;
  int64_t epoch_ = 0;
  absl::Time renew_at_ = absl::InfinitePast();
  absl::Time next_attempt_ = absl::InfinitePast();
  bool store_unreachable_ = false;
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_LEADERSHIP_H_
