// The Praktijkloket through the real binary over mutual TLS: every rule of domain.md §2 as a
// test, the bad inputs of issue 4, and the PDFs read back with pdftotext.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>

#include "adapters/db/leerbedrijf_fixtures.h"
#include "testkit/testkit.h"

using namespace edugate;
using namespace edugate::testkit;
using json = nlohmann::json;
namespace fx = edugate::adapters::db::fixtures;
namespace fs = std::filesystem;

namespace {

ProviderOptions with_praktijkloket() {
  ProviderOptions o;
  o.praktijkloket = true;
  return o;
}

json call(Provider& p, const std::string& op, const json& req, const std::string& stem = "school-25be",
          const std::string& oin = kSchool25be, std::optional<std::string> act_for = std::nullopt) {
  gateway::SendOptions o;
  if (act_for) o.act_for = *Oin::parse(*act_for);
  auto ex = send_service_json("praktijkloket", stem, oin, p.port(), op, req.dump(), o);
  EXPECT_TRUE(ex) << (ex ? "" : ex.error().code + " " + ex.error().message);
  if (!ex) return json();
  EXPECT_EQ(ex->http_status, 200) << ex->response.substr(0, 2000);
  EXPECT_FALSE(ex->is_fault) << ex->faultstring;
  return json::parse(body_json(*ex));
}

// The Melding with this Veld, or null.
json melding(const json& body, const std::string& veld) {
  for (const auto& m : body.value("Melding", json::array()))
    if (m.value("Veld", "") == veld) return m;
  return nullptr;
}
std::string meldingen(const json& body) { return body.value("Melding", json::array()).dump(); }

json deelnemer(const std::string& voornaam = "Sanne", const std::string& achternaam = "Testpersoon",
               const std::string& geboren = "2006-04-12") {
  return {{"Voornaam", voornaam}, {"Achternaam", achternaam}, {"Geboortedatum", geboren}, {"Onderwijsvorm", "mbo"}};
}

std::string add_deelnemer(Provider& p, const json& d = deelnemer()) {
  auto r = call(p, "VoegDeelnemerToe", {{"Deelnemer", d}});
  EXPECT_TRUE(r.contains("DeelnemerID")) << r.dump();
  return r.value("DeelnemerID", "");
}

const std::string kOpleider = std::string(fx::kErkendId) + "-PO1";  // the leerbedrijf's own praktijkopleider

json document(const std::string& deelnemer_id, const std::string& lb = fx::kErkendId, const std::string& po = kOpleider,
              const json& werkprocessen = json::array({{{"Code", "B1-K1-W1"}, {"ToonGedrag", true}}, {{"Code", "B1-K1-W2"}}})) {
  return {{"DeelnemerID", deelnemer_id},
          {"LeerbedrijfID", lb},
          {"PraktijkopleiderID", po},
          {"Begindatum", "2026-09-01"},
          {"Einddatum", "2027-06-30"},
          {"Kwalificatie", json::array({{{"Crebo", "25180"}, {"Werkproces", werkprocessen}}})}};
}

json verklaring(const std::string& deelnemer_id, const std::string& uren = "400", const std::string& lb = fx::kErkendId) {
  return {{"DeelnemerID", deelnemer_id},
          {"LeerbedrijfID", lb},
          {"Onderwijsvorm", "mbo"},
          {"Begindatum", "2026-09-01"},
          {"Einddatum", "2027-06-30"},
          {"BpvUren", uren},
          {"Werkproces", json::array({{{"Crebo", "25180"}, {"Code", "B1-K1-W1"}}, {{"Crebo", "25180"}, {"Code", "B1-K2-W1"}}})}};
}

std::string pdftotext(const std::string& pdf_base64) {
  std::string dir = make_temp_dir("pdf");
  {
    std::ofstream(dir + "/doc.b64") << pdf_base64;
  }
  auto dec = run({"/usr/bin/base64", "-d", dir + "/doc.b64"});
  {
    std::ofstream out(dir + "/doc.pdf", std::ios::binary);
    out << dec.output;
  }
  auto r = run({"/usr/bin/pdftotext", "-layout", dir + "/doc.pdf", "-"});
  fs::remove_all(dir);
  EXPECT_EQ(r.exit_code, 0) << r.output.substr(0, 500);
  return r.output;
}

}  // namespace

