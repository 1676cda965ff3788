// The rule catalogue (core/rules.h): each code defined once, each entry proven by a test named
// after it, no code raised from a literal elsewhere, docs/RULES.md generated from it.
#include "core/rules.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "core/ids.h"
#include "rules_scan.h"

using namespace edugate;

namespace {

const std::string kSource = EDUGATE_SOURCE_DIR;

std::string read(const std::string& rel) {
  std::ifstream in(kSource + "/" + rel, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += "\n  " + x;
  return s;
}

}  // namespace

TEST(Rules, EveryCodeIsDefinedOnceWithItsTextAndRule) {
  std::set<std::string_view> codes;
  for (const rules::Rule* r : rules::all()) {
    EXPECT_TRUE(codes.insert(r->code).second) << "defined twice: " << r->code;
    EXPECT_FALSE(r->code.empty());
    EXPECT_FALSE(r->text.empty()) << r->code;
    EXPECT_FALSE(r->standard.empty()) << r->code;
    if (r->kind == rules::Kind::melding) {
      EXPECT_EQ(r->side, rules::Side::none) << r->code << ": a Melding is not a fault";
    } else {
      EXPECT_TRUE(std::regex_match(std::string(r->code), std::regex("(DK|EK)[0-9]{4}|(WT|WB|WS|WW)[0-9]{3}"))) << r->code;
    }
    if (r->kind == rules::Kind::fault) {
      EXPECT_NE(r->side, rules::Side::none) << r->code;
    }
    EXPECT_EQ(rules::find(r->code), r);
  }
  EXPECT_EQ(rules::find("XX0000"), nullptr);
}

TEST(Rules, EveryEntryOfTheHeaderIsInAll) {
  // An entry written in core/rules.h but left out of all() would escape every other test here.
  const std::string h = read("core/rules.h");
  std::set<std::string> declared;
  const std::regex fault(R"re(inline constexpr Rule \w+\{"([^"]+)")re"), melding(R"re(EDUGATE_MELDING\(\w+, "([^"]+)")re");
  for (const auto* re : {&fault, &melding})
    for (std::sregex_iterator it(h.begin(), h.end(), *re), end; it != end; ++it) declared.insert((*it)[1]);
  std::set<std::string> listed;
  for (const rules::Rule* r : rules::all()) listed.insert(std::string(r->code));
  EXPECT_EQ(declared, listed);
  EXPECT_GT(listed.size(), 80u);
}

TEST(Rules, IsClientKeepsTheFaultcodeOfEveryRaisedCode) {
  // What the pipeline, relay and listener rely on: only DK0051 (and the code-less internal
  // error) is a Server fault; every other code, known or not, a Client fault.
  for (const rules::Rule* r : rules::all()) EXPECT_EQ(rules::is_client(r->code), r->code != "DK0051") << r->code;
  EXPECT_FALSE(rules::is_client(rules::DK0051.code));
  EXPECT_FALSE(rules::is_client(rules::internal.code));
  EXPECT_TRUE(rules::is_client("ONBEKEND-CODE"));
  EXPECT_TRUE(rules::is_client("TLS-IDENTITY"));
}

TEST(Rules, EveryParserTagAServiceReportsHasItsMelding) {
  // gateway/services/service_support.h: field() answers ONGELDIG-<tag> for the parsers of core/ids.h.
  for (auto tag : {Brin::parse("x").error().code, LeerbedrijfId::parse("x").error().code, Crebo::parse("x").error().code,
                   KvkNummer::parse("x").error().code, Vestigingsnummer::parse("x").error().code,
                   Periode::parse("x").error().code, RioAanbiedercode::parse("x").error().code,
                   RioLocatiecode::parse("x").error().code, parse_leerweg("x").error().code}) {
    const rules::Rule* r = rules::invalid_field(tag);
    ASSERT_NE(r, nullptr) << "ONGELDIG-" << tag << " is not in the catalogue";
    EXPECT_EQ(r->code, "ONGELDIG-" + tag);
    EXPECT_EQ(r->kind, rules::Kind::melding);
  }
  EXPECT_EQ(rules::invalid_field("GEEN-TAG"), nullptr);
}

TEST(Rules, EveryFaultAndRuleHasATestNamedAfterIt) {
  const auto named = rules_scan::tests_named_after(kSource);
  std::vector<std::string> missing;
  for (const rules::Rule* r : rules::all())
    if (r->kind != rules::Kind::melding && !named.count(std::string(r->code)))
      missing.push_back(std::string(r->code) + " (write TEST(Conformance, " + rules_scan::test_prefix(*r) + "_…))");
  EXPECT_TRUE(missing.empty()) << "catalogue entries without a test named after them:" << join(missing);
}

TEST(Rules, EveryMeldingIsAssertedByATest) {
  const auto named = rules_scan::tests_named_after(kSource);
  const auto asserting = rules_scan::tests_asserting(kSource);
  std::vector<std::string> missing;
  for (const rules::Rule* r : rules::all()) {
    if (r->kind != rules::Kind::melding) continue;
    const std::string code(r->code);
    if (!named.count(code) && !asserting.count(code)) missing.push_back(code);
  }
  EXPECT_TRUE(missing.empty()) << "Meldingen no test asserts (a test that provokes it and checks its code):" << join(missing);
}

TEST(Rules, NoCodeIsRaisedFromALiteralOutsideTheCatalogue) {
  const auto literals = rules_scan::literal_codes(kSource);
  EXPECT_TRUE(literals.empty()) << "name the catalogue entry (core/rules.h) instead of the literal:" << join(literals);
}

TEST(Rules, RulesMdIsGeneratedFromTheCatalogue) {
  EXPECT_EQ(read("docs/RULES.md"), rules_scan::markdown(kSource))
      << "docs/RULES.md is stale: regenerate it with\n"
         "  cmake --build build --target edugate_rules_doc && ./build/tests/unit/core/edugate_rules_doc > docs/RULES.md";
  EXPECT_NE(read("docs/DESIGN.md").find("RULES.md"), std::string::npos) << "docs/DESIGN.md links docs/RULES.md";
}
