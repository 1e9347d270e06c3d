#include "router/service/admission.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "absl/strings/str_cat.h"

namespace caserouter {

bool IsLiveChannel(Channel channel) {
  return channel == Channel::kPhone || channel == Channel::kChat;
}

Admission::Admission(const EngineConfig& config, int max_calls_in_flight,
                     std::function<OpenCases()> open_cases, Clock* clock, ServerMetrics* metrics)
    : max_calls_in_flight_(max_calls_in_flight),
      open_cases_(std::move(open_cases)),
      clock_(clock),
      metrics_(metrics) {
  absl::MutexLock lock(&mu_);
  ConfigureLocked(config);
}

void Admission::Configure(const EngineConfig& config) {
  absl::MutexLock lock(&mu_);
  ConfigureLocked(config);
}

void Admission::ConfigureLocked(const EngineConfig& config) {
  max_queue_ = config.max_queue;
  const auto reserve =
      static_cast<int64_t>(std::ceil(config.max_queue * config.admission.live_reserve_share));
  deferred_limit_ = std::max<int64_t>(0, max_queue_ - reserve);
  deferred_in_flight_ = std::max<int64_t>(
      1, max_calls_in_flight_ - static_cast<int64_t>(std::ceil(
                                    max_calls_in_flight_ * config.admission.live_reserve_share)));
  for (Channel channel : kAllChannels) {
    const ChannelAdmission& wanted = config.admission.channels[ChannelIndex(channel)];
    Bucket& bucket = buckets_[ChannelIndex(channel)];
    const bool was_limited = bucket.rate_per_second > 0;
    bucket.rate_per_second = wanted.rate_per_second;
    bucket.burst = wanted.burst;
    // A new bucket starts full; a kept one keeps its level within the new burst.
    bucket.tokens = was_limited ? std::min(bucket.tokens, bucket.burst) : bucket.burst;
  }
}

absl::Status Admission::Refuse(Channel channel, AdmissionRefusal reason, absl::Status status) {
  if (metrics_ != nullptr) metrics_->AdmissionRefused(channel, reason);
  return status;
}

OpenCases Admission::SyncLocked() {
  // Read under the mutex, so the versions seen here only ever move forward.
  const OpenCases now = open_cases_();
  if (now.version != answered_version_) {
    answered_version_ = now.version;
    answered_added_ = 0;  // in the count now
  }
  return now;
}

absl::Status Admission::Admit(Channel channel) {
  const absl::Time now = clock_->Now();
  absl::MutexLock lock(&mu_);
  const int64_t occupied = SyncLocked().count + pending_ + answered_added_;
  if (occupied >= max_queue_) {
    return Refuse(channel, AdmissionRefusal::kQueueFull,
                  absl::ResourceExhaustedError(
                      absl::StrCat("the routing domain's queue is full (limits.max_queue ",
                                   max_queue_, " open cases); retry later")));
  }
  if (!IsLiveChannel(channel) && occupied >= deferred_limit_) {
    return Refuse(channel, AdmissionRefusal::kLiveReserve,
                  absl::ResourceExhaustedError(absl::StrCat(
                      ChannelName(channel), ": the queue's last ", max_queue_ - deferred_limit_,
                      " places are kept for phone and chat (admission.live_reserve_share); "
                      "retry later")));
  }
  if (!IsLiveChannel(channel) && pending_deferred_ >= deferred_in_flight_) {
    return Refuse(channel, AdmissionRefusal::kLiveReserve,
                  absl::ResourceExhaustedError(absl::StrCat(
                      ChannelName(channel), ": ", pending_deferred_,
                      " social and email submissions wait for the engine; the other calls in "
                      "flight are kept for phone and chat (admission.live_reserve_share); "
                      "retry later")));
  }
  Bucket& bucket = buckets_[ChannelIndex(channel)];
  if (bucket.rate_per_second > 0) {
    if (now > bucket.refilled && bucket.refilled != absl::InfinitePast()) {
      bucket.tokens =
          std::min(bucket.burst, bucket.tokens + bucket.rate_per_second *
                                                     absl::ToDoubleSeconds(now - bucket.refilled));
    }
    // A clock that went back refills nothing and moves the mark back with it.
    bucket.refilled = now;
    if (bucket.tokens < 1) {
      return Refuse(channel, AdmissionRefusal::kRate,
                    absl::ResourceExhaustedError(
                        absl::StrCat(ChannelName(channel), ": submissions beyond ",
                                     bucket.rate_per_second, " a second (burst ", bucket.burst,
                                     ") are refused (admission.channels); retry later")));
    }
    bucket.tokens -= 1;
  }
  ++pending_;
  if (!IsLiveChannel(channel)) ++pending_deferred_;
  return absl::OkStatus();
}

void Admission::Answered(Channel channel, bool added) {
  absl::MutexLock lock(&mu_);
  --pending_;
  if (!IsLiveChannel(channel)) --pending_deferred_;
  if (added) {
    SyncLocked();
    ++answered_added_;
  }
}

int64_t Admission::pending() const {
  absl::MutexLock lock(&mu_);
  return pending_;
}

}  // namespace caserouter
