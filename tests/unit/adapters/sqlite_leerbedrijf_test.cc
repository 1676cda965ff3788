#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "adapters/registry.h"
#include "adapters/db/leerbedrijf_backend.h"
#include "adapters/db/leerbedrijf_fixtures.h"
#include "core/backend_error.h"

using namespace edugate;
using namespace edugate::adapters::db;
namespace lb = edugate::leerbedrijf;
namespace fx = edugate::adapters::db::fixtures;

namespace {

class SqliteLeerbedrijf : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/edugate-adapter-XXXXXX";
    dir_ = mkdtemp(tmpl);
    backend_ = std::make_unique<LeerbedrijfBackend>(LeerbedrijfSettings{dir_ + "/sbb.db", true, 7});
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  lb::VerifieerAntwoord verifieer(const char* id, const char* crebo, Leerweg lw, std::optional<Datum> peil = {}) {
    return backend_->verifieer({*LeerbedrijfId::parse(id), *Crebo::parse(crebo), lw, peil.value_or(today_utc())});
  }
  std::string dir_;
  std::unique_ptr<LeerbedrijfBackend> backend_;
};

bool has(const Meldingen& m, const std::string& code, const std::string& veld) {
  for (const auto& x : m)
    if (x.code == code && x.veld == veld) return true;
  return false;
}

}  // namespace

TEST_F(SqliteLeerbedrijf, VerifieerErkend) {
  auto a = verifieer(fx::kErkendId, fx::kErkendCrebo, Leerweg::BOL);
  EXPECT_TRUE(a.erkend);
  EXPECT_EQ(a.signaal_code, "ERKEND");
  EXPECT_EQ(a.begindatum->str(), "2015-08-01");
  EXPECT_FALSE(a.einddatum);
  EXPECT_TRUE(verifieer(fx::kErkendId, fx::kErkendCrebo, Leerweg::BBL).erkend);
}

TEST_F(SqliteLeerbedrijf, VerifieerIngetrokkenVerlopenToekomstig) {
  auto a = verifieer(fx::kIngetrokkenId, fx::kIngetrokkenCrebo, Leerweg::BOL);
  EXPECT_FALSE(a.erkend);
  EXPECT_EQ(a.signaal_code, "INGETROKKEN");
  ASSERT_TRUE(a.einddatum);
  // Before the withdrawal the erkenning was valid.
  auto before = verifieer(fx::kIngetrokkenId, fx::kIngetrokkenCrebo, Leerweg::BOL, *Datum::parse("2020-01-01"));
  EXPECT_TRUE(before.erkend);
  auto v = verifieer(fx::kVerlopenId, fx::kVerlopenCrebo, Leerweg::BOL);
  EXPECT_EQ(v.signaal_code, "VERLOPEN");
  EXPECT_EQ(v.einddatum->str(), "2023-07-31");
  EXPECT_TRUE(verifieer(fx::kVerlopenId, fx::kVerlopenCrebo, Leerweg::BOL, *Datum::parse("2023-07-31")).erkend);
  EXPECT_EQ(verifieer(fx::kErkendId, fx::kErkendCrebo, Leerweg::BOL, *Datum::parse("2015-07-31")).signaal_code,
            "NOG_NIET_GELDIG");
}

TEST_F(SqliteLeerbedrijf, VerifieerOnbekendGeenErkenningSamengevoegd) {
  auto a = verifieer("999999998", "25180", Leerweg::BOL);
  EXPECT_EQ(a.signaal_code, "ONBEKEND");
  EXPECT_TRUE(has(a.meldingen, "LB-ONBEKEND", "LeerbedrijfID"));
  EXPECT_EQ(verifieer(fx::kErkendId, "25250", Leerweg::BOL).signaal_code, "GEEN_ERKENNING");
  auto m = verifieer(fx::kSamengevoegdOudId, fx::kErkendCrebo, Leerweg::BOL);
  EXPECT_FALSE(m.erkend);
  EXPECT_EQ(m.signaal_code, "SAMENGEVOEGD");
  EXPECT_NE(m.signaal_omschrijving.find(fx::kSamengevoegdNieuwId), std::string::npos);
}