TEST(Praktijkloket, DeelnemerAddSearchArchiveRestore) {
  Provider p(with_praktijkloket());
  auto id = add_deelnemer(p);
  auto found = call(p, "ZoekDeelnemers", {{"Achternaam", "testper"}});
  ASSERT_EQ(found["Deelnemer"].size(), 1u) << found.dump();
  EXPECT_EQ(found["Deelnemer"][0]["DeelnemerID"], id);
  EXPECT_EQ(found["Deelnemer"][0]["Status"], "actueel");
  auto a = call(p, "ArchiveerDeelnemer", {{"DeelnemerID", id}});
  EXPECT_EQ(a["Deelnemer"]["Status"], "archief") << a.dump();
  auto twice = call(p, "ArchiveerDeelnemer", {{"DeelnemerID", id}});
  EXPECT_EQ(melding(twice, "DeelnemerID")["Code"], "PL-AL-GEARCHIVEERD") << twice.dump();
  EXPECT_FALSE(call(p, "ZoekDeelnemers", {{"Achternaam", "Testpersoon"}}).contains("Deelnemer"));
  EXPECT_EQ(call(p, "ZoekDeelnemers", {{"Achternaam", "Testpersoon"}, {"Status", "archief"}})["Deelnemer"].size(), 1u);
  // An archived deelnemer gets no new documents.
  auto d = call(p, "MaakBegeleidingsdocument", {{"Begeleidingsdocument", document(id)}});
  EXPECT_EQ(melding(d, "Begeleidingsdocument/DeelnemerID")["Code"], "PL-GEARCHIVEERD") << d.dump();
  EXPECT_EQ(call(p, "HerstelDeelnemer", {{"DeelnemerID", id}})["Deelnemer"]["Status"], "actueel");
  auto herstel = call(p, "HerstelDeelnemer", {{"DeelnemerID", id}});
  EXPECT_EQ(melding(herstel, "DeelnemerID")["Code"], "PL-NIET-GEARCHIVEERD") << herstel.dump();
  // Another school does not see it.
  EXPECT_FALSE(call(p, "ZoekDeelnemers", {{"Achternaam", "Testpersoon"}}, "school-30gr", kSchool30gr).contains("Deelnemer"));
  auto w = call(p, "WijzigDeelnemer", {{"DeelnemerID", id}, {"Deelnemer", deelnemer("Sanne", "Gewijzigd")}}, "school-30gr",
                kSchool30gr);
  EXPECT_EQ(melding(w, "DeelnemerID")["Code"], "PL-ONBEKENDE-DEELNEMER") << w.dump();
}

TEST(Praktijkloket, DuplicateDeelnemerPointsAtTheExistingOneUnlessTheCallerInsists) {
  Provider p(with_praktijkloket());
  auto id = add_deelnemer(p);
  auto again = call(p, "VoegDeelnemerToe", {{"Deelnemer", deelnemer("SANNE", "testpersoon")}});
  EXPECT_FALSE(again.contains("DeelnemerID")) << again.dump();
  EXPECT_EQ(again["BestaandeDeelnemerID"], id);
  EXPECT_EQ(melding(again, "Deelnemer")["Code"], "PL-DUBBELE-DEELNEMER");
  auto insist = call(p, "VoegDeelnemerToe", {{"Deelnemer", deelnemer()}, {"Doorzetten", true}});
  EXPECT_TRUE(insist.contains("DeelnemerID")) << insist.dump();
  EXPECT_NE(insist["DeelnemerID"], id);
  // The same naam at another school is no duplicate.
  EXPECT_TRUE(call(p, "VoegDeelnemerToe", {{"Deelnemer", deelnemer()}}, "school-30gr", kSchool30gr).contains("DeelnemerID"));
}

TEST(Praktijkloket, EveryDeelnemerFieldIsValidatedWithAMeldingNamingIt) {
  Provider p(with_praktijkloket());
  json bad = {{"Voornaam", " "}, {"Achternaam", ""}, {"Geboortedatum", "2006-02-30"}, {"Onderwijsvorm", "hbo"},
              {"Email", "geen-mail"}};
  auto r = call(p, "VoegDeelnemerToe", {{"Deelnemer", bad}});
  EXPECT_FALSE(r.contains("DeelnemerID"));
  for (const char* v : {"Deelnemer/Voornaam", "Deelnemer/Achternaam", "Deelnemer/Geboortedatum", "Deelnemer/Onderwijsvorm",
                        "Deelnemer/Email"})
    EXPECT_FALSE(melding(r, v).is_null()) << v << " " << meldingen(r);
  auto future = call(p, "VoegDeelnemerToe", {{"Deelnemer", deelnemer("A", "B", "2099-01-01")}});
  EXPECT_EQ(melding(future, "Deelnemer/Geboortedatum")["Code"], "PL-GEBOORTEDATUM");
  auto id = call(p, "ArchiveerDeelnemer", {{"DeelnemerID", "12x"}});
  EXPECT_FALSE(melding(id, "DeelnemerID").is_null()) << id.dump();
  // Each with its catalogue code (core/rules.h).
  EXPECT_EQ(melding(r, "Deelnemer/Onderwijsvorm")["Code"], "ONGELDIG-ONDERWIJSVORM") << meldingen(r);
  EXPECT_EQ(melding(r, "Deelnemer/Voornaam")["Code"], "VERPLICHT") << meldingen(r);
  EXPECT_EQ(melding(id, "DeelnemerID")["Code"], "ONGELDIG-ID") << id.dump();
  json lang = deelnemer("A", "B", "2006-01-01");
  lang["Tussenvoegsel"] = std::string(21, 'x');
  auto te_lang = call(p, "VoegDeelnemerToe", {{"Deelnemer", lang}});
  EXPECT_EQ(melding(te_lang, "Deelnemer/Tussenvoegsel")["Code"], "TE-LANG") << te_lang.dump();
  auto zoek = call(p, "ZoekDeelnemers", {{"Status", "weg"}});
  EXPECT_EQ(melding(zoek, "Status")["Code"], "ONGELDIG-STATUS") << zoek.dump();
}

