#include "adapters/db/kwalificaties.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>

using namespace edugate;
using namespace edugate::adapters::db::kwalificaties;
namespace sql = edugate::sql;

namespace {

Crebo crebo(const char* c) { return *Crebo::parse(c); }
Datum datum(const char* d) { return *Datum::parse(d); }

// A small valid file; tests break one thing in it at a time.
constexpr const char* kKlein = R"(<?xml version="1.0" encoding="UTF-8"?>
<Kwalificatiestructuur xmlns="urn:edugate:kwalificatiestructuur:1" versie="t1" peildatum="2025-01-01">
  <Kwalificatiedossier code="23251" naam="Keuken">
    <Kwalificatie crebo="25250" versie="2024" naam="Kok" geldigVanaf="2024-08-01">
      <Kerntaak code="B1-K1" naam="Bereidt gerechten">
        <Werkproces code="B1-K1-W1" naam="Plant werkzaamheden">
          <Omschrijving>De kok
             plant.</Omschrijving>
          <GewenstResultaat>Er is een planning.</GewenstResultaat>
          <Gedrag>Werkt nauwkeurig.</Gedrag>
        </Werkproces>
        <Werkproces code="B1-K1-W2" naam="Bereidt componenten">
          <Omschrijving>De kok bereidt.</Omschrijving>
          <GewenstResultaat>Gerechten zijn bereid.</GewenstResultaat>
          <Gedrag>Proeft kritisch.</Gedrag>
        </Werkproces>
      </Kerntaak>
    </Kwalificatie>
  </Kwalificatiedossier>
</Kwalificatiestructuur>
)";

std::string replaced(std::string s, const std::string& from, const std::string& to) {
  auto pos = s.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) s.replace(pos, from.size(), to);
  return s;
}

class Kwalificaties : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/edugate-kwal-XXXXXX";
    dir_ = mkdtemp(tmpl);
    sql::Target t;
    t.path = dir_ + "/pl.db";
    t.synchronous_full = false;
    conn_ = sql::open(t);
    create_kwalificatie_schema(*conn_);
  }
  void TearDown() override {
    conn_.reset();
    std::filesystem::remove_all(dir_);
  }
  // Not through Connection::prepare: its cache is keyed by the SQL's address, made for literals.
  int count(const char* table) {
    auto rows = conn_->query(std::string("SELECT count(*) FROM ") + table);
    return rows.empty() || !rows[0][0] ? -1 : std::stoi(*rows[0][0]);
  }
  // Loads the demo, then expects `xml` to be refused with a message containing `needle`, and
  // the demo data to be untouched.
  void expect_refused(const std::string& xml, const std::string& needle) {
    ASSERT_TRUE(load_demo_kwalificaties(*conn_).ok());
    auto r = load_kwalificatiestructuur(*conn_, xml);
    ASSERT_FALSE(r.ok()) << "accepted; expected: " << needle;
    EXPECT_EQ(r.error().code, "KWALIFICATIESTRUCTUUR");
    EXPECT_NE(r.error().message.find(needle), std::string::npos) << r.error().message;
    auto now = loaded_kwalificatiestructuur(*conn_);
    ASSERT_TRUE(now);
    EXPECT_EQ(now->versie, "2025.1");
    EXPECT_EQ(now->kwalificaties, 11);
    EXPECT_EQ(now->werkprocessen, 74);
  }

  std::string dir_;
  std::unique_ptr<sql::Connection> conn_;
};

}  // namespace

TEST_F(Kwalificaties, DemoLoadsWithExpectedCounts) {
  EXPECT_FALSE(loaded_kwalificatiestructuur(*conn_));
  auto r = load_demo_kwalificaties(*conn_);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->versie, "2025.1");
  EXPECT_EQ(r->peildatum, "2025-08-01");
  EXPECT_EQ(r->dossiers, 8);
  EXPECT_EQ(r->kwalificaties, 11);
  EXPECT_EQ(r->kerntaken, 26);
  EXPECT_EQ(r->werkprocessen, 74);
  EXPECT_EQ(count("kwal_gedrag"), 232);
  EXPECT_LT(demo_kwalificatiestructuur_xml().size(), 200u * 1024);
}

