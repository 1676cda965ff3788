// The limit for the durable write path (performance.md, "LeverStudentgegevensAan, batch of 100
// records"): plain SQLite inserting the same rows into the same table, 100 per committed
// transaction, with the gateway's durability settings (WAL, synchronous=FULL). No parsing, no
// network, no checks: what the disk and SQLite allow.
//   perf_sqlite_batch [seconds] [dir]   prints one JSON object: batches, rows, seconds, batches_per_s, rows_per_s
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <unistd.h>

namespace {
void check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::fprintf(stderr, "%s: %s\n", what, sqlite3_errmsg(db));
    std::exit(1);
  }
}
void exec(sqlite3* db, const char* sql) { check(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), db, sql); }
}  // namespace

int main(int argc, char** argv) {
  const double seconds = argc > 1 ? std::atof(argv[1]) : 5.0;
  std::string dir = argc > 2 ? argv[2] : std::filesystem::temp_directory_path().string();
  std::string path = dir + "/perf-sqlite-batch-" + std::to_string(::getpid()) + ".db";
  sqlite3* db = nullptr;
  check(sqlite3_open(path.c_str(), &db), db, "open");
  exec(db, "PRAGMA journal_mode=WAL");
  exec(db, "PRAGMA synchronous=FULL");
  // The table of the SQLite BPV Monitor adapter (adapters/db/bpvmonitor_backend.cc).
  exec(db,
       "CREATE TABLE studentgegevens (school_oin TEXT NOT NULL, bpvo_kenmerk TEXT NOT NULL, brin TEXT NOT NULL, "
       "rio_aanbieder TEXT NOT NULL, rio_locatie TEXT NOT NULL, opleidingscode TEXT NOT NULL, leerweg TEXT NOT NULL, "
       "leerbedrijf_id TEXT NOT NULL, einddatum TEXT NOT NULL, uitnodigingsdatum TEXT NOT NULL, voornaam TEXT NOT NULL, "
       "achternaam TEXT NOT NULL, email TEXT NOT NULL, status TEXT NOT NULL, gewijzigd_ms INTEGER NOT NULL, "
       "PRIMARY KEY (school_oin, bpvo_kenmerk))");
  sqlite3_stmt *ins = nullptr, *begin = nullptr, *commit = nullptr;
  check(sqlite3_prepare_v2(db,
                           "INSERT INTO studentgegevens (school_oin, bpvo_kenmerk, brin, rio_aanbieder, rio_locatie, "
                           "opleidingscode, leerweg, leerbedrijf_id, einddatum, uitnodigingsdatum, voornaam, achternaam, "
                           "email, status, gewijzigd_ms) VALUES (?, ?, '25BE', '100B490', '123X456', '25180', 'BOL', "
                           "'100000001', '2027-06-30', '2027-06-16', 'Voornaam', 'Achternaam', "
                           "'deelnemer@example.invalid', 'actief', ?)",
                           -1, &ins, nullptr),
        db, "prepare");
  check(sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, nullptr), db, "prepare");
  check(sqlite3_prepare_v2(db, "COMMIT", -1, &commit, nullptr), db, "prepare");
  long batches = 0, rows = 0;
  auto t0 = std::chrono::steady_clock::now();
  double elapsed = 0;
  while (elapsed < seconds) {
    check(sqlite3_step(begin), db, "begin");
    sqlite3_reset(begin);
    for (int i = 0; i < 100; ++i) {
      std::string kenmerk = "BPVO-" + std::to_string(rows);
      sqlite3_bind_text(ins, 1, "0000000700025BE00000", -1, SQLITE_STATIC);
      sqlite3_bind_text(ins, 2, kenmerk.c_str(), -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64(ins, 3, 1800000000000 + rows);
      check(sqlite3_step(ins), db, "insert");
      sqlite3_reset(ins);
      ++rows;
    }
    check(sqlite3_step(commit), db, "commit");
    sqlite3_reset(commit);
    ++batches;
    elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
  sqlite3_finalize(ins);
  sqlite3_finalize(begin);
  sqlite3_finalize(commit);
  sqlite3_close(db);
  std::filesystem::remove(path);
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  std::printf("{\"batches\":%ld,\"rows\":%ld,\"seconds\":%.3f,\"batches_per_s\":%.1f,\"rows_per_s\":%.1f}\n", batches, rows,
              elapsed, batches / elapsed, rows / elapsed);
  return 0;
}
