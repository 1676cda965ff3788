#pragma once
// A small dialect-neutral SQL layer: one code path for the store and the backends on SQLite
// (embedded default) and on PostgreSQL (several gateway instances on one database).
//
// SQL is written once with `?` (or `?N`) placeholders; the PostgreSQL connection rewrites them to
// `$n`. Statements are prepared once per connection and cached by the ADDRESS of their text, so
// SQL must be string literals. Where the dialects differ, the caller says so explicitly with
// pick(c, sqlite_sql, postgres_sql). Every failure to reach or use the database throws
// edugate::BackendUnavailable (answered DK0051, retryable).
//
// Dialect rules the shared SQL follows (docs/DESIGN.md "PostgreSQL store"):
//  - a bare parameter in `? IS NULL` needs a type for PostgreSQL: CAST(? AS TEXT) IS NULL;
//  - INSERT ... ON CONFLICT (...) DO NOTHING / DO UPDATE, never INSERT OR IGNORE/REPLACE;
//  - INSERT ... RETURNING id, never last_insert_rowid();
//  - lower(x) = lower(?), never COLLATE NOCASE; instr() exists in both (a SQL function in PG);
//  - a subquery in FROM has an alias.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace edugate::sql {

enum class Dialect { sqlite, postgres };
const char* to_string(Dialect);

// A prepared statement's state inside its connection (one per SQL text per connection).
class Cursor {
 public:
  virtual ~Cursor() = default;
  virtual void bind_text(int i, std::string_view v) = 0;
  virtual void bind_blob(int i, std::string_view v) = 0;
  virtual void bind_int(int i, std::int64_t v) = 0;
  virtual void bind_real(int i, double v) = 0;
  virtual void bind_null(int i) = 0;
  virtual bool step() = 0;  // true: a row is available
  virtual bool is_null(int col) const = 0;
  virtual std::string text(int col) const = 0;
  virtual std::string blob(int col) const = 0;
  virtual std::int64_t integer(int col) const = 0;
  virtual double real(int col) const = 0;
  virtual void reset() noexcept = 0;  // forget bindings and results
};

// A handle on a cached statement; reset when it goes out of scope. Do not keep two handles of the
// same SQL text alive at once on one connection.
class Statement {
 public:
  explicit Statement(Cursor& c) : c_(&c) {}
  Statement(Statement&& o) noexcept : c_(o.c_) { o.c_ = nullptr; }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() {
    if (c_) c_->reset();
  }
  Statement& bind(int i, std::string_view v) { return c_->bind_text(i, v), *this; }
  Statement& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  Statement& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  Statement& bind(int i, std::int64_t v) { return c_->bind_int(i, v), *this; }
  Statement& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
  Statement& bind(int i, double v) { return c_->bind_real(i, v), *this; }
  Statement& bind_null(int i) { return c_->bind_null(i), *this; }
  Statement& bind_blob(int i, std::string_view v) { return c_->bind_blob(i, v), *this; }
  Statement& bind_blob(int i, const std::string& v) { return bind_blob(i, std::string_view(v)); }
  Statement& bind_blob(int i, const std::optional<std::string>& v) {
    return v ? bind_blob(i, std::string_view(*v)) : bind_null(i);
  }
  template <class T>
  Statement& bind(int i, const std::optional<T>& v) {
    return v ? bind(i, *v) : bind_null(i);
  }
  bool step() { return c_->step(); }
  void run() {
    while (step()) {
    }
  }
  std::string text(int col) const { return c_->text(col); }
  std::optional<std::string> opt_text(int col) const {
    if (is_null(col)) return std::nullopt;
    return text(col);
  }
  std::string blob(int col) const { return c_->blob(col); }
  std::int64_t integer(int col) const { return c_->integer(col); }
  double real(int col) const { return c_->real(col); }
  bool is_null(int col) const { return c_->is_null(col); }

 private:
  Cursor* c_;
};

