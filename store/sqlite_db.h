#pragma once
// A thin RAII layer over sqlite3 shared by the SQLite store and the SQLite adapters:
// one connection per thread, cached prepared statements, BackendUnavailable on failure.
#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

namespace edugate::sqlitedb {

class Connection;

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* st) : db_(db), st_(st) {}
  Statement& bind(int i, std::string_view v);
  Statement& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  Statement& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  Statement& bind(int i, std::int64_t v);
  Statement& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  Statement& bind(int i, double v);
  Statement& bind_null(int i);
  template <class T>
  Statement& bind(int i, const std::optional<T>& v) {
    return v ? bind(i, *v) : bind_null(i);
  }
  bool step();  // true: a row is available
  void run() { while (step()) {} }
  std::string text(int col) const;
  std::optional<std::string> opt_text(int col) const;
  std::int64_t integer(int col) const { return sqlite3_column_int64(st_, col); }
  double real(int col) const { return sqlite3_column_double(st_, col); }
  bool is_null(int col) const { return sqlite3_column_type(st_, col) == SQLITE_NULL; }
  ~Statement() { sqlite3_reset(st_); sqlite3_clear_bindings(st_); }

 private:
  sqlite3* db_;
  sqlite3_stmt* st_;
};

class Connection {
 public:
  Connection(const std::string& path, bool synchronous_full);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  void exec(const char* sql);
  // ATTACH another database file read-only under `schema` (the adapters read SBB's leerbedrijven).
  void attach_read_only(const std::string& path, const char* schema);
  Statement prepare(const char* sql);  // cached by the SQL text's address
  std::int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
  int changes() const { return sqlite3_changes(db_); }
  sqlite3* raw() const { return db_; }
  // Writers of one database file in this process queue here (FIFO-ish, no sleeping) instead of
  // in SQLite's busy handler, which sleeps 1, 2, 5, 10 ... ms between tries.
  std::timed_mutex& writer_lock() const { return *writer_; }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<const char*, sqlite3_stmt*> cache_;
  std::shared_ptr<std::timed_mutex> writer_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back if not committed. Holds the file's writer lock of
// this process for its duration (BackendUnavailable after 5 s of waiting, like busy_timeout).
class Transaction {
 public:
  explicit Transaction(Connection& c);
  void commit();
  ~Transaction();

 private:
  Connection& c_;
  std::unique_lock<std::timed_mutex> writer_;
  bool done_ = false;
};

// One Connection per (pool, thread); the schema callback runs once per new connection's first use.
class Pool {
 public:
  Pool(std::string path, bool synchronous_full, std::function<void(Connection&)> on_open);
  ~Pool();
  Connection& get();
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  bool sync_full_;
  std::function<void(Connection&)> on_open_;
  std::mutex mu_;
  std::map<std::thread::id, std::unique_ptr<Connection>> conns_;
};

[[noreturn]] void fail(sqlite3* db, const char* what);

}  // namespace edugate::sqlitedb