TEST(Praktijkloket, BulkStoresTheGoodItemsAndReportsEachBadOne) {
  Provider p(with_praktijkloket());
  auto existing = add_deelnemer(p, deelnemer("Bestaand", "Persoon", "2005-01-01"));
  json items = json::array();
  items.push_back(deelnemer("Een", "Persoon", "2006-01-01"));
  items.push_back(deelnemer("Twee", "Persoon", "2006-13-01"));  // bad date
  items.push_back(deelnemer("Bestaand", "Persoon", "2005-01-01"));  // duplicate
  items.push_back(deelnemer("Vier", "", "2006-01-04"));  // no achternaam
  items.push_back(deelnemer("Vijf", "Persoon", "2006-01-05"));
  auto r = call(p, "VoegDeelnemersToe", {{"Deelnemer", items}});
  EXPECT_EQ(r["AantalToegevoegd"], 2) << r.dump();
  EXPECT_EQ(r["AantalGeweigerd"], 3);
  ASSERT_EQ(r["Itemresultaat"].size(), 5u);
  EXPECT_EQ(r["Itemresultaat"][0]["Status"], "toegevoegd");
  EXPECT_EQ(r["Itemresultaat"][1]["Status"], "geweigerd");
  EXPECT_EQ(r["Itemresultaat"][1]["Melding"][0]["Veld"], "Deelnemer[2]/Geboortedatum");
  EXPECT_EQ(r["Itemresultaat"][2]["Status"], "dubbel");
  EXPECT_EQ(r["Itemresultaat"][2]["DeelnemerID"], existing);
  EXPECT_EQ(r["Itemresultaat"][3]["Melding"][0]["Veld"], "Deelnemer[4]/Achternaam");
  EXPECT_EQ(r["Itemresultaat"][4]["Status"], "toegevoegd");
  // Exactly the good ones are stored: nothing half-stored from the bad ones.
  EXPECT_EQ(p.scalar("pl", "SELECT count(*) FROM deelnemers"), "3");
}

TEST(Praktijkloket, BulkOf1001DeelnemersIsRefusedWhole) {
  Provider p(with_praktijkloket());
  json items = json::array();
  for (int i = 0; i < 1001; ++i) items.push_back(deelnemer("Bulk" + std::to_string(i), "Persoon", "2006-01-01"));
  auto r = call(p, "VoegDeelnemersToe", {{"Deelnemer", items}, {"Doorzetten", true}});
  EXPECT_EQ(r["AantalToegevoegd"], 0);
  EXPECT_EQ(melding(r, "Deelnemer")["Code"], "PL-TE-GROOT") << meldingen(r);
  EXPECT_EQ(p.scalar("pl", "SELECT count(*) FROM deelnemers"), "0");
}

// The codes of a document's Meldingen, whatever their field.
std::set<std::string> codes_of(const json& body) {
  std::set<std::string> out;
  for (const auto& m : body.value("Melding", json::array())) out.insert(m.value("Code", ""));
  return out;
}

TEST(Praktijkloket, ADocumentWithAWerkprocesTwiceOrTooManyKwalificatiesIsRefused) {
  Provider p(with_praktijkloket());
  auto id = add_deelnemer(p);
  auto twice = call(p, "MaakBegeleidingsdocument",
                    {{"Begeleidingsdocument", document(id, fx::kErkendId, kOpleider,
                                                       json::array({{{"Code", "B1-K1-W1"}}, {{"Code", "B1-K1-W1"}}}))}});
  EXPECT_FALSE(twice.contains("Begeleidingsdocument")) << twice.dump();
  EXPECT_TRUE(codes_of(twice).count("PL-DUBBEL")) << twice.dump();
  json many = document(id);
  for (int i = 0; i < 20; ++i) many["Kwalificatie"].push_back(many["Kwalificatie"][0]);
  auto too_many = call(p, "MaakBegeleidingsdocument", {{"Begeleidingsdocument", many}});
  EXPECT_FALSE(too_many.contains("Begeleidingsdocument")) << too_many.dump();
  EXPECT_EQ(melding(too_many, "Begeleidingsdocument/Kwalificatie")["Code"], "TE-VEEL") << too_many.dump();
}

