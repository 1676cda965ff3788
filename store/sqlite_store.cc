#include "store/sqlite_store.h"

namespace edugate::store {

namespace {

constexpr const char* kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS parties (
  oin TEXT PRIMARY KEY, naam TEXT NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL, endpoint TEXT NOT NULL DEFAULT '',
  require_signature INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS agreements (
  party_oin TEXT NOT NULL, service TEXT NOT NULL, PRIMARY KEY (party_oin, service));
CREATE TABLE IF NOT EXISTS mandates (
  vendor_oin TEXT NOT NULL, school_oin TEXT NOT NULL, service TEXT NOT NULL,
  PRIMARY KEY (vendor_oin, school_oin, service));
CREATE TABLE IF NOT EXISTS messages (
  sender_oin TEXT NOT NULL, message_id TEXT NOT NULL, content_hash TEXT NOT NULL,
  state TEXT NOT NULL, claimed_ms INTEGER NOT NULL, completed_ms INTEGER,
  http_status INTEGER, response BLOB, PRIMARY KEY (sender_oin, message_id));
CREATE INDEX IF NOT EXISTS messages_completed ON messages(completed_ms);
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT, time_ms INTEGER NOT NULL, direction TEXT NOT NULL,
  sender_oin TEXT NOT NULL, on_behalf_of_oin TEXT NOT NULL, receiver_oin TEXT NOT NULL,
  service TEXT NOT NULL, action TEXT NOT NULL, message_id TEXT NOT NULL, relates_to TEXT NOT NULL,
  result TEXT NOT NULL, duration_us INTEGER NOT NULL, cert_serial TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_time ON audit(time_ms);
CREATE TABLE IF NOT EXISTS outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT, destination_oin TEXT NOT NULL, endpoint TEXT NOT NULL,
  service TEXT NOT NULL, operation TEXT NOT NULL, body BLOB NOT NULL, message_id TEXT NOT NULL UNIQUE,
  state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL,
  next_attempt_ms INTEGER NOT NULL, sent_ms INTEGER NOT NULL DEFAULT 0, last_error TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox(state, destination_oin, id);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT INTO schema_version SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM schema_version);
)SQL";

Party party_from(sqlitedb::Statement& st) {
  return Party{*Oin::parse(st.text(0)), st.text(1), parse_party_kind(st.text(2)).ok() ? *parse_party_kind(st.text(2)) : PartyKind::school,
               st.text(3) == "actief" ? PartyStatus::actief : PartyStatus::geschorst, st.text(4), st.integer(5) != 0};
}

// Columns added after a store was first made (schema_version 1 stores of the first release).
void migrate(sqlitedb::Connection& c) {
  bool has_signature_column = false;
  {
    auto st = c.prepare("SELECT 1 FROM pragma_table_info('parties') WHERE name = 'require_signature'");
    has_signature_column = st.step();
  }
  if (!has_signature_column) c.exec("ALTER TABLE parties ADD COLUMN require_signature INTEGER NOT NULL DEFAULT 0");
}

}  // namespace

// The schema is made (and migrated) once, by the first connection. The other threads'
// connections only open the file: that needs no write lock, so a thread that touches the store
// for the first time while another process holds a long write transaction (a backup, an
// operator's sqlite3) does not wait for it, nor block the others' Pool::get meanwhile.
SqliteStore::SqliteStore(std::string path, bool synchronous_full) : pool_(std::move(path), synchronous_full, nullptr) {
  auto& c = pool_.get();  // open now, so a bad path is a start-up error
  c.exec(kSchema);
  migrate(c);
}

std::optional<Party> SqliteStore::find_party(const Oin& oin) {
  auto st = pool_.get().prepare("SELECT oin, naam, kind, status, endpoint, require_signature FROM parties WHERE oin = ?");
  st.bind(1, oin.str());
  if (!st.step()) return std::nullopt;
  return party_from(st);
}

