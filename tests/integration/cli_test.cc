// The command line an operator uses: config check, certs inspect, onboard list and apply.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gateway/services/registry.h"
#include "testkit/testkit.h"

using namespace edugate::testkit;

namespace {

// The example configuration with its certificate paths on the test PKI (the example points at
// certs-example/out, which only the quickstart makes).
std::string example_on_test_pki(const std::string& dir) {
  std::ifstream in(std::string(EDUGATE_SOURCE_DIR) + "/deploy/config/edugate.example.yaml");
  std::stringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  const std::string from = "../../certs-example/out";
  for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at)) s.replace(at, from.size(), pki_dir());
  std::ofstream(dir + "/example.yaml") << s;
  return dir + "/example.yaml";
}

// A CRL file of the test PKI's CAs named here (root, domain, issuing, stale).
std::string crls_of(const std::string& dir, std::initializer_list<const char*> cas) {
  std::ofstream out(dir + "/crls.pem");
  for (const char* ca : cas) {
    std::ifstream in(pki_dir() + "/crl/" + ca + ".crl.pem");
    out << in.rdbuf();
  }
  return dir + "/crls.pem";
}

// A provider configuration on the test PKI: our chain `chain`, the trust anchors, these CRLs.
std::string provider_yaml(const std::string& dir, const std::string& chain, const std::string& crls,
                          const std::string& extra = "") {
  std::ofstream(dir + "/provider.yaml") << "role: provider\noin: \"00000003273785290000\"\ntls:\n  certificate: " << pki_dir()
                                        << "/" << chain << ".chain.pem\n  private_key: " << pki_dir() << "/" << chain
                                        << ".key.pem\n  trust_anchors: " << pki_dir() << "/trust.pem\n  crls: [" << crls
                                        << "]\n" << extra;
  return dir + "/provider.yaml";
}

}  // namespace

TEST(Cli, ConfigCheckAcceptsTheExampleAndNamesTheBadKey) {
  std::string dir = make_temp_dir("cli");
  auto ok = run({edugate_binary(), "config", "check", example_on_test_pki(dir)});
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  // Every CA of the configured chains is listed with its CRL.
  EXPECT_NE(ok.output.find("CA /C=NL/O=edugate TEST ONLY/CN=edugate TEST Private Root CA - G1: CRL in force"), std::string::npos)
      << ok.output;
  std::ofstream(dir + "/bad.yaml") << "role: provider\noin: \"00000003273785290000\"\n"
                                      "tls:\n  certificate: a\n  private_key: b\n  trust_anchors: c\n  crls: [d]\n"
                                      "http:\n  idle_timeout_ms: soon\n";
  auto bad = run({edugate_binary(), "config", "check", dir + "/bad.yaml"});
  EXPECT_EQ(bad.exit_code, 78);
  EXPECT_NE(bad.output.find("bad.yaml:9: http.idle_timeout_ms: must be an integer"), std::string::npos) << bad.output;
  std::ofstream(dir + "/unknown.yaml") << "role: provider\noin: \"00000003273785290000\"\nlisten:\n  prot: 1\n";
  auto unknown = run({edugate_binary(), "config", "check", dir + "/unknown.yaml"});
  EXPECT_EQ(unknown.exit_code, 78);
  EXPECT_NE(unknown.output.find("listen.prot: unknown key"), std::string::npos) << unknown.output;
  std::filesystem::remove_all(dir);
}

// A CA of the configured chains without a CRL: every certificate it issued would be refused in
// the handshake, so the configuration is refused, naming the CA.
TEST(Cli, ConfigCheckRefusesAConfiguredCaWithoutACrlAndNamesIt) {
  std::string dir = make_temp_dir("cli");
  auto r = run({edugate_binary(), "config", "check", provider_yaml(dir, "sbb", crls_of(dir, {"domain", "issuing"}))});
  EXPECT_EQ(r.exit_code, 78) << r.output;
  EXPECT_NE(r.output.find("no CRL for CA '/C=NL/O=edugate TEST ONLY/CN=edugate TEST Private Root CA - G1'"), std::string::npos)
      << r.output;
  EXPECT_EQ(r.output.find("Issuing CA'"), std::string::npos) << "only the root lacks one: " << r.output;
  std::filesystem::remove_all(dir);
}

