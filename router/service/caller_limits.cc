#include "router/service/caller_limits.h"

#include "absl/strings/str_cat.h"

namespace caserouter {

CallerLimits::CallerLimits(Ceilings ceilings, ServerMetrics* metrics)
    : ceilings_(ceilings), metrics_(metrics) {}

absl::Status CallerLimits::TryAcquire(const std::string& caller, const std::string& peer,
                                      Place place) {
  ServerLimit refused;
  {
    absl::MutexLock lock(&mu_);
    Held& held = callers_[caller];
    int& count = place == Place::kCall ? held.calls : held.streams;
    const int ceiling = place == Place::kCall ? ceilings_.calls : ceilings_.streams;
    const bool new_peer = !held.peers.contains(peer);
    if (count >= ceiling) {
      refused =
          place == Place::kCall ? ServerLimit::kCallsPerCaller : ServerLimit::kDeskStreamsPerCaller;
    } else if (new_peer && static_cast<int>(held.peers.size()) >= ceilings_.connections) {
      refused = ServerLimit::kConnectionsPerCaller;
    } else {
      ++count;
      ++held.peers[peer];
      return absl::OkStatus();
    }
    if (held.calls == 0 && held.streams == 0) callers_.erase(caller);
  }
  if (metrics_ != nullptr) metrics_->Refused(refused);
  switch (refused) {
    case ServerLimit::kCallsPerCaller:
      return absl::ResourceExhaustedError(
          absl::StrCat("this caller has ", ceilings_.calls, " calls in flight already"));
    case ServerLimit::kDeskStreamsPerCaller:
      return absl::ResourceExhaustedError(
          absl::StrCat("this caller has ", ceilings_.streams, " desk streams open already"));
    default:
      return absl::ResourceExhaustedError(absl::StrCat(
          "this caller has calls open over ", ceilings_.connections, " connections already"));
  }
}

void CallerLimits::Release(const std::string& caller, const std::string& peer, Place place) {
  absl::MutexLock lock(&mu_);
  auto it = callers_.find(caller);
  if (it == callers_.end()) return;
  Held& held = it->second;
  --(place == Place::kCall ? held.calls : held.streams);
  if (auto p = held.peers.find(peer); p != held.peers.end() && --p->second == 0) {
    held.peers.erase(p);
  }
  if (held.calls <= 0 && held.streams <= 0) callers_.erase(it);
}

int CallerLimits::held(const std::string& caller, Place place) const {
  absl::MutexLock lock(&mu_);
  auto it = callers_.find(caller);
  if (it == callers_.end()) return 0;
  return place == Place::kCall ? it->second.calls : it->second.streams;
}

int CallerLimits::connections(const std::string& caller) const {
  absl::MutexLock lock(&mu_);
  auto it = callers_.find(caller);
  return it == callers_.end() ? 0 : static_cast<int>(it->second.peers.size());
}

}  // namespace caserouter
