// The service registry is the one list the configuration, `config check`, the OpenAPI document
// and the bridge read: a service registered there is known everywhere, one that is not is known
// nowhere.
#include "gateway/services/registry.h"

#include <gtest/gtest.h>

#include <set>

#include "gateway/ops/config.h"
#include "gateway/outbound/openapi.h"
#include "gateway/services/bpvmonitor_service.h"
#include "gateway/services/leerbedrijf_service.h"
#include "gateway/services/praktijkloket_service.h"
#include "gateway/soap/contract.h"

using namespace edugate;
using namespace edugate::gateway;

namespace {
const std::string kMin =
    "role: provider\n"
    "oin: \"00000003273785290000\"\n"
    "tls:\n  certificate: c.pem\n  private_key: k.pem\n  trust_anchors: t.pem\n  crls: [crl.pem]\n";

std::string error_of(const std::string& yaml) {
  try {
    parse_config(yaml, "test.yaml", "/etc/edugate");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}
}  // namespace

TEST(ServiceRegistry, NamesAreUniqueAndEachHasItsContractInWsdl) {
  std::set<std::string_view> seen;
  ASSERT_FALSE(service_registry().empty());
  for (const auto& s : service_registry()) {
    EXPECT_TRUE(seen.insert(s.name).second) << s.name;
    auto k = load_contract(EDUGATE_SOURCE_DIR "/wsdl", std::string(s.name));
    EXPECT_EQ(k.name, s.name);
    EXPECT_FALSE(k.operations.empty()) << s.name;
    EXPECT_EQ(find_service(s.name), &s);
  }
  EXPECT_EQ(find_service("onbekend"), nullptr);
}

TEST(ServiceRegistry, EveryServiceHasABuiltInAdapter) {
  adapters::register_builtin();
  for (const auto& s : service_registry()) EXPECT_FALSE(s.adapter_names().empty()) << s.name;
}

TEST(ServiceRegistry, TheConfigurationTakesEveryRegisteredServiceAndNoOther) {
  for (const auto& s : service_registry()) {
    std::string name(s.name);
    EXPECT_EQ(error_of(kMin + "services:\n  " + name + ":\n    enabled: false\n"), "") << name;
    EXPECT_EQ(error_of(kMin + "wssecurity:\n  require_signed: [" + name + "]\n"), "") << name;
  }
  auto e = error_of(kMin + "services:\n  stagemarkt:\n    enabled: true\n");
  EXPECT_NE(e.find("services.stagemarkt: unknown key"), std::string::npos) << e;
  e = error_of(kMin + "wssecurity:\n  require_signed: [stagemarkt]\n");
  EXPECT_NE(e.find("must name services: all, " + service_list(false)), std::string::npos) << e;
}

TEST(ServiceRegistry, TheBridgeAndItsOpenApiDocumentOfferExactlyTheBridgedServices) {
  std::vector<std::string> bridged;
  for (const auto& s : service_registry())
    if (s.bridged) bridged.emplace_back(s.name);
  EXPECT_EQ(bridge_services(), bridged);
  EXPECT_FALSE(find_service("schoolontvangst")->bridged);  // a school's own receiver is not called over the bridge
  // The document edugate_openapi writes (from bridge_services()).
  auto model = XsdModel::load(EDUGATE_SOURCE_DIR "/wsdl");
  std::vector<ServiceContract> contracts;
  for (const auto& s : bridge_services()) contracts.push_back(load_contract(EDUGATE_SOURCE_DIR "/wsdl", s));
  auto doc = openapi_document(*model, contracts);
  for (const auto& s : service_registry()) {
    bool any = false;
    for (const auto& [path, v] : doc["paths"].items())
      if (path.rfind("/v1/" + std::string(s.name) + "/", 0) == 0) any = true;
    EXPECT_EQ(any, s.bridged) << s.name;
  }
  EXPECT_EQ(service_list(true, " of "), "leerbedrijf, bpvmonitor of praktijkloket");
}

// The names an agreement or mandate may carry (`onboard` and `onboard apply` accept exactly these):
// the provider's services and what their entries add, each "<service>-<what>".
TEST(ServiceRegistry, AgreementNamesAreTheProviderServicesAndTheAgreementsTheyAdd) {
  std::vector<std::string> expected;
  for (const auto& s : service_registry()) {
    if (s.role != Role::provider) {
      EXPECT_TRUE(s.more_agreements.empty()) << s.name;
      EXPECT_FALSE(is_agreement_name(s.name)) << s.name;
      continue;
    }
    expected.emplace_back(s.name);
    for (const char* a : s.more_agreements) {
      EXPECT_EQ(std::string(a).rfind(std::string(s.name) + "-", 0), 0u) << a;
      expected.emplace_back(a);
    }
  }
  EXPECT_EQ(agreement_names(), expected);
  EXPECT_EQ(agreement_list(),
            "leerbedrijf, leerbedrijf-mutaties, bpvmonitor, bpvmonitor-studentgegevens, praktijkloket");
  for (const char* not_one : {"", "schoolontvangst", "Leerbedrijf", "leerbedrijf ", "bpvmonitor-resultaten", "onbekend"})
    EXPECT_FALSE(is_agreement_name(not_one)) << not_one;
}

// Every agreement a provider service asks a caller for, and every one the outbox's pushes go by,
// is a name `onboard` takes: an agreement it needs can always be given.
TEST(ServiceRegistry, EveryAgreementTheServicesAskForCanBeOnboarded) {
  auto contract = [](const char* name) { return load_contract(EDUGATE_SOURCE_DIR "/wsdl", name); };
  std::vector<std::unique_ptr<Service>> services;
  services.push_back(make_leerbedrijf_service(contract("leerbedrijf"), nullptr));
  services.push_back(make_bpvmonitor_service(contract("bpvmonitor"), nullptr));
  services.push_back(make_praktijkloket_service(contract("praktijkloket"), nullptr));
  std::set<std::string> asked;
  for (const auto& s : services)
    for (const auto& op : s->contract().operations) asked.insert(s->agreement(op));
  EXPECT_TRUE(asked.count(kAgreementStudentgegevens));
  asked.insert(kAgreementMutaties);  // gateway/outbound/publish.cc: erkenning mutations
  asked.insert("bpvmonitor");        // and monitor results, pushed to the schools with this agreement
  for (const auto& a : asked) EXPECT_TRUE(is_agreement_name(a)) << a;
}