void SqliteStore::upsert_party(const Party& p) {
  auto& c = pool_.get();
  sqlitedb::Transaction tx(c);
  c.prepare("INSERT INTO parties (oin, naam, kind, status, endpoint, require_signature) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT(oin) DO UPDATE SET naam = excluded.naam, kind = excluded.kind, status = excluded.status, "
            "endpoint = excluded.endpoint, require_signature = excluded.require_signature")
      .bind(1, p.oin.str()).bind(2, p.naam).bind(3, to_string(p.kind)).bind(4, to_string(p.status)).bind(5, p.endpoint)
      .bind(6, p.require_signature ? 1 : 0)
      .run();
  tx.commit();
}

std::vector<Party> SqliteStore::parties() {
  std::vector<Party> out;
  auto st = pool_.get().prepare("SELECT oin, naam, kind, status, endpoint, require_signature FROM parties ORDER BY oin");
  while (st.step()) out.push_back(party_from(st));
  return out;
}

bool SqliteStore::has_agreement(const Oin& party, std::string_view service) {
  auto st = pool_.get().prepare("SELECT 1 FROM agreements WHERE party_oin = ? AND service = ?");
  st.bind(1, party.str()).bind(2, service);
  return st.step();
}

void SqliteStore::set_agreement(const Oin& party, std::string_view service, bool present) {
  auto& c = pool_.get();
  sqlitedb::Transaction tx(c);
  if (present)
    c.prepare("INSERT OR IGNORE INTO agreements (party_oin, service) VALUES (?, ?)").bind(1, party.str()).bind(2, service).run();
  else
    c.prepare("DELETE FROM agreements WHERE party_oin = ? AND service = ?").bind(1, party.str()).bind(2, service).run();
  tx.commit();
}

std::vector<Agreement> SqliteStore::agreements() {
  std::vector<Agreement> out;
  auto st = pool_.get().prepare("SELECT party_oin, service FROM agreements ORDER BY party_oin, service");
  while (st.step()) out.push_back({*Oin::parse(st.text(0)), st.text(1)});
  return out;
}

bool SqliteStore::has_mandate(const Oin& vendor, const Oin& school, std::string_view service) {
  auto st = pool_.get().prepare(
      "SELECT 1 FROM mandates m JOIN parties v ON v.oin = m.vendor_oin JOIN parties s ON s.oin = m.school_oin "
      "WHERE m.vendor_oin = ? AND m.school_oin = ? AND m.service = ?");
  st.bind(1, vendor.str()).bind(2, school.str()).bind(3, service);
  return st.step();
}

void SqliteStore::set_mandate(const Oin& vendor, const Oin& school, std::string_view service, bool present) {
  auto& c = pool_.get();
  sqlitedb::Transaction tx(c);
  if (present)
    c.prepare("INSERT OR IGNORE INTO mandates (vendor_oin, school_oin, service) VALUES (?, ?, ?)")
        .bind(1, vendor.str()).bind(2, school.str()).bind(3, service).run();
  else
    c.prepare("DELETE FROM mandates WHERE vendor_oin = ? AND school_oin = ? AND service = ?")
        .bind(1, vendor.str()).bind(2, school.str()).bind(3, service).run();
  tx.commit();
}

std::vector<Mandate> SqliteStore::mandates() {
  std::vector<Mandate> out;
  auto st = pool_.get().prepare("SELECT vendor_oin, school_oin, service FROM mandates ORDER BY 1, 2, 3");
  while (st.step()) out.push_back({*Oin::parse(st.text(0)), *Oin::parse(st.text(1)), st.text(2)});
  return out;
}

namespace {
std::string claim_key(const Oin& sender, const MessageId& id) { return sender.str() + ' ' + id.str(); }
}  // namespace

