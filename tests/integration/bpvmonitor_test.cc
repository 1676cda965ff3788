// The BPV Monitor service through the real binary over mutual TLS: student data (a result per
// record, validation naming fields, the invitation date), corrections and withdrawals, the
// agreement it needs, and results with small cells suppressed.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "adapters/db/leerbedrijf_fixtures.h"
#include "core/ids.h"
#include "gateway/soap/contract.h"
#include "gateway/outbound/json_xml.h"
#include "testkit/testkit.h"

using namespace edugate;
using namespace edugate::testkit;
using json = nlohmann::ordered_json;
namespace fx = edugate::adapters::db::fixtures;

namespace {

ProviderOptions with_bpvmonitor() {
  ProviderOptions o;
  o.bpvmonitor = true;
  return o;
}

std::string in_days(int n) { return civil_from_days(days_from_civil(today_utc()) + n).str(); }

json record(const std::string& kenmerk, int days_to_end = 60) {
  return json{{"BpvoKenmerk", kenmerk},      {"Brin", "25BE"},
              {"RioOnderwijsaanbiedercode", "123A456"}, {"RioLocatiecode", "123X001"},
              {"Opleidingscode", "25180"},   {"Leerweg", "BOL"},
              {"LeerbedrijfID", fx::kErkendId}, {"Einddatum", in_days(days_to_end)},
              {"StudentVoornaam", "Test"},   {"StudentAchternaam", "Student " + kenmerk},
              {"StudentEmail", "student." + kenmerk + "@school.example"}};
}

// Sends a BPV Monitor operation as JSON and returns the answer body as JSON (or the fault).
json call(Provider& p, const std::string& op, const json& req, const std::string& stem = "school-25be",
          const std::string& oin = kSchool25be, gateway::SendOptions o = {}) {
  auto contract = gateway::load_contract(contract_dir(), "bpvmonitor");
  static auto model = gateway::XsdModel::load(contract_dir());
  auto xml = model->json_to_xml(contract.target_ns, contract.by_name(op)->input_element, req);
  EXPECT_TRUE(xml) << xml.error().message;
  auto config = client_config(stem, p.port(), oin);
  gateway::Client client(config);
  auto ex = client.send(contract, *contract.by_name(op), *xml, o);
  EXPECT_TRUE(ex) << ex.error().message;
  if (!ex) return json();
  if (ex->is_fault) return json{{"fault", ex->fault_code}};
  return *model->xml_text_to_json(ex->body_xml);
}

bool has_melding(const json& r, const std::string& code, const std::string& veld) {
  for (const auto& m : r.value("Melding", json::array()))
    if (m["Code"] == code && m.value("Veld", "") == veld) return true;
  return false;
}

}  // namespace

TEST(BpvMonitor, BatchGetsAResultPerRecordAndStoresOnlyTheGoodOnes) {
  Provider p(with_bpvmonitor());
  json bad_brin = record("K3");
  bad_brin["Brin"] = "30GR";  // not this school's BRIN
  json bad_fields = record("K4");
  bad_fields["RioLocatiecode"] = "123A001";
  bad_fields["StudentEmail"] = "geen-adres";
  bad_fields["Einddatum"] = "2026-02-30";
  json unknown_lb = record("K5");
  unknown_lb["LeerbedrijfID"] = "999999998";
  json past = record("K6", -5);
  json req{{"Studentgegeven", json::array({record("K1"), record("K2", 10), bad_brin, bad_fields, unknown_lb, past,
                                           record("K1")})}};
  auto r = call(p, "LeverStudentgegevensAan", req);
  ASSERT_FALSE(r.contains("fault")) << r.dump();
  EXPECT_EQ(r["AantalGeaccepteerd"], 2);
  EXPECT_EQ(r["AantalGeweigerd"], 5);
  const auto& res = r["Recordresultaat"];
  ASSERT_EQ(res.size(), 7u);
  EXPECT_EQ(res[0]["Status"], "geaccepteerd");
  EXPECT_EQ(res[0]["Uitnodigingsdatum"], in_days(60 - 21)) << "invited three weeks before the end";
  EXPECT_EQ(res[1]["Status"], "geaccepteerd");
  EXPECT_EQ(res[1]["Uitnodigingsdatum"], today_utc().str());
  EXPECT_TRUE(has_melding(res[1], "BPV-KORT", "Einddatum")) << "less than three weeks: accepted with a warning";
  EXPECT_TRUE(has_melding(res[2], "BPV-BRIN", "Brin"));
  EXPECT_TRUE(has_melding(res[3], "ONGELDIG-RIO", "RioLocatiecode")) << res[3].dump();
  EXPECT_TRUE(has_melding(res[3], "ONGELDIG-EMAIL", "StudentEmail"));
  EXPECT_TRUE(has_melding(res[3], "ONGELDIG-DATUM", "Einddatum"));
  EXPECT_TRUE(has_melding(res[4], "BPV-LEERBEDRIJF", "LeerbedrijfID"));
  EXPECT_TRUE(has_melding(res[5], "BPV-AFGELOPEN", "Einddatum"));
  EXPECT_TRUE(has_melding(res[6], "BPV-DUBBEL", "BpvoKenmerk"));
  p.stop();
  EXPECT_EQ(p.scalar("bpv", "SELECT count(*) FROM studentgegevens"), "2");
  EXPECT_EQ(p.log().find("student.K1@"), std::string::npos) << "no personal data in the log";
}

