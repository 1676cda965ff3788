// The registry file of `onboard apply`: every entry checked before anything is returned, an
// error naming the entry and the key (issue 16 point 5: services and OINs included).
#include "gateway/ops/registry_file.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "gateway/services/registry.h"

using namespace edugate;
using namespace edugate::gateway;

namespace {
namespace fs = std::filesystem;

class RegistryFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("edugate-registry-file-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Reads `yaml` as a registry file; the OIN 0000000700025BE00000 counts as onboarded.
  Result<RegistryFile> read(const std::string& yaml) const {
    const auto path = (dir_ / "registry.yaml").string();
    std::ofstream(path) << yaml;
    return read_registry_file(path, [](const Oin& o) { return o.str() == "0000000700025BE00000"; });
  }
  std::string error_of(const std::string& yaml) const {
    auto r = read(yaml);
    return r ? std::string() : r.error().message;
  }

  fs::path dir_;
};

const std::string kSchool = "0000000700025BE00000";
}  // namespace

TEST_F(RegistryFileTest, EveryAgreementServiceIsTakenTheSubscriptionsToo) {
  std::string yaml = "agreements:\n";
  for (const auto& name : agreement_names()) yaml += "  - {oin: \"" + kSchool + "\", service: " + name + "}\n";
  yaml += "mandates:\n  - {vendor: \"" + kSchool + "\", school: \"" + kSchool + "\", service: bpvmonitor-studentgegevens}\n";
  auto r = read(yaml);
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->agreements.size(), agreement_names().size());
  EXPECT_EQ(r->agreements[1].service, "leerbedrijf-mutaties");
  EXPECT_EQ(r->mandates.at(0).service, "bpvmonitor-studentgegevens");
}

TEST_F(RegistryFileTest, AnUnknownServiceIsRefusedListingTheServices) {
  const std::string list = "an agreement or mandate names one of: " + agreement_list();
  auto e = error_of("agreements:\n  - {oin: \"" + kSchool + "\", service: leerbedrijf}\n  - {oin: \"" + kSchool +
                    "\", service: nonsense}\n");
  EXPECT_NE(e.find("agreements[1].service: 'nonsense' is not a service; " + list), std::string::npos) << e;
  e = error_of("mandates:\n  - {vendor: \"" + kSchool + "\", school: \"" + kSchool + "\", service: schoolontvangst}\n");
  EXPECT_NE(e.find("mandates[0].service: 'schoolontvangst' is not a service"), std::string::npos) << e;
  e = error_of("agreements:\n  - {oin: \"" + kSchool + "\", service: \"Leer bedrijf\"}\n");
  EXPECT_NE(e.find("agreements[0].service: 'Leer bedrijf' is not a service"), std::string::npos) << e;
  EXPECT_FALSE(agreement_service("praktijkloket ").ok());
  EXPECT_EQ(*agreement_service("praktijkloket"), "praktijkloket");
}

TEST_F(RegistryFileTest, AnOinOfTheWrongFormIsRefusedSayingWhy) {
  auto party = [](const std::string& oin) { return "parties:\n  - {oin: \"" + oin + "\", naam: X, kind: vendor}\n"; };
  EXPECT_NE(error_of(party("123")).find("parties[0].oin: '123': OIN heeft 3 tekens, niet 20"), std::string::npos);
  EXPECT_NE(error_of(party("0000000312345678000a")).find("OIN bevat 'a' op positie 20"), std::string::npos);
  EXPECT_NE(error_of(party("00000005123456789000")).find("parties[0].oin: '00000005123456789000': OIN-prefix 00000005 is geen "
                                                          "OIN-register"),
            std::string::npos);
  EXPECT_NE(error_of(party("00000003123456789000")).find("OIN eindigt op 9000, niet op 0000"), std::string::npos);
  auto e = error_of("mandates:\n  - {vendor: \"0000000112345678A000\", school: \"" + kSchool + "\", service: leerbedrijf}\n");
  EXPECT_NE(e.find("mandates[0].vendor: '0000000112345678A000': RSIN 12345678A is geen getal van 9 cijfers"), std::string::npos)
      << e;
  auto kvk = read(party("00000003876543210000"));
  ASSERT_TRUE(kvk) << kvk.error().message;
  EXPECT_EQ(kvk->parties.at(0).oin.str(), "00000003876543210000");
  EXPECT_TRUE(read(party("00000001822477348000")));
}

TEST_F(RegistryFileTest, APartyTheRegistryHoldsIsTakenAsItIs) {
  // Saved before OINs were checked: its agreements can still be given, and it can be suspended.
  const auto path = (dir_ / "held.yaml").string();
  std::ofstream(path) << "parties:\n  - {oin: \"00000005123456789001\", naam: Oud, kind: vendor, status: geschorst}\n"
                         "agreements:\n  - {oin: \"00000005123456789001\", service: leerbedrijf}\n";
  auto r = read_registry_file(path, [](const Oin& o) { return o.str() == "00000005123456789001"; });
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->parties.at(0).status, store::PartyStatus::geschorst);
  EXPECT_FALSE(read_registry_file(path, [](const Oin&) { return false; }));
}
