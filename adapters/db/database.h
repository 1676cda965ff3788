#pragma once
// Where an SQL backend keeps its tables: an SQLite file (adapter `sqlite`) or a schema of a
// PostgreSQL database (adapter `postgres`). The backends in this folder are written once against
// store/sql.h and serve both; the dialect differences are in their schemas and a few pick()s.
//
// PostgreSQL layout: one database for the SBB backends, one schema each: lb (Leerbedrijf, read by
// the others as lb.*, as the SQLite adapters ATTACH it), bpv (BPV Monitor), pl (Praktijkloket
// and the kwalificatiestructuur). The gateway's store may share the database (schema edugate).
#include <cstdint>
#include <stdexcept>
#include <string>

#include "store/sql.h"

namespace edugate::adapters::db {

// Each backend's write transactions take its own advisory lock on PostgreSQL: the counterpart of
// SQLite's BEGIN IMMEDIATE, so check-then-write rules (a duplicate deelnemer, a BpvoKenmerk
// delivered twice) hold across instances exactly as on SQLite.
inline constexpr std::int64_t kLeerbedrijfLock = 0x6564756761740101;
inline constexpr std::int64_t kBpvMonitorLock = 0x6564756761740102;
inline constexpr std::int64_t kPraktijkloketLock = 0x6564756761740103;

inline sql::Target database(const std::string& path, const std::string& dsn, const char* schema, std::int64_t lock) {
  sql::Target t;
  if (dsn.empty()) {
    t.dialect = sql::Dialect::sqlite;
    t.path = path;
  } else {
    t.dialect = sql::Dialect::postgres;
    t.dsn = dsn;
    t.schema = schema;
    t.write_lock = lock;
  }
  return t;
}

// PostgreSQL: the Leerbedrijf schema must be in the same database (the BPV Monitor and the
// Praktijkloket read SBB's leerbedrijven from it).
inline void require_leerbedrijf_schema(sql::Connection& c, const char* who) {
  auto rows = c.query("SELECT to_regclass('lb.leerbedrijven') IS NOT NULL");
  if (rows.empty() || rows[0][0] != std::optional<std::string>("t"))
    throw std::runtime_error(std::string("adapters.postgres (") + who +
                             "): schema lb (the leerbedrijf service's postgres adapter) is not in this database: "
                             "give the leerbedrijf service the same dsn and run `edugate db migrate` first");
}

}  // namespace edugate::adapters::db