// A field the XSD lets through but edugate refuses: its Melding with the catalogue code.
TEST(BpvMonitor, ABadKenmerkOrBrinIsAMeldingWithItsCode) {
  Provider p(with_bpvmonitor());
  json long_kenmerk = record(std::string(65, 'K'));
  json bad_brin = record("K2");
  bad_brin["Brin"] = "2";
  auto r = call(p, "LeverStudentgegevensAan", json{{"Studentgegeven", json::array({long_kenmerk, bad_brin})}});
  ASSERT_FALSE(r.contains("fault")) << r.dump();
  EXPECT_EQ(r["AantalGeweigerd"], 2) << r.dump();
  const auto& res = r["Recordresultaat"];
  ASSERT_EQ(res.size(), 2u);
  EXPECT_TRUE(has_melding(res[0], "ONGELDIG-KENMERK", "BpvoKenmerk")) << res[0].dump();
  EXPECT_TRUE(has_melding(res[1], "ONGELDIG-BRIN", "Brin")) << res[1].dump();
}

TEST(BpvMonitor, CorrectAndWithdrawARecord) {
  Provider p(with_bpvmonitor());
  call(p, "LeverStudentgegevensAan", json{{"Studentgegeven", json::array({record("K1")})}});
  auto again = call(p, "LeverStudentgegevensAan", json{{"Studentgegeven", json::array({record("K1")})}});
  EXPECT_TRUE(has_melding(again["Recordresultaat"][0], "BPV-BESTAAT", "BpvoKenmerk"));
  json fixed = record("K1", 90);
  auto c = call(p, "CorrigeerStudentgegeven", json{{"Studentgegeven", fixed}});
  EXPECT_EQ(c["Recordresultaat"]["Status"], "geaccepteerd") << c.dump();
  EXPECT_EQ(c["Recordresultaat"]["Uitnodigingsdatum"], in_days(90 - 21));
  auto w = call(p, "TrekStudentgegevenIn", json{{"BpvoKenmerk", "K1"}});
  EXPECT_EQ(w["Recordresultaat"]["Status"], "ingetrokken");
  auto w2 = call(p, "TrekStudentgegevenIn", json{{"BpvoKenmerk", "K1"}});
  EXPECT_TRUE(has_melding(w2["Recordresultaat"], "BPV-ONBEKEND", "BpvoKenmerk"));
  p.stop();
  EXPECT_EQ(p.scalar("bpv", "SELECT status || ':' || email FROM studentgegevens WHERE bpvo_kenmerk = 'K1'"),
            "ingetrokken:") << "withdrawn: personal data erased";
}

TEST(BpvMonitor, StudentDataNeedsItsOwnAgreementAndAVendorNeedsAMandate) {
  Provider p(with_bpvmonitor());
  json rec = record("K1");
  rec["Brin"] = "21CA";
  auto r = call(p, "LeverStudentgegevensAan", json{{"Studentgegeven", json::array({rec})}}, "school-21ca", kSchool21ca);
  EXPECT_EQ(r["fault"], "DK0002") << "21CA has the bpvmonitor agreement but not the one for student data";
  gateway::SendOptions o;
  o.act_for = *Oin::parse(kSchool25be);
  auto v = call(p, "LeverStudentgegevensAan", json{{"Studentgegeven", json::array({record("V1")})}}, "vendor", kVendor, o);
  EXPECT_EQ(v["AantalGeaccepteerd"], 1) << v.dump();
  o.act_for = *Oin::parse(kSchool30gr);
  auto n = call(p, "LeverStudentgegevensAan", json{{"Studentgegeven", json::array({record("V2")})}}, "vendor", kVendor, o);
  EXPECT_EQ(n["fault"], "EK0030");
}