TEST_F(Kwalificaties, DemoCoversTheLeerbedrijfCrebos) {
  ASSERT_TRUE(load_demo_kwalificaties(*conn_).ok());
  auto peil = datum("2026-01-15");
  for (const char* c : {"25180", "25250", "25480", "25452", "25604", "25191", "25655", "25410"}) {
    auto k = actuele_versie(*conn_, crebo(c), peil);
    ASSERT_TRUE(k) << c;
    auto d = find_kwalificatie(*conn_, crebo(c), k->versie, peil);
    ASSERT_TRUE(d) << c;
    EXPECT_GE(d->kerntaken.size(), 2u) << c;
    EXPECT_LE(d->kerntaken.size(), 3u) << c;
    for (const auto& kt : d->kerntaken) {
      EXPECT_GE(kt.werkprocessen.size(), 2u) << kt.code;
      EXPECT_LE(kt.werkprocessen.size(), 4u) << kt.code;
      for (const auto& w : kt.werkprocessen) {
        EXPECT_FALSE(w.omschrijving.empty()) << w.code;
        EXPECT_FALSE(w.gewenst_resultaat.empty()) << w.code;
        EXPECT_GE(w.gedrag.size(), 2u) << w.code;
        EXPECT_LE(w.gedrag.size(), 5u) << w.code;
      }
    }
  }
}

TEST_F(Kwalificaties, SecondLoadReplacesWithoutDuplicates) {
  ASSERT_TRUE(load_demo_kwalificaties(*conn_).ok());
  auto r = load_demo_kwalificaties(*conn_);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(count("kwal_versies"), 11);
  EXPECT_EQ(count("kwal_werkprocessen"), 74);
  EXPECT_EQ(count("kwal_gedrag"), 232);
  // A smaller file replaces everything: nothing of the demo is left.
  auto k = load_kwalificatiestructuur(*conn_, kKlein);
  ASSERT_TRUE(k.ok()) << k.error().message;
  EXPECT_EQ(k->kwalificaties, 1);
  EXPECT_EQ(k->werkprocessen, 2);
  EXPECT_EQ(count("kwal_dossiers"), 1);
  EXPECT_EQ(count("kwal_versies"), 1);
  EXPECT_EQ(count("kwal_kerntaken"), 1);
  EXPECT_EQ(count("kwal_werkprocessen"), 2);
  EXPECT_EQ(count("kwal_gedrag"), 2);
  EXPECT_FALSE(actuele_versie(*conn_, crebo("25180"), datum("2026-01-01")));
}

TEST_F(Kwalificaties, TextIsWhitespaceCollapsed) {
  ASSERT_TRUE(load_kwalificatiestructuur(*conn_, kKlein).ok());
  auto d = find_kwalificatie(*conn_, crebo("25250"), "2024", datum("2025-01-01"));
  ASSERT_TRUE(d);
  EXPECT_EQ(d->kerntaken.at(0).werkprocessen.at(0).omschrijving, "De kok plant.");
}

TEST_F(Kwalificaties, RefusesDoctype) {
  expect_refused(replaced(kKlein, "<Kwalificatiestructuur ",
                          "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n<Kwalificatiestructuur "),
                 "DOCTYPE");
}

TEST_F(Kwalificaties, RefusesMissingCrebo) {
  expect_refused(replaced(kKlein, "crebo=\"25250\" ", ""), "regel 4, <Kwalificatie>: attribuut crebo ontbreekt");
}

TEST_F(Kwalificaties, RefusesBadCrebo) {
  expect_refused(replaced(kKlein, "crebo=\"25250\"", "crebo=\"2525\""), "crebo '2525' is geen crebocode");
  expect_refused(replaced(kKlein, "crebo=\"25250\"", "crebo=\"2525x\""), "crebo '2525x'");
}

