// The dialect-neutral parts of store/sql.h and its SQLite implementation.
#include "store/sql.h"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <stdexcept>
#include <unordered_map>

#include "core/backend_error.h"
#include "core/clock.h"

namespace edugate::sql {

std::unique_ptr<Connection> open_postgres(const Target& t);  // pg.cc (or the stub without libpq)

const char* to_string(Dialect d) { return d == Dialect::postgres ? "postgres" : "sqlite"; }

Transaction::Transaction(Connection& c) : c_(c), nested_(c.open_transactions_ > 0) {
  if (nested_) c_.exec("SAVEPOINT edugate_nested");
  else c_.begin();
  ++c_.open_transactions_;
}

void Transaction::commit() {
  if (nested_) c_.exec("RELEASE SAVEPOINT edugate_nested");
  else c_.commit();
  done_ = true;
  --c_.open_transactions_;
}

Transaction::~Transaction() {
  if (done_) return;
  --c_.open_transactions_;
  if (!nested_) {
    c_.rollback();
    return;
  }
  try {
    c_.exec("ROLLBACK TO SAVEPOINT edugate_nested");
    c_.exec("RELEASE SAVEPOINT edugate_nested");
  } catch (...) {
    // The enclosing transaction is rolled back by its own guard.
  }
}

Savepoint::~Savepoint() {
  if (done_) return;
  try {
    c_.exec("ROLLBACK TO SAVEPOINT edugate_item");
    c_.exec("RELEASE SAVEPOINT edugate_item");
  } catch (...) {
    // The enclosing transaction is rolled back by its own guard.
  }
}

std::string Target::describe() const {
  if (dialect == Dialect::sqlite) return path;
  // Never a password in a message or a log line.
  static const std::regex uri_password(R"(://([^:/@]*):[^@]*@)");
  static const std::regex kv_password(R"(password\s*=\s*('[^']*'|\S+))");
  std::string s = std::regex_replace(dsn, uri_password, "://$1:***@");
  return std::regex_replace(s, kv_password, "password=***");
}

namespace {

// One writer lock per database file (by absolute path) in this process.
std::shared_ptr<std::timed_mutex> writer_lock_for(const std::string& path) {
  static std::mutex mu;
  static std::map<std::string, std::weak_ptr<std::timed_mutex>> locks;
  std::error_code ec;
  std::string key = path.rfind("file:", 0) == 0 ? path : std::filesystem::absolute(path, ec).lexically_normal().string();
  std::lock_guard lock(mu);
  auto& slot = locks[key];
  auto l = slot.lock();
  if (!l) {
    l = std::make_shared<std::timed_mutex>();
    slot = l;
  }
  return l;
}

[[noreturn]] void fail(sqlite3* db, const char* what) {
  throw BackendUnavailable(std::string("sqlite ") + what + ": " + (db ? sqlite3_errmsg(db) : "no database"));
}

class SqliteCursor final : public Cursor {
 public:
  SqliteCursor(sqlite3* db, sqlite3_stmt* st) : db_(db), st_(st) {}
  ~SqliteCursor() override { sqlite3_finalize(st_); }
  void bind_text(int i, std::string_view v) override {
    if (sqlite3_bind_text(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT) != SQLITE_OK) fail(db_, "bind");
  }
  void bind_blob(int i, std::string_view v) override {
    if (sqlite3_bind_blob(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT) != SQLITE_OK) fail(db_, "bind");
  }
  void bind_int(int i, std::int64_t v) override {
    if (sqlite3_bind_int64(st_, i, v) != SQLITE_OK) fail(db_, "bind");
  }
  void bind_real(int i, double v) override {
    if (sqlite3_bind_double(st_, i, v) != SQLITE_OK) fail(db_, "bind");
  }
  void bind_null(int i) override {
    if (sqlite3_bind_null(st_, i) != SQLITE_OK) fail(db_, "bind");
  }
  bool step() override {
    int rc = sqlite3_step(st_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail(db_, "step");
  }
  bool is_null(int col) const override { return sqlite3_column_type(st_, col) == SQLITE_NULL; }
  std::string text(int col) const override {
    const unsigned char* t = sqlite3_column_text(st_, col);
    return t ? std::string(reinterpret_cast<const char*>(t), static_cast<size_t>(sqlite3_column_bytes(st_, col)))
             : std::string();
  }
  std::string blob(int col) const override {
    const void* b = sqlite3_column_blob(st_, col);
    return b ? std::string(static_cast<const char*>(b), static_cast<size_t>(sqlite3_column_bytes(st_, col))) : std::string();
  }
  std::int64_t integer(int col) const override { return sqlite3_column_int64(st_, col); }
  double real(int col) const override { return sqlite3_column_double(st_, col); }
  void reset() noexcept override {
    sqlite3_reset(st_);
    sqlite3_clear_bindings(st_);
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* st_;
};

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(const std::string& path, bool synchronous_full) {
    if (sqlite3_open_v2(path.c_str(), &db_,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI,
                        nullptr) != SQLITE_OK) {
      std::string msg = db_ ? sqlite3_errmsg(db_) : "open failed";
      sqlite3_close(db_);
      db_ = nullptr;
      throw BackendUnavailable("sqlite open " + path + ": " + msg);
    }
    writer_ = writer_lock_for(path);
    sqlite3_busy_timeout(db_, 5000);
    exec("PRAGMA journal_mode=WAL");
    exec(synchronous_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL");
    exec("PRAGMA foreign_keys=ON");
  }
  ~SqliteConnection() override {
    cache_.clear();
    sqlite3_close(db_);
  }
  Dialect dialect() const override { return Dialect::sqlite; }
  void exec(const char* sql) override {
    char* err = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
      std::string msg = err ? err : "exec failed";
      sqlite3_free(err);
      throw BackendUnavailable(std::string("sqlite exec: ") + msg);
    }
  }
  std::vector<Row> query(const std::string& sql) override {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) fail(db_, "prepare");
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> guard(st, sqlite3_finalize);
    std::vector<Row> out;
    for (;;) {
      int rc = sqlite3_step(st);
      if (rc == SQLITE_DONE) break;
      if (rc != SQLITE_ROW) fail(db_, "step");
      Row r;
      for (int i = 0; i < sqlite3_column_count(st); ++i) {
        const unsigned char* t = sqlite3_column_text(st, i);
        if (t) r.emplace_back(std::string(reinterpret_cast<const char*>(t), static_cast<size_t>(sqlite3_column_bytes(st, i))));
        else r.emplace_back(std::nullopt);
      }
      out.push_back(std::move(r));
    }
    return out;
  }
  std::int64_t changes() const override { return sqlite3_changes64(db_); }
  // Writers of one database file in this process queue on the file's writer lock (FIFO-ish, no
  // sleeping) instead of in SQLite's busy handler, which sleeps 1, 2, 5, 10 ... ms between tries;
  // BackendUnavailable after 5 s of waiting, like busy_timeout. BEGIN/COMMIT/ROLLBACK are cached
  // prepared statements: sqlite3_exec would parse them anew on every transaction (about a tenth
  // of a request's instructions, measured with callgrind).
  void begin() override {
    std::unique_lock lock(*writer_, std::defer_lock);
    if (!lock.try_lock_for(std::chrono::seconds(5)))
      throw BackendUnavailable("sqlite: database is busy (another writer held it for 5 s)");
    prepare("BEGIN IMMEDIATE").run();
    writing_ = std::move(lock);
  }
  void commit() override {
    prepare("COMMIT").run();
    if (writing_.owns_lock()) writing_.unlock();
  }
  void rollback() noexcept override {
    try {
      prepare("ROLLBACK").run();
    } catch (const std::exception&) {
      // Nothing to roll back (SQLite already did, e.g. after SQLITE_FULL): the connection is clean.
    }
    if (writing_.owns_lock()) writing_.unlock();
  }

