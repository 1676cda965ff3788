#include "gateway/soap/contract.h"

#include <gtest/gtest.h>

using namespace edugate::gateway;

TEST(Contract, LeerbedrijfWsdlHasSixOperationsWithActions) {
  auto c = load_contract(EDUGATE_CONTRACT_DIR, "leerbedrijf");
  EXPECT_EQ(c.target_ns, "urn:edugate:leerbedrijf:1");
  EXPECT_EQ(c.path, "/edukoppeling/leerbedrijf");
  ASSERT_EQ(c.operations.size(), 6u);
  for (const char* name : {"IdentificeerLeerbedrijf", "VerifieerErkenning", "GeefLeerbedrijfDetails",
                           "ZoekLeerbedrijven", "VoordragenErkenning", "HaalMutatiesOp"}) {
    const Operation* op = c.by_name(name);
    ASSERT_NE(op, nullptr) << name;
    EXPECT_EQ(op->input_action, std::string("urn:edugate:leerbedrijf:1:") + name);
    EXPECT_EQ(op->output_action, std::string("urn:edugate:leerbedrijf:1:") + name + "Antwoord");
    EXPECT_EQ(op->input_element, std::string(name) + "Verzoek");
    EXPECT_EQ(c.by_action(op->input_action), op);
  }
  EXPECT_EQ(c.by_action("urn:edugate:leerbedrijf:1:Onbekend"), nullptr);
}

TEST(Contract, MissingWsdlIsAStartupError) {
  EXPECT_THROW(load_contract(EDUGATE_CONTRACT_DIR, "bestaatniet"), std::runtime_error);
}
