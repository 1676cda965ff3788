// store/sql.h on PostgreSQL (libpq): prepared statements with `?`/`?N` rewritten to `$n`, text
// results, one connection per pool and thread. Every failure is BackendUnavailable (DK0051).
#include <libpq-fe.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <unordered_map>

#include "core/backend_error.h"
#include "store/sql.h"

namespace edugate::sql {

bool postgres_built() { return true; }

namespace {

// `?` -> `$1`, `$2` ... in order; `?N` -> `$N`. Quoted literals and identifiers are left alone.
std::string rewrite_placeholders(const char* sql, int& nparams) {
  std::string out;
  int next = 0;
  nparams = 0;
  char quote = 0;
  for (const char* p = sql; *p; ++p) {
    char ch = *p;
    if (quote) {
      out += ch;
      if (ch == quote) quote = 0;
      continue;
    }
    if (ch == '\'' || ch == '"') {
      quote = ch;
      out += ch;
      continue;
    }
    if (ch != '?') {
      out += ch;
      continue;
    }
    int n = 0;
    if (p[1] >= '0' && p[1] <= '9') {
      while (p[1] >= '0' && p[1] <= '9') n = n * 10 + (*++p - '0');
    } else {
      n = ++next;
    }
    nparams = std::max(nparams, n);
    out += "$" + std::to_string(n);
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

class PgConnection;

class PgCursor final : public Cursor {
 public:
  PgCursor(PgConnection& c, std::string name, int nparams)
      : c_(c), name_(std::move(name)), values_(static_cast<std::size_t>(nparams)),
        set_(static_cast<std::size_t>(nparams), false), binary_(static_cast<std::size_t>(nparams), 0) {}
  ~PgCursor() override { PQclear(res_); }
  void bind_text(int i, std::string_view v) override { set(i, std::string(v), 0); }
  void bind_blob(int i, std::string_view v) override { set(i, std::string(v), 1); }
  void bind_int(int i, std::int64_t v) override { set(i, std::to_string(v), 0); }
  void bind_real(int i, double v) override {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    set(i, buf, 0);
  }
  void bind_null(int i) override {
    check_index(i);
    set_[static_cast<std::size_t>(i - 1)] = false;
    values_[static_cast<std::size_t>(i - 1)].clear();
  }
  bool step() override;
  bool is_null(int col) const override { return PQgetisnull(res_, row_, col) != 0; }
  std::string text(int col) const override {
    return std::string(PQgetvalue(res_, row_, col), static_cast<std::size_t>(PQgetlength(res_, row_, col)));
  }
  std::string blob(int col) const override {
    // bytea in text format: \x followed by hex digits.
    const char* v = PQgetvalue(res_, row_, col);
    std::size_t n = static_cast<std::size_t>(PQgetlength(res_, row_, col));
    if (n < 2 || v[0] != '\\' || v[1] != 'x') return std::string(v, n);
    std::string out;
    out.reserve((n - 2) / 2);
    for (std::size_t i = 2; i + 1 < n; i += 2) out += static_cast<char>(hex_value(v[i]) * 16 + hex_value(v[i + 1]));
    return out;
  }
  std::int64_t integer(int col) const override {
    const char* v = PQgetvalue(res_, row_, col);
    if (v[0] == 't' && v[1] == 0) return 1;  // a boolean
    if (v[0] == 'f' && v[1] == 0) return 0;
    return std::strtoll(v, nullptr, 10);
  }
  double real(int col) const override { return std::strtod(PQgetvalue(res_, row_, col), nullptr); }
  void reset() noexcept override {
    PQclear(res_);
    res_ = nullptr;
    row_ = -1;
    executed_ = false;
    std::fill(set_.begin(), set_.end(), false);
  }

 private:
  void check_index(int i) const {
    if (i < 1 || static_cast<std::size_t>(i) > values_.size())
      throw std::logic_error("bind index " + std::to_string(i) + " out of range for " + name_);
  }
  void set(int i, std::string v, int binary) {
    check_index(i);
    auto k = static_cast<std::size_t>(i - 1);
    values_[k] = std::move(v);
    set_[k] = true;
    binary_[k] = binary;
  }

  PgConnection& c_;
  std::string name_;
  std::vector<std::string> values_;
  std::vector<bool> set_;  // false: NULL
  std::vector<int> binary_;
  PGresult* res_ = nullptr;
  int row_ = -1;
  bool executed_ = false;
};

class PgConnection final : public Connection {
 public:
  explicit PgConnection(const Target& t) : target_(t) {
    const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
    const char* values[] = {"5", "edugate", t.dsn.c_str(), nullptr};
    conn_ = PQconnectdbParams(keys, values, 1);
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
      std::string msg = conn_ ? PQerrorMessage(conn_) : "out of memory";
      PQfinish(conn_);
      conn_ = nullptr;
      while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
      throw BackendUnavailable("postgres connect " + t.describe() + ": " + msg);
    }
    PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
    // The same patience as SQLite's busy timeout: a lock held longer is DK0051, not a hang.
    exec("SET lock_timeout = '5s'");
    if (!t.schema.empty()) {
      std::string sp = "SET search_path TO \"" + t.schema + "\", public";
      exec(sp.c_str());
    }
  }
  ~PgConnection() override {
    cache_.clear();
    PQfinish(conn_);
  }
  Dialect dialect() const override { return Dialect::postgres; }
  bool healthy() const override { return conn_ && PQstatus(conn_) == CONNECTION_OK; }

  void exec(const char* sql) override {
    PGresult* r = PQexec(conn_, sql);
    check(r, "exec");
    PQclear(r);
  }

  std::vector<Row> query(const std::string& sql) override {
    PGresult* r = PQexec(conn_, sql.c_str());
    check(r, "query");
    std::vector<Row> out;
    for (int i = 0; i < PQntuples(r); ++i) {
      Row row;
      for (int j = 0; j < PQnfields(r); ++j) {
        if (PQgetisnull(r, i, j)) row.emplace_back(std::nullopt);
        else row.emplace_back(std::string(PQgetvalue(r, i, j), static_cast<std::size_t>(PQgetlength(r, i, j))));
      }
      out.push_back(std::move(row));
    }
    PQclear(r);
    return out;
  }

  std::int64_t changes() const override { return changes_; }

  void begin() override {
    exec("BEGIN");
    if (target_.write_lock != 0) {
      std::string lock = "SELECT pg_advisory_xact_lock(" + std::to_string(target_.write_lock) + ")";
      try {
        exec(lock.c_str());  // waits at most lock_timeout
      } catch (...) {
        rollback();  // no Transaction guard exists yet: leave no aborted transaction behind
        throw;
      }
    }
  }
  void commit() override {
    PGresult* r = PQexec(conn_, "COMMIT");
    check(r, "commit");
    // COMMIT of a transaction that failed earlier answers ROLLBACK, without an error.
    bool committed = std::strcmp(PQcmdStatus(r), "COMMIT") == 0;
    PQclear(r);
    if (!committed) throw BackendUnavailable("postgres commit: the transaction was rolled back");
  }
  void rollback() noexcept override {
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) return;
    PQclear(PQexec(conn_, "ROLLBACK"));
  }

  // Throws BackendUnavailable unless r is a success; keeps the row count of a write.
  void check(PGresult* r, const char* what) {
    auto st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
      const char* n = PQcmdTuples(r);
      changes_ = n && *n ? std::strtoll(n, nullptr, 10) : 0;
      return;
    }
    std::string msg = r ? PQresultErrorMessage(r) : PQerrorMessage(conn_);
    const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
    std::string code = state ? state : "";
    PQclear(r);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    throw BackendUnavailable(std::string("postgres ") + what + (code.empty() ? "" : " [" + code + "]") + ": " + msg);
  }