// A merged leerbedrijf is still found, with a warning that names its successor (LB-SAMENGEVOEGD).
TEST_F(SqliteLeerbedrijf, AMergedLeerbedrijfCarriesTheLbSamengevoegdWarning) {
  auto warned = [](const Meldingen& m) {
    for (const auto& x : m)
      if (x.code == "LB-SAMENGEVOEGD") return x.veld == "LeerbedrijfID" && x.ernst == Ernst::waarschuwing &&
                                              x.tekst.find(fx::kSamengevoegdNieuwId) != std::string::npos;
    return false;
  };
  auto d = backend_->details(*LeerbedrijfId::parse(fx::kSamengevoegdOudId));
  ASSERT_TRUE(d.leerbedrijf);
  EXPECT_TRUE(warned(d.meldingen));
  lb::IdentificeerVerzoek byId;
  byId.id = *LeerbedrijfId::parse(fx::kSamengevoegdOudId);
  auto i = backend_->identificeer(byId);
  ASSERT_EQ(i.leerbedrijven.size(), 1u);
  EXPECT_TRUE(warned(i.meldingen));
  EXPECT_FALSE(warned(backend_->details(*LeerbedrijfId::parse(fx::kErkendId)).meldingen));
}

TEST_F(SqliteLeerbedrijf, Identificeer) {
  lb::IdentificeerVerzoek byId;
  byId.id = *LeerbedrijfId::parse(fx::kErkendId);
  auto a = backend_->identificeer(byId);
  ASSERT_EQ(a.leerbedrijven.size(), 1u);
  EXPECT_EQ(a.leerbedrijven[0].naam, fx::kNaam);

  lb::IdentificeerVerzoek byKvk;
  byKvk.kvk = *KvkNummer::parse(fx::kKvk);
  byKvk.vestiging = *Vestigingsnummer::parse(fx::kVestiging);
  a = backend_->identificeer(byKvk);
  ASSERT_EQ(a.leerbedrijven.size(), 1u);
  EXPECT_EQ(a.leerbedrijven[0].id.str(), fx::kErkendId);

  lb::IdentificeerVerzoek byNaam;
  byNaam.naam = "van der berg";  // case-insensitive substring
  byNaam.plaats = "enschede";
  a = backend_->identificeer(byNaam);
  ASSERT_GE(a.leerbedrijven.size(), 1u);
  EXPECT_EQ(a.leerbedrijven[0].adres.plaats, "Enschede");

  lb::IdentificeerVerzoek byPostcode;
  byPostcode.postcode = "7521ab";
  a = backend_->identificeer(byPostcode);
  ASSERT_EQ(a.leerbedrijven.size(), 1u);
  EXPECT_EQ(a.leerbedrijven[0].id.str(), fx::kErkendId);

  lb::IdentificeerVerzoek none;
  none.id = *LeerbedrijfId::parse("999999998");
  a = backend_->identificeer(none);
  EXPECT_TRUE(a.leerbedrijven.empty());
  EXPECT_TRUE(has(a.meldingen, "LB-GEEN-RESULTAAT", ""));
}

TEST_F(SqliteLeerbedrijf, Details) {
  auto a = backend_->details(*LeerbedrijfId::parse(fx::kErkendId));
  ASSERT_TRUE(a.leerbedrijf);
  EXPECT_EQ(a.leerbedrijf->erkenningen.size(), 2u);
  EXPECT_EQ(a.leerbedrijf->erkenningen[0].status, lb::ErkenningStatus::erkend);
  EXPECT_EQ(a.leerbedrijf->erkenningen[0].kwalificatie, "Eerste monteur elektrotechnische installaties");
  EXPECT_EQ(a.leerbedrijf->praktijkopleiders.size(), 1u);
  EXPECT_EQ(a.leerbedrijf->leerplaatsen.size(), 2u);
  auto w = backend_->details(*LeerbedrijfId::parse(fx::kIngetrokkenId));
  ASSERT_TRUE(w.leerbedrijf);
  EXPECT_EQ(w.leerbedrijf->erkenningen[0].status, lb::ErkenningStatus::ingetrokken);
  auto u = backend_->details(*LeerbedrijfId::parse("999999998"));
  EXPECT_FALSE(u.leerbedrijf);
  EXPECT_TRUE(has(u.meldingen, "LB-ONBEKEND", "LeerbedrijfID"));
}

