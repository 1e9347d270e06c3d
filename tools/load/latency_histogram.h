// LatencyHistogram: a fixed-size, lock-free histogram of durations, for percentiles under load.
//
// A load run records hundreds of thousands of latencies from gRPC's callback threads; keeping
// every sample and sorting it would cost memory and a lock on the hot path. The histogram is
// log-linear (as HdrHistogram): values below 64 µs have a bucket of their own microsecond;
// above, every power of two is split into 32 buckets, so a percentile is within about 3 % of
// the true value, from 1 µs to about 9 hours. Record is one relaxed atomic increment.
//
//   LatencyHistogram h;
//   h.Record(absl::Microseconds(250));                     // from any thread
//   absl::Duration p99 = h.Percentile(99);                 // after the writers stopped
//
// Thread safety: Record and Merge may run concurrently with each other; Percentile, count and
// max read a consistent picture only once the writers are done (a load run reads after its
// drain). Negative durations count as zero; durations past the range land in the last bucket.
#ifndef CASEROUTER_TOOLS_LOAD_LATENCY_HISTOGRAM_H_
#define CASEROUTER_TOOLS_LOAD_LATENCY_HISTOGRAM_H_

#include <array>
#include <atomic>
#include <cstdint>

#include "absl/time/time.h"

namespace caserouter::load {

class LatencyHistogram {
 public:
  LatencyHistogram() = default;
  LatencyHistogram(const LatencyHistogram&) = delete;
  LatencyHistogram& operator=(const LatencyHistogram&) = delete;

  void Record(absl::Duration latency);
  // Adds every sample of `other` (which must have stopped changing).
  void Merge(const LatencyHistogram& other);
  void Clear();

  int64_t count() const { return count_.load(std::memory_order_relaxed); }
  // The largest sample's bucket bound; zero when empty.
  absl::Duration max() const;
  // The smallest bucket bound at or below which `percent` (0-100] of the samples lie; zero
  // when empty.
  absl::Duration Percentile(double percent) const;

  // Bucket arithmetic, exposed for the test: index of a value in microseconds, and the
  // largest value (inclusive) that bucket holds.
  static int BucketOf(int64_t micros);
  static int64_t UpperBoundOf(int bucket);

 private:
  static constexpr int kLinear = 64;   // 0..63 µs, one bucket each
  static constexpr int kSubBits = 5;   // 32 buckets per power of two above
  static constexpr int kOctaves = 30;  // 2^6 .. 2^35 µs (about 9.5 hours)
  static constexpr int kBuckets = kLinear + kOctaves * (1 << kSubBits);

  std::array<std::atomic<int64_t>, kBuckets> buckets_{};
  std::atomic<int64_t> count_{0};
};

}  // namespace caserouter::load

#endif  // CASEROUTER_TOOLS_LOAD_LATENCY_HISTOGRAM_H_
