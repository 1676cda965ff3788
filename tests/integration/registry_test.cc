// Onboarding rules enforced on every request: unknown or suspended OIN, agreements, mandates,
// and the audit record of a vendor acting for a school.
#include <gtest/gtest.h>

#include <chrono>

#include "adapters/db/leerbedrijf_fixtures.h"
#include "testkit/testkit.h"

using namespace edugate;
using namespace edugate::testkit;
namespace fx = edugate::adapters::db::fixtures;

namespace {
std::string verifieer_json() {
  return std::string(R"({"LeerbedrijfID":")") + fx::kErkendId + R"(","Crebo":")" + fx::kErkendCrebo + R"(","Leerweg":"BOL"})";
}

struct AuditRow {
  std::string sender, on_behalf_of, result, message_id, cert_serial;
};
std::vector<AuditRow> audit(const Provider& p) {
  std::vector<AuditRow> rows;
  for (auto& r : p.query("store", "SELECT sender_oin, on_behalf_of_oin, result, message_id, cert_serial FROM audit ORDER BY id"))
    rows.push_back({r[0], r[1], r[2], r[3], r[4]});
  return rows;
}
}  // namespace

TEST(Registry, UnknownOinWithAValidCertificateIsRefusedDK0002) {
  ProviderOptions o;
  o.onboard_defaults = false;
  Provider p(o);
  auto ex = send_json("school-25be", kSchool25be, p.port(), "VerifieerErkenning", verifieer_json());
  ASSERT_TRUE(ex);
  EXPECT_EQ(ex->fault_code, "DK0002");
}

TEST(Registry, SchoolWithoutAgreementIsRefusedDK0002) {
  Provider p;
  auto ex = send_json("school-21ca", kSchool21ca, p.port(), "VerifieerErkenning", verifieer_json());
  ASSERT_TRUE(ex);
  EXPECT_EQ(ex->fault_code, "DK0002");
  ASSERT_EQ(p.edugate({"onboard", "agreement", "--oin", kSchool21ca, "--service", "leerbedrijf"}).exit_code, 0);
  ex = send_json("school-21ca", kSchool21ca, p.port(), "VerifieerErkenning", verifieer_json());
  ASSERT_TRUE(ex);
  EXPECT_FALSE(ex->is_fault) << ex->faultstring;
}

TEST(Registry, SuspendedPartyIsRefusedDK0002) {
  Provider p;
  ASSERT_EQ(p.edugate({"onboard", "party", "--oin", kSchool30gr, "--name", "ROC TEST Groningen", "--status", "geschorst"}).exit_code, 0);
  auto ex = send_json("school-30gr", kSchool30gr, p.port(), "VerifieerErkenning", verifieer_json());
  ASSERT_TRUE(ex);
  EXPECT_EQ(ex->fault_code, "DK0002");
}

TEST(Registry, VendorWithMandateActsForSchoolAndIsAuditedWithBothOins) {
  Provider p;
  gateway::SendOptions o;
  o.act_for = *Oin::parse(kSchool25be);
  auto ex = send_json("vendor", kVendor, p.port(), "VerifieerErkenning", verifieer_json(), o);
  ASSERT_TRUE(ex) << ex.error().message;
  EXPECT_FALSE(ex->is_fault) << ex->faultstring;
  // The response is addressed to the school the vendor acts for.
  EXPECT_NE(ex->response.find("anonymous?oin=0000000700025BE00000</wsa:To>"), std::string::npos);
  p.stop();
  auto rows = audit(p);
  ASSERT_FALSE(rows.empty());
  const auto& last = rows.back();
  EXPECT_EQ(last.sender, kVendor);
  EXPECT_EQ(last.on_behalf_of, kSchool25be);
  EXPECT_EQ(last.result, "ok");
  EXPECT_EQ(last.message_id, ex->sent.str());
  EXPECT_FALSE(last.cert_serial.empty());
}

TEST(Registry, VendorWithoutMandateIsRefusedEK0030) {
  Provider p;
  gateway::SendOptions o;
  o.act_for = *Oin::parse(kSchool30gr);
  auto ex = send_json("vendor", kVendor, p.port(), "VerifieerErkenning", verifieer_json(), o);
  ASSERT_TRUE(ex);
  EXPECT_EQ(ex->fault_code, "EK0030");
}

TEST(Registry, AuditHoldsNoPayload) {
  Provider p;
  auto ex = send_json("school-25be", kSchool25be, p.port(), "VoordragenErkenning",
                      R"({"KvkNummer":"87654321","Naam":"Geheime Naam BV","Adres":{"Straat":"Geheimstraat","Huisnummer":"1","Postcode":"1234 AB","Plaats":"Zwolle"},"Crebo":"25180","Leerweg":"BOL","Contactpersoon":{"Naam":"Piet Geheim","Email":"piet@geheim.example"}})");
  ASSERT_TRUE(ex);
  p.stop();
  for (const auto& r : audit(p)) {
    EXPECT_EQ(r.result.find("Geheim"), std::string::npos);
  }
  EXPECT_EQ(p.log().find("Geheim"), std::string::npos);
  EXPECT_EQ(p.log().find("piet@"), std::string::npos);
}

// Requests read the registry from the gateway's cache, which follows the store's change counter
// (store/registry_cache.h): a suspension by another process (here the CLI; on PostgreSQL it could
// be another instance) refuses the party's next requests within a second, and its resumption
// lets them through again as quickly. Runs against PostgreSQL too (pg.Registry.*).
TEST(Registry, ASuspensionByAnotherProcessTakesEffectWithinASecond) {
  Provider p;
  auto ok = send_json("school-25be", kSchool25be, p.port(), "VerifieerErkenning", verifieer_json());
  ASSERT_TRUE(ok);
  ASSERT_FALSE(ok->is_fault) << ok->faultstring;  // the party is in the cache now
  auto cli = [&](const std::string& status) {
    // Not p.edugate(): that waits for the gateway to log the change; this measures it.
    return run({edugate_binary(), "onboard", "--config", p.config_path(), "party", "--oin", kSchool25be, "--name",
                "ROC TEST Twente", "--status", status});
  };
  auto until = [&](const std::string& want_fault) {
    const auto t0 = std::chrono::steady_clock::now();
    for (;;) {
      auto ex = send_json("school-25be", kSchool25be, p.port(), "VerifieerErkenning", verifieer_json());
      if (ex && ex->fault_code == want_fault) break;
      if (std::chrono::steady_clock::now() - t0 > std::chrono::seconds(5)) break;
    }
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
  };
  ASSERT_EQ(cli("geschorst").exit_code, 0);
  const auto refused_after = until("DK0002");
  EXPECT_LT(refused_after.count(), 1000) << "a suspension takes effect within a second";
  ASSERT_EQ(cli("actief").exit_code, 0);
  const auto served_after = until("");
  EXPECT_LT(served_after.count(), 1000) << "and so does its end";
  EXPECT_NE(p.log().find("\"event\":\"registry_changed\""), std::string::npos);
}
