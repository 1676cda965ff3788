#include "gateway/outbound/json_xml.h"

#include <gtest/gtest.h>
#include <libxml/xmlschemas.h>

#include "security/xml_guard.h"

using namespace edugate;
using namespace edugate::gateway;
using json = nlohmann::ordered_json;

namespace {
const std::string kLb = "urn:edugate:leerbedrijf:1";

const XsdModel& model() {
  static auto m = XsdModel::load(EDUGATE_CONTRACT_DIR);
  return *m;
}

// Validates XML against wsdl/leerbedrijf.xsd with libxml2's schema validator.
std::string schema_errors(const std::string& xml) {
  std::string xsd = std::string(EDUGATE_CONTRACT_DIR) + "/leerbedrijf.xsd";
  xmlSchemaParserCtxtPtr pc = xmlSchemaNewParserCtxt(xsd.c_str());
  xmlSchemaPtr schema = xmlSchemaParse(pc);
  xmlSchemaValidCtxtPtr vc = xmlSchemaNewValidCtxt(schema);
  auto doc = security::parse_guarded(xml);
  int rc = doc ? xmlSchemaValidateDoc(vc, doc->get()) : -1;
  xmlSchemaFreeValidCtxt(vc);
  xmlSchemaFree(schema);
  xmlSchemaFreeParserCtxt(pc);
  return rc == 0 ? "" : "invalid (" + std::to_string(rc) + ")";
}
}  // namespace

TEST(JsonXml, KeysInAnyOrderBecomeSchemaOrder) {
  json j = {{"Peildatum", "2026-01-01"}, {"Leerweg", "BOL"}, {"Crebo", "25180"}, {"LeerbedrijfID", "100000001"}};
  auto x = model().json_to_xml(kLb, "VerifieerErkenningVerzoek", j);
  ASSERT_TRUE(x) << x.error().message;
  EXPECT_LT(x->find("LeerbedrijfID"), x->find("Crebo"));
  EXPECT_LT(x->find("Crebo"), x->find("Leerweg"));
  EXPECT_EQ(schema_errors(*x), "") << *x;
}

TEST(JsonXml, NestedCommonTypesUseTheirOwnNamespace) {
  json j = {{"KvkNummer", "12345678"},
            {"Naam", "Test & Zonen"},
            {"Adres", {{"Plaats", "Zwolle"}, {"Straat", "A"}, {"Huisnummer", "1"}, {"Postcode", "8011 AB"}}},
            {"Crebo", "25180"},
            {"Leerweg", "BOL"},
            {"Contactpersoon", {{"Naam", "X"}, {"Email", "x@y.example"}}}};
  auto x = model().json_to_xml(kLb, "VoordragenErkenningVerzoek", j);
  ASSERT_TRUE(x) << x.error().message;
  EXPECT_NE(x->find("<gem:Straat>A</gem:Straat>"), std::string::npos) << *x;
  EXPECT_NE(x->find("Test &amp; Zonen"), std::string::npos);
  EXPECT_EQ(schema_errors(*x), "") << *x;
}

TEST(JsonXml, ErrorsNameTheField) {
  auto e = model().json_to_xml(kLb, "VerifieerErkenningVerzoek", json{{"LeerbedrijfID", "1"}, {"Crebo", "2"}, {"Leerweg", "BOL"}, {"Kleur", "blauw"}});
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().field, "Kleur");
  e = model().json_to_xml(kLb, "VerifieerErkenningVerzoek", json{{"LeerbedrijfID", "1"}, {"Leerweg", "BOL"}});
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().field, "Crebo");
  e = model().json_to_xml(kLb, "ZoekLeerbedrijvenVerzoek", json{{"Pagina", "een"}});
  ASSERT_FALSE(e);
  EXPECT_EQ(e.error().field, "Pagina");
  e = model().json_to_xml(kLb, "ZoekLeerbedrijvenVerzoek", json{{"Naam", json::array({"a", "b"})}});
  ASSERT_FALSE(e);
  e = model().json_to_xml(kLb, "ZoekLeerbedrijvenVerzoek", json{{"Naam", json{{"x", 1}}}});
  ASSERT_FALSE(e);
  e = model().json_to_xml(kLb, "ZoekLeerbedrijvenVerzoek", json::array());
  ASSERT_FALSE(e);
  e = model().json_to_xml(kLb, "BestaatNiet", json::object());
  ASSERT_FALSE(e);
}

TEST(JsonXml, ResponsesBecomeTypedJsonWithArrays) {
  const std::string xml =
      "<lb:ZoekLeerbedrijvenAntwoord xmlns:lb=\"urn:edugate:leerbedrijf:1\" xmlns:gem=\"urn:edugate:gemeenschappelijk:1\">"
      "<lb:TotaalAantal>1</lb:TotaalAantal><lb:Pagina>1</lb:Pagina><lb:PaginaGrootte>20</lb:PaginaGrootte>"
      "<lb:Leerbedrijf><lb:LeerbedrijfID>100000001</lb:LeerbedrijfID><lb:Naam>N</lb:Naam>"
      "<lb:Adres><gem:Straat>S</gem:Straat><gem:Huisnummer>1</gem:Huisnummer><gem:Postcode>P</gem:Postcode><gem:Plaats>Q</gem:Plaats></lb:Adres>"
      "<lb:AfstandKm>3.5</lb:AfstandKm></lb:Leerbedrijf>"
      "<lb:Melding><gem:Code>C</gem:Code><gem:Ernst>informatie</gem:Ernst><gem:Tekst>T</gem:Tekst></lb:Melding>"
      "</lb:ZoekLeerbedrijvenAntwoord>";
  auto j = model().xml_text_to_json(xml);
  ASSERT_TRUE(j);
  EXPECT_EQ((*j)["TotaalAantal"], 1);
  ASSERT_TRUE((*j)["Leerbedrijf"].is_array());
  EXPECT_EQ((*j)["Leerbedrijf"].size(), 1u);
  EXPECT_EQ((*j)["Leerbedrijf"][0]["LeerbedrijfID"], "100000001");
  EXPECT_DOUBLE_EQ((*j)["Leerbedrijf"][0]["AfstandKm"].get<double>(), 3.5);
  EXPECT_EQ((*j)["Leerbedrijf"][0]["Adres"]["Plaats"], "Q");
  ASSERT_TRUE((*j)["Melding"].is_array());
  auto b = model().xml_text_to_json(
      "<VerifieerErkenningAntwoord xmlns=\"urn:edugate:leerbedrijf:1\"><Erkend>false</Erkend></VerifieerErkenningAntwoord>");
  ASSERT_TRUE(b);
  EXPECT_EQ((*b)["Erkend"], false);
}

