#include "store/sqlite_db.h"

#include <filesystem>

#include "core/backend_error.h"

namespace edugate::sqlitedb {

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
}  // namespace

void fail(sqlite3* db, const char* what) {
  throw BackendUnavailable(std::string("sqlite ") + what + ": " + (db ? sqlite3_errmsg(db) : "no database"));
}

Statement& Statement::bind(int i, std::string_view v) {
  if (sqlite3_bind_text(st_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT) != SQLITE_OK) fail(db_, "bind");
  return *this;
}
Statement& Statement::bind(int i, std::int64_t v) {
  if (sqlite3_bind_int64(st_, i, v) != SQLITE_OK) fail(db_, "bind");
  return *this;
}
Statement& Statement::bind(int i, double v) {
  if (sqlite3_bind_double(st_, i, v) != SQLITE_OK) fail(db_, "bind");
  return *this;
}
Statement& Statement::bind_null(int i) {
  if (sqlite3_bind_null(st_, i) != SQLITE_OK) fail(db_, "bind");
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(st_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_, "step");
}

std::string Statement::text(int col) const {
  const unsigned char* t = sqlite3_column_text(st_, col);
  return t ? std::string(reinterpret_cast<const char*>(t), static_cast<size_t>(sqlite3_column_bytes(st_, col)))
           : std::string();
}

std::optional<std::string> Statement::opt_text(int col) const {
  if (is_null(col)) return std::nullopt;
  return text(col);
}

Connection::Connection(const std::string& path, bool synchronous_full) {
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, nullptr) !=
      SQLITE_OK) {
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

Connection::~Connection() {
  for (auto& [_, st] : cache_) sqlite3_finalize(st);
  sqlite3_close(db_);
}

void Connection::attach_read_only(const std::string& path, const char* schema) {
  std::string uri = "file:" + path + "?mode=ro", quoted = "'";
  for (char ch : uri) quoted += ch == '\'' ? std::string("''") : std::string(1, ch);
  std::string sql = "ATTACH DATABASE " + quoted + "' AS " + schema;
  exec(sql.c_str());
}

void Connection::exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "exec failed";
    sqlite3_free(err);
    throw BackendUnavailable(std::string("sqlite exec: ") + msg);
  }
}

Statement Connection::prepare(const char* sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr) != SQLITE_OK) fail(db_, "prepare");
    it = cache_.emplace(sql, st).first;
  }
  return Statement(db_, it->second);
}

// BEGIN/COMMIT/ROLLBACK are cached prepared statements: sqlite3_exec would parse them anew on
// every transaction (about a tenth of a request's instructions, measured with callgrind).
Transaction::Transaction(Connection& c) : c_(c), writer_(c.writer_lock(), std::defer_lock) {
  if (!writer_.try_lock_for(std::chrono::seconds(5)))
    throw BackendUnavailable("sqlite: database is busy (another writer held it for 5 s)");
  c_.prepare("BEGIN IMMEDIATE").run();
}
void Transaction::commit() {
  c_.prepare("COMMIT").run();
  done_ = true;
}
Transaction::~Transaction() {
  if (done_) return;
  try {
    c_.prepare("ROLLBACK").run();
  } catch (const std::exception&) {
    // Nothing to roll back (SQLite already did, e.g. after SQLITE_FULL): the connection is clean.
  }
}

Pool::Pool(std::string path, bool synchronous_full, std::function<void(Connection&)> on_open)
    : path_(std::move(path)), sync_full_(synchronous_full), on_open_(std::move(on_open)) {}

Pool::~Pool() = default;

Connection& Pool::get() {
  std::lock_guard lock(mu_);
  auto& slot = conns_[std::this_thread::get_id()];
  if (!slot) {
    auto c = std::make_unique<Connection>(path_, sync_full_);
    if (on_open_) on_open_(*c);
    slot = std::move(c);
  }
  return *slot;
}

}  // namespace edugate::sqlitedb
