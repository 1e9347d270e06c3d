#include <unistd.h>

#include "gtest/gtest.h"
#include "tools/load/latency_histogram.h"
#include "tools/load/process_usage.h"

namespace caserouter::load {
namespace {

TEST(LatencyHistogramTest, BucketsCoverEveryValueOnceAndInOrder) {
  int previous = -1;
  for (int64_t v = 0; v < 100000; ++v) {
    const int b = LatencyHistogram::BucketOf(v);
    EXPECT_GE(b, previous);
    EXPECT_LE(v, LatencyHistogram::UpperBoundOf(b)) << v;
    if (b > 0) {
      EXPECT_GT(v, LatencyHistogram::UpperBoundOf(b - 1)) << v;
    }
    previous = b;
  }
}

TEST(LatencyHistogramTest, BucketsAreWithinThreePercent) {
  for (int64_t v = 64; v < (int64_t{1} << 34); v = v * 3 / 2 + 7) {
    const int64_t upper = LatencyHistogram::UpperBoundOf(LatencyHistogram::BucketOf(v));
    EXPECT_LE(static_cast<double>(upper - v) / v, 1.0 / 32) << v;
  }
}

TEST(LatencyHistogramTest, PercentilesOfKnownSamples) {
  LatencyHistogram h;
  EXPECT_EQ(h.Percentile(99), absl::ZeroDuration());
  for (int i = 1; i <= 100; ++i) h.Record(absl::Microseconds(i < 100 ? 10 : 5000));
  EXPECT_EQ(h.count(), 100);
  EXPECT_EQ(h.Percentile(50), absl::Microseconds(10));
  EXPECT_EQ(h.Percentile(99), absl::Microseconds(10));  // the 99th of 100 samples
  const absl::Duration max = h.Percentile(100);
  EXPECT_GE(max, absl::Microseconds(5000));
  EXPECT_LE(max, absl::Microseconds(5000 * 33 / 32));
  EXPECT_EQ(h.max(), max);
}

TEST(LatencyHistogramTest, NegativeCountsAsZeroAndMergeAdds) {
  LatencyHistogram a;
  LatencyHistogram b;
  a.Record(absl::Microseconds(-5));
  b.Record(absl::Milliseconds(2));
  b.Record(absl::Milliseconds(2));
  a.Merge(b);
  EXPECT_EQ(a.count(), 3);
  EXPECT_EQ(a.Percentile(1), absl::ZeroDuration());
  EXPECT_GE(a.Percentile(100), absl::Milliseconds(2));
  a.Clear();
  EXPECT_EQ(a.count(), 0);
}

TEST(ProcessUsageTest, StatCpuCountsFieldsAfterTheCommandName) {
  // A command name with spaces and a parenthesis must not shift the fields.
  const std::string stat =
      "4242 (cr (load) x) S 1 4242 4242 0 -1 4194560 500 0 0 0 250 150 0 0 20 0 9 0 100 "
      "1000000 300 18446744073709551615";
  absl::StatusOr<absl::Duration> cpu = ParseStatCpu(stat, 100);
  ASSERT_TRUE(cpu.ok()) << cpu.status();
  EXPECT_EQ(*cpu, absl::Seconds(4));  // (250 + 150) ticks at 100 per second
  EXPECT_FALSE(ParseStatCpu("4242 cr S 1", 100).ok());
  EXPECT_FALSE(ParseStatCpu("4242 (cr) S 1 2", 100).ok());
}

TEST(ProcessUsageTest, StatusGivesThreadsAndRss) {
  ProcessUsage usage;
  ASSERT_TRUE(ParseStatus("Name:\tcaserouter\nVmRSS:\t   20480 kB\nThreads:\t17\n", &usage).ok());
  EXPECT_EQ(usage.threads, 17);
  EXPECT_EQ(usage.rss_bytes, 20480 * 1024);
  EXPECT_FALSE(ParseStatus("Name:\tx\nThreads:\t3\n", &usage).ok());
}

TEST(ProcessUsageTest, ReadsThisProcess) {
  absl::StatusOr<ProcessUsage> usage = ReadProcessUsage(getpid());
  ASSERT_TRUE(usage.ok()) << usage.status();
  EXPECT_GE(usage->threads, 1);
  EXPECT_GT(usage->rss_bytes, 0);
  EXPECT_TRUE(absl::IsNotFound(ReadProcessUsage(-1).status()));
}

}  // namespace
}  // namespace caserouter::load