TEST(BpvMonitor, MoreThanAThousandRecordsIsRefusedWhole) {
  Provider p(with_bpvmonitor());
  json many = json::array();
  for (int i = 0; i < 1001; ++i) many.push_back(record("M" + std::to_string(i)));
  auto r = call(p, "LeverStudentgegevensAan", json{{"Studentgegeven", many}});
  EXPECT_EQ(r["AantalGeaccepteerd"], 0);
  EXPECT_TRUE(has_melding(r, "BPV-TE-GROOT", "Studentgegeven"));
  p.stop();
  EXPECT_EQ(p.scalar("bpv", "SELECT count(*) FROM studentgegevens"), "0");
}

TEST(BpvMonitor, ResultsPerThemeAndGroupWithSmallCellsSuppressed) {
  Provider p(with_bpvmonitor());
  auto r = call(p, "VraagResultatenOp", json{{"Filter", {{"Periode", "2026-K2"}}}});
  ASSERT_EQ(r["Themaresultaat"].size(), 14u) << r.dump();
  EXPECT_EQ(r["MinimaleRespons"], 10);
  for (const auto& c : r["Themaresultaat"]) {
    EXPECT_GE(c["Aantal"].get<int>(), 10);
    EXPECT_FALSE(c["Onderdrukt"].get<bool>());
    EXPECT_TRUE(c.contains("Gemiddelde"));
    EXPECT_TRUE(c.contains("LandelijkGemiddelde"));
  }
  // 21CA has a handful of responses: every cell is suppressed and carries no mean.
  auto small = call(p, "VraagResultatenOp", json{{"Filter", {{"Periode", "2026-K2"}}}}, "school-21ca", kSchool21ca);
  ASSERT_EQ(small["Themaresultaat"].size(), 14u) << small.dump();
  for (const auto& c : small["Themaresultaat"]) {
    EXPECT_TRUE(c["Onderdrukt"].get<bool>());
    EXPECT_FALSE(c.contains("Gemiddelde"));
  }
  auto filtered = call(p, "VraagResultatenOp", json{{"Filter", {{"Periode", "2026-K2"}, {"Opleidingscode", "25180"}, {"Leerweg", "BBL"}}}});
  EXPECT_LT(filtered["Themaresultaat"][0]["Aantal"].get<int>(), r["Themaresultaat"][0]["Aantal"].get<int>());
  auto bad = call(p, "VraagResultatenOp", json{{"Filter", {{"Periode", "2026-Q2"}}}});
  EXPECT_TRUE(has_melding(bad, "ONGELDIG-PERIODE", "Filter/Periode")) << bad.dump();
}

// Results exist per school: a party whose OIN carries no BRIN (a vendor acting for itself, with
// an agreement) gets a Melding BPV-GEEN-SCHOOL on wsa:From, and no cells.
TEST(BpvMonitor, ResultsAreForASchoolOinOnly) {
  Provider p(with_bpvmonitor());
  ASSERT_EQ(p.edugate({"onboard", "agreement", "--oin", kVendor, "--service", "bpvmonitor"}).exit_code, 0);
  auto r = call(p, "VraagResultatenOp", json{{"Filter", {{"Periode", "2026-K2"}}}}, "vendor", kVendor);
  ASSERT_FALSE(r.contains("fault")) << r.dump();
  EXPECT_TRUE(has_melding(r, "BPV-GEEN-SCHOOL", "wsa:From")) << r.dump();
  EXPECT_FALSE(r.contains("Themaresultaat")) << r.dump();
  auto rr = call(p, "VraagResponsrecordsOp", json{{"Periode", "2026-K1"}}, "vendor", kVendor);
  ASSERT_FALSE(rr.contains("fault")) << rr.dump();
  EXPECT_TRUE(has_melding(rr, "BPV-GEEN-SCHOOL", "wsa:From")) << rr.dump().substr(0, 500);
  EXPECT_FALSE(rr.contains("Responsrecord")) << rr.dump().substr(0, 500);
}

TEST(BpvMonitor, ResponseRecordsArePagedAndPseudonymous) {
  Provider p(with_bpvmonitor());
  auto r = call(p, "VraagResponsrecordsOp", json{{"Periode", "2026-K1"}, {"Pagina", 2}, {"PaginaGrootte", 50}});
  EXPECT_EQ(r["TotaalAantal"], 240) << r.dump().substr(0, 300);
  ASSERT_EQ(r["Responsrecord"].size(), 50u);
  EXPECT_EQ(r["Responsrecord"][0]["Score"].size(), 7u);
  EXPECT_EQ(r["Responsrecord"][0]["Periode"], "2026-K1");
  EXPECT_FALSE(r["Responsrecord"][0].contains("StudentEmail"));
}
