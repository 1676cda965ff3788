#pragma once
// Keyed writes on an SQL backend (core/keyed_writes.h): the write, the record of its key and its
// answer in one transaction of the backend's own database.
#include <cstdint>
#include <string_view>

#include "core/keyed_writes.h"
#include "store/sql.h"

namespace edugate::adapters::db {

// The table each backend database records its writes in: SQLite, with the backend's schema;
// PostgreSQL, a migration of the backend's schema (lb, bpv, pl). The same SQL for both.
inline constexpr const char* kWriteKeysSchema = R"SQL(
CREATE TABLE IF NOT EXISTS write_keys (
  write_key TEXT PRIMARY KEY, operation TEXT NOT NULL, content_hash TEXT NOT NULL, answer TEXT NOT NULL,
  result TEXT NOT NULL, created_ms BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS write_keys_created ON write_keys(created_ms);
)SQL";

// A recorded key is kept for 30 days (far beyond the gateway's window between the two commits,
// and beyond the default message retention of 7 days), then purged by a later write.
inline constexpr std::int64_t kWriteKeyRetentionMs = 30LL * 24 * 3600 * 1000;

// In one transaction on `pool`'s connection of this thread: the recorded answer of `key` if
// there is one (DK0011 when its content differs), else `write` (whose own transactions on the
// same pool become savepoints of this one) and the record of key and answer. Crash points
// backend_before_commit and backend_committed (core/crash_point.h).
Result<KeyedAnswer> keyed_write(sql::Pool& pool, const WriteKey& key, std::string_view operation,
                                const KeyedWrites::Write& write);

}  // namespace edugate::adapters::db
