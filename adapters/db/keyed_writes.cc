#include "adapters/db/keyed_writes.h"

#include <atomic>

#include "core/clock.h"
#include "core/crash_point.h"
#include "core/rules.h"

namespace edugate::adapters::db {

Result<KeyedAnswer> keyed_write(sql::Pool& pool, const WriteKey& key, std::string_view operation,
                                const KeyedWrites::Write& write) {
  auto& c = pool.get();
  const std::string k = key.str();
  sql::Transaction tx(c);
  {
    auto st = c.prepare("SELECT content_hash, answer, result FROM write_keys WHERE write_key = ?");
    st.bind(1, k);
    if (st.step()) {
      if (st.text(0) != key.content_hash)
        return make_error(rules::DK0011, "wsa:MessageID is eerder gebruikt voor een ander bericht", "wsa:MessageID");
      return KeyedAnswer{st.text(1), st.text(2)};
    }
  }
  auto answer = write();
  if (!answer) return answer;  // nothing was written that the rollback does not take back
  const std::int64_t now = now_ms();
  c.prepare("INSERT INTO write_keys (write_key, operation, content_hash, answer, result, created_ms) VALUES (?, ?, ?, ?, ?, ?)")
      .bind(1, k).bind(2, operation).bind(3, key.content_hash).bind(4, answer->body_xml).bind(5, answer->result)
      .bind(6, now).run();
  // Expired keys go with every 256th write (in its transaction: no extra commit).
  static std::atomic<unsigned> writes{0};
  if ((writes.fetch_add(1, std::memory_order_relaxed) & 255u) == 255u)
    c.prepare("DELETE FROM write_keys WHERE created_ms < ?").bind(1, now - kWriteKeyRetentionMs).run();
  crash_point("backend_before_commit", operation);
  tx.commit();
  crash_point("backend_committed", operation);
  return answer;
}

}  // namespace edugate::adapters::db
