#include "router/engine/leadership.h"

#include <algorithm>

namespace caserouter {

Leadership::Standing Leadership::Keep(bool serving, absl::Duration ttl, absl::Time now) {
  if (serving) {
    if (now < renew_at_) return Standing::kHeld;
    return Renew(ttl, now).ok() ? Standing::kHeld : Standing::kLost;
  }
  if (now < next_attempt_) return Standing::kNone;
  next_attempt_ = now + std::min(ttl / 5, absl::Seconds(1));
  absl::StatusOr<int64_t> epoch = store_->AcquireLeadership(instance_id_, ttl, now);
  store_unreachable_ = absl::IsUnavailable(epoch.status());
  if (!epoch.ok()) return Standing::kNone;
  epoch_ = *epoch;
  renew_at_ = now + ttl / 3;
  return Standing::kTaken;
}

absl::Status Leadership::Hold(absl::Duration ttl, absl::Time now) {
  if (epoch_ == 0) return absl::FailedPreconditionError("lease not held");
  if (now < renew_at_) return absl::OkStatus();
  return Renew(ttl, now);
}

absl::Status Leadership::Renew(absl::Duration ttl, absl::Time now) {
  // The store takes a lapsed lease back only at this epoch (nobody led since); otherwise the
  // caller steps down and the next attempt loads afresh.
  absl::Status renewed = store_->RenewLeadership(instance_id_, epoch_, ttl, now);
  store_unreachable_ = absl::IsUnavailable(renewed);
  if (renewed.ok()) renew_at_ = now + ttl / 3;
  return renewed;
}

void Leadership::Release() {
  if (epoch_ > 0) (void)store_->ReleaseLeadership(instance_id_);
}

}  // namespace caserouter