TEST_F(SqliteLeerbedrijf, ZoekFiltersSortsAndPages) {
  lb::ZoekVerzoek v;
  v.crebo = *Crebo::parse(fx::kErkendCrebo);
  v.pagina_grootte = 7;
  auto p1 = backend_->zoek(v);
  EXPECT_GT(p1.totaal, 7);
  EXPECT_EQ(p1.leerbedrijven.size(), 7u);
  for (std::size_t i = 1; i < p1.leerbedrijven.size(); ++i)
    EXPECT_LE(p1.leerbedrijven[i - 1].naam, p1.leerbedrijven[i].naam);
  v.pagina = 2;
  auto p2 = backend_->zoek(v);
  EXPECT_EQ(p2.totaal, p1.totaal);
  EXPECT_NE(p2.leerbedrijven[0].id, p1.leerbedrijven[0].id);
  v.pagina = 1000;
  EXPECT_TRUE(backend_->zoek(v).leerbedrijven.empty());

  lb::ZoekVerzoek near;
  near.plaats = "Enschede";
  near.max_afstand_km = 15;  // Hengelo is ~8 km away, Zwolle ~60 km
  near.pagina_grootte = 100;
  auto n = backend_->zoek(near);
  ASSERT_GT(n.leerbedrijven.size(), 1u);
  bool hengelo = false;
  for (std::size_t i = 0; i < n.leerbedrijven.size(); ++i) {
    const auto& l = n.leerbedrijven[i];
    ASSERT_TRUE(l.afstand_km);
    EXPECT_LE(*l.afstand_km, 15.0);
    EXPECT_NE(l.adres.plaats, "Zwolle");
    hengelo |= l.adres.plaats == "Hengelo";
    if (i > 0) {
      EXPECT_LE(*n.leerbedrijven[i - 1].afstand_km, *l.afstand_km);
    }
  }
  EXPECT_TRUE(hengelo);

  lb::ZoekVerzoek unknown_place;
  unknown_place.plaats = "Atlantis";
  unknown_place.max_afstand_km = 10;
  EXPECT_TRUE(has(backend_->zoek(unknown_place).meldingen, "LB-ONBEKENDE-PLAATS", "Plaats"));

  lb::ZoekVerzoek vrij;
  vrij.crebo = *Crebo::parse(fx::kErkendCrebo);
  vrij.leerweg = Leerweg::BBL;
  vrij.alleen_vrije_leerplaatsen = true;
  vrij.pagina_grootte = 100;
  for (const auto& l : backend_->zoek(vrij).leerbedrijven) EXPECT_NE(l.id.str(), fx::kErkendId) << "its BBL places are full";

  lb::ZoekVerzoek merged;
  merged.naam = "Hengelo";
  for (const auto& l : backend_->zoek(merged).leerbedrijven) EXPECT_NE(l.id.str(), fx::kSamengevoegdOudId);
}

TEST_F(SqliteLeerbedrijf, VoordragenIsIdempotentPerBericht) {
  lb::VoordrachtVerzoek v{new_message_id(), *Oin::parse("0000000700025BE00000"), *KvkNummer::parse("87654321"),
                          std::nullopt, "Fietsenmakerij", {"A", "1", "1234 AB", "Zwolle"}, *Crebo::parse("25180"),
                          Leerweg::BOL, {"X", "x@y.example", ""}, ""};
  auto a = backend_->voordragen(v);
  EXPECT_EQ(a.status, "ontvangen");
  EXPECT_EQ(a.voordracht_id.rfind("VD-", 0), 0u);
  EXPECT_EQ(backend_->voordragen(v).voordracht_id, a.voordracht_id);
  v.bericht = new_message_id();
  EXPECT_NE(backend_->voordragen(v).voordracht_id, a.voordracht_id);
  v.kvk = *KvkNummer::parse(fx::kKvk);  // already erkend for this crebo and leerweg
  EXPECT_TRUE(has(backend_->voordragen(v).meldingen, "LB-AL-ERKEND", "KvkNummer"));
}

