#pragma once
// The registry's answers to a request's questions (the caller's party, an agreement, a mandate)
// kept in memory, so that a request reads no registry rows (issue 17: the registry was a third of
// the store's reads per request, and SQLite re-read its pages after every commit of the message
// store). Positive and negative answers both, each as the store gave it.
//
// Emptied whenever the registry may have changed:
// - at once by this process's own registry writes (SqlStore's upsert_party, set_agreement,
//   set_mandate, apply_registry);
// - by observe(n) when the store's change counter has moved. The counter (table
//   registry_version) is moved by triggers on every write to parties, agreements and mandates,
//   whoever makes it: the CLI, another instance on the same PostgreSQL, an operator's SQL. `serve`
//   reads it every kRegistryPollMs, so a suspension made anywhere takes effect within that.
//
// A lookup that missed reads the database and then offers its answer with the generation it
// saw before reading: an answer read across an emptying is dropped, never kept stale.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "store/store.h"

namespace edugate::store {

inline constexpr int kRegistryPollMs = 250;

class RegistryCache {
 public:
  // At most max_entries answers; past that it empties itself (a registry of 100,000 parties
  // asks one party and one or two agreements per caller: well under the default).
  explicit RegistryCache(std::size_t max_entries = 500'000) : max_(max_entries) {}

  // A hit: the stored answer. A miss: nullopt, with `generation` set for put_*.
  std::optional<std::optional<Party>> party(const std::string& oin, std::uint64_t& generation) const;
  std::optional<bool> flag(const std::string& key, std::uint64_t& generation) const;
  void put_party(const std::string& oin, const std::optional<Party>& p, std::uint64_t generation);
  void put_flag(const std::string& key, bool value, std::uint64_t generation);

  void clear();
  // The change counter as read now: empties the cache and returns true when it differs from the
  // one seen before (the first reading only sets it).
  bool observe(std::int64_t version);

  std::size_t size() const;
  std::uint64_t generation() const;

 private:
  void clear_locked();
  mutable std::shared_mutex mu_;
  std::uint64_t generation_ = 0;
  std::optional<std::int64_t> version_;
  std::unordered_map<std::string, std::optional<Party>> parties_;
  std::unordered_map<std::string, bool> flags_;
  std::size_t max_;
};

}  // namespace edugate::store