TEST(Praktijkloket, BegeleidingsdocumentRules) {
  Provider p(with_praktijkloket());
  auto id = add_deelnemer(p);
  // Leerbedrijf must exist; werkprocessen must belong to the chosen kwalificatie (version).
  auto unknown_lb = call(p, "MaakBegeleidingsdocument", {{"Begeleidingsdocument", document(id, "999999998")}});
  EXPECT_EQ(melding(unknown_lb, "Begeleidingsdocument/LeerbedrijfID")["Code"], "PL-ONBEKEND-LEERBEDRIJF") << unknown_lb.dump();
  auto wrong_wp = call(p, "MaakBegeleidingsdocument",
                       {{"Begeleidingsdocument", document(id, fx::kErkendId, kOpleider, json::array({{{"Code", "B9-K9-W9"}}}))}});
  EXPECT_EQ(melding(wrong_wp, "Begeleidingsdocument/Kwalificatie[1]/Werkproces[1]/Code")["Code"], "PL-ONBEKEND-WERKPROCES")
      << wrong_wp.dump();
  // B1-K2-W3 exists in version 2020 of 25180 only: refused for the current version, fine for 2020.
  auto old_only = document(id, fx::kErkendId, kOpleider, json::array({{{"Code", "B1-K2-W3"}}}));
  EXPECT_FALSE(melding(call(p, "MaakBegeleidingsdocument", {{"Begeleidingsdocument", old_only}}),
                       "Begeleidingsdocument/Kwalificatie[1]/Werkproces[1]/Code").is_null());
  old_only["Kwalificatie"][0]["Versie"] = "2020";
  auto v2020 = call(p, "MaakBegeleidingsdocument", {{"Begeleidingsdocument", old_only}});
  EXPECT_EQ(v2020["Begeleidingsdocument"]["Status"], "concept") << v2020.dump();
  // Dates in the wrong order; unknown crebo; a praktijkopleider of another leerbedrijf.
  auto bad = document(id);
  bad["Einddatum"] = "2026-01-01";
  bad["Kwalificatie"][0]["Crebo"] = "99999";
  bad["PraktijkopleiderID"] = std::string(fx::kIngetrokkenId) + "-PO1";
  auto r = call(p, "MaakBegeleidingsdocument", {{"Begeleidingsdocument", bad}});
  EXPECT_EQ(melding(r, "Begeleidingsdocument/Einddatum")["Code"], "PL-DATUMVOLGORDE") << r.dump();
  EXPECT_EQ(melding(r, "Begeleidingsdocument/Kwalificatie[1]/Crebo")["Code"], "PL-ONBEKENDE-KWALIFICATIE");
  EXPECT_EQ(melding(r, "Begeleidingsdocument/PraktijkopleiderID")["Code"], "PL-ONBEKENDE-PRAKTIJKOPLEIDER");

  // Concept: changeable; afgerond: immutable.
  auto made = call(p, "MaakBegeleidingsdocument", {{"Begeleidingsdocument", document(id)}});
  std::string doc = made["Begeleidingsdocument"]["DocumentID"];
  auto changed = document(id);
  changed["Einddatum"] = "2027-07-15";
  EXPECT_EQ(call(p, "WijzigBegeleidingsdocument", {{"DocumentID", doc}, {"Begeleidingsdocument", changed}})
                ["Begeleidingsdocument"]["Gegevens"]["Einddatum"],
            "2027-07-15");
  EXPECT_EQ(call(p, "RondBegeleidingsdocumentAf", {{"DocumentID", doc}})["Begeleidingsdocument"]["Status"], "afgerond");
  auto after = call(p, "WijzigBegeleidingsdocument", {{"DocumentID", doc}, {"Begeleidingsdocument", document(id)}});
  EXPECT_EQ(melding(after, "DocumentID")["Code"], "PL-AFGEROND") << after.dump();
  EXPECT_EQ(call(p, "GeefBegeleidingsdocument", {{"DocumentID", doc}, {"MetPdf", false}})
                ["Begeleidingsdocument"]["Gegevens"]["Einddatum"],
            "2027-07-15");
  auto unknown = call(p, "GeefBegeleidingsdocument", {{"DocumentID", "999999"}, {"MetPdf", false}});
  EXPECT_EQ(melding(unknown, "DocumentID")["Code"], "PL-ONBEKEND-DOCUMENT") << unknown.dump();
  auto no_verklaring = call(p, "VerwijderPraktijkverklaring", {{"VerklaringID", "999999"}});
  EXPECT_EQ(melding(no_verklaring, "VerklaringID")["Code"], "PL-ONBEKENDE-VERKLARING") << no_verklaring.dump();
}

TEST(Praktijkloket, ANewPraktijkopleiderLeavesExistingDocumentsUntouched) {
  Provider p(with_praktijkloket());
  auto id = add_deelnemer(p);
  auto eigen = call(p, "VoegPraktijkopleiderToe",
                    {{"DeelnemerID", id}, {"LeerbedrijfID", fx::kErkendId},
                     {"Praktijkopleider", {{"Naam", "Karel Eerste"}, {"Functie", "leermeester"}}}});
  std::string first = eigen["PraktijkopleiderID"];
  auto made = call(p, "MaakBegeleidingsdocument", {{"Begeleidingsdocument", document(id, fx::kErkendId, first)}});
  std::string doc = made["Begeleidingsdocument"]["DocumentID"];
  call(p, "RondBegeleidingsdocumentAf", {{"DocumentID", doc}});
  auto second = call(p, "VoegPraktijkopleiderToe",
                     {{"DeelnemerID", id}, {"LeerbedrijfID", fx::kErkendId}, {"Praktijkopleider", {{"Naam", "Petra Tweede"}}}});
  auto list = call(p, "GeefPraktijkopleiders", {{"LeerbedrijfID", fx::kErkendId}, {"DeelnemerID", id}});
  EXPECT_EQ(list["Praktijkopleider"].size(), 3u) << list.dump();  // the leerbedrijf's own + two for this deelnemer
  auto got = call(p, "GeefBegeleidingsdocument", {{"DocumentID", doc}});
  EXPECT_EQ(got["Begeleidingsdocument"]["Gegevens"]["PraktijkopleiderID"], first);
  auto text = pdftotext(got["Pdf"]);
  EXPECT_NE(text.find("Karel Eerste"), std::string::npos) << text.substr(0, 1500);
  EXPECT_EQ(text.find("Petra Tweede"), std::string::npos);
}