class Connection {
 public:
  virtual ~Connection() = default;
  Connection() = default;
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  virtual Dialect dialect() const = 0;
  // SQL without parameters; may hold several statements.
  virtual void exec(const char* sql) = 0;
  Statement prepare(const char* sql) { return Statement(cursor(sql)); }
  // An uncached query with no parameters, every value as text (NULL: nullopt): for tools and
  // tests, and SQL whose text is built at run time (schema names).
  using Row = std::vector<std::optional<std::string>>;
  virtual std::vector<Row> query(const std::string& sql) = 0;
  // Rows changed by the last INSERT/UPDATE/DELETE run on this connection.
  virtual std::int64_t changes() const = 0;
  // A write transaction: SQLite BEGIN IMMEDIATE (the database's one write lock); PostgreSQL
  // BEGIN, plus the pool's advisory lock when it has one (the same serialisation across
  // instances for check-then-write business rules).
  virtual void begin() = 0;
  virtual void commit() = 0;
  virtual void rollback() noexcept = 0;
  // False once the server is gone; the pool replaces such a connection.
  virtual bool healthy() const { return true; }

 protected:
  friend class Transaction;
  int open_transactions_ = 0;  // Transactions open on this connection (the outer one and savepoints)

  virtual Cursor& cursor(const char* sql) = 0;
};

// Chooses the SQL of the connection's dialect (both must be string literals).
inline const char* pick(const Connection& c, const char* sqlite_sql, const char* postgres_sql) {
  return c.dialect() == Dialect::postgres ? postgres_sql : sqlite_sql;
}

// begin() ... commit(), rolled back if not committed. Inside another Transaction on the same
// connection it is a savepoint of that one (commit releases it, otherwise it is rolled back), so
// a write that runs inside a caller's transaction (a keyed write: adapters/db/keyed_writes.h)
// commits or vanishes with it.
class Transaction {
 public:
  explicit Transaction(Connection& c);
  void commit();
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

 private:
  Connection& c_;
  bool nested_ = false;
  bool done_ = false;
};

// SAVEPOINT inside a transaction: release() keeps the work, otherwise it is rolled back.
class Savepoint {
 public:
  explicit Savepoint(Connection& c) : c_(c) { c_.exec("SAVEPOINT edugate_item"); }
  void release() {
    c_.exec("RELEASE SAVEPOINT edugate_item");
    done_ = true;
  }
  ~Savepoint();
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;

 private:
  Connection& c_;
  bool done_ = false;
};

// Where a pool's connections go.
struct Target {
  Dialect dialect = Dialect::sqlite;
  std::string path;               // sqlite: the database file
  bool synchronous_full = true;   // sqlite: synchronous=FULL (durable when a write returns)
  std::string dsn;                // postgres: libpq connection string or URI
  std::string schema;             // postgres: search_path (the component's schema)
  std::int64_t write_lock = 0;    // postgres: advisory lock key taken by begin(); 0: none
  std::string describe() const;   // for messages: the file, or the DSN without its password
};

std::unique_ptr<Connection> open(const Target& t);
bool postgres_built();  // whether this binary has PostgreSQL support

// SQLite only: attach another database file read-only under `schema`.
void attach_read_only(Connection& c, const std::string& path, const char* schema);

// One connection per (pool, thread), opened on first use; on_open runs once per new connection.
// A connection that lost its server is replaced on the next get().
class Pool {
 public:
  Pool(Target target, std::function<void(Connection&)> on_open = {});
  ~Pool();
  Connection& get();
  const Target& target() const { return target_; }
  Dialect dialect() const { return target_.dialect; }

 private:
  Target target_;
  std::function<void(Connection&)> on_open_;
  std::mutex mu_;
  std::map<std::thread::id, std::unique_ptr<Connection>> conns_;
};

// Versioned schema migrations (PostgreSQL): each component keeps <schema>.schema_migrations.
struct Migration {
  int version;
  const char* sql;  // run with search_path = the component's schema
};
// The highest applied version (0: none, or no such schema).
int schema_version(Connection& c, const std::string& schema);
// Applies the missing migrations in one transaction under an advisory lock (several instances may
// start at once). Returns the number applied. Idempotent.
int migrate(Connection& c, const std::string& schema, const std::vector<Migration>& migrations);
// At start-up: migrates when `apply`, else throws std::runtime_error naming the command to run
// when the schema is behind.
void ensure_migrated(Connection& c, const std::string& schema, const std::vector<Migration>& migrations, bool apply);

}  // namespace edugate::sql