TEST_F(Kwalificaties, RefusesDuplicateWerkprocesCode) {
  expect_refused(replaced(kKlein, "code=\"B1-K1-W2\"", "code=\"B1-K1-W1\""),
                 "regel 12, <Werkproces>: werkproces B1-K1-W1 komt twee keer voor in kwalificatie 25250 versie 2024");
}

TEST_F(Kwalificaties, RefusesMissingRequiredParts) {
  expect_refused(replaced(kKlein, "<GewenstResultaat>Er is een planning.</GewenstResultaat>", ""),
                 "<GewenstResultaat> ontbreekt");
  expect_refused(replaced(kKlein, "<Gedrag>Proeft kritisch.</Gedrag>", ""), "werkproces B1-K1-W2 heeft geen <Gedrag>");
  expect_refused(replaced(kKlein, " naam=\"Plant werkzaamheden\"", ""), "attribuut naam ontbreekt");
  expect_refused(replaced(kKlein, " geldigVanaf=\"2024-08-01\"", ""), "geldigVanaf ontbreekt");
  expect_refused(replaced(kKlein, "<Omschrijving>De kok bereidt.</Omschrijving>", "<Omschrijving> </Omschrijving>"),
                 "<Omschrijving>: is leeg");
}

TEST_F(Kwalificaties, RefusesWhatTheSchemaWouldRefuse) {
  expect_refused(replaced(kKlein, "<Gedrag>Werkt nauwkeurig.</Gedrag>", "<Gedrag>Werkt nauwkeurig.</Gedrag><Extra/>"),
                 "<Extra>: onverwacht element");
  expect_refused(replaced(kKlein, "naam=\"Kok\"", "naam=\"Kok\" niveau=\"4\""), "onbekend attribuut 'niveau'");
  expect_refused(replaced(kKlein, "code=\"B1-K1-W2\"", "code=\"B1-K2-W2\""),
                 "geen werkprocescode binnen kerntaak B1-K1");
  expect_refused(replaced(kKlein, "geldigVanaf=\"2024-08-01\"", "geldigVanaf=\"2024-02-30\""), "is geen datum");
  expect_refused(replaced(kKlein, "urn:edugate:kwalificatiestructuur:1", "urn:iets:anders"), "namespace");
  expect_refused(replaced(kKlein, "</Kwalificatiestructuur>", ""), "geen bruikbare XML");
  expect_refused("", "geen bruikbare XML");
  // The same kwalificatie version twice.
  std::string dubbel = kKlein;
  auto begin = dubbel.find("    <Kwalificatie ");
  auto end = dubbel.find("</Kwalificatie>") + std::string("</Kwalificatie>\n").size();
  dubbel.insert(end, dubbel.substr(begin, end - begin));
  expect_refused(dubbel, "kwalificatie 25250 versie 2024 komt twee keer voor");
}

TEST_F(Kwalificaties, WerkprocesBelongsAcrossVersions) {
  ASSERT_TRUE(load_demo_kwalificaties(*conn_).ok());
  // B1-K2-W3 was dropped in 2024; P1-K1-W3 and B1-K3-W1 are new in 2024.
  EXPECT_TRUE(werkproces_belongs(*conn_, crebo("25180"), "2020", "B1-K2-W3"));
  EXPECT_FALSE(werkproces_belongs(*conn_, crebo("25180"), "2024", "B1-K2-W3"));
  EXPECT_TRUE(werkproces_belongs(*conn_, crebo("25180"), "2024", "P1-K1-W3"));
  EXPECT_FALSE(werkproces_belongs(*conn_, crebo("25180"), "2020", "P1-K1-W3"));
  EXPECT_TRUE(werkproces_belongs(*conn_, crebo("25604"), "2024", "B1-K3-W1"));
  EXPECT_FALSE(werkproces_belongs(*conn_, crebo("25604"), "2020", "B1-K3-W1"));
  EXPECT_TRUE(werkproces_belongs(*conn_, crebo("25250"), "2024", "B1-K2-W3"));
  EXPECT_FALSE(werkproces_belongs(*conn_, crebo("25250"), "2020", "B1-K2-W3"));
  // Another crebo's code, an unknown version, an unknown crebo.
  EXPECT_FALSE(werkproces_belongs(*conn_, crebo("25191"), "2021", "P1-K1-W1"));
  EXPECT_FALSE(werkproces_belongs(*conn_, crebo("25180"), "2019", "B1-K1-W1"));
  EXPECT_FALSE(werkproces_belongs(*conn_, crebo("99999"), "2024", "B1-K1-W1"));
}