Claim SqliteStore::claim_message(const Oin& sender, const MessageId& id, std::string_view hash, std::int64_t /*now_ms*/,
                                 std::int64_t /*lease_ms*/) {
  // Claim in memory first, then look for a completed message. A completing worker commits
  // before it drops its claim, so whoever finds no claim finds the commit.
  const std::string key = claim_key(sender, id);
  {
    std::lock_guard lock(claims_mu_);
    auto [it, inserted] = claims_.try_emplace(key, hash);
    if (!inserted) return Claim{it->second == hash ? ClaimKind::in_progress : ClaimKind::conflict, {}};
  }
  Claim claim;
  try {
    auto st = pool_.get().prepare("SELECT content_hash, state, http_status, response FROM messages "
                                  "WHERE sender_oin = ? AND message_id = ?");
    st.bind(1, sender.str()).bind(2, id.str());
    // A row not 'done' is a claim written by an earlier release of edugate: no longer meaningful.
    if (st.step() && st.text(1) == "done") {
      if (st.text(0) != hash) {
        claim.kind = ClaimKind::conflict;
      } else {
        claim.kind = ClaimKind::replay;
        claim.stored = StoredResponse{static_cast<int>(st.integer(2)), st.text(3)};
      }
    }
  } catch (...) {
    unclaim(sender, id);
    throw;
  }
  if (claim.kind != ClaimKind::fresh) unclaim(sender, id);
  return claim;
}

void SqliteStore::unclaim(const Oin& sender, const MessageId& id) {
  std::lock_guard lock(claims_mu_);
  claims_.erase(claim_key(sender, id));
}

