#pragma once
// store::Store on the SQL layer (store/sql.h), one code path for both dialects:
// - SQLite, the embedded default: WAL, synchronous=FULL (durable when a write returns), one
//   connection per thread, every write in a BEGIN IMMEDIATE transaction; the schema is made on open.
//   One process owns a store file (`serve` holds its serve lock): claims of messages in progress
//   live in that process's memory (a crash forgets them, as it should: nothing of them was
//   answered), so a request costs no write until its completion, and completions of concurrent
//   requests share one commit.
// - PostgreSQL, for several gateway instances on one database (schema `edugate`, versioned
//   migrations): idempotency claims with INSERT ... ON CONFLICT, the outbox claimed with
//   FOR UPDATE SKIP LOCKED and a lease, counters moved by compare-and-set.
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/registry_cache.h"
#include "store/sql.h"
#include "store/store.h"

namespace edugate::store {

class SqlStore : public Store {
 public:
  // migrate (PostgreSQL): apply missing schema migrations now; otherwise a schema that is behind
  // is a start-up error naming `edugate db migrate`.
  SqlStore(sql::Target target, bool migrate);

  std::optional<Party> find_party(const Oin&) override;
  void upsert_party(const Party&) override;
  std::vector<Party> parties() override;
  bool has_agreement(const Oin& party, std::string_view service) override;
  void set_agreement(const Oin& party, std::string_view service, bool present) override;
  std::vector<Agreement> agreements() override;
  bool has_mandate(const Oin& vendor, const Oin& school, std::string_view service) override;
  void set_mandate(const Oin& vendor, const Oin& school, std::string_view service, bool present) override;
  std::vector<Mandate> mandates() override;
  void apply_registry(const std::vector<Party>& parties, const std::vector<Agreement>& agreements,
                      const std::vector<Mandate>& mandates) override;

  Claim claim_message(const Oin& sender, const MessageId& id, std::string_view content_hash, std::int64_t now_ms,
                      std::int64_t lease_ms) override;
  void complete_message(const Oin& sender, const MessageId& id, const StoredResponse& response,
                        const AuditRecord& audit) override;
  void complete_messages(const std::vector<Completion>& batch) override;
  void release_message(const Oin& sender, const MessageId& id, const AuditRecord& audit) override;
  int purge_messages(std::int64_t older_than_ms) override;
  Sent record_sent(const Oin& sender, const MessageId& id, std::string_view content_hash, std::int64_t now_ms) override;

  std::int64_t outbox_enqueue(const OutboxMessage& m) override;
  std::vector<OutboxMessage> outbox_due(std::int64_t now_ms, int limit) override;
  std::vector<OutboxMessage> outbox_claim(std::int64_t now_ms, int limit, std::int64_t lease_ms,
                                          const std::string& owner) override;
  void outbox_unclaim(const std::string& owner) override;
  void outbox_sent(std::int64_t id, std::int64_t now_ms) override;
  void outbox_failed(std::int64_t id, int attempts, std::int64_t next_attempt_ms, const std::string& error,
                     bool dead) override;
  std::vector<OutboxMessage> outbox_list(const std::string& state, int limit) override;
  std::optional<OutboxMessage> outbox_get(std::int64_t id) override;
  bool outbox_retry(std::int64_t id, std::int64_t now_ms) override;
  std::optional<std::int64_t> counter(const std::string& name) override;
  void set_counter(const std::string& name, std::int64_t value) override;
  bool outbox_enqueue_with_counter(const std::vector<OutboxMessage>& ms, const std::string& counter,
                                   std::optional<std::int64_t> expected, std::int64_t value) override;

  void append_audit(const AuditRecord&) override;
  std::vector<AuditRecord> audit_records(std::int64_t since_ms, int limit) override;
  std::vector<OutboxStats> outbox_stats() override;

  sql::Dialect dialect() const { return pool_.dialect(); }

  // The registry cache (store/registry_cache.h): `serve` turns it on and calls refresh_registry
  // every kRegistryPollMs; without it (the CLI's commands) every lookup reads the rows.
  void cache_registry();
  // Reads the change counter; empties the cache when it moved, and then returns it.
  std::optional<std::int64_t> refresh_registry();
  bool registry_cached() const { return cache_ != nullptr; }

 private:
  void insert_audit(sql::Connection& c, const AuditRecord& a);
  std::int64_t insert_outbox(sql::Connection& c, const OutboxMessage& m);
  void insert_completion(sql::Connection& c, const Completion& done);
  void unclaim(const Oin& sender, const MessageId& id);
  void registry_written();  // after a registry write of ours has committed
  sql::Pool pool_;
  std::unique_ptr<RegistryCache> cache_;
  // SQLite: claims in this process's memory. PostgreSQL (several instances): claims are rows.
  bool memory_claims_;
  std::mutex claims_mu_;
  std::unordered_map<std::string, std::string> claims_;  // sender OIN + MessageID -> content hash
};

// The embedded default, as before.
class SqliteStore : public SqlStore {
 public:
  explicit SqliteStore(std::string path, bool synchronous_full = true);
};

// The PostgreSQL schema of the store (schema `edugate`), for `edugate db migrate`.
inline constexpr const char* kPostgresSchema = "edugate";
const std::vector<sql::Migration>& postgres_migrations();

}  // namespace edugate::store
