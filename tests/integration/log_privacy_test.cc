// Logs (issue 8, item 5): a full flow of the three services and both directions, with personal
// data in every request, at log level debug; then every line of both gateways' logs must be one
// JSON object with time, level and event, the lines about a message must carry its MessageID,
// and no personal value the backends hold (fixtures and what we sent) may occur anywhere.
#include <gtest/gtest.h>
#include <signal.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "adapters/db/leerbedrijf_fixtures.h"
#include "core/ids.h"
#include "testkit/testkit.h"

using namespace edugate;
using namespace edugate::testkit;
namespace fx = edugate::adapters::db::fixtures;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

json call(Provider& p, const std::string& service, const std::string& op, const json& req) {
  auto ex = send_service_json(service, "school-25be", kSchool25be, p.port(), op, req.dump());
  EXPECT_TRUE(ex) << (ex ? "" : ex.error().message);
  if (!ex) return json();
  EXPECT_FALSE(ex->is_fault) << op << ": " << ex->faultstring;
  return json::parse(body_json(*ex));
}

// Every value of the given columns in an SQLite database (one per line of sqlite3's output).
std::set<std::string> values(const std::string& db, const std::string& sql) {
  std::set<std::string> out;
  auto r = run({"/usr/bin/sqlite3", "-cmd", ".timeout 5000", db, sql});
  std::istringstream in(r.output);
  for (std::string line; std::getline(in, line);)
    if (line.size() >= 4) out.insert(line);  // shorter ones ("", "-") say nothing
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) out.push_back(line);
  return out;
}

}  // namespace