void SqliteStore::insert_audit(sqlitedb::Connection& c, const AuditRecord& a) {
  c.prepare("INSERT INTO audit (time_ms, direction, sender_oin, on_behalf_of_oin, receiver_oin, service, action, "
            "message_id, relates_to, result, duration_us, cert_serial) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
      .bind(1, a.time_ms).bind(2, a.direction).bind(3, a.sender_oin).bind(4, a.on_behalf_of_oin).bind(5, a.receiver_oin)
      .bind(6, a.service).bind(7, a.action).bind(8, a.message_id).bind(9, a.relates_to).bind(10, a.result)
      .bind(11, a.duration_us).bind(12, a.cert_serial).run();
}

void SqliteStore::insert_completion(sqlitedb::Connection& c, const Completion& d) {
  c.prepare("INSERT INTO messages (sender_oin, message_id, content_hash, state, claimed_ms, completed_ms, http_status, response) "
            "VALUES (?, ?, ?, 'done', ?, ?, ?, ?) ON CONFLICT(sender_oin, message_id) DO UPDATE SET "
            "content_hash = excluded.content_hash, state = 'done', completed_ms = excluded.completed_ms, "
            "http_status = excluded.http_status, response = excluded.response")
      .bind(1, d.sender.str()).bind(2, d.message_id.str()).bind(3, d.content_hash)
      .bind(4, d.audit.time_ms).bind(5, d.audit.time_ms + d.audit.duration_us / 1000).bind(6, d.response.http_status)
      .bind(7, d.response.body).run();
  insert_audit(c, d.audit);
}

void SqliteStore::complete_message(const Oin& sender, const MessageId& id, const StoredResponse& r, const AuditRecord& audit) {
  std::string hash;
  {
    std::lock_guard lock(claims_mu_);
    if (auto it = claims_.find(claim_key(sender, id)); it != claims_.end()) hash = it->second;
  }
  complete_messages({Completion{sender, id, hash, r, audit}});
}

void SqliteStore::complete_messages(const std::vector<Completion>& batch) {
  if (batch.empty()) return;
  try {
    auto& c = pool_.get();
    sqlitedb::Transaction tx(c);
    for (const auto& d : batch) insert_completion(c, d);
    tx.commit();
  } catch (...) {
    for (const auto& d : batch) unclaim(d.sender, d.message_id);
    throw;
  }
  for (const auto& d : batch) unclaim(d.sender, d.message_id);
}

void SqliteStore::release_message(const Oin& sender, const MessageId& id, const AuditRecord& audit) {
  unclaim(sender, id);
  append_audit(audit);
}
int SqliteStore::purge_messages(std::int64_t older_than_ms) {
  auto& c = pool_.get();
  sqlitedb::Transaction tx(c);
  c.prepare("DELETE FROM messages WHERE state = 'done' AND completed_ms < ?").bind(1, older_than_ms).run();
  int n = c.changes();
  tx.commit();
  return n;
}

namespace {
OutboxMessage outbox_from(sqlitedb::Statement& st) {
  return OutboxMessage{st.integer(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5), st.text(6),
                       st.text(7), static_cast<int>(st.integer(8)), st.integer(9), st.integer(10), st.integer(11),
                       st.text(12)};
}
}  // namespace

std::int64_t SqliteStore::insert_outbox(sqlitedb::Connection& c, const OutboxMessage& m) {
  c.prepare("INSERT INTO outbox (destination_oin, endpoint, service, operation, body, message_id, state, attempts, "
            "created_ms, next_attempt_ms) VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)")
      .bind(1, m.destination_oin).bind(2, m.endpoint).bind(3, m.service).bind(4, m.operation).bind(5, m.body)
      .bind(6, m.message_id).bind(7, m.created_ms).bind(8, m.created_ms).run();
  return c.last_insert_id();
}

std::int64_t SqliteStore::outbox_enqueue(const OutboxMessage& m) {
  auto& c = pool_.get();
  sqlitedb::Transaction tx(c);
  auto id = insert_outbox(c, m);
  tx.commit();
  return id;
}

bool SqliteStore::outbox_enqueue_with_counter(const std::vector<OutboxMessage>& ms, const std::string& counter,
                                              std::optional<std::int64_t> expected, std::int64_t value) {
  auto& c = pool_.get();
  sqlitedb::Transaction tx(c);
  {
    auto st = c.prepare("SELECT value FROM counters WHERE name = ?");
    st.bind(1, counter);
    std::optional<std::int64_t> now;
    if (st.step()) now = st.integer(0);
    if (now != expected) return false;
  }
  for (const auto& m : ms) insert_outbox(c, m);
  c.prepare("INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value")
      .bind(1, counter).bind(2, value).run();
  tx.commit();
  return true;
}

std::vector<OutboxMessage> SqliteStore::outbox_due(std::int64_t now_ms, int limit) {
  std::vector<OutboxMessage> out;
  auto st = pool_.get().prepare(
      "SELECT o.id, o.destination_oin, o.endpoint, o.service, o.operation, o.body, o.message_id, o.state, o.attempts, "
      "o.created_ms, o.next_attempt_ms, o.sent_ms, o.last_error FROM outbox o "
      "JOIN (SELECT destination_oin, min(id) AS head FROM outbox WHERE state = 'pending' GROUP BY destination_oin) h "
      "ON o.id = h.head WHERE o.next_attempt_ms <= ? ORDER BY o.next_attempt_ms, o.id LIMIT ?");
  st.bind(1, now_ms).bind(2, limit);
  while (st.step()) out.push_back(outbox_from(st));
  return out;
}

void SqliteStore::outbox_sent(std::int64_t id, std::int64_t now_ms) {
  auto& c = pool_.get();
  sqlitedb::Transaction tx(c);
  c.prepare("UPDATE outbox SET state = 'sent', sent_ms = ?, attempts = attempts + 1, last_error = '' WHERE id = ?")
      .bind(1, now_ms).bind(2, id).run();
  tx.commit();
}

void SqliteStore::outbox_failed(std::int64_t id, int attempts, std::int64_t next_ms, const std::string& error, bool dead) {
  auto& c = pool_.get();
  sqlitedb::Transaction tx(c);
  c.prepare("UPDATE outbox SET attempts = ?, next_attempt_ms = ?, last_error = ?, state = ? WHERE id = ? AND state = 'pending'")
      .bind(1, attempts).bind(2, next_ms).bind(3, error).bind(4, dead ? "dead" : "pending").bind(5, id).run();
  tx.commit();
}

std::vector<OutboxMessage> SqliteStore::outbox_list(const std::string& state, int limit) {
  std::vector<OutboxMessage> out;
  auto st = pool_.get().prepare(
      "SELECT id, destination_oin, endpoint, service, operation, body, message_id, state, attempts, created_ms, "
      "next_attempt_ms, sent_ms, last_error FROM (SELECT * FROM outbox WHERE (?1 = '' OR state = ?1) "
      "ORDER BY id DESC LIMIT ?2) ORDER BY id");
  st.bind(1, state).bind(2, limit);
  while (st.step()) out.push_back(outbox_from(st));
  return out;
}

std::optional<OutboxMessage> SqliteStore::outbox_get(std::int64_t id) {
  auto st = pool_.get().prepare(
      "SELECT id, destination_oin, endpoint, service, operation, body, message_id, state, attempts, created_ms, "
      "next_attempt_ms, sent_ms, last_error FROM outbox WHERE id = ?");
  st.bind(1, id);
  if (!st.step()) return std::nullopt;
  return outbox_from(st);
}

bool SqliteStore::outbox_retry(std::int64_t id, std::int64_t now_ms) {
  auto& c = pool_.get();
  sqlitedb::Transaction tx(c);
  c.prepare("UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_ms = ? WHERE id = ? AND state <> 'sent'")
      .bind(1, now_ms).bind(2, id).run();
  bool changed = c.changes() == 1;
  tx.commit();
  return changed;
}

std::optional<std::int64_t> SqliteStore::counter(const std::string& name) {
  auto st = pool_.get().prepare("SELECT value FROM counters WHERE name = ?");
  st.bind(1, name);
  if (!st.step()) return std::nullopt;
  return st.integer(0);
}

void SqliteStore::set_counter(const std::string& name, std::int64_t value) {
  auto& c = pool_.get();
  sqlitedb::Transaction tx(c);
  c.prepare("INSERT INTO counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = excluded.value")
      .bind(1, name).bind(2, value).run();
  tx.commit();
}

void SqliteStore::append_audit(const AuditRecord& a) {
  auto& c = pool_.get();
  sqlitedb::Transaction tx(c);
  insert_audit(c, a);
  tx.commit();
}

std::vector<AuditRecord> SqliteStore::audit_records(std::int64_t since_ms, int limit) {
  std::vector<AuditRecord> out;
  auto st = pool_.get().prepare(
      "SELECT time_ms, direction, sender_oin, on_behalf_of_oin, receiver_oin, service, action, message_id, relates_to, "
      "result, duration_us, cert_serial FROM audit WHERE time_ms >= ? ORDER BY id LIMIT ?");
  st.bind(1, since_ms).bind(2, limit);
  while (st.step())
    out.push_back(AuditRecord{st.integer(0), st.text(1), st.text(2), st.text(3), st.text(4), st.text(5), st.text(6),
                              st.text(7), st.text(8), st.text(9), st.integer(10), st.text(11)});
  return out;
}

// One pass over the outbox_pending index (state, destination_oin, id); sent rows are skipped.
std::vector<OutboxStats> SqliteStore::outbox_stats() {
  std::vector<OutboxStats> out;
  auto st = pool_.get().prepare(
      "SELECT destination_oin, sum(state = 'pending'), coalesce(min(CASE WHEN state = 'pending' THEN created_ms END), 0), "
      "sum(state = 'dead') FROM outbox WHERE state IN ('pending', 'dead') GROUP BY destination_oin ORDER BY destination_oin");
  while (st.step()) out.push_back(OutboxStats{st.text(0), st.integer(1), st.integer(2), st.integer(3)});
  return out;
}

}  // namespace edugate::store
