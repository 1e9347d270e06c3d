// Leadership: this replica's lease on its routing domain.
//
// Replicas of one domain compete for a lease in the store (renewed every third of its time to
// live) and get an epoch with it; every batch is checked against the epoch, so a deposed
// leader cannot write. Keep() is called at the start of every tick and says where this
// replica stands; the engine rebuilds its state when the lease was just taken and steps down
// when it was lost.
//
// Thread safety: engine thread only. Errors: store failures are reported as kLost/kNone.
#ifndef CASEROUTER_ROUTER_ENGINE_LEADERSHIP_H_
#define CASEROUTER_ROUTER_ENGINE_LEADERSHIP_H_

#include <cstdint>
#include <string>

#include "absl/time/time.h"
#include "router/store/state_store.h"

namespace caserouter {

class Leadership {
 public:
  enum class Standing {
    kHeld,   // leading, lease fresh
    kTaken,  // the lease was just taken: rebuild, then Confirm()
    kLost,   // was leading and the renewal failed: step down
    kNone,   // not leading (another replica does, or the store is unreachable)
  };

  // `store` must outlive this object; `instance_id` names this replica in the lease.
  Leadership(StateStore* store, std::string instance_id)
      : store_(store), instance_id_(std::move(instance_id)) {}

  // `serving`: this replica leads with its state loaded. Renews or tries to take the lease
  // as due at `now` (a failed attempt is retried after min(ttl / 5, 1 s)).
  Standing Keep(bool serving, absl::Duration ttl, absl::Time now);
  // The state is rebuilt after kTaken: renew from now on.
  void Confirm(absl::Duration ttl, absl::Time now) { renew_at_ = now + ttl / 3; }
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

 private:
  StateStore* const store_;
  const std::string instance_id_;
  int64_t epoch_ = 0;
  absl::Time renew_at_ = absl::InfinitePast();
  absl::Time next_attempt_ = absl::InfinitePast();
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_LEADERSHIP_H_
