// Exactly once across the backend (issue 16 point 10; docs/DESIGN.md "Exactly once across the
// backend"): every write operation of every provider service, with the gateway killed (SIGKILL,
// core/crash_point.h) at each point between the backend's commit and the answer, then started
// again and the message resent with the same MessageID. Each time: the backend's tables hold
// what one run of the write leaves (nothing doubled, nothing written twice), the answer is the
// first run's (the one the backend recorded with the key), and the store has one audit record of
// the write. The SQLite backends here, the PostgreSQL ones as pg.ExactlyOnce.*; the http_json
// adapter's part (Idempotency-Key) is in http_json_test.cc.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <thread>

#include "adapters/db/leerbedrijf_fixtures.h"
#include "core/clock.h"
#include "gateway/outbound/json_xml.h"
#include "testkit/testkit.h"

using namespace edugate;
using namespace edugate::testkit;
using json = nlohmann::json;
namespace fx = edugate::adapters::db::fixtures;

namespace {

// One write operation: the preparatory writes it needs (run on the live gateway, unkeyed by the
// test's crash), its request, and the backend tables whose rows it makes or changes.
struct WriteCase {
  std::string service;  // leerbedrijf | bpvmonitor | praktijkloket
  std::string operation;
  std::function<json(const std::function<json(const std::string&, const json&)>& call)> request;
  std::string db;                   // lb | bpv | pl
  std::vector<std::string> tables;  // compared row by row
};

json deelnemer(const std::string& voornaam) {
  return {{"Voornaam", voornaam}, {"Achternaam", "Eenmaal"}, {"Geboortedatum", "2006-04-12"}, {"Onderwijsvorm", "mbo"}};
}

json document(const std::string& deelnemer_id, const std::string& einde = "2027-06-30") {
  return {{"DeelnemerID", deelnemer_id},
          {"LeerbedrijfID", fx::kErkendId},
          {"PraktijkopleiderID", std::string(fx::kErkendId) + "-PO1"},
          {"Begindatum", "2026-09-01"},
          {"Einddatum", einde},
          {"Kwalificatie", json::array({{{"Crebo", "25180"}, {"Werkproces", json::array({{{"Code", "B1-K1-W1"}}})}}})}};
}

json verklaring(const std::string& deelnemer_id, const std::string& uren = "400") {
  return {{"DeelnemerID", deelnemer_id},
          {"LeerbedrijfID", fx::kErkendId},
          {"Onderwijsvorm", "mbo"},
          {"Begindatum", "2026-09-01"},
          {"Einddatum", "2027-06-30"},
          {"BpvUren", uren},
          {"Werkproces", json::array({{{"Crebo", "25180"}, {"Code", "B1-K1-W1"}}})}};
}

std::string in_days(int n) { return civil_from_days(days_from_civil(today_utc()) + n).str(); }

json record(const std::string& kenmerk, const std::string& achternaam = "Eenmaal") {
  return {{"BpvoKenmerk", kenmerk},
          {"Brin", "25BE"},
          {"RioOnderwijsaanbiedercode", "123A456"},
          {"RioLocatiecode", "123X001"},
          {"Opleidingscode", "25180"},
          {"Leerweg", "BOL"},
          {"LeerbedrijfID", fx::kErkendId},
          {"Einddatum", in_days(60)},
          {"StudentVoornaam", "Test"},
          {"StudentAchternaam", achternaam},
          {"StudentEmail", "student." + kenmerk + "@school.example"}};
}

using Call = std::function<json(const std::string&, const json&)>;

std::string new_deelnemer(const Call& call, const std::string& voornaam) {
  return call("VoegDeelnemerToe", {{"Deelnemer", deelnemer(voornaam)}}).value("DeelnemerID", "");
}
std::string new_document(const Call& call, const std::string& voornaam) {
  auto d = call("MaakBegeleidingsdocument", {{"Begeleidingsdocument", document(new_deelnemer(call, voornaam))}});
  return d["Begeleidingsdocument"].value("DocumentID", "");
}
std::string new_verklaring(const Call& call, const std::string& voornaam) {
  auto v = call("MaakPraktijkverklaring", {{"Praktijkverklaring", verklaring(new_deelnemer(call, voornaam))}});
  return v["Praktijkverklaring"].value("VerklaringID", "");
}

const std::vector<std::string> kPl = {"deelnemers",       "deelnemer_opleiders",  "begeleidingsdocumenten",
                                      "bd_werkprocessen", "praktijkverklaringen", "pv_werkprocessen"};

std::vector<WriteCase> praktijkloket_writes() {
  return {
      {"praktijkloket", "VoegDeelnemerToe",
       [](const Call&) {
         return json{{"Deelnemer", deelnemer("Ada")}};
       },
       "pl", kPl},
      {"praktijkloket", "VoegDeelnemersToe",
       [](const Call&) {
         return json{{"Deelnemer", json::array({deelnemer("Bas"), deelnemer("Cor")})}};
       },
       "pl", kPl},
      {"praktijkloket", "WijzigDeelnemer",
       [](const Call& c) {
         return json{{"DeelnemerID", new_deelnemer(c, "Dirk")}, {"Deelnemer", deelnemer("Dirkje")}};
       },
       "pl", kPl},
      {"praktijkloket", "ArchiveerDeelnemer",
       [](const Call& c) {
         return json{{"DeelnemerID", new_deelnemer(c, "Eva")}};
       },
       "pl", kPl},
      {"praktijkloket", "HerstelDeelnemer",
       [](const Call& c) {
         auto id = new_deelnemer(c, "Fleur");
         c("ArchiveerDeelnemer", {{"DeelnemerID", id}});
         return json{{"DeelnemerID", id}};
       },
       "pl", kPl},
      {"praktijkloket", "VerwijderDeelnemer",
       [](const Call& c) {
         return json{{"DeelnemerID", new_deelnemer(c, "Gijs")}};
       },
       "pl", kPl},
      {"praktijkloket", "VoegPraktijkopleiderToe",
       [](const Call& c) {
         return json{{"DeelnemerID", new_deelnemer(c, "Hans")},
                     {"LeerbedrijfID", fx::kErkendId},
                     {"Praktijkopleider", {{"Naam", "Karel Eenmaal"}}}};
       },
       "pl", kPl},
      {"praktijkloket", "MaakBegeleidingsdocument",
       [](const Call& c) {
         return json{{"Begeleidingsdocument", document(new_deelnemer(c, "Ilse"))}};
       },
       "pl", kPl},
      {"praktijkloket", "WijzigBegeleidingsdocument",
       [](const Call& c) {
         auto id = new_deelnemer(c, "Jan");
         auto d = c("MaakBegeleidingsdocument", {{"Begeleidingsdocument", document(id)}});
         return json{{"DocumentID", d["Begeleidingsdocument"].value("DocumentID", "")},
                     {"Begeleidingsdocument", document(id, "2027-07-15")}};
       },
       "pl", kPl},
      {"praktijkloket", "RondBegeleidingsdocumentAf",
       [](const Call& c) {
         return json{{"DocumentID", new_document(c, "Kees")}};
       },
       "pl", kPl},
      {"praktijkloket", "MaakPraktijkverklaring",
       [](const Call& c) {
         return json{{"Praktijkverklaring", verklaring(new_deelnemer(c, "Lies"))}};
       },
       "pl", kPl},
      {"praktijkloket", "WijzigPraktijkverklaring",
       [](const Call& c) {
         auto id = new_deelnemer(c, "Mark");
         auto v = c("MaakPraktijkverklaring", {{"Praktijkverklaring", verklaring(id)}});
         return json{{"VerklaringID", v["Praktijkverklaring"].value("VerklaringID", "")},
                     {"Praktijkverklaring", verklaring(id, "500")}};
       },
       "pl", kPl},
      {"praktijkloket", "MaakPraktijkverklaringDefinitief",
       [](const Call& c) {
         return json{{"VerklaringID", new_verklaring(c, "Noor")}};
       },
       "pl", kPl},
      {"praktijkloket", "VerwijderPraktijkverklaring",
       [](const Call& c) {
         return json{{"VerklaringID", new_verklaring(c, "Olga")}};
       },
       "pl", kPl},
  };
}

std::vector<WriteCase> bpvmonitor_writes() {
  return {
      {"bpvmonitor",
       "LeverStudentgegevensAan",
       [](const Call&) {
         return json{{"Studentgegeven", json::array({record("EO1"), record("EO2")})}};
       },
       "bpv",
       {"studentgegevens"}},
      {"bpvmonitor",
       "CorrigeerStudentgegeven",
       [](const Call& c) {
         c("LeverStudentgegevensAan", {{"Studentgegeven", json::array({record("EO3")})}});
         return json{{"Studentgegeven", record("EO3", "Gecorrigeerd")}};
       },
       "bpv",
       {"studentgegevens"}},
      {"bpvmonitor",
       "TrekStudentgegevenIn",
       [](const Call& c) {
         c("LeverStudentgegevensAan", {{"Studentgegeven", json::array({record("EO4")})}});
         return json{{"BpvoKenmerk", "EO4"}};
       },
       "bpv",
       {"studentgegevens"}},
  };
}

std::vector<WriteCase> leerbedrijf_writes() {
  return {{"leerbedrijf",
           "VoordragenErkenning",
           [](const Call&) {
             return json{
                 {"KvkNummer", "87654321"},
                 {"Naam", "Fietsenmakerij Eenmaal"},
                 {"Adres",
                  {{"Straat", "Dorpsstraat"}, {"Huisnummer", "1"}, {"Postcode", "7511 AA"}, {"Plaats", "Enschede"}}},
                 {"Crebo", fx::kErkendCrebo},
                 {"Leerweg", "BBL"},
                 {"Contactpersoon", {{"Naam", "J. Jansen"}, {"Email", "info@eenmaal.example"}}}};
           },
           "lb",
           {"voordrachten"}}};
}

// Every row of the tables, in order: what the write left behind.
std::string rows(const Provider& p, const WriteCase& w) {
  std::string out;
  for (const auto& t : w.tables) {
    out += t + ":";
    for (const auto& r : p.query(w.db, "SELECT * FROM " + t + " ORDER BY 1")) out += json(r).dump() + "\n";
  }
  return out;
}

// The answer a body holds, as JSON (the same model the client reads answers with).
std::string answer_json(const std::string& body_xml) {
  static auto model = gateway::XsdModel::load(contract_dir());
  auto j = model->xml_text_to_json(body_xml);
  return j ? j->dump() : body_xml;
}

class CrashRun {
 public:
  explicit CrashRun(const std::string& service) : crash_file_(make_temp_dir("crash") + "/point") {
    std::ofstream(crash_file_) << "";
    ::setenv("EDUGATE_CRASH_POINT_FILE", crash_file_.c_str(), 1);
    options_.bpvmonitor = service == "bpvmonitor";
    options_.praktijkloket = service == "praktijkloket";
    // PostgreSQL: claims are rows with a lease (several instances share the store); the claim of
    // a request the crash cut off blocks its MessageID (DK0051, retry) until the lease ends.
    if (use_postgres()) options_.store_yaml = "  claim_lease_ms: 1000\n";
    provider_ = std::make_unique<Provider>(options_);
  }
  ~CrashRun() { ::unsetenv("EDUGATE_CRASH_POINT_FILE"); }