TEST(Praktijkloket, PraktijkverklaringRules) {
  Provider p(with_praktijkloket());
  auto id = add_deelnemer(p);
  for (const char* uren : {"9", "10001", "40.5", "veel"}) {
    auto r = call(p, "MaakPraktijkverklaring", {{"Praktijkverklaring", verklaring(id, uren)}});
    EXPECT_EQ(melding(r, "Praktijkverklaring/BpvUren")["Code"], "PL-BPV-UREN") << uren << " " << r.dump();
  }
  auto ten = call(p, "MaakPraktijkverklaring", {{"Praktijkverklaring", verklaring(id, "10")}});
  EXPECT_EQ(ten["Praktijkverklaring"]["BpvUren"], 10) << ten.dump();
  // Werkprocessen imported from a begeleidingsdocument.
  auto doc = call(p, "MaakBegeleidingsdocument", {{"Begeleidingsdocument", document(id)}})["Begeleidingsdocument"]["DocumentID"];
  auto imported = verklaring(id);
  imported.erase("Werkproces");
  imported["BegeleidingsdocumentID"] = doc;
  auto r = call(p, "MaakPraktijkverklaring", {{"Praktijkverklaring", imported}});
  ASSERT_EQ(r["Praktijkverklaring"]["Werkproces"].size(), 2u) << r.dump();
  EXPECT_EQ(r["Praktijkverklaring"]["Werkproces"][1]["Code"], "B1-K1-W2");
  // Both, or neither: a Melding.
  auto both = verklaring(id);
  both["BegeleidingsdocumentID"] = doc;
  EXPECT_EQ(melding(call(p, "MaakPraktijkverklaring", {{"Praktijkverklaring", both}}), "Praktijkverklaring/Werkproces")["Code"],
            "PL-WERKPROCESSEN");

  // Definitief only with an erkend leerbedrijf.
  auto ingetrokken = call(p, "MaakPraktijkverklaring", {{"Praktijkverklaring", verklaring(id, "400", fx::kIngetrokkenId)}});
  std::string vi = ingetrokken["Praktijkverklaring"]["VerklaringID"];
  EXPECT_EQ(melding(call(p, "MaakPraktijkverklaringDefinitief", {{"VerklaringID", vi}}), "LeerbedrijfID")["Code"], "PL-NIET-ERKEND");
  // Definitief is immutable: no change, no delete.
  std::string v = ten["Praktijkverklaring"]["VerklaringID"];
  EXPECT_EQ(call(p, "MaakPraktijkverklaringDefinitief", {{"VerklaringID", v}})["Praktijkverklaring"]["Status"], "definitief");
  EXPECT_EQ(melding(call(p, "WijzigPraktijkverklaring", {{"VerklaringID", v}, {"Praktijkverklaring", verklaring(id)}}),
                    "VerklaringID")["Code"],
            "PL-DEFINITIEF");
  EXPECT_EQ(melding(call(p, "VerwijderPraktijkverklaring", {{"VerklaringID", v}}), "VerklaringID")["Code"], "PL-DEFINITIEF");
  // A concept may be changed and deleted, by the school that made it only.
  std::string concept_id = r["Praktijkverklaring"]["VerklaringID"];
  auto other = call(p, "VerwijderPraktijkverklaring", {{"VerklaringID", concept_id}}, "school-30gr", kSchool30gr);
  EXPECT_EQ(melding(other, "VerklaringID")["Code"], "PL-NIET-EIGENAAR") << other.dump();
  EXPECT_EQ(call(p, "VerwijderPraktijkverklaring", {{"VerklaringID", concept_id}})["Verwijderd"], true);
}

