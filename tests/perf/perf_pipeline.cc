// The request pipeline without the network: N VerifieerErkenning requests (each with a fresh
// MessageID) through Pipeline::process with the SQLite store and backend, as the gateway runs
// them after TLS and HTTP framing. For instruction counts that do not depend on the machine's
// load (performance.md):
//   valgrind --tool=callgrind build/tests/perf/perf_pipeline 2000
// The registry is cached as `serve` caches it; "uncached" after N (or after "durable") reads its
// rows on every request, as before issue 17.
// Prints the wall time per request as well (a number for a profile, not a benchmark result).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include <spdlog/spdlog.h>

#include "adapters/registry.h"
#include "core/leerbedrijf.h"
#include "gateway/ops/config.h"
#include "gateway/soap/contract.h"
#include "gateway/services/leerbedrijf_service.h"
#include "gateway/inbound/pipeline.h"
#include "security/xml_guard.h"
#include "store/sqlite_store.h"

using namespace edugate;

namespace {
std::string request(const std::string& message_id) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
         "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" "
         "xmlns:wsa=\"http://www.w3.org/2005/08/addressing\"><soap:Header>"
         "<wsa:To>https://127.0.0.1/edukoppeling/leerbedrijf?oin=00000003273785290000</wsa:To>"
         "<wsa:From><wsa:Address>http://www.w3.org/2005/08/addressing/anonymous?oin=0000000700025BE00000</wsa:Address></wsa:From>"
         "<wsa:Action>urn:edugate:leerbedrijf:1:VerifieerErkenning</wsa:Action>"
         "<wsa:MessageID>" + message_id + "</wsa:MessageID></soap:Header><soap:Body>"
         "<lb:VerifieerErkenningVerzoek xmlns:lb=\"urn:edugate:leerbedrijf:1\"><lb:LeerbedrijfID>100000001</lb:LeerbedrijfID>"
         "<lb:Crebo>25180</lb:Crebo><lb:Leerweg>BOL</lb:Leerweg></lb:VerifieerErkenningVerzoek></soap:Body></soap:Envelope>";
}
}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 1000;
  bool durable = false, cached = true;
  for (int i = 2; i < argc; ++i) {
    durable = durable || std::string(argv[i]) == "durable";
    cached = cached && std::string(argv[i]) != "uncached";
  }
  security::init_xml();
  spdlog::set_level(spdlog::level::warn);
  adapters::register_builtin();
  char tmpl[] = "/tmp/edugate-perf-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string pki = EDUGATE_TEST_PKI_DIR;
  auto config = gateway::parse_config(
      "role: provider\noin: \"00000003273785290000\"\n"
      "tls: {certificate: " + pki + "/sbb.chain.pem, private_key: " + pki + "/sbb.key.pem, trust_anchors: " + pki +
          "/trust.pem, crls: [" + pki + "/crls.pem]}\n"
          "store: {path: " + dir + "/s.db}\n"
          "services: {leerbedrijf: {adapter: sqlite, settings: {path: " + dir + "/sbb.db, demo_data: true}}}\n",
      "perf.yaml", dir);
  int rc = 0;
  {
    store::SqliteStore store(config.store_path, durable);
    auto school = *Oin::parse("0000000700025BE00000");
    store.upsert_party({school, "ROC", store::PartyKind::school, store::PartyStatus::actief, ""});
    store.set_agreement(school, "leerbedrijf", true);
    if (cached) store.cache_registry();
    std::vector<std::unique_ptr<gateway::Service>> services;
    const auto& sc = config.services.at("leerbedrijf");
    services.push_back(gateway::make_leerbedrijf_service(
        gateway::load_contract(config.contract_dir, "leerbedrijf"),
        adapters::make_adapter<leerbedrijf::Backend>(sc.adapter, {sc.settings, dir})));
    gateway::Pipeline pipeline(config, store, std::move(services));
    Result<security::PeerIdentity> peer(security::PeerIdentity{school, "1001", "CN=perf", 0});
    std::vector<std::string> bodies;
    bodies.reserve(n);
    for (int i = 0; i < n; ++i) bodies.push_back(request(new_message_id().str()));
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
      gateway::InboundRequest req{"/edukoppeling/leerbedrijf", "text/xml; charset=utf-8",
                                  "urn:edugate:leerbedrijf:1:VerifieerErkenning", std::move(bodies[i]), nullptr};
      auto resp = pipeline.process(req, peer);
      if (resp.status != 200 || resp.body.find("Erkend>true<") == std::string::npos) {
        std::fprintf(stderr, "unexpected answer %d: %s\n", resp.status, resp.body.c_str());
        rc = 1;
        break;
      }
    }
    double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
    std::printf("%d requests, %.1f us per request (%s store, registry %s)\n", n, us / n,
                durable ? "durable" : "synchronous=NORMAL", cached ? "cached" : "read per request");
  }
  std::filesystem::remove_all(dir);
  return rc;
}
