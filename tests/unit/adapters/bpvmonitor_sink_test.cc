#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "adapters/spool/sink.h"
#include "adapters/db/bpvmonitor_backend.h"
#include "adapters/db/leerbedrijf_backend.h"
#include "adapters/db/leerbedrijf_fixtures.h"
#include "adapters/db/sink.h"

using namespace edugate;
using namespace edugate::adapters;
namespace bm = edugate::bpvmonitor;
namespace fx = edugate::adapters::db::fixtures;

namespace {

class BpvSqlite : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/edugate-bpv-XXXXXX";
    dir_ = mkdtemp(tmpl);
    db::LeerbedrijfBackend lb(db::LeerbedrijfSettings{dir_ + "/lb.db", true, 1});
    backend_ = std::make_unique<db::BpvMonitorBackend>(
        db::BpvMonitorSettings{dir_ + "/bpv.db", dir_ + "/lb.db", true, 1, 10});
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  bm::Studentgegeven rec(const std::string& k, int days, const char* brin = "25BE", const char* lb = fx::kErkendId) {
    return bm::Studentgegeven{k, *Brin::parse(brin), *RioAanbiedercode::parse("123A456"), *RioLocatiecode::parse("123X001"),
                              *Crebo::parse("25180"), Leerweg::BOL, *LeerbedrijfId::parse(lb),
                              civil_from_days(days_from_civil(today_utc()) + days), "V", "A", "e@x.example"};
  }
  std::string dir_;
  std::unique_ptr<db::BpvMonitorBackend> backend_;
  const Oin school_ = *Oin::parse("0000000700025BE00000");
};

bool has(const Meldingen& m, const std::string& code) {
  for (const auto& x : m)
    if (x.code == code) return true;
  return false;
}

}  // namespace

TEST_F(BpvSqlite, InvitationThreeWeeksBeforeTheEndOrAsSoonAsPossible) {
  auto r = backend_->lever_aan(school_, {rec("A", 100), rec("B", 21), rec("C", 20), rec("D", 0)});
  EXPECT_EQ(r[0].uitnodigingsdatum->str(), civil_from_days(days_from_civil(today_utc()) + 79).str());
  EXPECT_EQ(r[1].uitnodigingsdatum->str(), today_utc().str());
  EXPECT_FALSE(has(r[1].meldingen, "BPV-KORT"));
  EXPECT_EQ(r[2].uitnodigingsdatum->str(), today_utc().str());
  EXPECT_TRUE(has(r[2].meldingen, "BPV-KORT"));
  EXPECT_EQ(r[3].status, "geaccepteerd");
}

TEST_F(BpvSqlite, RulesRefuseWithTheRightCode) {
  auto r = backend_->lever_aan(school_, {rec("A", 30, "30GR"), rec("B", 30, "25BE", "999999998"),
                                         rec("C", 30, "25BE", fx::kSamengevoegdOudId), rec("D", -1), rec("E", 5000)});
  EXPECT_TRUE(has(r[0].meldingen, "BPV-BRIN"));
  EXPECT_TRUE(has(r[1].meldingen, "BPV-LEERBEDRIJF"));
  EXPECT_TRUE(has(r[2].meldingen, "BPV-LEERBEDRIJF"));
  EXPECT_TRUE(has(r[3].meldingen, "BPV-AFGELOPEN"));
  EXPECT_TRUE(has(r[4].meldingen, "BPV-EINDDATUM"));
  for (const auto& x : r) EXPECT_EQ(x.status, "geweigerd");
}

TEST_F(BpvSqlite, SuppressionBelowTheMinimum) {
  auto big = backend_->resultaten(*Brin::parse("25BE"), {*Periode::parse("2026-K1"), std::nullopt, std::nullopt, std::nullopt});
  ASSERT_EQ(big.cellen.size(), 14u);
  EXPECT_FALSE(big.cellen[0].onderdrukt);
  ASSERT_TRUE(big.cellen[0].gemiddelde);
  EXPECT_GE(*big.cellen[0].gemiddelde, 1.0);
  EXPECT_LE(*big.cellen[0].gemiddelde, 10.0);
  auto small = backend_->resultaten(*Brin::parse("21CA"), {*Periode::parse("2026-K1"), std::nullopt, std::nullopt, std::nullopt});
  for (const auto& c : small.cellen) {
    EXPECT_LT(c.aantal, 10);
    EXPECT_TRUE(c.onderdrukt);
    EXPECT_FALSE(c.gemiddelde);
    EXPECT_TRUE(c.landelijk) << "the national benchmark is still shown";
  }
  auto none = backend_->resultaten(*Brin::parse("25BE"), {*Periode::parse("2020-K1"), std::nullopt, std::nullopt, std::nullopt});
  EXPECT_TRUE(has(none.meldingen, "BPV-GEEN-RESPONS"));
}

TEST(Sinks, SpoolWritesEachMessageOnceAtomically) {
  char tmpl[] = "/tmp/edugate-spool-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  spool::FileSink sink(dir);
  auto id = new_message_id();
  auto sbb = *Oin::parse("00000003273785290000");
  leerbedrijf::Mutatie m{5, "NAWGewijzigd", 0, *LeerbedrijfId::parse("100000001"), std::nullopt, std::nullopt,
                         std::nullopt, std::nullopt, std::nullopt, std::string("Naam, met komma")};
  sink.erkenningmutaties(id, sbb, {m});
  m.naam = "Anders";
  sink.erkenningmutaties(id, sbb, {m});  // a redelivery changes nothing
  auto base = std::filesystem::path(dir) / "erkenningmutaties" / id.str().substr(9);
  std::ifstream csv(base.string() + ".csv");
  std::string text((std::istreambuf_iterator<char>(csv)), {});
  EXPECT_NE(text.find("\"Naam, met komma\""), std::string::npos) << text;
  EXPECT_EQ(text.find("Anders"), std::string::npos);
  EXPECT_TRUE(std::filesystem::exists(base.string() + ".json"));
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(base.parent_path())) files += e.path().extension() != ".tmp";
  EXPECT_EQ(files, 2);
  std::filesystem::remove_all(dir);
}

TEST(Sinks, SqliteSinkIgnoresARedelivery) {
  char tmpl[] = "/tmp/edugate-sink-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  db::TableSink sink(dir + "/s.db");
  auto id = new_message_id();
  consumer::Monitorresultaten r{*Brin::parse("25BE"), *Periode::parse("2026-K1"), 10,
                                {{"voorbereiding", "student", 12, false, 7.5, 7.1}}};
  sink.monitorresultaten(id, *Oin::parse("00000003273785290000"), r);
  sink.monitorresultaten(id, *Oin::parse("00000003273785290000"), r);
  sql::Target t;
  t.path = dir + "/s.db";
  auto c = sql::open(t);
  auto st = c->prepare("SELECT count(*) FROM monitorresultaten");
  ASSERT_TRUE(st.step());
  EXPECT_EQ(st.integer(0), 1);
  std::filesystem::remove_all(dir);
}
