// Fuzz target: the whole request pipeline after TLS (XML guard, envelope, WS-A rules,
// authorization, idempotency, gSOAP strict deserialization, the Leerbedrijf service and its
// SQLite backend) with an authenticated school as caller. The first input line, if it starts
// with "SOAPAction:", becomes the HTTP SOAPAction header. An input starting with "PUSH\n" goes
// to a consumer's pipeline instead (schoolontvangst with a SQLite sink, SBB as caller); one
// starting with "PL\n" goes to the provider's Praktijkloket (SQLite backend, PDFs, logo check).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string_view>

#include <spdlog/spdlog.h>

#include "adapters/registry.h"
#include "core/leerbedrijf.h"
#include "gateway/ops/config.h"
#include "gateway/soap/contract.h"
#include "core/sink.h"
#include "gateway/services/leerbedrijf_service.h"
#include "gateway/services/praktijkloket_service.h"
#include "core/praktijkloket.h"
#include "gateway/services/schoolontvangst_service.h"
#include "gateway/inbound/pipeline.h"
#include "security/xml_guard.h"
#include "store/sqlite_store.h"

namespace {
using namespace edugate;
std::unique_ptr<gateway::Config> config;
std::unique_ptr<store::SqliteStore> store_;
std::unique_ptr<gateway::Pipeline> pipeline;
std::unique_ptr<Result<security::PeerIdentity>> peer;
std::unique_ptr<gateway::Config> consumer_config;
std::unique_ptr<store::SqliteStore> consumer_store;
std::unique_ptr<gateway::Pipeline> consumer_pipeline;
std::unique_ptr<Result<security::PeerIdentity>> sbb;
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  security::init_xml();
  spdlog::set_level(spdlog::level::off);
  adapters::register_builtin();
  char tmpl[] = "/tmp/edugate-fuzz-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string pki = EDUGATE_TEST_PKI_DIR;
  config = std::make_unique<gateway::Config>(gateway::parse_config(
      "role: provider\noin: \"00000003273785290000\"\n"
      "tls: {certificate: " + pki + "/sbb.chain.pem, private_key: " + pki + "/sbb.key.pem, trust_anchors: " + pki +
          "/trust.pem, crls: [" + pki + "/crls.pem]}\n"
          "store: {path: " + dir + "/s.db}\n"
          "services: {leerbedrijf: {adapter: sqlite, settings: {path: " + dir + "/sbb.db, demo_data: true}},\n"
          "  praktijkloket: {adapter: sqlite, settings: {path: " + dir + "/pl.db, leerbedrijf_path: " + dir +
          "/sbb.db, demo_data: true}}}\n",
      "fuzz.yaml", dir));
  store_ = std::make_unique<store::SqliteStore>(config->store_path, false);
  auto school = *Oin::parse("0000000700025BE00000");
  store_->upsert_party({school, "ROC", store::PartyKind::school, store::PartyStatus::actief, ""});
  store_->set_agreement(school, "leerbedrijf", true);
  store_->set_agreement(school, "praktijkloket", true);
  std::vector<std::unique_ptr<gateway::Service>> services;
  const auto& sc = config->services.at("leerbedrijf");
  services.push_back(gateway::make_leerbedrijf_service(gateway::load_contract(config->contract_dir, "leerbedrijf"),
                                                       adapters::make_adapter<leerbedrijf::Backend>(sc.adapter, {sc.settings, dir})));
  const auto& pc = config->services.at("praktijkloket");
  services.push_back(gateway::make_praktijkloket_service(
      gateway::load_contract(config->contract_dir, "praktijkloket"),
      adapters::make_adapter<praktijkloket::Backend>(pc.adapter, {pc.settings, dir})));
  // Signed inputs reach the WS-Security verifier with the provider's real trust store.
  auto wss = std::make_shared<gateway::WsSecurity>(*config, std::make_shared<security::TlsContexts>(config->tls));
  pipeline = std::make_unique<gateway::Pipeline>(*config, *store_, std::move(services), wss);
  peer = std::make_unique<Result<security::PeerIdentity>>(security::PeerIdentity{school, "1001", "CN=fuzz", 0});
  consumer_config = std::make_unique<gateway::Config>(gateway::parse_config(
      "role: consumer\noin: \"0000000700025BE00000\"\n"
      "tls: {certificate: " + pki + "/school-25be.chain.pem, private_key: " + pki + "/school-25be.key.pem, trust_anchors: " +
          pki + "/trust.pem, crls: [" + pki + "/crls.pem]}\n"
          "remote: {url: \"https://127.0.0.1:1\", oin: \"00000003273785290000\"}\n"
          "store: {path: " + dir + "/c.db}\n"
          "services: {schoolontvangst: {adapter: sqlite, settings: {path: " + dir + "/sink.db}}}\n",
      "fuzz-consumer.yaml", dir));
  consumer_store = std::make_unique<store::SqliteStore>(consumer_config->store_path, false);
  std::vector<std::unique_ptr<gateway::Service>> consumer_services;
  const auto& cs = consumer_config->services.at("schoolontvangst");
  consumer_services.push_back(gateway::make_schoolontvangst_service(
      gateway::load_contract(consumer_config->contract_dir, "schoolontvangst"),
      adapters::make_adapter<consumer::Sink>(cs.adapter, {cs.settings, dir})));
  consumer_pipeline = std::make_unique<gateway::Pipeline>(*consumer_config, *consumer_store, std::move(consumer_services));
  sbb = std::make_unique<Result<security::PeerIdentity>>(
      security::PeerIdentity{*Oin::parse("00000003273785290000"), "1000", "CN=sbb", 0});
  static std::string cleanup_dir = dir;
  std::atexit([] {
    pipeline.reset();
    store_.reset();
    consumer_pipeline.reset();
    consumer_store.reset();
    std::filesystem::remove_all(cleanup_dir);
  });
  // Issue 15: a 1 MiB request with 100,000 attributes on one element is a DK0001 fault (at once:
  // the guard refuses at the 33rd), which mutations of the small seeds never grow into.
  std::string hostile = "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><a";
  for (int i = 0; i < 100000; ++i) hostile += " x" + std::to_string(i) + "=\"1\"";
  hostile += "/></soap:Body></soap:Envelope>";
  gateway::InboundRequest req{"/edukoppeling/leerbedrijf", "text/xml; charset=utf-8", std::nullopt, {}, nullptr, {}};
  req.body = hostile;
  auto resp = pipeline->process(req, *peer);
  if (resp.status != 500 || resp.body.find("DK0001") == std::string::npos ||
      resp.body.find("te veel attributen") == std::string::npos)
    __builtin_trap();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const bool push = in.rfind("PUSH\n", 0) == 0;
  if (push) in.remove_prefix(5);
  const bool pl = !push && in.rfind("PL\n", 0) == 0;
  if (pl) in.remove_prefix(3);
  gateway::InboundRequest req{push ? "/edukoppeling/schoolontvangst" : pl ? "/edukoppeling/praktijkloket" : "/edukoppeling/leerbedrijf",
                              "text/xml; charset=utf-8", std::nullopt, {}, nullptr, {}};
  if (in.rfind("SOAPAction:", 0) == 0) {
    auto nl = in.find('\n');
    req.soap_action = std::string(in.substr(11, nl == std::string_view::npos ? std::string_view::npos : nl - 11));
    in.remove_prefix(nl == std::string_view::npos ? in.size() : nl + 1);
  }
  req.body = std::string(in);
  auto resp = push ? consumer_pipeline->process(req, *sbb) : pipeline->process(req, *peer);
  // Every answer is a 200 or a SOAP fault with HTTP 500; never anything else, never a crash.
  if (resp.status != 200 && resp.status != 500) __builtin_trap();
  if (resp.body.find("soap:Envelope") == std::string::npos) __builtin_trap();
  return 0;
}
