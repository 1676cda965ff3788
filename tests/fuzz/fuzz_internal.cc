// Fuzz target: what the internal listener parses before anything is sent (gateway/relay.h,
// gateway/bridge.h). Input "RELAY\n<envelope>" goes to Relay::prepare (XML guard, envelope,
// WS-A headers, wsa:From filled in); "JSON <service>/<operation>\n<act-for>\n<key>\n<body>" goes
// to Bridge::prepare (route, headers, Idempotency-Key, the JSON -> XML mapping). Nothing is sent.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

#include "gateway/outbound/bridge.h"
#include "gateway/ops/config.h"
#include "gateway/soap/contract.h"
#include "gateway/outbound/relay.h"
#include "security/xml_guard.h"
#include "store/sqlite_store.h"

namespace {
using namespace edugate;
std::unique_ptr<gateway::Config> config;
std::unique_ptr<store::SqliteStore> store_;
std::unique_ptr<gateway::Relay> relay;
std::unique_ptr<gateway::Bridge> bridge;

std::string_view line(std::string_view& in) {
  auto nl = in.find('\n');
  std::string_view l = in.substr(0, nl);
  in.remove_prefix(nl == std::string_view::npos ? in.size() : nl + 1);
  return l;
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  security::init_xml();
  spdlog::set_level(spdlog::level::off);
  char tmpl[] = "/tmp/edugate-fuzz-XXXXXX";
  std::string dir = mkdtemp(tmpl);
  std::string pki = EDUGATE_TEST_PKI_DIR;
  config = std::make_unique<gateway::Config>(gateway::parse_config(
      "role: consumer\noin: \"0000000700025BE00000\"\n"
      "tls: {certificate: " + pki + "/school-25be.chain.pem, private_key: " + pki + "/school-25be.key.pem, trust_anchors: " +
          pki + "/trust.pem, crls: [" + pki + "/crls.pem]}\n"
          "remote: {url: \"https://127.0.0.1:1\", oin: \"00000003273785290000\"}\n"
          "store: {path: " + dir + "/c.db}\n"
          "internal: {port: 0}\n",
      "fuzz.yaml", dir));
  store_ = std::make_unique<store::SqliteStore>(config->store_path, false);
  std::vector<gateway::ServiceContract> contracts;
  for (const char* s : {"leerbedrijf", "bpvmonitor", "schoolontvangst", "praktijkloket"})
    contracts.push_back(gateway::load_contract(config->contract_dir, s));
  auto tls = std::make_shared<security::TlsContexts>(config->tls);
  relay = std::make_unique<gateway::Relay>(*config, *store_, contracts, tls);
  bridge = std::make_unique<gateway::Bridge>(*config, *store_, contracts, gateway::XsdModel::load(config->contract_dir), tls);
  // Freed before OpenSSL's own exit handler (registered earlier, so run later) cleans up: a
  // TLS context freed after that cleanup would leak its ticket key ring (LeakSanitizer).
  std::atexit([] {
    bridge.reset();
    relay.reset();
    store_.reset();
    config.reset();
  });
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  std::string_view head = line(in);
  if (head == "RELAY") {
    auto p = relay->prepare(in);
    if (p && p->envelope.empty()) std::abort();  // a prepared message always has an envelope
    return 0;
  }
  if (head.rfind("JSON ", 0) == 0) {
    std::string_view route = head.substr(5);
    auto slash = route.find('/');
    gateway::BridgeRequest r;
    r.service = std::string(route.substr(0, slash));
    r.operation = slash == std::string_view::npos ? "" : std::string(route.substr(slash + 1));
    r.content_type = "application/json";
    if (auto a = line(in); !a.empty()) r.act_for = std::string(a);
    if (auto k = line(in); !k.empty()) r.idempotency_key = std::string(k);
    r.body = std::string(in);
    auto p = bridge->prepare(r);
    if (auto* a = std::get_if<gateway::HttpAnswer>(&p); a && (a->status < 400 || a->content_type != "application/problem+json"))
      std::abort();  // a refusal is always a problem document
    return 0;
  }
  // Anything else: both, with the whole input.
  (void)relay->prepare(std::string_view(reinterpret_cast<const char*>(data), size));
  return 0;
}
