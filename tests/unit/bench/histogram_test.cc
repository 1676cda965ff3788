// The latency histogram: bucket arithmetic, and percentiles of distributions whose quantiles
// are known, within the promised precision.
#include "bench/histogram.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

using edugate::bench::Histogram;

namespace {

// |estimate - exact| / exact
double relative_error(std::uint64_t estimate, double exact) {
  return std::abs(static_cast<double>(estimate) - exact) / exact;
}

}  // namespace

TEST(Histogram, EmptyReportsZeros) {
  Histogram h;
  EXPECT_EQ(h.count(), 0u);
  EXPECT_EQ(h.percentile(50), 0u);
  EXPECT_EQ(h.min(), 0u);
  EXPECT_EQ(h.max(), 0u);
  EXPECT_EQ(h.mean(), 0.0);
}

TEST(Histogram, SmallValuesAreExact) {
  Histogram h;
  for (std::uint64_t v = 1; v <= 100; ++v) h.record(v);
  EXPECT_EQ(h.count(), 100u);
  EXPECT_EQ(h.min(), 1u);
  EXPECT_EQ(h.max(), 100u);
  EXPECT_DOUBLE_EQ(h.mean(), 50.5);
  EXPECT_EQ(h.percentile(50), 50u);
  EXPECT_EQ(h.percentile(90), 90u);
  EXPECT_EQ(h.percentile(99), 99u);
  EXPECT_EQ(h.percentile(100), 100u);
  EXPECT_EQ(h.percentile(0.001), 1u);
}

TEST(Histogram, EveryBucketIsNarrowerThanOnePercentOfItsValues) {
  std::size_t previous = 0;
  // Every value below 4096, then a sweep over the whole range (a multiplicative step).
  for (std::uint64_t v = 0; v < Histogram::kMaxTrackable; v = v < 4096 ? v + 1 : v + v / 97 + 1) {
    const std::size_t i = Histogram::index_of(v);
    ASSERT_LT(i, Histogram::bucket_count());
    ASSERT_GE(i, previous) << "indexes grow with the value, at " << v;
    previous = i;
    const std::uint64_t low = Histogram::lowest_of(i), width = Histogram::width_of(i);
    ASSERT_LE(low, v);
    ASSERT_LT(v, low + width) << v;
    if (low >= 2 * Histogram::kSubBuckets)
      ASSERT_LE(static_cast<double>(width) / static_cast<double>(low), 1.0 / 128) << v;
    else
      ASSERT_EQ(width, 1u);
  }
  // Buckets are contiguous: each starts where the previous ended.
  for (std::size_t i = 1; i < Histogram::bucket_count(); ++i)
    ASSERT_EQ(Histogram::lowest_of(i), Histogram::lowest_of(i - 1) + Histogram::width_of(i - 1)) << i;
}

TEST(Histogram, UniformDistributionPercentilesWithinOnePercent) {
  Histogram h;
  // 1 us .. 100 ms in 1 us steps, in nanoseconds.
  for (std::uint64_t i = 1; i <= 100000; ++i) h.record(i * 1000);
  for (double p : {10.0, 50.0, 90.0, 99.0, 99.9}) {
    const double exact = p / 100.0 * 100000 * 1000;
    EXPECT_LT(relative_error(h.percentile(p), exact), 0.01) << "p" << p << " = " << h.percentile(p);
  }
  EXPECT_EQ(h.max(), 100000000u);
  EXPECT_EQ(h.min(), 1000u);
  EXPECT_NEAR(h.mean(), 50000.5 * 1000, 1);
}

TEST(Histogram, ExponentialDistributionPercentilesWithinOnePercent) {
  Histogram h;
  // The exponential distribution with mean 2 ms, sampled at its n quantiles (no randomness):
  // its p-th percentile is -ln(1 - p) * mean.
  const double mean = 2e6;
  const int n = 200000;
  for (int i = 0; i < n; ++i) h.record(static_cast<std::uint64_t>(-std::log(1.0 - (i + 0.5) / n) * mean));
  for (double p : {50.0, 90.0, 99.0, 99.9}) {
    const double exact = -std::log(1.0 - p / 100.0) * mean;
    EXPECT_LT(relative_error(h.percentile(p), exact), 0.01)
        << "p" << p << " = " << h.percentile(p) << ", exact " << exact;
  }
  EXPECT_LT(std::abs(h.mean() - mean) / mean, 0.001);
}

TEST(Histogram, ATailOfOnePercentShowsAtP999NotAtP99) {
  Histogram h;
  for (int i = 0; i < 99000; ++i) h.record(1000000);   // 1 ms
  for (int i = 0; i < 1000; ++i) h.record(100000000);  // 100 ms
  EXPECT_LT(relative_error(h.percentile(50), 1e6), 0.005);
  EXPECT_LT(relative_error(h.percentile(99), 1e6), 0.005);
  EXPECT_LT(relative_error(h.percentile(99.9), 1e8), 0.005);
  EXPECT_EQ(h.percentile(100), 100000000u);
}

TEST(Histogram, MergingEqualsRecordingInOne) {
  Histogram a, b, all;
  for (std::uint64_t v = 1; v < 50000; v += 7) {
    (v % 3 ? a : b).record(v * 13);
    all.record(v * 13);
  }
  a.merge(b);
  a.merge(Histogram());
  EXPECT_EQ(a.count(), all.count());
  EXPECT_EQ(a.min(), all.min());
  EXPECT_EQ(a.max(), all.max());
  EXPECT_DOUBLE_EQ(a.mean(), all.mean());
  for (double p : {1.0, 25.0, 50.0, 75.0, 99.0, 99.99}) EXPECT_EQ(a.percentile(p), all.percentile(p)) << p;
  Histogram empty;
  empty.merge(all);
  EXPECT_EQ(empty.min(), all.min());
}

TEST(Histogram, ValuesBeyondTheRangeKeepAnExactMaximum) {
  Histogram h;
  h.record(5);
  h.record(Histogram::kMaxTrackable * 4);
  EXPECT_EQ(h.max(), Histogram::kMaxTrackable * 4);
  EXPECT_EQ(h.percentile(100), Histogram::kMaxTrackable * 4);
  EXPECT_EQ(h.percentile(50), 5u);
  EXPECT_LE(h.percentile(99), h.max());
}
