#include "adapters/db/sink.h"

#include <chrono>
#include <filesystem>

#include "core/clock.h"
#include "core/crash_point.h"

namespace edugate::adapters::db {

namespace {
constexpr const char* kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS ontvangen_berichten (
  message_id TEXT PRIMARY KEY, afzender_oin TEXT NOT NULL, soort TEXT NOT NULL, ontvangen_ms INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS monitorresultaten (
  message_id TEXT NOT NULL REFERENCES ontvangen_berichten(message_id), brin TEXT NOT NULL, periode TEXT NOT NULL,
  thema TEXT NOT NULL, respondentgroep TEXT NOT NULL, aantal INTEGER NOT NULL, onderdrukt INTEGER NOT NULL,
  gemiddelde REAL, landelijk_gemiddelde REAL, minimale_respons INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS monitorresultaten_periode ON monitorresultaten(brin, periode);
CREATE TABLE IF NOT EXISTS erkenningmutaties (
  volgnummer INTEGER PRIMARY KEY, message_id TEXT NOT NULL REFERENCES ontvangen_berichten(message_id),
  soort TEXT NOT NULL, tijdstip INTEGER NOT NULL, leerbedrijf_id TEXT NOT NULL, nieuw_leerbedrijf_id TEXT,
  crebo TEXT, leerweg TEXT, begindatum TEXT, einddatum TEXT, naam TEXT);
)SQL";

// Records the message; false when it was delivered before (nothing else to do).
bool first_delivery(sql::Connection& c, const MessageId& id, const Oin& from, const char* soort) {
  c.prepare("INSERT INTO ontvangen_berichten (message_id, afzender_oin, soort, ontvangen_ms) VALUES (?, ?, ?, ?) "
            "ON CONFLICT DO NOTHING")
      .bind(1, id.str()).bind(2, from.str()).bind(3, soort).bind(4, now_ms()).run();
  return c.changes() == 1;
}

sql::Target sqlite_file(const std::string& path) {
  sql::Target t;
  t.path = path;
  return t;
}
}  // namespace

TableSink::TableSink(std::string path) : pool_(sqlite_file(path), [](sql::Connection& c) { c.exec(kSchema); }) {
  if (auto parent = std::filesystem::path(path).parent_path(); !parent.empty())
    std::filesystem::create_directories(parent);
  pool_.get();
}

void TableSink::monitorresultaten(const MessageId& id, const Oin& from, const consumer::Monitorresultaten& r) {
  auto& c = pool_.get();
  sql::Transaction tx(c);
  if (!first_delivery(c, id, from, "monitorresultaten")) return;
  for (const auto& cell : r.cellen)
    c.prepare("INSERT INTO monitorresultaten (message_id, brin, periode, thema, respondentgroep, aantal, onderdrukt, "
              "gemiddelde, landelijk_gemiddelde, minimale_respons) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(1, id.str()).bind(2, r.brin.str()).bind(3, r.periode.str()).bind(4, cell.thema).bind(5, cell.groep)
        .bind(6, cell.aantal).bind(7, cell.onderdrukt ? 1 : 0).bind(8, cell.gemiddelde).bind(9, cell.landelijk)
        .bind(10, r.minimale_respons).run();
  tx.commit();
  crash_point("backend_committed", "OntvangMonitorresultaten");
}

void TableSink::erkenningmutaties(const MessageId& id, const Oin& from, const std::vector<leerbedrijf::Mutatie>& ms) {
  auto& c = pool_.get();
  sql::Transaction tx(c);
  if (!first_delivery(c, id, from, "erkenningmutaties")) return;
  for (const auto& m : ms)
    c.prepare("INSERT INTO erkenningmutaties (volgnummer, message_id, soort, tijdstip, leerbedrijf_id, "
              "nieuw_leerbedrijf_id, crebo, leerweg, begindatum, einddatum, naam) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
              "ON CONFLICT DO NOTHING")
        .bind(1, m.volgnummer).bind(2, id.str()).bind(3, m.soort).bind(4, m.tijdstip).bind(5, m.leerbedrijf.str())
        .bind(6, m.nieuw_leerbedrijf ? std::optional<std::string>(m.nieuw_leerbedrijf->str()) : std::nullopt)
        .bind(7, m.crebo ? std::optional<std::string>(m.crebo->str()) : std::nullopt)
        .bind(8, m.leerweg ? std::optional<std::string>(to_string(*m.leerweg)) : std::nullopt)
        .bind(9, m.begindatum ? std::optional<std::string>(m.begindatum->str()) : std::nullopt)
        .bind(10, m.einddatum ? std::optional<std::string>(m.einddatum->str()) : std::nullopt)
        .bind(11, m.naam).run();
  tx.commit();
  crash_point("backend_committed", "OntvangErkenningmutaties");
}

}  // namespace edugate::adapters::db