 protected:
  Cursor& cursor(const char* sql) override {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
      sqlite3_stmt* st = nullptr;
      if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr) != SQLITE_OK) fail(db_, "prepare");
      it = cache_.emplace(sql, std::make_unique<SqliteCursor>(db_, st)).first;
    }
    return *it->second;
  }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<const char*, std::unique_ptr<SqliteCursor>> cache_;
  std::shared_ptr<std::timed_mutex> writer_;
  std::unique_lock<std::timed_mutex> writing_;  // held from begin() to commit() or rollback()
};

}  // namespace

std::unique_ptr<Connection> open(const Target& t) {
  if (t.dialect == Dialect::postgres) return open_postgres(t);
  return std::make_unique<SqliteConnection>(t.path, t.synchronous_full);
}

void attach_read_only(Connection& c, const std::string& path, const char* schema) {
  if (c.dialect() != Dialect::sqlite) throw std::logic_error("attach_read_only is for SQLite");
  std::string uri = "file:" + path + "?mode=ro", quoted = "'";
  for (char ch : uri) quoted += ch == '\'' ? std::string("''") : std::string(1, ch);
  std::string sql = "ATTACH DATABASE " + quoted + "' AS " + schema;
  c.exec(sql.c_str());
}

Pool::Pool(Target target, std::function<void(Connection&)> on_open)
    : target_(std::move(target)), on_open_(std::move(on_open)) {}