TEST(Cli, ConfigCheckRefusesAConfiguredCaWhoseCrlIsPastItsNextUpdate) {
  std::string dir = make_temp_dir("cli");
  // Our own chain runs through the stale CA, whose only CRL ran out in 2024.
  auto r = run({edugate_binary(), "config", "check",
                provider_yaml(dir, "stalecrl", crls_of(dir, {"root", "domain", "issuing", "stale"}))});
  EXPECT_EQ(r.exit_code, 78) << r.output;
  EXPECT_NE(r.output.find("the CRL of CA '/C=NL/O=edugate TEST ONLY/CN=edugate TEST Stale Issuing CA' is past its nextUpdate "
                          "(2024-02-01T00:00:00Z"),
            std::string::npos)
      << r.output;
  std::filesystem::remove_all(dir);
}

// With CRL fetching on, a CA whose distribution point is known may start without a CRL: the
// first fetch runs before the gateway listens (and /readyz says so while it has none).
TEST(Cli, ConfigCheckAcceptsACaWithoutACrlWhenItsDistributionPointIsFetched) {
  std::string dir = make_temp_dir("cli");
  auto r = run({edugate_binary(), "config", "check",
                provider_yaml(dir, "sbb", crls_of(dir, {"domain", "issuing"}),
                              "crl_fetch:\n  enabled: true\n  cache_dir: " + dir + "/crl-cache\n")});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("CA /C=NL/O=edugate TEST ONLY/CN=edugate TEST Private Root CA - G1: CRL fetched at start"),
            std::string::npos)
      << r.output;
  std::filesystem::remove_all(dir);
}