TEST(Praktijkloket, AVerklaringOnAnotherDeelnemersDocumentOrWithAnUnknownBranchelogoIsRefused) {
  Provider p(with_praktijkloket());
  auto sanne = add_deelnemer(p);
  auto other = add_deelnemer(p, deelnemer("Daan", "Anderpersoon", "2005-03-03"));
  std::string doc = call(p, "MaakBegeleidingsdocument", {{"Begeleidingsdocument", document(other)}})
                        ["Begeleidingsdocument"]["DocumentID"];
  // Sanne's verklaring may not import the werkprocessen of Daan's document (PL-ANDERE-DEELNEMER).
  auto v = verklaring(sanne);
  v.erase("Werkproces");
  v["BegeleidingsdocumentID"] = doc;
  auto r = call(p, "MaakPraktijkverklaring", {{"Praktijkverklaring", v}});
  EXPECT_FALSE(r.contains("Praktijkverklaring")) << r.dump();
  EXPECT_EQ(melding(r, "Praktijkverklaring/BegeleidingsdocumentID")["Code"], "PL-ANDERE-DEELNEMER") << r.dump();
  // A branchelogo outside the list, named by its position (PL-BRANCHELOGO).
  auto logos = verklaring(sanne);
  logos["Branchelogo"] = json::array({"zorg", "bakkerij"});
  auto b = call(p, "MaakPraktijkverklaring", {{"Praktijkverklaring", logos}});
  EXPECT_FALSE(b.contains("Praktijkverklaring")) << b.dump();
  EXPECT_EQ(melding(b, "Praktijkverklaring/Branchelogo[2]")["Code"], "PL-BRANCHELOGO") << b.dump();
  EXPECT_TRUE(melding(b, "Praktijkverklaring/Branchelogo[1]").is_null()) << b.dump();
  EXPECT_EQ(p.scalar("pl", "SELECT count(*) FROM praktijkverklaringen"), "0");
}

// A verklaring stored earlier whose PDF can no longer be made (here: a branchelogo that left the
// list after it was stored) is answered with a Melding PL-PDF, not a fault or an empty PDF.
TEST(Praktijkloket, AStoredVerklaringWhosePdfCannotBeMadeIsAPlPdfMelding) {
  Provider p(with_praktijkloket());
  auto id = add_deelnemer(p);
  std::string v = call(p, "MaakPraktijkverklaring", {{"Praktijkverklaring", verklaring(id)}})["Praktijkverklaring"]["VerklaringID"];
  p.exec("pl", "UPDATE praktijkverklaringen SET branchelogos = 'teruggetrokken' WHERE id = " + v);
  auto r = call(p, "GeefPraktijkverklaring", {{"VerklaringID", v}});
  EXPECT_FALSE(r.contains("Pdf")) << r.dump().substr(0, 500);
  EXPECT_TRUE(codes_of(r).count("PL-PDF")) << r.dump().substr(0, 500);
  EXPECT_TRUE(p.alive());
}

// A search that matches more than 500 deelnemers gives the first 500 and says so (PL-MEER-RESULTATEN).
TEST(Praktijkloket, ASearchOfMoreThan500DeelnemersGives500AndAMelding) {
  Provider p(with_praktijkloket());
  json items = json::array();
  for (int i = 0; i < 501; ++i) items.push_back(deelnemer("Veel" + std::to_string(i), "Zoekpersoon", "2006-02-02"));
  EXPECT_EQ(call(p, "VoegDeelnemersToe", {{"Deelnemer", items}, {"Doorzetten", true}})["AantalToegevoegd"], 501);
  auto r = call(p, "ZoekDeelnemers", {{"Achternaam", "zoekpersoon"}});
  EXPECT_EQ(r["Deelnemer"].size(), 500u);
  EXPECT_TRUE(codes_of(r).count("PL-MEER-RESULTATEN")) << meldingen(r);
  auto fewer = call(p, "ZoekDeelnemers", {{"Voornaam", "Veel50"}, {"Achternaam", "zoekpersoon"}});
  EXPECT_EQ(fewer["Deelnemer"].size(), 2u) << fewer.dump().substr(0, 500);  // Veel50 and Veel500
  EXPECT_FALSE(codes_of(fewer).count("PL-MEER-RESULTATEN")) << meldingen(fewer);
}

TEST(Praktijkloket, AVendorActsAsTheSchoolAndTheAuditKeepsBothOins) {
  Provider p(with_praktijkloket());
  auto r = call(p, "VoegDeelnemerToe", {{"Deelnemer", deelnemer()}}, "vendor", kVendor, kSchool25be);
  ASSERT_TRUE(r.contains("DeelnemerID")) << r.dump();
  // The school itself sees the deelnemer the vendor made for it.
  EXPECT_EQ(call(p, "ZoekDeelnemers", {{"Voornaam", "Sanne"}})["Deelnemer"].size(), 1u);
  EXPECT_EQ(p.scalar("store", "SELECT sender_oin || '/' || on_behalf_of_oin FROM audit WHERE service = "
                                          "'praktijkloket' AND result = 'ok' ORDER BY id LIMIT 1"),
            std::string(kVendor) + "/" + kSchool25be);
  EXPECT_EQ(p.scalar("pl", "SELECT school_oin || '/' || aangemaakt_door FROM deelnemers"),
            std::string(kSchool25be) + "/" + kVendor);
  // No mandate for 30GR: refused before anything is processed.
  gateway::SendOptions for_30gr;
  for_30gr.act_for = *Oin::parse(kSchool30gr);
  auto ex = send_service_json("praktijkloket", "vendor", kVendor, p.port(), "ZoekDeelnemers", "{}", for_30gr);
  ASSERT_TRUE(ex);
  EXPECT_EQ(ex->fault_code, "EK0030");
}

