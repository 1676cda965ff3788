#include "bench/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace edugate::bench {

std::size_t Histogram::index_of(std::uint64_t value) {
  value = std::min(value, kMaxTrackable - 1);
  // k: the power of two the value lies in; buckets below 2^(bits+1) are exact.
  const int k = std::bit_width(value) - 1;
  const int shift = std::max(0, k - kSubBucketBits);
  return static_cast<std::size_t>(shift) * kSubBuckets + static_cast<std::size_t>(value >> shift);
}

std::uint64_t Histogram::lowest_of(std::size_t index) {
  if (index < 2 * kSubBuckets) return index;
  const std::size_t shift = index / kSubBuckets - 1;
  return static_cast<std::uint64_t>(index - shift * kSubBuckets) << shift;
}

std::uint64_t Histogram::width_of(std::size_t index) {
  if (index < 2 * kSubBuckets) return 1;
  return std::uint64_t{1} << (index / kSubBuckets - 1);
}

std::size_t Histogram::bucket_count() { return index_of(kMaxTrackable - 1) + 1; }

Histogram::Histogram() : counts_(bucket_count(), 0) {}

void Histogram::record(std::uint64_t value) {
  ++counts_[index_of(value)];
  if (count_ == 0 || value < min_) min_ = value;
  if (value > max_) max_ = value;
  ++count_;
  sum_ += value;
}

void Histogram::merge(const Histogram& other) {
  if (other.count_ == 0) return;
  for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += other.counts_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
}

std::uint64_t Histogram::percentile(double p) const {
  if (count_ == 0) return 0;
  p = std::clamp(p, 0.0, 100.0);
  if (p >= 100.0) return max_;
  auto rank = static_cast<std::uint64_t>(std::ceil(p / 100.0 * static_cast<double>(count_)));
  rank = std::clamp<std::uint64_t>(rank, 1, count_);
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < counts_.size(); ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const std::uint64_t mid = lowest_of(i) + (width_of(i) - 1) / 2;
      return std::clamp(mid, min_, max_);
    }
  }
  return max_;
}

}  // namespace edugate::bench