TEST(JsonXml, RoundTrip) {
  json j = {{"LeerbedrijfID", "100000001"}, {"Crebo", "25180"}, {"Leerweg", "BBL"}, {"Peildatum", "2026-01-01"}};
  auto x = model().json_to_xml(kLb, "VerifieerErkenningVerzoek", j);
  ASSERT_TRUE(x);
  auto back = model().xml_text_to_json(*x);
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, j);
}

TEST(JsonXml, HostileJsonNeverCrashes) {
  json deep = json::object();
  json* cur = &deep;
  for (int i = 0; i < 1000; ++i) cur = &((*cur)["Naam"] = json::object());
  EXPECT_FALSE(model().json_to_xml(kLb, "ZoekLeerbedrijvenVerzoek", deep));
  EXPECT_TRUE(model().json_to_xml(kLb, "ZoekLeerbedrijvenVerzoek", json{{"Naam", std::string(1 << 20, 'x')}}));
  EXPECT_FALSE(model().json_to_xml(kLb, "ZoekLeerbedrijvenVerzoek", json("text")));
  EXPECT_FALSE(model().json_to_xml(kLb, "ZoekLeerbedrijvenVerzoek", json{{"Pagina", 1.5}}));
}

// Numbers as the XSD means them (issue 16 point 6): xs:double text both ways, the value's own
// shortest form (7.8, not 7.7999999999999998), and only the XSD's lexical forms from strings.
TEST(JsonXml, NumbersAreWrittenAndReadAsTheirXsdForm) {
  auto answer = [](const json& afstand) {
    return json{{"TotaalAantal", 1},
                {"Pagina", 1},
                {"PaginaGrootte", 20},
                {"Leerbedrijf",
                 {{{"LeerbedrijfID", "100000001"},
                   {"Naam", "N"},
                   {"Adres", {{"Straat", "S"}, {"Huisnummer", "1"}, {"Postcode", "P"}, {"Plaats", "Q"}}},
                   {"AfstandKm", afstand}}}}};
  };
  auto text_of = [&](const json& afstand) -> std::string {
    auto x = model().json_to_xml(kLb, "ZoekLeerbedrijvenAntwoord", answer(afstand));
    if (!x) return "error: " + x.error().message;
    auto open = x->find("AfstandKm>"), close = x->find("</", open);
    return x->substr(open + 10, close - open - 10);
  };
  for (const auto& [value, text] : std::vector<std::pair<json, std::string>>{
           {7.8, "7.8"}, {0.1, "0.1"}, {12, "12"}, {-2.5, "-2.5"}, {1e-7, "1e-07"}, {1e20, "1e+20"},
           {"7.8", "7.8"}, {"+3.0", "+3.0"}, {".5", ".5"}, {"1E-07", "1E-07"}, {"12", "12"}}) {
    EXPECT_EQ(text_of(value), text) << value.dump();
    if (text_of(value).rfind("error", 0) != 0) {
      auto x = model().json_to_xml(kLb, "ZoekLeerbedrijvenAntwoord", answer(value));
      EXPECT_EQ(schema_errors(*x), "") << *x;
    }
  }
  for (const char* not_a_number : {"0x10", "nan", "NaN", "inf", "INF", "infinity", " 7.8", "7.8 ", "7,8", "1e", "e5", ".",
                                   "", "+", "1e999", "--1"})
    EXPECT_EQ(text_of(not_a_number).rfind("error: Leerbedrijf", 0), 0u) << "'" << not_a_number << "': " << text_of(not_a_number);
  // Read back: the number of the text, printed by the JSON bridge in its shortest form.
  auto j = model().xml_text_to_json(
      "<lb:ZoekLeerbedrijvenAntwoord xmlns:lb=\"urn:edugate:leerbedrijf:1\" xmlns:gem=\"urn:edugate:gemeenschappelijk:1\">"
      "<lb:TotaalAantal>1</lb:TotaalAantal><lb:Pagina>1</lb:Pagina><lb:PaginaGrootte>20</lb:PaginaGrootte>"
      "<lb:Leerbedrijf><lb:LeerbedrijfID>100000001</lb:LeerbedrijfID><lb:Naam>N</lb:Naam>"
      "<lb:Adres><gem:Straat>S</gem:Straat><gem:Huisnummer>1</gem:Huisnummer><gem:Postcode>P</gem:Postcode><gem:Plaats>Q</gem:Plaats></lb:Adres>"
      "<lb:AfstandKm>7.8</lb:AfstandKm></lb:Leerbedrijf></lb:ZoekLeerbedrijvenAntwoord>");
  ASSERT_TRUE(j);
  EXPECT_EQ((*j)["Leerbedrijf"][0]["AfstandKm"].dump(), "7.8");
}
