#include "security/authorization.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "store/sqlite_store.h"

using namespace edugate;
using namespace edugate::store;

namespace {
const Oin kSchool = *Oin::parse("0000000700025BE00000");
const Oin kOther = *Oin::parse("0000000700030GR00000");
const Oin kVendor = *Oin::parse("00000003123456780000");
const Oin kStranger = *Oin::parse("0000000700099ZZ00000");

class AuthorizationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/edugate-authz-XXXXXX";
    dir_ = mkdtemp(tmpl);
    store_ = std::make_unique<SqliteStore>(dir_ + "/s.db");
    store_->upsert_party({kSchool, "A", PartyKind::school, PartyStatus::actief, ""});
    store_->upsert_party({kOther, "B", PartyKind::school, PartyStatus::actief, ""});
    store_->upsert_party({kVendor, "V", PartyKind::vendor, PartyStatus::actief, ""});
    store_->set_agreement(kSchool, "leerbedrijf", true);
    store_->set_agreement(kOther, "leerbedrijf", true);
    store_->set_mandate(kVendor, kSchool, "leerbedrijf", true);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string code(const Oin& tls, const Oin& from, const char* svc = "leerbedrijf") {
    auto r = security::authorize(*store_, tls, from, svc);
    return r ? (r->via_mandate ? "mandate" : "own") : r.error().code;
  }
  std::string dir_;
  std::unique_ptr<SqliteStore> store_;
};
}  // namespace

TEST_F(AuthorizationTest, OwnAgreement) { EXPECT_EQ(code(kSchool, kSchool), "own"); }
TEST_F(AuthorizationTest, NoAgreementForService) { EXPECT_EQ(code(kSchool, kSchool, "bpvmonitor"), "DK0002"); }
TEST_F(AuthorizationTest, UnknownCaller) { EXPECT_EQ(code(kStranger, kStranger), "DK0002"); }
TEST_F(AuthorizationTest, SuspendedCaller) {
  store_->upsert_party({kSchool, "A", PartyKind::school, PartyStatus::geschorst, ""});
  EXPECT_EQ(code(kSchool, kSchool), "DK0002");
}
TEST_F(AuthorizationTest, VendorWithMandate) { EXPECT_EQ(code(kVendor, kSchool), "mandate"); }
TEST_F(AuthorizationTest, VendorWithoutMandateIsEK0030) { EXPECT_EQ(code(kVendor, kOther), "EK0030"); }
TEST_F(AuthorizationTest, SchoolCannotActForAnotherSchool) { EXPECT_EQ(code(kOther, kSchool), "EK0030"); }
TEST_F(AuthorizationTest, MandateButSchoolLostItsAgreement) {
  store_->set_agreement(kSchool, "leerbedrijf", false);
  EXPECT_EQ(code(kVendor, kSchool), "DK0002");
}
TEST_F(AuthorizationTest, MandateButSchoolSuspended) {
  store_->upsert_party({kSchool, "A", PartyKind::school, PartyStatus::geschorst, ""});
  EXPECT_EQ(code(kVendor, kSchool), "DK0002");
}
