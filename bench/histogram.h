#pragma once
// A latency histogram in the manner of HdrHistogram: log-linear buckets, so the relative error
// of any recorded value is bounded (here by 1/128 < 0.8 % of the bucket's width, < 0.4 % at the
// bucket's midpoint that percentiles report) over the whole range, with a fixed, small memory
// footprint and O(1) recording. Values are non-negative integers (the load generator records
// nanoseconds). Not thread-safe: one per thread, merged at the end.
#include <cstddef>
#include <cstdint>
#include <vector>

namespace edugate::bench {

class Histogram {
 public:
  // Every power-of-two range [2^k, 2^(k+1)) is split into kSubBuckets linear buckets; values
  // below 2 * kSubBuckets have buckets of width 1 (exact).
  static constexpr int kSubBucketBits = 7;
  static constexpr std::uint64_t kSubBuckets = std::uint64_t{1} << kSubBucketBits;  // 128
  // Values at or above this are counted in the last bucket (max() stays exact).
  static constexpr std::uint64_t kMaxTrackable = std::uint64_t{1} << 46;  // ~19.5 hours in ns

  Histogram();

  void record(std::uint64_t value);
  void merge(const Histogram& other);

  std::uint64_t count() const { return count_; }
  std::uint64_t min() const { return count_ ? min_ : 0; }
  std::uint64_t max() const { return max_; }
  double mean() const { return count_ ? static_cast<double>(sum_) / static_cast<double>(count_) : 0.0; }
  // The value below which `percentile` % of the recorded values lie (0 < percentile <= 100):
  // the midpoint of the bucket holding the ceil(p/100 * count)-th smallest value, clamped to
  // [min, max]. 0 when empty.
  std::uint64_t percentile(double percentile) const;

  // Bucket arithmetic (exposed for tests).
  static std::size_t index_of(std::uint64_t value);
  static std::uint64_t lowest_of(std::size_t index);  // smallest value in the bucket
  static std::uint64_t width_of(std::size_t index);   // number of values in the bucket
  static std::size_t bucket_count();

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t count_ = 0, min_ = 0, max_ = 0;
  unsigned __int128 sum_ = 0;
};

}  // namespace edugate::bench
