#include "store/registry_cache.h"

#include <mutex>

namespace edugate::store {

std::optional<std::optional<Party>> RegistryCache::party(const std::string& oin, std::uint64_t& generation) const {
  std::shared_lock lock(mu_);
  generation = generation_;
  auto it = parties_.find(oin);
  if (it == parties_.end()) return std::nullopt;
  return it->second;
}

std::optional<bool> RegistryCache::flag(const std::string& key, std::uint64_t& generation) const {
  std::shared_lock lock(mu_);
  generation = generation_;
  auto it = flags_.find(key);
  if (it == flags_.end()) return std::nullopt;
  return it->second;
}

void RegistryCache::put_party(const std::string& oin, const std::optional<Party>& p, std::uint64_t generation) {
  std::unique_lock lock(mu_);
  if (generation != generation_) return;  // emptied while the answer was read: it may be stale
  if (parties_.size() + flags_.size() >= max_) clear_locked();
  else parties_.insert_or_assign(oin, p);
}

void RegistryCache::put_flag(const std::string& key, bool value, std::uint64_t generation) {
  std::unique_lock lock(mu_);
  if (generation != generation_) return;
  if (parties_.size() + flags_.size() >= max_) clear_locked();
  else flags_.insert_or_assign(key, value);
}

void RegistryCache::clear() {
  std::unique_lock lock(mu_);
  clear_locked();
}

void RegistryCache::clear_locked() {
  parties_.clear();
  flags_.clear();
  ++generation_;
}

bool RegistryCache::observe(std::int64_t version) {
  std::unique_lock lock(mu_);
  if (version_ && *version_ == version) return false;
  const bool moved = version_.has_value();
  version_ = version;
  clear_locked();
  return moved;
}

std::size_t RegistryCache::size() const {
  std::shared_lock lock(mu_);
  return parties_.size() + flags_.size();
}

std::uint64_t RegistryCache::generation() const {
  std::shared_lock lock(mu_);
  return generation_;
}

}  // namespace edugate::store
