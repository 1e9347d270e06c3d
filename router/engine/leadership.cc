#include "router/engine/leadership.h"

#include <algorithm>

namespace caserouter {

Leadership::Standing Leadership::Keep(bool serving, absl::Duration ttl, absl::Time now) {
  if (serving) {
    if (now < renew_at_) return Standing::kHeld;
    if (!store_->RenewLeadership(instance_id_, epoch_, ttl, now).ok()) return Standing::kLost;
    renew_at_ = now + ttl / 3;
    return Standing::kHeld;
  }
  if (now < next_attempt_) return Standing::kNone;
  next_attempt_ = now + std::min(ttl / 5, absl::Seconds(1));
  absl::StatusOr<int64_t> epoch = store_->AcquireLeadership(instance_id_, ttl, now);
  if (!epoch.ok()) return Standing::kNone;
  epoch_ = *epoch;
  return Standing::kTaken;
}

void Leadership::Release() {
  if (epoch_ > 0) (void)store_->ReleaseLeadership(instance_id_);
}

}  // namespace caserouter