  Provider& provider() { return *provider_; }

  Result<gateway::Exchange> send(const std::string& service, const std::string& op, const json& req,
                                 std::optional<MessageId> id = std::nullopt) {
    gateway::SendOptions o;
    o.message_id = id;
    o.timeout_ms = 20000;
    return send_service_json(service, "school-25be", kSchool25be, provider_->port(), op, req.dump(), o);
  }

  void arm(const std::string& point, const std::string& op) {
    std::ofstream(crash_file_) << point << " " << op << "\n";
  }
  void disarm() { std::ofstream(crash_file_) << ""; }

  // A resend: retried while the store still holds the cut-off request's claim (PostgreSQL,
  // until its lease ends: DK0051 "in progress"), as a client does with a retryable fault.
  Result<gateway::Exchange> resend(const std::string& service, const std::string& op, const json& req, const MessageId& id) {
    for (int attempt = 0;; ++attempt) {
      auto ex = send(service, op, req, id);
      if (attempt == 50 || !ex || !ex->is_fault || ex->fault_code != "DK0051") return ex;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }

  // The gateway died at the crash point: start it again on the same store and backends.
  void restart() {
    ASSERT_EQ(provider_->wait_exit(20000), 128 + 9) << "the gateway did not die at the crash point\n"
                                                    << provider_->log();
    provider_->keep_dir();
    ProviderOptions o = options_;
    o.dir = provider_->dir();
    auto next = std::make_unique<Provider>(o);
    provider_ = std::move(next);
  }

 private:
  std::string crash_file_;
  ProviderOptions options_;
  std::unique_ptr<Provider> provider_;
};

void run_cases(const std::string& point, const std::vector<WriteCase>& cases) {
  ASSERT_FALSE(cases.empty());
  CrashRun g(cases.front().service);
  for (const auto& w : cases) {
    SCOPED_TRACE(w.operation + " at " + point);
    Provider& p = g.provider();
    Call call = [&](const std::string& op, const json& req) {
      auto ex = g.send(w.service, op, req);
      EXPECT_TRUE(ex && !ex->is_fault) << op << ": " << (ex ? ex->faultstring : ex.error().message);
      return ex ? json::parse(body_json(*ex)) : json();
    };
    const json request = w.request(call);
    const std::string before = rows(p, w);
    const MessageId id = new_message_id();
    const std::string key = std::string(kSchool25be) + "/" + id.str();

    g.arm(point, w.operation);
    auto lost = g.send(w.service, w.operation, request, id);
    EXPECT_FALSE(lost) << "an answer came back from a gateway that should have died at " << point;
    g.disarm();
    g.restart();
    if (::testing::Test::HasFatalFailure()) return;
    Provider& again = g.provider();
    const std::string at_crash = rows(again, w);
    if (point == "backend_before_commit") {
      EXPECT_EQ(at_crash, before) << "the backend's transaction was not committed";
    } else {
      EXPECT_NE(at_crash, before) << "the write was committed before the crash";
    }

    auto resent = g.resend(w.service, w.operation, request, id);
    ASSERT_TRUE(resent && !resent->is_fault) << (resent ? resent->faultstring : resent.error().message);
    const std::string answer = body_json(*resent);
    EXPECT_EQ(answer.find("\"Ernst\":\"fout\""), std::string::npos) << "the write as it ran the first time: " << answer;
    if (point != "backend_before_commit") {
      EXPECT_EQ(rows(again, w), at_crash) << "the resend wrote again: " << answer;
    }

    // The answer is the one the backend recorded with the key in the write's transaction.
    auto recorded = again.query(w.db, "SELECT answer FROM write_keys WHERE write_key = '" + key + "'");
    ASSERT_EQ(recorded.size(), 1u) << "one record of the key";
    EXPECT_EQ(answer, answer_json(recorded[0][0]));
    // One audit record of the write (a replay from the gateway's store is marked as such, and the
    // DK0051 answers while a claim's lease ran are records of faults).
    EXPECT_EQ(again.scalar("store",
                           "SELECT count(*) FROM audit WHERE message_id = '" + id.str() +
                                   "' AND result <> 'replay' AND result NOT LIKE 'fault:%'"),
              "1");
    // Resent once more: the gateway's stored answer, the same again.
    auto third = g.send(w.service, w.operation, request, id);
    ASSERT_TRUE(third && !third->is_fault);
    EXPECT_EQ(body_json(*third), answer);
    EXPECT_EQ(rows(again, w), rows(again, w));
  }
}

}  // namespace

TEST(ExactlyOnce, PraktijkloketWritesKilledBeforeTheBackendCommitsRunOnceOnTheResend) {
  run_cases("backend_before_commit", praktijkloket_writes());
}
TEST(ExactlyOnce, PraktijkloketWritesKilledAfterTheBackendCommittedAreNotRunAgain) {
  run_cases("backend_committed", praktijkloket_writes());
}
TEST(ExactlyOnce, PraktijkloketWritesKilledAfterTheGatewayCommittedGetTheStoredAnswer) {
  run_cases("gateway_committed", praktijkloket_writes());
}
TEST(ExactlyOnce, BpvMonitorWritesKilledBeforeTheBackendCommitsRunOnceOnTheResend) {
  run_cases("backend_before_commit", bpvmonitor_writes());
}
TEST(ExactlyOnce, BpvMonitorWritesKilledAfterTheBackendCommittedAreNotRunAgain) {
  run_cases("backend_committed", bpvmonitor_writes());
}
TEST(ExactlyOnce, BpvMonitorWritesKilledAfterTheGatewayCommittedGetTheStoredAnswer) {
  run_cases("gateway_committed", bpvmonitor_writes());
}
TEST(ExactlyOnce, LeerbedrijfVoordrachtKilledBeforeTheBackendCommitsRunsOnceOnTheResend) {
  run_cases("backend_before_commit", leerbedrijf_writes());
}
TEST(ExactlyOnce, LeerbedrijfVoordrachtKilledAfterTheBackendCommittedIsNotRunAgain) {
  run_cases("backend_committed", leerbedrijf_writes());
}
TEST(ExactlyOnce, LeerbedrijfVoordrachtKilledAfterTheGatewayCommittedGetsTheStoredAnswer) {
  run_cases("gateway_committed", leerbedrijf_writes());
}

// The resend of a key with other content: DK0011 from the backend's record, as from the store's.
TEST(ExactlyOnce, DK0011_AKeyTheBackendRecordedWithOtherContentIsRefused) {
  CrashRun g("praktijkloket");
  const MessageId id = new_message_id();
  g.arm("backend_committed", "VoegDeelnemerToe");
  EXPECT_FALSE(g.send("praktijkloket", "VoegDeelnemerToe", {{"Deelnemer", deelnemer("Piet")}}, id));
  g.disarm();
  g.restart();
  ASSERT_FALSE(::testing::Test::HasFatalFailure());
  auto other = g.resend("praktijkloket", "VoegDeelnemerToe", {{"Deelnemer", deelnemer("Pieter")}}, id);
  ASSERT_TRUE(other);
  EXPECT_TRUE(other->is_fault);
  EXPECT_EQ(other->fault_code, "DK0011") << other->response.substr(0, 1500);
  EXPECT_EQ(g.provider().scalar("pl", "SELECT count(*) FROM deelnemers WHERE voornaam LIKE 'Piet%'"), "1");
}

// The school's push receiver (consumer role): its SQLite sink records the MessageID in the same
// transaction as the rows, so a push resent after the school's gateway died, after the sink's
// commit or after the gateway's, is stored once and answered as the first time.
TEST(ExactlyOnce, PushesToASchoolKilledAfterTheSinkOrTheGatewayCommittedAreStoredOnce) {
  const std::string crash_file = make_temp_dir("crash") + "/point";
  std::ofstream(crash_file) << "";
  ::setenv("EDUGATE_CRASH_POINT_FILE", crash_file.c_str(), 1);
  const std::map<std::string, std::string> pushes = {
      {"OntvangErkenningmutaties",
       "<so:OntvangErkenningmutatiesVerzoek xmlns:so=\"urn:edugate:schoolontvangst:1\" "
       "xmlns:lb=\"urn:edugate:leerbedrijf:1\">"
       "<so:Mutatie><lb:Volgnummer>VOLG</lb:Volgnummer><lb:Soort>ErkenningVerleend</lb:Soort>"
       "<lb:Tijdstip>2026-01-01T00:00:00Z</lb:Tijdstip><lb:LeerbedrijfID>100000001</lb:LeerbedrijfID></so:Mutatie>"
       "</so:OntvangErkenningmutatiesVerzoek>"},
      {"OntvangMonitorresultaten",
       "<so:OntvangMonitorresultatenVerzoek xmlns:so=\"urn:edugate:schoolontvangst:1\" "
       "xmlns:bpv=\"urn:edugate:bpvmonitor:1\">"
       "<so:Brin>25BE</so:Brin><so:Periode>2026-K1</so:Periode><so:MinimaleRespons>10</so:MinimaleRespons>"
       "<so:Themaresultaat><bpv:Thema>voorbereiding</bpv:Thema><bpv:Respondentgroep>student</bpv:Respondentgroep>"
       "<bpv:Aantal>12</bpv:Aantal><bpv:Onderdrukt>false</bpv:Onderdrukt><bpv:Gemiddelde>7.5</bpv:Gemiddelde>"
       "</so:Themaresultaat></so:OntvangMonitorresultatenVerzoek>"}};
  ConsumerOptions co;
  co.provider_port = 1;
  auto consumer = std::make_unique<Consumer>(co);
  auto contract = gateway::load_contract(contract_dir(), "schoolontvangst");
  int volgnummer = 100;
  for (const char* point : {"backend_committed", "gateway_committed"})
    for (const auto& [op, xml] : pushes) {
      SCOPED_TRACE(op + " at " + point);
      std::string body = xml;
      if (auto v = body.find("VOLG"); v != std::string::npos) body.replace(v, 4, std::to_string(++volgnummer));
      auto push = [&](const MessageId& id) {
        auto cfg = client_config("sbb", consumer->port(), kSbbOin);
        gateway::Client client(cfg);
        gateway::SendOptions o;
        o.remote_oin = *Oin::parse(kSchool25be);
        o.message_id = id;
        o.timeout_ms = 20000;
        return client.send(contract, *contract.by_name(op), body, o);
      };
      const MessageId id = new_message_id();
      std::ofstream(crash_file) << point << " " << op << "\n";
      EXPECT_FALSE(push(id)) << "an answer from a gateway that should have died";
      std::ofstream(crash_file) << "";
      ASSERT_EQ(consumer->wait_exit(20000), 128 + 9) << consumer->log();
      consumer->keep_dir();
      co.dir = consumer->dir();
      consumer = std::make_unique<Consumer>(co);
      const std::string sink = consumer->sink_path();
      const std::string rows_sql = op == "OntvangErkenningmutaties"
                                       ? "SELECT count(*) FROM erkenningmutaties WHERE message_id = '" + id.str() + "'"
                                       : "SELECT count(*) FROM monitorresultaten WHERE message_id = '" + id.str() + "'";
      EXPECT_EQ(sqlite_scalar(sink, rows_sql), "1") << "stored before the crash";
      auto resent = push(id);
      ASSERT_TRUE(resent && !resent->is_fault) << (resent ? resent->faultstring : resent.error().message);
      auto third = push(id);
      ASSERT_TRUE(third && !third->is_fault);
      EXPECT_EQ(body_json(*third), body_json(*resent));
      EXPECT_EQ(sqlite_scalar(sink, rows_sql), "1") << "stored once";
      EXPECT_EQ(sqlite_scalar(sink, "SELECT count(*) FROM ontvangen_berichten WHERE message_id = '" + id.str() + "'"),
                "1");
      EXPECT_EQ(sqlite_scalar(consumer->dir() + "/consumer.db", "SELECT count(*) FROM audit WHERE message_id = '" +
                                                                    id.str() + "' AND result <> 'replay'"),
                "1");
    }
  ::unsetenv("EDUGATE_CRASH_POINT_FILE");
}