TEST(Praktijkloket, DeletingADeelnemerDeletesItsDocuments) {
  Provider p(with_praktijkloket());
  auto id = add_deelnemer(p);
  call(p, "MaakBegeleidingsdocument", {{"Begeleidingsdocument", document(id)}});
  call(p, "MaakPraktijkverklaring", {{"Praktijkverklaring", verklaring(id)}});
  call(p, "VoegPraktijkopleiderToe", {{"DeelnemerID", id}, {"LeerbedrijfID", fx::kErkendId}, {"Praktijkopleider", {{"Naam", "X"}}}});
  auto r = call(p, "VerwijderDeelnemer", {{"DeelnemerID", id}});
  EXPECT_EQ(r["Verwijderd"], true);
  EXPECT_EQ(r["AantalBegeleidingsdocumenten"], 1);
  EXPECT_EQ(r["AantalPraktijkverklaringen"], 1);
  for (const char* t : {"deelnemers", "begeleidingsdocumenten", "bd_werkprocessen", "praktijkverklaringen",
                        "pv_werkprocessen", "deelnemer_opleiders"})
    EXPECT_EQ(p.scalar("pl", std::string("SELECT count(*) FROM ") + t), "0") << t;
}

TEST(Praktijkloket, KwalificatiesAndWerkprocessenAsReferenceData) {
  Provider p(with_praktijkloket());
  auto all = call(p, "GeefKwalificaties", json::object());
  EXPECT_EQ(all["Kwalificatie"].size(), 8u) << all.dump().substr(0, 500);
  auto versions = call(p, "GeefKwalificaties", {{"Crebo", "25180"}, {"AlleVersies", true}});
  EXPECT_EQ(versions["Kwalificatie"].size(), 2u);
  auto wp = call(p, "GeefWerkprocessen", {{"Crebo", "25180"}, {"Versie", "2020"}});
  ASSERT_TRUE(wp.contains("Kerntaak")) << wp.dump();
  EXPECT_EQ(wp["Kwalificatie"]["Versie"], "2020");
  auto first = wp["Kerntaak"][0]["Werkproces"][0];
  EXPECT_FALSE(first["Omschrijving"].get<std::string>().empty());
  EXPECT_FALSE(first["GewenstResultaat"].get<std::string>().empty());
  EXPECT_FALSE(first["Gedrag"].empty());
  EXPECT_EQ(melding(call(p, "GeefWerkprocessen", {{"Crebo", "12345"}}), "Crebo")["Code"], "PL-ONBEKENDE-KWALIFICATIE");
}

TEST(Praktijkloket, RefdataLoadReplacesTheCatalogueAndRefusesABrokenFile) {
  Provider p(with_praktijkloket());
  const std::string dir = p.dir();
  {
    std::ofstream(dir + "/klein.xml")
        << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<Kwalificatiestructuur xmlns=\"urn:edugate:kwalificatiestructuur:1\" versie=\"2027.1\" peildatum=\"2027-01-01\">"
           "<Kwalificatiedossier code=\"23257\" naam=\"Test\"><Kwalificatie crebo=\"25180\" versie=\"2027\" naam=\"Monteur\" "
           "geldigVanaf=\"2020-08-01\"><Kerntaak code=\"B1-K1\" naam=\"Installeren\"><Werkproces code=\"B1-K1-W1\" "
           "naam=\"Plant\"><Omschrijving>O</Omschrijving><GewenstResultaat>R</GewenstResultaat><Gedrag>G</Gedrag>"
           "</Werkproces></Kerntaak></Kwalificatie></Kwalificatiedossier></Kwalificatiestructuur>\n";
    std::ofstream(dir + "/kapot.xml") << "<!DOCTYPE x [<!ENTITY a 'b'>]><Kwalificatiestructuur/>";
  }
  auto bad = p.edugate({"refdata", "load", dir + "/kapot.xml"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.output.find("nothing changed"), std::string::npos) << bad.output;
  auto ok = p.edugate({"refdata", "load", dir + "/klein.xml"});
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("1 kwalificaties"), std::string::npos) << ok.output;
  auto all = call(p, "GeefKwalificaties", {{"AlleVersies", true}});
  ASSERT_EQ(all["Kwalificatie"].size(), 1u) << all.dump();
  EXPECT_EQ(all["Kwalificatie"][0]["Versie"], "2027");
}

TEST(Praktijkloket, LogoMustBeARealJpegWithinTheLimit) {
  Provider p(with_praktijkloket());
  auto id = add_deelnemer(p);
  // A PNG, whatever it is called, and a JPEG header with garbage after it.
  const std::string png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
  auto v = verklaring(id);
  v["Bedrijfslogo"] = png;
  auto r = call(p, "MaakPraktijkverklaring", {{"Praktijkverklaring", v}});
  EXPECT_EQ(melding(r, "Praktijkverklaring/Bedrijfslogo")["Code"], "PL-LOGO") << r.dump();
  v["Bedrijfslogo"] = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAP//////////";
  EXPECT_EQ(melding(call(p, "MaakPraktijkverklaring", {{"Praktijkverklaring", v}}), "Praktijkverklaring/Bedrijfslogo")["Code"],
            "PL-LOGO");
  // 2 MiB: over the limit (the message itself is still below 20 MiB).
  v["Bedrijfslogo"] = std::string((2u << 20) / 3 * 4, 'A');
  EXPECT_EQ(melding(call(p, "MaakPraktijkverklaring", {{"Praktijkverklaring", v}}), "Praktijkverklaring/Bedrijfslogo")["Code"],
            "PL-LOGO");
  EXPECT_EQ(p.scalar("pl", "SELECT count(*) FROM praktijkverklaringen"), "0");
}