  PGconn* raw() const { return conn_; }

 protected:
  Cursor& cursor(const char* sql) override {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
      int nparams = 0;
      std::string text = rewrite_placeholders(sql, nparams);
      std::string name = "s" + std::to_string(cache_.size() + 1);
      PGresult* r = PQprepare(conn_, name.c_str(), text.c_str(), nparams, nullptr);
      check(r, "prepare");
      PQclear(r);
      it = cache_.emplace(sql, std::make_unique<PgCursor>(*this, name, nparams)).first;
    }
    return *it->second;
  }

 private:
  friend class PgCursor;
  Target target_;
  PGconn* conn_ = nullptr;
  std::int64_t changes_ = 0;
  std::unordered_map<const char*, std::unique_ptr<PgCursor>> cache_;
};

bool PgCursor::step() {
  if (!executed_) {
    executed_ = true;
    std::vector<const char*> values(values_.size());
    std::vector<int> lengths(values_.size());
    for (std::size_t i = 0; i < values_.size(); ++i) {
      values[i] = set_[i] ? values_[i].c_str() : nullptr;
      lengths[i] = static_cast<int>(values_[i].size());
    }
    PGresult* r = PQexecPrepared(c_.raw(), name_.c_str(), static_cast<int>(values_.size()), values.data(), lengths.data(),
                                 binary_.data(), 0);
    c_.check(r, "step");
    res_ = r;
    row_ = -1;
  }
  if (!res_ || PQresultStatus(res_) != PGRES_TUPLES_OK) return false;
  if (row_ + 1 >= PQntuples(res_)) return false;
  ++row_;
  return true;
}

}  // namespace

std::unique_ptr<Connection> open_postgres(const Target& t) { return std::make_unique<PgConnection>(t); }

}  // namespace edugate::sql