TEST(Logs, AreJsonLinesWithMessageIdsAndHoldNoPersonalData) {
  ProviderOptions po;
  po.bpvmonitor = true;
  po.praktijkloket = true;
  po.log_level = "debug";
  po.admin = true;
  po.outbox_yaml = "outbox:\n  poll_ms: 50\n  send_timeout_ms: 5000\n";
  Provider p(po);
  ConsumerOptions co;
  co.provider_port = p.port();
  co.inbox = true;
  co.log_level = "debug";
  Consumer c(co);
  ASSERT_EQ(p.edugate({"onboard", "party", "--oin", kSchool25be, "--name", "ROC TEST Twente", "--endpoint",
                       "https://127.0.0.1:" + std::to_string(c.port())}).exit_code, 0);
  const std::string in_40 = civil_from_days(days_from_civil(today_utc()) + 40).str();

  // Leerbedrijf: reads that return the fixtures' praktijkopleiders, a voordracht with a contact person.
  call(p, "leerbedrijf", "VerifieerErkenning", {{"LeerbedrijfID", fx::kErkendId}, {"Crebo", fx::kErkendCrebo}, {"Leerweg", "BOL"}});
  auto details = call(p, "leerbedrijf", "GeefLeerbedrijfDetails", {{"LeerbedrijfID", fx::kErkendId}});
  EXPECT_NE(details.dump().find("opleider@vanderberg.example"), std::string::npos) << "the answer does carry personal data";
  call(p, "leerbedrijf", "ZoekLeerbedrijven", {{"Plaats", fx::kPlaats}});
  call(p, "leerbedrijf", "VoordragenErkenning",
       {{"KvkNummer", "87654321"}, {"Naam", "Fietsenmakerij De Spaak"},
        {"Adres", {{"Straat", "Dorpsstraat"}, {"Huisnummer", "1"}, {"Postcode", "7511 AA"}, {"Plaats", "Enschede"}}},
        {"Crebo", fx::kErkendCrebo}, {"Leerweg", "BBL"},
        {"Contactpersoon", {{"Naam", "Jozefien Contactpersoon"}, {"Email", "jozefien@spaak.example"}}}});
  // A Melding that names a field of personal data.
  call(p, "leerbedrijf", "VoordragenErkenning",
       {{"KvkNummer", "87654322"}, {"Naam", "Fietsenmakerij De Ketting"},
        {"Adres", {{"Straat", "Dorpsstraat"}, {"Huisnummer", "2"}, {"Postcode", "7511 AA"}, {"Plaats", "Enschede"}}},
        {"Crebo", fx::kErkendCrebo}, {"Leerweg", "BBL"},
        {"Contactpersoon", {{"Naam", "Gerolf Foutadres"}, {"Email", "gerolf-zonder-apenstaartje"}}}});

  // Praktijkloket: deelnemers (names, birth dates, e-mail), a praktijkopleider of our own, a document.
  auto d = call(p, "praktijkloket", "VoegDeelnemerToe",
                {{"Deelnemer", {{"Voornaam", "Wilhelmina"}, {"Achternaam", "Privacytest"}, {"Geboortedatum", "2006-04-12"},
                                {"Email", "wilhelmina.privacytest@student.example"}, {"Onderwijsvorm", "mbo"}}}});
  const std::string deelnemer = d.value("DeelnemerID", "");
  ASSERT_FALSE(deelnemer.empty()) << d.dump();
  call(p, "praktijkloket", "VoegDeelnemerToe",
       {{"Deelnemer", {{"Voornaam", "Bartholomeus"}, {"Achternaam", "Foutdatum"}, {"Geboortedatum", "2006-02-30"},
                       {"Email", "bartholomeus@student.example"}, {"Onderwijsvorm", "mbo"}}}});
  call(p, "praktijkloket", "VoegPraktijkopleiderToe",
       {{"DeelnemerID", deelnemer}, {"LeerbedrijfID", fx::kErkendId},
        {"Praktijkopleider", {{"Naam", "Karel Eigenopleider"}, {"Functie", "leermeester"}, {"Email", "karel@werk.example"}}}});
  call(p, "praktijkloket", "ZoekDeelnemers", {{"Achternaam", "Privacytest"}});
  call(p, "praktijkloket", "MaakBegeleidingsdocument",
       {{"Begeleidingsdocument",
         {{"DeelnemerID", deelnemer}, {"LeerbedrijfID", fx::kErkendId}, {"PraktijkopleiderID", std::string(fx::kErkendId) + "-PO1"},
          {"Begindatum", "2026-09-01"}, {"Einddatum", "2027-06-30"},
          {"Kwalificatie", json::array({{{"Crebo", "25180"}, {"Werkproces", json::array({{{"Code", "B1-K1-W1"}}})}}})}}}});

  // BPV Monitor: student data sent directly and through the consumer's inbox; results pushed back.
  auto record = [&](const std::string& k, const std::string& voornaam, const std::string& email) {
    return json{{"BpvoKenmerk", k}, {"Brin", "25BE"}, {"RioOnderwijsaanbiedercode", "123A456"}, {"RioLocatiecode", "123X001"},
                {"Opleidingscode", "25180"}, {"Leerweg", "BOL"}, {"LeerbedrijfID", fx::kErkendId}, {"Einddatum", in_40},
                {"StudentVoornaam", voornaam}, {"StudentAchternaam", "Enquetetest"}, {"StudentEmail", email}};
  };
  call(p, "bpvmonitor", "LeverStudentgegevensAan",
       {{"Studentgegeven", json::array({record("LP1", "Theodora", "theodora.enquetetest@student.example"),
                                        record("LP2", "Maximiliaan", "geen-adres")})}});
  {
    std::ofstream(c.inbox_dir() + "/.lijst.csv.tmp")
        << "BpvoKenmerk;Brin;RioOnderwijsaanbiedercode;RioLocatiecode;Opleidingscode;Leerweg;LeerbedrijfID;Einddatum;"
           "StudentVoornaam;StudentAchternaam;StudentEmail\n"
        << "LP3;25BE;123A456;123X001;25180;BOL;100000001;" << in_40 << ";Cornelia;Inboxtest;cornelia.inboxtest@student.example\n";
    fs::rename(c.inbox_dir() + "/.lijst.csv.tmp", c.inbox_dir() + "/lijst.csv");
  }
  ASSERT_TRUE(eventually([&] { return fs::exists(c.inbox_dir() + "/done/lijst.csv"); })) << c.log();
  auto published = p.edugate({"publish-results", "--period", "2026-K2"});
  ASSERT_EQ(published.exit_code, 0) << published.output;
  ASSERT_TRUE(eventually([&] { return sqlite_scalar(c.sink_path(), "SELECT count(*) FROM monitorresultaten") != "0"; }))
      << p.log() << c.log();
  // A MessageID shaped to break a hand-made JSON line (quote, newline, brace): it is logged with the fault.
  EnvelopeSpec hostile;
  hostile.message_id = "urn:uuid:\"},\n{\"event\":\"forged";
  EXPECT_EQ(fault_code(raw_post(p.port(), "school-25be", "/edukoppeling/leerbedrijf", envelope(hostile)).body), "EK0023");
  EXPECT_EQ(http_get(p.admin_port(), "/metrics").status, 200);
  p.stop();
  c.stop();

  // The personal data the backends hold: the fixtures' praktijkopleiders (SBB's register) and
  // everything the requests above stored.
  std::set<std::string> personal = values(p.dir() + "/sbb.db", "SELECT naam FROM praktijkopleiders; SELECT email FROM praktijkopleiders;"
                                                                 "SELECT contact_naam FROM voordrachten; SELECT contact_email FROM voordrachten");
  for (const auto& v : values(p.dir() + "/pl.db", "SELECT voornaam || ' ' || achternaam FROM deelnemers; SELECT achternaam FROM deelnemers;"
                                                  "SELECT geboortedatum FROM deelnemers; SELECT email FROM deelnemers;"
                                                  "SELECT naam FROM deelnemer_opleiders; SELECT email FROM deelnemer_opleiders"))
    personal.insert(v);
  for (const auto& v : values(p.dir() + "/bpv.db", "SELECT voornaam || ' ' || achternaam FROM studentgegevens;"
                                                   "SELECT achternaam FROM studentgegevens; SELECT email FROM studentgegevens"))
    personal.insert(v);
  for (const char* sent : {"A. Testpersoon", "opleider@vanderberg.example", "Jozefien", "Gerolf Foutadres", "gerolf-zonder-apenstaartje",
                           "Wilhelmina", "Privacytest", "2006-04-12", "Bartholomeus", "2006-02-30", "Karel Eigenopleider",
                           "karel@werk.example", "Theodora", "Maximiliaan", "Cornelia", "Inboxtest", "Enquetetest"})
    personal.insert(sent);
  ASSERT_GT(personal.size(), 300u) << "the fixtures' praktijkopleiders are among them";
  ASSERT_TRUE(personal.count("wilhelmina.privacytest@student.example"));
  ASSERT_TRUE(personal.count("cornelia.inboxtest@student.example")) << "the inbox file reached the backend";

  const std::regex email(R"([A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})");
  for (const auto& [name, log] : {std::pair{std::string("provider"), p.log()}, std::pair{std::string("consumer"), c.log()}}) {
    SCOPED_TRACE(name);
    auto lines = lines_of(log);
    ASSERT_GT(lines.size(), 5u) << log;
    std::set<std::string> events;
    int with_message_id = 0;
    for (const auto& line : lines) {
      json j;
      try {
        j = json::parse(line);
      } catch (const std::exception& e) {
        ADD_FAILURE() << "not JSON: " << line;
        continue;
      }
      ASSERT_TRUE(j.is_object()) << line;
      EXPECT_TRUE(j.contains("time") && j["time"].is_string()) << line;
      EXPECT_TRUE(j.contains("level") && j["level"].is_string()) << line;
      ASSERT_TRUE(j.contains("event") && j["event"].is_string()) << line;
      const std::string event = j["event"];
      events.insert(event);
      for (const char* about_a_message : {"request", "fault", "push_sent", "push_failed", "inbox_sent", "inbox_retry", "inbox_refused"})
        if (event == about_a_message) {
          EXPECT_TRUE(j.contains("message_id") && j["message_id"].get<std::string>().starts_with("urn:uuid:")) << line;
          ++with_message_id;
        }
      EXPECT_FALSE(std::regex_search(line, email)) << "an e-mail address in: " << line;
    }
    EXPECT_GT(with_message_id, 0);
    EXPECT_EQ(events.count("forged"), 0u) << "a MessageID cannot forge a log line";
    EXPECT_TRUE(events.count("listening") && events.count("stopping") && events.count("stopped")) << log.substr(0, 3000);
    for (const auto& value : personal) EXPECT_EQ(log.find(value), std::string::npos) << "personal data in the log: " << value;
  }
  EXPECT_NE(p.log().find(R"("event":"request")"), std::string::npos);
  EXPECT_NE(p.log().find(R"("event":"push_sent")"), std::string::npos);
  EXPECT_NE(c.log().find(R"("event":"inbox_sent")"), std::string::npos);
}