TEST(Praktijkloket, PdfsCarryTheDeelnemerTheWerkprocessenAndTheHours) {
  Provider p(with_praktijkloket());
  auto id = add_deelnemer(p, deelnemer("Fenna", "Pdfpersoon", "2005-05-05"));
  std::string doc = call(p, "MaakBegeleidingsdocument", {{"Begeleidingsdocument", document(id)}})["Begeleidingsdocument"]["DocumentID"];
  auto bd = call(p, "GeefBegeleidingsdocument", {{"DocumentID", doc}});
  auto text = pdftotext(bd["Pdf"]);
  EXPECT_NE(text.find("Pdfpersoon"), std::string::npos) << text.substr(0, 2000);
  EXPECT_NE(text.find("B1-K1-W1"), std::string::npos);
  EXPECT_NE(text.find("B1-K1-W2"), std::string::npos);
  EXPECT_NE(text.find("CONCEPT"), std::string::npos);
  call(p, "RondBegeleidingsdocumentAf", {{"DocumentID", doc}});
  EXPECT_EQ(pdftotext(call(p, "GeefBegeleidingsdocument", {{"DocumentID", doc}})["Pdf"]).find("CONCEPT"), std::string::npos);

  std::string v = call(p, "MaakPraktijkverklaring", {{"Praktijkverklaring", verklaring(id, "640")}})["Praktijkverklaring"]["VerklaringID"];
  auto concept_text = pdftotext(call(p, "GeefPraktijkverklaring", {{"VerklaringID", v}})["Pdf"]);
  EXPECT_NE(concept_text.find("CONCEPT"), std::string::npos);
  call(p, "MaakPraktijkverklaringDefinitief", {{"VerklaringID", v}});
  auto final_text = pdftotext(call(p, "GeefPraktijkverklaring", {{"VerklaringID", v}})["Pdf"]);
  EXPECT_NE(final_text.find("Fenna"), std::string::npos) << final_text.substr(0, 2000);
  EXPECT_NE(final_text.find("640"), std::string::npos);
  EXPECT_NE(final_text.find("B1-K2-W1"), std::string::npos);
  EXPECT_EQ(final_text.find("CONCEPT"), std::string::npos);
}

// A 50 MiB logo makes the message larger than Digikoppeling's 20 MiB: HTTP 413 before the body is
// read, nothing stored.
TEST(Praktijkloket, FiftyMiBLogoIsRefusedBeforeTheBodyIsRead) {
  Provider p(with_praktijkloket());
  EnvelopeSpec spec;
  spec.to = "https://127.0.0.1/edukoppeling/praktijkloket?oin=" + std::string(kSbbOin);
  spec.action = "urn:edugate:praktijkloket:1:MaakPraktijkverklaring";
  const std::string logo(50u << 20, 'A');
  spec.body = "<pl:MaakPraktijkverklaringVerzoek xmlns:pl=\"urn:edugate:praktijkloket:1\"><pl:Praktijkverklaring>"
              "<pl:DeelnemerID>1</pl:DeelnemerID><pl:LeerbedrijfID>100000001</pl:LeerbedrijfID>"
              "<pl:Onderwijsvorm>mbo</pl:Onderwijsvorm><pl:Begindatum>2026-09-01</pl:Begindatum>"
              "<pl:Einddatum>2027-06-30</pl:Einddatum><pl:BpvUren>400</pl:BpvUren><pl:BegeleidingsdocumentID>1"
              "</pl:BegeleidingsdocumentID><pl:Bedrijfslogo>" + logo +
              "</pl:Bedrijfslogo></pl:Praktijkverklaring></pl:MaakPraktijkverklaringVerzoek>";
  const std::string body = envelope(spec);
  // The whole message is announced; only the part before the logo is sent. The 413 must come
  // without the gateway waiting for (or reading) the 50 MiB.
  std::string head = "POST /edukoppeling/praktijkloket HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Content-Type: text/xml; charset=utf-8\r\nSOAPAction: \"" + spec.action + "\"\r\n"
                     "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
                     body.substr(0, body.find(logo) + 1024);
  auto r = raw_bytes(p.port(), "school-25be", head, 0, 5000);
  EXPECT_EQ(r.received.rfind("HTTP/1.1 413", 0), 0u) << r.received.substr(0, 200) << r.error;
  EXPECT_LT(r.elapsed_ms, 3000);
  EXPECT_EQ(p.scalar("pl", "SELECT count(*) FROM praktijkverklaringen"), "0");
  EXPECT_TRUE(p.alive());
}
