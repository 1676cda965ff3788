#include "gateway/soap/contract.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

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

namespace {

// A one-operation WSDL in a temporary contract directory; `part`, `actions` and `port_types`
// break one rule each.
std::string write_wsdl(const std::string& name, const std::string& part, bool actions, bool output, int port_types) {
  const auto dir = std::filesystem::temp_directory_path() / ("edugate-contract-" + name);
  std::filesystem::create_directories(dir);
  std::string pt;
  for (int i = 0; i < port_types; ++i)
    pt += "<wsdl:portType name=\"P" + std::to_string(i) + "\"><wsdl:operation name=\"Doe\">"
          "<wsdl:input message=\"t:DoeVerzoek\"" + std::string(actions ? " wsam:Action=\"urn:t:Doe\"" : "") + "/>" +
          // Without `output`, the output names a message that has no part: no response element.
          "<wsdl:output message=\"t:" + std::string(output ? "DoeAntwoord" : "Leeg") + "\"" +
          std::string(actions ? " wsam:Action=\"urn:t:DoeAntwoord\"" : "") + "/>" +
          "</wsdl:operation></wsdl:portType>";
  std::ofstream(dir / (name + ".wsdl"))
      << "<wsdl:definitions xmlns:wsdl=\"http://schemas.xmlsoap.org/wsdl/\" "
         "xmlns:wsam=\"http://www.w3.org/2007/05/addressing/metadata\" xmlns:t=\"urn:t\" targetNamespace=\"urn:t\">"
         "<wsdl:message name=\"DoeVerzoek\">" << part << "</wsdl:message>"
         "<wsdl:message name=\"DoeAntwoord\"><wsdl:part name=\"a\" element=\"t:DoeAntwoord\"/></wsdl:message>"
         "<wsdl:message name=\"Leeg\"/>"
      << pt << "</wsdl:definitions>";
  return dir.string();
}

const std::string kElementPart = "<wsdl:part name=\"v\" element=\"t:DoeVerzoek\"/>";

// The start-up error load_contract gives, or "" when the WSDL loads.
std::string load_error(const std::string& dir, const std::string& name) {
  try {
    load_contract(dir, name);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Contract, TheWsdlHelperLoadsWhenNoRuleIsBroken) {
  EXPECT_EQ(load_error(write_wsdl("goed", kElementPart, true, true, 1), "goed"), "");
}

TEST(Contract, WW004_MessagePartWithoutElementIsAStartupError) {
  const auto dir = write_wsdl("ww004", "<wsdl:part name=\"v\" type=\"t:DoeType\"/>", true, true, 1);
  EXPECT_NE(load_error(dir, "ww004").find("has no element (WW004)"), std::string::npos) << load_error(dir, "ww004");
}

TEST(Contract, WS008_OperationWithoutWsamActionIsAStartupError) {
  const auto dir = write_wsdl("ws008", kElementPart, false, true, 1);
  EXPECT_NE(load_error(dir, "ws008").find("lacks wsam:Action (WS008)"), std::string::npos) << load_error(dir, "ws008");
}

TEST(Contract, WS003_OperationWithoutResponseIsAStartupError) {
  const auto dir = write_wsdl("ws003", kElementPart, true, false, 1);
  EXPECT_NE(load_error(dir, "ws003").find("is not request/response (WS003)"), std::string::npos) << load_error(dir, "ws003");
}

TEST(Contract, WS005_TwoPortTypesAreAStartupError) {
  const auto dir = write_wsdl("ws005", kElementPart, true, true, 2);
  EXPECT_NE(load_error(dir, "ws005").find("exactly one portType (WS005)"), std::string::npos) << load_error(dir, "ws005");
}