TEST(Cli, CertsInspectShowsTheOin) {
  auto r = run({edugate_binary(), "certs", "inspect", pki_dir() + "/vendor.cert.pem"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["oin"], kVendor);
  auto none = run({edugate_binary(), "certs", "inspect", pki_dir() + "/nooin.cert.pem"});
  EXPECT_EQ(none.exit_code, 1);
}

TEST(Cli, CertsInspectShowsTheCrlDistributionPoints) {
  auto r = run({edugate_binary(), "certs", "inspect", pki_dir() + "/school-30gr.chain.pem"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = nlohmann::json::parse(r.output);
  EXPECT_EQ(j["crl_distribution_points"], nlohmann::json::array({"http://127.0.0.1:8099/crl/issuing.crl"}));
  auto ca = run({edugate_binary(), "certs", "inspect", pki_dir() + "/ca/issuing.cert.pem"});
  EXPECT_EQ(nlohmann::json::parse(ca.output)["crl_distribution_points"],
            nlohmann::json::array({"http://127.0.0.1:8099/crl/domain.crl"}));
}

TEST(Cli, OnboardListShowsPartiesAgreementsAndMandates) {
  Provider p;
  auto r = p.edugate({"onboard", "list"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto j = nlohmann::json::parse(r.output);
  bool mandate = false;
  for (const auto& m : j["mandates"]) mandate |= m["vendor"] == kVendor && m["school"] == kSchool25be;
  EXPECT_TRUE(mandate) << r.output;
  EXPECT_GE(j["parties"].size(), 4u);
  auto bad = p.edugate({"onboard", "agreement", "--oin", "0000000700099ZZ00000", "--service", "leerbedrijf"});
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.output.find("not onboarded"), std::string::npos);
}

TEST(Cli, OnboardApplyTakesTheListOfAnotherStoreAndRefusesABadFileWhole) {
  Provider source;
  auto listed = source.edugate({"onboard", "list"});
  ASSERT_EQ(listed.exit_code, 0) << listed.output;
  ProviderOptions empty;
  empty.onboard_defaults = false;
  Provider target(empty);
  const std::string dir = make_temp_dir("apply");
  std::ofstream(dir + "/registry.json") << listed.output;
  auto applied = target.edugate({"onboard", "apply", dir + "/registry.json"});
  ASSERT_EQ(applied.exit_code, 0) << applied.output;
  auto copy = target.edugate({"onboard", "list"});
  EXPECT_EQ(nlohmann::json::parse(copy.output), nlohmann::json::parse(listed.output));

  // One bad entry: nothing of the file is saved, and the message names the entry and the key.
  const auto before = target.edugate({"onboard", "list"}).output;
  auto refused = [&](const std::string& yaml, const std::string& expected) {
    std::ofstream(dir + "/bad.yaml") << yaml;
    auto r = target.edugate({"onboard", "apply", dir + "/bad.yaml"});
    EXPECT_EQ(r.exit_code, 1) << yaml;
    EXPECT_NE(r.output.find(expected), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("nothing saved"), std::string::npos) << r.output;
    EXPECT_EQ(target.edugate({"onboard", "list"}).output, before) << yaml;
  };
  const std::string good_party = "  - {oin: \"0000000700077XX00000\", naam: ROC Nieuw, kind: school}\n";
  refused("parties:\n" + good_party + "  - {oin: \"0000000700078XX00000\", naam: X, kind: skool}\n", "parties[1].kind");
  refused("parties:\n" + good_party + "  - {oin: \"0000000700078XX00000\", nmae: X, kind: school}\n",
          "parties[1].nmae: is not a known key");
  refused("parties:\n" + good_party + "agreements:\n  - {oin: \"0000000700099ZZ00000\", service: leerbedrijf}\n",
          "agreements[0]: party 0000000700099ZZ00000 is not onboarded");
  refused("parties:\n" + good_party + "mandates:\n  - {vendor: \"" + std::string(kVendor) +
              "\", school: \"0000000700077XX00000\", service: \"Leer bedrijf\"}\n",
          "mandates[0].service");
  refused("parties:\n  - {cert: nothere.pem, naam: X, kind: school}\n", "parties[0].cert");
  refused("parties:\n  - {oin: \"12\", naam: X, kind: school}\n", "parties[0].oin");
  refused("parties: {oin: 1}\n", "parties: must be a list");

  // Within the file, a party may be added and given its agreement in one go.
  std::ofstream(dir + "/new.yaml") << "parties:\n" << good_party
                                   << "agreements:\n  - {oin: \"0000000700077XX00000\", service: leerbedrijf}\n";
  auto added = target.edugate({"onboard", "apply", dir + "/new.yaml"});
  EXPECT_EQ(added.exit_code, 0) << added.output;
  EXPECT_NE(target.edugate({"onboard", "list"}).output.find("0000000700077XX00000"), std::string::npos);
  std::filesystem::remove_all(dir);
}

// Issue 16 point 5: a service name that no service of this build answers to is refused where it is
// typed, listing the ones there are, instead of being saved and surfacing later as DK0002.
namespace {
void expect_lists_the_agreement_services(const std::string& output) {
  for (const auto& name : edugate::gateway::agreement_names())
    EXPECT_NE(output.find(name), std::string::npos) << name << " not listed: " << output;
  // The subscriptions and the part of a service that no role serves by that name are services too.
  EXPECT_NE(output.find("leerbedrijf-mutaties"), std::string::npos) << output;
  EXPECT_NE(output.find("bpvmonitor-studentgegevens"), std::string::npos) << output;
  EXPECT_EQ(output.find("schoolontvangst"), std::string::npos) << "a consumer's receiver takes no agreement: " << output;
}
}  // namespace

TEST(Cli, OnboardAgreementRefusesAnUnknownServiceListingTheServices) {
  Provider p;
  const auto before = p.edugate({"onboard", "list"}).output;
  auto r = p.edugate({"onboard", "agreement", "--oin", kSchool25be, "--service", "nonsense"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("--service: 'nonsense' is not a service"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("nothing saved"), std::string::npos) << r.output;
  expect_lists_the_agreement_services(r.output);
  EXPECT_EQ(p.edugate({"onboard", "list"}).output, before);
  // A typo on --remove is refused alike (there is no such agreement to take away).
  EXPECT_EQ(p.edugate({"onboard", "agreement", "--oin", kSchool25be, "--service", "leerbedrjf", "--remove"}).exit_code, 1);
  // Every listed name is taken, the subscriptions too.
  for (const auto& name : edugate::gateway::agreement_names()) {
    auto ok = p.edugate({"onboard", "agreement", "--oin", kSchool25be, "--service", name});
    EXPECT_EQ(ok.exit_code, 0) << name << ": " << ok.output;
  }
}

TEST(Cli, OnboardMandateRefusesAnUnknownService) {
  Provider p;
  const auto before = p.edugate({"onboard", "list"}).output;
  auto r = p.edugate({"onboard", "mandate", "--vendor", kVendor, "--school", kSchool25be, "--service", "Leerbedrijf"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("'Leerbedrijf' is not a service"), std::string::npos) << r.output;
  expect_lists_the_agreement_services(r.output);
  EXPECT_EQ(p.edugate({"onboard", "list"}).output, before);
  auto ok = p.edugate({"onboard", "mandate", "--vendor", kVendor, "--school", kSchool25be, "--service", "praktijkloket"});
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
}

TEST(Cli, OnboardApplyRefusesAnUnknownServiceAndSavesNothing) {
  Provider p;
  const auto before = p.edugate({"onboard", "list"}).output;
  const std::string dir = make_temp_dir("apply-svc");
  const std::string party = "parties:\n  - {oin: \"0000000700077XX00000\", naam: ROC Nieuw, kind: school}\n";
  std::ofstream(dir + "/agreement.yaml") << party << "agreements:\n  - {oin: \"0000000700077XX00000\", service: leerbedrijf}\n"
                                         << "  - {oin: \"0000000700077XX00000\", service: bpvmonitor-resultaten}\n";
  auto r = p.edugate({"onboard", "apply", dir + "/agreement.yaml"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("agreements[1].service: 'bpvmonitor-resultaten' is not a service"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("nothing saved"), std::string::npos) << r.output;
  expect_lists_the_agreement_services(r.output);
  std::ofstream(dir + "/mandate.yaml") << party << "mandates:\n  - {vendor: \"" << kVendor
                                       << "\", school: \"0000000700077XX00000\", service: schoolontvangst}\n";
  r = p.edugate({"onboard", "apply", dir + "/mandate.yaml"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("mandates[0].service: 'schoolontvangst' is not a service"), std::string::npos) << r.output;
  EXPECT_EQ(p.edugate({"onboard", "list"}).output, before) << "neither the party nor the good agreement is saved";
  std::filesystem::remove_all(dir);
}

TEST(Cli, OnboardHelpListsTheServices) {
  for (const char* sub : {"agreement", "mandate"}) {
    auto r = run({edugate_binary(), "onboard", sub, "--help"});
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("--service"), std::string::npos) << r.output;
    expect_lists_the_agreement_services(r.output);
  }
  auto r = run({edugate_binary(), "onboard", "--help"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("Services an agreement or mandate names: " + edugate::gateway::agreement_list()),
            std::string::npos) << r.output;
}

// An OIN is checked for the OIN-stelsel's form where it is onboarded, and the error says what is
// wrong with it.
TEST(Cli, OnboardRefusesAMalformedOinSayingWhatIsWrong) {
  Provider p;
  const auto before = p.edugate({"onboard", "list"}).output;
  for (const auto& [oin, expected] : std::vector<std::pair<std::string, std::string>>{
           {"0000000312345678000", "--oin: '0000000312345678000': OIN heeft 19 tekens, niet 20"},
           {"000000031234567800000", "OIN heeft 21 tekens, niet 20"},
           {"0000000700025be00000", "OIN bevat 'b' op positie 14: alleen 0-9 en A-Z"},
           {"0000000312345ABC0000", "KvK-nummer 12345ABC is geen getal van 8 cijfers; een OIN met prefix 00000003 is "
                                    "00000003 + KvK-nummer (8 cijfers) + 0000"},
           {"00000003123456780001", "OIN eindigt op 0001, niet op 0000"},
           {"0000000112345678A000", "RSIN 12345678A is geen getal van 9 cijfers"},
           {"00000005123456789000", "OIN-prefix 00000005 is geen OIN-register (bekend: 00000001 RSIN"},
           {"X0000003123456780000", "OIN-prefix X0000003 is niet numeriek"},
           {"00000007000ABCD00000", "00000007 + 000 + BRIN (2 cijfers, 2 hoofdletters) + 00000"}}) {
    auto r = p.edugate({"onboard", "party", "--oin", oin, "--name", "X", "--kind", "vendor"});
    EXPECT_EQ(r.exit_code, 1) << oin << ": " << r.output;
    EXPECT_NE(r.output.find(expected), std::string::npos) << oin << ": " << r.output;
  }
  auto m = p.edugate({"onboard", "mandate", "--vendor", "00000005123456789000", "--school", kSchool25be, "--service", "leerbedrijf"});
  EXPECT_EQ(m.exit_code, 1);
  EXPECT_NE(m.output.find("--vendor: '00000005123456789000': OIN-prefix 00000005"), std::string::npos) << m.output;
  const std::string dir = make_temp_dir("apply-oin");
  std::ofstream(dir + "/bad.yaml") << "parties:\n  - {oin: \"00000003123456780001\", naam: X, kind: vendor}\n";
  auto a = p.edugate({"onboard", "apply", dir + "/bad.yaml"});
  EXPECT_EQ(a.exit_code, 1);
  EXPECT_NE(a.output.find("parties[0].oin: '00000003123456780001': OIN eindigt op 0001, niet op 0000"), std::string::npos)
      << a.output;
  std::filesystem::remove_all(dir);
  EXPECT_EQ(p.edugate({"onboard", "list"}).output, before);
}

TEST(Cli, OnboardTakesKvkAndRsinBasedOins) {
  Provider p;
  for (const char* oin : {"00000003876543210000", "00000001822477348000"}) {
    auto r = p.edugate({"onboard", "party", "--oin", oin, "--name", "SIS Nieuw", "--kind", "vendor"});
    EXPECT_EQ(r.exit_code, 0) << oin << ": " << r.output;
    EXPECT_EQ(p.edugate({"onboard", "agreement", "--oin", oin, "--service", "leerbedrijf"}).exit_code, 0) << oin;
    auto j = nlohmann::json::parse(p.edugate({"onboard", "list"}).output);
    bool listed = false;
    for (const auto& party : j["parties"]) listed |= party["oin"] == oin;
    EXPECT_TRUE(listed) << oin;
  }
}

TEST(Cli, CertsInspectWithAConfigChecksChainAndRevocation) {
  Provider p;
  auto ok = run({edugate_binary(), "certs", "inspect", pki_dir() + "/school-25be.chain.pem", "-c", p.config_path()});
  ASSERT_EQ(ok.exit_code, 0) << ok.output;
  auto j = nlohmann::json::parse(ok.output);
  EXPECT_EQ(j["chain_valid"], true);
  EXPECT_EQ(j["chain"].size(), 4u) << "leaf, issuing CA, domain CA, root";
  EXPECT_EQ(j["crls"].size(), 4u);
  for (const auto& [stem, reason] : std::vector<std::pair<std::string, std::string>>{
           {"revoked", "certificate revoked"}, {"stalecrl", "CRL has expired"}, {"expired", "certificate has expired"},
           {"wrongusage", "unsuitable certificate purpose"}}) {
    auto r = run({edugate_binary(), "certs", "inspect", pki_dir() + "/" + stem + ".chain.pem", "-c", p.config_path()});
    EXPECT_EQ(r.exit_code, 1) << stem;
    EXPECT_EQ(nlohmann::json::parse(r.output)["reason"], reason) << stem;
  }
}

TEST(Cli, AnExpiredCrlIsLoggedLoudlyAtStart) {
  Provider p;  // the example PKI's crls.pem holds the stale CA's CRL, past its nextUpdate
  EXPECT_TRUE(eventually([&] { return p.log().find("crl_expired") != std::string::npos; }, 5000));
  EXPECT_NE(p.log().find("Stale Issuing CA"), std::string::npos);
}

// PostgreSQL: serve refuses a database whose schemas are behind and names the command; `db
// migrate` applies them (idempotently; the DSN may come from the environment) and serve starts.
TEST(Cli, ServeRefusesAnUnmigratedPostgresDatabaseUntilDbMigrate) {
  if (!use_postgres()) GTEST_SKIP() << "PostgreSQL variant only (pg.Cli.*)";
  const std::string db = create_test_database("cli");
  const std::string dir = make_temp_dir("cli-pg");
  setenv("EDUGATE_TEST_CLI_DSN", pg_dsn(db).c_str(), 1);
  const std::string pki = pki_dir();
  std::ofstream(dir + "/p.yaml") << "role: provider\noin: \"00000003273785290000\"\n"
                                    "listen:\n  address: 127.0.0.1\n  port: 0\n"
                                    "tls:\n  certificate: " << pki << "/sbb.chain.pem\n  private_key: " << pki
                                 << "/sbb.key.pem\n  trust_anchors: " << pki << "/trust.pem\n  crls: [" << pki << "/crls.pem]\n"
                                 << "store:\n  kind: postgres\n  dsn_env: EDUGATE_TEST_CLI_DSN\n"
                                    "services:\n  leerbedrijf:\n    adapter: postgres\n    settings:\n"
                                    "      dsn_env: EDUGATE_TEST_CLI_DSN\n      demo_data: true\n";
  auto refused = run({edugate_binary(), "serve", "--config", dir + "/p.yaml", "--port-file", dir + "/port"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.output.find("edugate db migrate"), std::string::npos) << refused.output;
  auto first = run({edugate_binary(), "db", "migrate", "--config", dir + "/p.yaml"});
  ASSERT_EQ(first.exit_code, 0) << first.output;
  auto j = nlohmann::json::parse(first.output);
  EXPECT_EQ(j["schemas"]["edugate"], 3) << "the store: version 1, then sent_messages, then registry_version";
  EXPECT_EQ(j["schemas"]["lb"], 2) << "the leerbedrijf backend: version 1, then write_keys";
  auto again = run({edugate_binary(), "db", "migrate", "--config", dir + "/p.yaml"});
  EXPECT_EQ(again.exit_code, 0) << again.output;
  auto list = run({edugate_binary(), "onboard", "--config", dir + "/p.yaml", "list"});
  EXPECT_EQ(list.exit_code, 0) << list.output;
  unsetenv("EDUGATE_TEST_CLI_DSN");
  std::filesystem::remove_all(dir);
  drop_test_database(db);
}