TEST_F(SqliteLeerbedrijf, MutatiesInOrderSinceVolgnummer) {
  auto all = backend_->mutaties({0, 1000});
  ASSERT_GT(all.mutaties.size(), 100u);
  EXPECT_EQ(all.laatste_volgnummer, all.mutaties.back().volgnummer);
  for (std::size_t i = 1; i < all.mutaties.size(); ++i) {
    EXPECT_EQ(all.mutaties[i].volgnummer, all.mutaties[i - 1].volgnummer + 1);
    EXPECT_LE(all.mutaties[i - 1].tijdstip, all.mutaties[i].tijdstip);
  }
  int merged = 0, withdrawn = 0, naw = 0;
  for (const auto& m : all.mutaties) {
    merged += m.soort == "LeerbedrijfSamengevoegd";
    withdrawn += m.soort == "ErkenningIngetrokken";
    naw += m.soort == "NAWGewijzigd";
  }
  EXPECT_EQ(merged, 1);
  EXPECT_GT(withdrawn, 5);
  EXPECT_GT(naw, 0);
  auto page = backend_->mutaties({10, 5});
  ASSERT_EQ(page.mutaties.size(), 5u);
  EXPECT_EQ(page.mutaties[0].volgnummer, 11);
}

TEST_F(SqliteLeerbedrijf, FixturesAreDeterministicPerSeed) {
  LeerbedrijfBackend other(LeerbedrijfSettings{dir_ + "/other.db", true, 7});
  lb::ZoekVerzoek v;
  v.crebo = *Crebo::parse("25250");
  v.pagina_grootte = 100;
  auto a = backend_->zoek(v), b = other.zoek(v);
  ASSERT_EQ(a.totaal, b.totaal);
  for (std::size_t i = 0; i < a.leerbedrijven.size(); ++i) EXPECT_EQ(a.leerbedrijven[i].naam, b.leerbedrijven[i].naam);
  // Filling twice does nothing.
  EXPECT_EQ(fill_fixtures(backend_->connection(), 7), 0);
}

TEST_F(SqliteLeerbedrijf, ConcurrentReaders) {
  std::atomic<int> good{0};
  std::vector<std::thread> ts;
  for (int t = 0; t < 8; ++t)
    ts.emplace_back([&] {
      for (int i = 0; i < 50; ++i)
        if (verifieer(fx::kErkendId, fx::kErkendCrebo, Leerweg::BOL).erkend) ++good;
    });
  for (auto& t : ts) t.join();
  EXPECT_EQ(good.load(), 400);
}

TEST(SqliteAdapterFactory, RejectsUnknownKeysAndBadTypes) {
  adapters::register_builtin();
  YAML::Node bad = YAML::Load("{path: /tmp/x.db, colour: blue}");
  EXPECT_THROW(adapters::make_adapter<leerbedrijf::Backend>("sqlite", {bad, ""}), std::runtime_error);
  YAML::Node no_path = YAML::Load("{demo_data: true}");
  EXPECT_THROW(adapters::make_adapter<leerbedrijf::Backend>("sqlite", {no_path, ""}), std::runtime_error);
  YAML::Node wrong = YAML::Load("{path: /tmp/x.db, demo_data: maybe}");
  EXPECT_THROW(adapters::make_adapter<leerbedrijf::Backend>("sqlite", {wrong, ""}), std::runtime_error);
  EXPECT_THROW(adapters::make_adapter<leerbedrijf::Backend>("nosuch", {YAML::Load("{}"), ""}), std::runtime_error);
}

TEST(SqliteAdapterFactory, UnusablePathIsBackendUnavailable) {
  EXPECT_THROW(LeerbedrijfBackend(LeerbedrijfSettings{"/proc/nope/x.db", false, 1}), std::exception);
}
