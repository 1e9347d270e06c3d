#include "tools/load/latency_histogram.h"

#include <algorithm>
#include <cmath>

namespace caserouter::load {

int LatencyHistogram::BucketOf(int64_t micros) {
  if (micros < kLinear) return micros < 0 ? 0 : static_cast<int>(micros);
  // Octave k holds [2^(k+6), 2^(k+7)); its 32 sub-buckets are the 5 bits below the top one.
  const int top_bit = 63 - __builtin_clzll(static_cast<uint64_t>(micros));
  const int octave = top_bit - 6;
  if (octave >= kOctaves) return kBuckets - 1;
  const int sub = static_cast<int>((micros >> (top_bit - kSubBits)) & ((1 << kSubBits) - 1));
  return kLinear + octave * (1 << kSubBits) + sub;
}

int64_t LatencyHistogram::UpperBoundOf(int bucket) {
  if (bucket < kLinear) return bucket;
  const int octave = (bucket - kLinear) >> kSubBits;
  const int sub = (bucket - kLinear) & ((1 << kSubBits) - 1);
  const int top_bit = octave + 6;
  const int64_t width = int64_t{1} << (top_bit - kSubBits);
  return (int64_t{1} << top_bit) + (sub + 1) * width - 1;
}

void LatencyHistogram::Record(absl::Duration latency) {
  const int64_t micros = absl::ToInt64Microseconds(latency);
  buckets_[BucketOf(micros)].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (int i = 0; i < kBuckets; ++i) {
    const int64_t n = other.buckets_[i].load(std::memory_order_relaxed);
    if (n != 0) buckets_[i].fetch_add(n, std::memory_order_relaxed);
  }
  count_.fetch_add(other.count(), std::memory_order_relaxed);
}

void LatencyHistogram::Clear() {
  for (auto& b : buckets_) b.store(0, std::memory_order_relaxed);
  count_.store(0, std::memory_order_relaxed);
}

absl::Duration LatencyHistogram::max() const {
  for (int i = kBuckets - 1; i >= 0; --i) {
    if (buckets_[i].load(std::memory_order_relaxed) != 0) {
      return absl::Microseconds(UpperBoundOf(i));
    }
  }
  return absl::ZeroDuration();
}

absl::Duration LatencyHistogram::Percentile(double percent) const {
  int64_t total = 0;
  for (const auto& b : buckets_) total += b.load(std::memory_order_relaxed);
  if (total == 0) return absl::ZeroDuration();
  // The rank of the sample at `percent`, 1-based: p99 of 100 samples is the 99th.
  const double clamped = std::clamp(percent, 0.0, 100.0);
  const int64_t rank = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(clamped / 100 * total)));
  int64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += buckets_[i].load(std::memory_order_relaxed);
    if (seen >= rank) return absl::Microseconds(UpperBoundOf(i));
  }
  return max();
}

}  // namespace caserouter::load