TEST_F(Kwalificaties, VersionsGeldigAndActueel) {
  ASSERT_TRUE(load_demo_kwalificaties(*conn_).ok());
  // 2026: both versions of 25180 are geldig, 2024 is actueel.
  auto both = list_kwalificaties(*conn_, crebo("25180"), true, datum("2026-01-15"));
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].versie, "2024");
  EXPECT_TRUE(both[0].geldig);
  EXPECT_TRUE(both[0].actueel);
  EXPECT_EQ(both[1].versie, "2020");
  EXPECT_TRUE(both[1].geldig);
  EXPECT_FALSE(both[1].actueel);
  EXPECT_EQ(both[1].geldig_tot, "2027-07-31");
  EXPECT_EQ(both[1].dossier, "23257");
  // Before 2024-08-01 the 2020 version is the actuele one; after 2027-07-31 it is no longer geldig.
  EXPECT_EQ(actuele_versie(*conn_, crebo("25180"), datum("2023-03-01"))->versie, "2020");
  auto later = list_kwalificaties(*conn_, crebo("25180"), true, datum("2027-08-01"));
  EXPECT_FALSE(later[1].geldig);
  EXPECT_FALSE(actuele_versie(*conn_, crebo("25180"), datum("2019-01-01")));
  // Without alle_versies: one row per crebo, sorted by crebo.
  auto actueel = list_kwalificaties(*conn_, std::nullopt, false, datum("2026-01-15"));
  ASSERT_EQ(actueel.size(), 8u);
  EXPECT_EQ(actueel.front().crebo.str(), "25180");
  EXPECT_EQ(actueel.back().crebo.str(), "25655");
  for (std::size_t i = 1; i < actueel.size(); ++i) EXPECT_LT(actueel[i - 1].crebo, actueel[i].crebo);
  EXPECT_EQ(list_kwalificaties(*conn_, std::nullopt, true, datum("2026-01-15")).size(), 11u);
}

TEST_F(Kwalificaties, FindKwalificatieEarlierAndActueel) {
  ASSERT_TRUE(load_demo_kwalificaties(*conn_).ok());
  auto peil = datum("2026-01-15");
  auto oud = find_kwalificatie(*conn_, crebo("25180"), "2020", peil);
  ASSERT_TRUE(oud);
  EXPECT_EQ(oud->kwalificatie.naam, "Eerste monteur elektrotechnische installaties");
  ASSERT_EQ(oud->kerntaken.size(), 3u);
  EXPECT_EQ(oud->kerntaken[1].code, "B1-K2");
  ASSERT_EQ(oud->kerntaken[1].werkprocessen.size(), 3u);
  EXPECT_EQ(oud->kerntaken[1].werkprocessen[2].code, "B1-K2-W3");
  // Empty versie: the actuele one.
  auto nu = find_kwalificatie(*conn_, crebo("25180"), "", peil);
  ASSERT_TRUE(nu);
  EXPECT_EQ(nu->kwalificatie.versie, "2024");
  const auto& w = nu->kerntaken[0].werkprocessen[2];
  EXPECT_EQ(w.code, "B1-K1-W3");
  EXPECT_NE(w.omschrijving.find("digitaal"), std::string::npos);
  ASSERT_EQ(w.gedrag.size(), 4u);
  EXPECT_EQ(w.gedrag[2], "Legt meetgegevens volledig en correct vast in het digitale meetrapport.");
  EXPECT_FALSE(find_kwalificatie(*conn_, crebo("25180"), "2019", peil));
  EXPECT_FALSE(find_kwalificatie(*conn_, crebo("12345"), "", peil));
}