Pool::~Pool() = default;

Connection& Pool::get() {
  const auto id = std::this_thread::get_id();
  {
    std::lock_guard lock(mu_);
    auto it = conns_.find(id);
    if (it != conns_.end() && it->second && it->second->healthy()) return *it->second;
  }
  // Opened, and on_open run (a backend's schema statements, which wait for another thread's write
  // transaction), without the pool's lock: that other thread may need the pool before it commits
  // (a backend's write inside keyed_write asks the pool again). Under the lock this was a deadlock
  // that only SQLite's busy timeout ended, 5 s later, with "database is locked".
  auto c = open(target_);
  if (on_open_) on_open_(*c);
  std::lock_guard lock(mu_);
  auto& slot = conns_[id];  // only this thread touches its slot
  slot = std::move(c);
  return *slot;
}

// --- migrations (PostgreSQL) ---

namespace {
std::string quote_ident(const std::string& s) {
  std::string q = "\"";
  for (char ch : s) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return q + "\"";
}
}  // namespace

int schema_version(Connection& c, const std::string& schema) {
  if (c.dialect() != Dialect::postgres) throw std::logic_error("schema migrations are for PostgreSQL");
  {
    auto st = c.prepare("SELECT to_regclass(CAST(? AS TEXT) || '.schema_migrations') IS NOT NULL");
    st.bind(1, quote_ident(schema));
    if (!st.step() || st.text(0) != "t") return 0;
  }
  auto rows = c.query("SELECT coalesce(max(version), 0) FROM " + quote_ident(schema) + ".schema_migrations");
  return rows.empty() || !rows[0][0] ? 0 : std::stoi(*rows[0][0]);
}

int migrate(Connection& c, const std::string& schema, const std::vector<Migration>& migrations) {
  if (c.dialect() != Dialect::postgres) return 0;
  const std::string q = quote_ident(schema);
  Transaction tx(c);
  // Instances starting at once: one migrates, the others wait and then find nothing to do.
  {
    auto st = c.prepare("SELECT pg_advisory_xact_lock(hashtext('edugate-migrate:' || CAST(? AS TEXT)))");
    st.bind(1, schema);
    st.run();
  }
  std::string setup = "CREATE SCHEMA IF NOT EXISTS " + q + "; CREATE TABLE IF NOT EXISTS " + q +
                      ".schema_migrations (version BIGINT PRIMARY KEY, applied_ms BIGINT NOT NULL); "
                      "SET LOCAL search_path TO " + q + ", public";
  c.exec(setup.c_str());
  int current = schema_version(c, schema);
  int applied = 0;
  const auto now = edugate::now_ms();
  for (const auto& m : migrations) {
    if (m.version <= current) continue;
    c.exec(m.sql);
    std::string mark = "INSERT INTO " + q + ".schema_migrations (version, applied_ms) VALUES (" +
                       std::to_string(m.version) + ", " + std::to_string(now) + ")";
    c.exec(mark.c_str());
    ++applied;
  }
  tx.commit();
  return applied;
}

void ensure_migrated(Connection& c, const std::string& schema, const std::vector<Migration>& migrations, bool apply) {
  if (c.dialect() != Dialect::postgres || migrations.empty()) return;
  if (apply) {
    migrate(c, schema, migrations);
    return;
  }
  const int have = schema_version(c, schema), want = migrations.back().version;
  if (have < want)
    throw std::runtime_error("PostgreSQL schema '" + schema + "' is at version " + std::to_string(have) +
                             ", this edugate needs version " + std::to_string(want) +
                             ": run `edugate db migrate --config FILE` first (or set store.migrate: auto)");
}

}  // namespace edugate::sql
