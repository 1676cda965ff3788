// The consumer's internal listener: the SOAP relay (an internal system hands over a whole
// WS-Addressed envelope) and the JSON bridge (POST /v1/{service}/{operation}, problem+json,
// mandates, Idempotency-Key, the OpenAPI document), against a real provider over mutual TLS.
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <thread>

#include "core/ids.h"
#include "testkit/testkit.h"

using namespace edugate;
using namespace edugate::testkit;
using json = nlohmann::ordered_json;
namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

const std::string kInternal = "internal:\n  address: 127.0.0.1\n  port: 0\n  max_body_bytes: 65536\n";

unsigned short internal_port_of(const Consumer& c) {
  static const std::regex re(R"re("event":"internal_listening".*"port":([0-9]+))re");
  std::smatch m;
  std::string log = c.log();
  if (std::regex_search(log, m, re)) return static_cast<unsigned short>(std::stoi(m[1]));
  return 0;
}

unsigned short closed_port() {
  asio::io_context ioc;
  asio::ip::tcp::acceptor a(ioc, {asio::ip::make_address("127.0.0.1"), 0});
  return a.local_endpoint().port();  // closed again when `a` goes
}

// Plain HTTP POST to the internal listener.
RawResponse post(unsigned short port, const std::string& target, const std::string& body,
                 const std::map<std::string, std::string>& headers) {
  RawResponse r;
  try {
    asio::io_context ioc;
    beast::tcp_stream stream(ioc);
    stream.expires_after(std::chrono::seconds(30));
    stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    http::request<http::string_body> req{http::verb::post, target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(64u << 20);
    http::read(stream, buffer, parser);
    auto res = parser.release();
    r.status = static_cast<int>(res.result_int());
    r.body = res.body();
    for (const auto& f : res) {
      std::string name(f.name_string());
      for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      r.headers[name] = std::string(f.value());
    }
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  return r;
}

RawResponse relay(unsigned short port, const std::string& envelope_xml) {
  return post(port, "/relay", envelope_xml, {{"Content-Type", "text/xml; charset=utf-8"}});
}

RawResponse bridge(unsigned short port, const std::string& path, const std::string& body,
                   std::map<std::string, std::string> headers = {}) {
  headers.emplace("Content-Type", "application/json");
  return post(port, path, body, headers);
}

json parse(const RawResponse& r) {
  try {
    return json::parse(r.body);
  } catch (const std::exception&) {
    return json();
  }
}

EnvelopeSpec to_sbb() {
  EnvelopeSpec s;
  s.to = std::string("https://sbb.example/edukoppeling/leerbedrijf?oin=") + kSbbOin;
  s.from = "";  // the relay fills it in with the consumer's OIN
  return s;
}

const std::string kVerifieer = R"({"LeerbedrijfID": "100000001", "Crebo": "25180", "Leerweg": "BOL"})";

// One provider and one school consumer (with an internal listener) for the tests of this file.
class InternalListener : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    provider_ = new Provider();
    ConsumerOptions o;
    o.provider_port = provider_->port();
    o.extra_yaml = kInternal;
    school_ = new Consumer(o);
    port_ = internal_port_of(*school_);
  }
  static void TearDownTestSuite() {
    delete school_;
    delete provider_;
  }
  static Provider* provider_;
  static Consumer* school_;
  static unsigned short port_;
};
Provider* InternalListener::provider_ = nullptr;
Consumer* InternalListener::school_ = nullptr;
unsigned short InternalListener::port_ = 0;

}  // namespace

// --- relay ---

TEST_F(InternalListener, RelayHappyPathVerifieerErkenningThroughTheProvider) {
  ASSERT_NE(port_, 0) << school_->log();
  EnvelopeSpec s = to_sbb();
  s.message_id = new_message_id().str();
  auto r = relay(port_, envelope(s));
  ASSERT_EQ(r.status, 200) << r.error << r.body;
  EXPECT_NE(r.body.find("VerifieerErkenningAntwoord"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("Erkend>true<"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("RelatesTo>" + s.message_id + "<"), std::string::npos) << r.body;
  // wsa:From was filled in with the school's OIN: the provider audited the school as sender.
  EXPECT_TRUE(eventually([&] {
    return sqlite_scalar(provider_->store_path(), "SELECT sender_oin FROM audit WHERE message_id = '" + s.message_id + "'") ==
           kSchool25be;
  }, 5000));
}

TEST_F(InternalListener, RelayUnknownTargetOinIsAFaultNamingTheOin) {
  EnvelopeSpec s = to_sbb();
  s.to = "https://nowhere.example/edukoppeling/leerbedrijf?oin=00000099000000000042";
  auto r = relay(port_, envelope(s));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(fault_code(r.body), "DK0005") << r.body;
  EXPECT_NE(r.body.find("00000099000000000042"), std::string::npos) << r.body;
}

TEST_F(InternalListener, RelayMalformedWsaHeadersAreFaults) {
  EnvelopeSpec no_id = to_sbb();
  no_id.message_id = "-";
  EXPECT_EQ(fault_code(relay(port_, envelope(no_id)).body), "DK0007");
  EnvelopeSpec bad_id = to_sbb();
  bad_id.message_id = "12345";
  EXPECT_EQ(fault_code(relay(port_, envelope(bad_id)).body), "EK0023");
  EnvelopeSpec no_action = to_sbb();
  no_action.action = "";
  EXPECT_EQ(fault_code(relay(port_, envelope(no_action)).body), "DK0006");
  EnvelopeSpec no_oin = to_sbb();
  no_oin.to = "https://sbb.example/edukoppeling/leerbedrijf";
  EXPECT_EQ(fault_code(relay(port_, envelope(no_oin)).body), "DK0005");
  EnvelopeSpec other_from = to_sbb();  // a school this consumer holds no mandate for
  other_from.from = std::string("http://www.w3.org/2005/08/addressing/anonymous?oin=") + kSchool30gr;
  EXPECT_EQ(fault_code(relay(port_, envelope(other_from)).body), "EK0030");
}

TEST_F(InternalListener, RelayDoctypeIsRefusedBeforeAnythingIsSent) {
  std::string doc = envelope(to_sbb());
  doc.insert(doc.find("<soap:Envelope"), "<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>");
  auto r = relay(port_, doc);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(fault_code(r.body), "DK0001") << r.body;
}

TEST_F(InternalListener, RelayOversizeBodyGets413) {
  EnvelopeSpec s = to_sbb();
  s.extra_headers = "<!--" + std::string(70000, 'x') + "-->";
  auto r = relay(port_, envelope(s));
  EXPECT_EQ(r.status, 413) << r.error;
}

TEST_F(InternalListener, RelaySameMessageIdSameContentReturnsTheAnswerAgain) {
  EnvelopeSpec s = to_sbb();
  s.message_id = new_message_id().str();
  auto first = relay(port_, envelope(s));
  auto again = relay(port_, envelope(s));
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_NE(again.body.find("RelatesTo>" + s.message_id + "<"), std::string::npos) << again.body;
  EXPECT_NE(again.body.find("Erkend>true<"), std::string::npos);
}

TEST_F(InternalListener, RelaySameMessageIdOtherContentIsRefusedNamingTheMessageId) {
  EnvelopeSpec s = to_sbb();
  s.message_id = new_message_id().str();
  ASSERT_EQ(relay(port_, envelope(s)).status, 200);
  s.body = verifieer_body("100000001", "25180", "BBL");
  auto r = relay(port_, envelope(s));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(fault_code(r.body), "DK0011") << r.body;
  EXPECT_NE(r.body.find(s.message_id), std::string::npos) << r.body;
  // Refused by the relay itself: the provider saw the MessageID once.
  EXPECT_EQ(sqlite_scalar(provider_->store_path(), "SELECT count(*) FROM audit WHERE message_id = '" + s.message_id + "'"), "1");
}

TEST(InternalRelay, UnreachableTargetIsARetryableDK0051) {
  ConsumerOptions o;
  o.provider_port = closed_port();
  o.extra_yaml = kInternal;
  Consumer school(o);
  unsigned short port = internal_port_of(school);
  ASSERT_NE(port, 0) << school.log();
  auto r = relay(port, envelope(to_sbb()));
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(fault_code(r.body), "DK0051") << r.body;
  EXPECT_NE(r.body.find("soap:Server"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("onbereikbaar"), std::string::npos) << r.body;
  // The JSON bridge says the same as problem+json, retryable.
  auto b = bridge(port, "/v1/leerbedrijf/VerifieerErkenning", kVerifieer);
  EXPECT_EQ(b.status, 503) << b.body;
  EXPECT_EQ(b.headers["content-type"], "application/problem+json");
  EXPECT_EQ(parse(b).value("code", ""), "DK0051");
  EXPECT_EQ(parse(b).value("retryable", false), true);
}

// --- JSON bridge ---

TEST_F(InternalListener, BridgeVerifieerErkenningAnswersWithJson) {
  auto r = bridge(port_, "/v1/leerbedrijf/VerifieerErkenning", kVerifieer);
  ASSERT_EQ(r.status, 200) << r.error << r.body;
  EXPECT_EQ(r.headers["content-type"], "application/json");
  json j = parse(r);
  EXPECT_EQ(j.value("Erkend", false), true) << r.body;
  EXPECT_TRUE(MessageId::parse(r.headers["edugate-message-id"]).ok());
}

TEST_F(InternalListener, BridgeJsonValidationErrorNamesTheJsonPath) {
  auto r = bridge(port_, "/v1/leerbedrijf/VerifieerErkenning", R"({"LeerbedrijfID": "100000001", "Crebo": "25180"})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.headers["content-type"], "application/problem+json");
  json p = parse(r);
  EXPECT_EQ(p.value("code", ""), "DK0004");
  EXPECT_EQ(p.value("field", ""), "Leerweg");
  EXPECT_EQ(p.value("status", 0), 400);
  EXPECT_FALSE(p.value("type", "").empty());
  EXPECT_FALSE(p.value("title", "").empty());
  // Nested: a list item's field.
  auto n = bridge(port_, "/v1/praktijkloket/MaakBegeleidingsdocument",
                  R"({"Begeleidingsdocument": {"DeelnemerID": "1", "LeerbedrijfID": "100000001", "PraktijkopleiderID": "x",
                      "Begindatum": "2026-09-01", "Einddatum": "2027-06-30",
                      "Kwalificatie": [{"Crebo": "25180", "Werkproces": [{"Code": "B1-K1-W1", "ToonGedrag": "misschien"}]}]}})");
  EXPECT_EQ(n.status, 400) << n.body;
  EXPECT_EQ(parse(n).value("field", ""), "Begeleidingsdocument.Kwalificatie[0].Werkproces[0].ToonGedrag") << n.body;
  // Not JSON at all; unknown operation; wrong media type.
  EXPECT_EQ(bridge(port_, "/v1/leerbedrijf/VerifieerErkenning", "{nope").status, 400);
  EXPECT_EQ(bridge(port_, "/v1/leerbedrijf/Bestaatniet", kVerifieer).status, 404);
  EXPECT_EQ(post(port_, "/v1/leerbedrijf/VerifieerErkenning", kVerifieer, {{"Content-Type", "text/plain"}}).status, 415);
}

TEST_F(InternalListener, BridgeBusinessMeldingIsProblemJson422WithTheMeldingen) {
  auto r = bridge(port_, "/v1/leerbedrijf/VerifieerErkenning",
                  R"({"LeerbedrijfID": "12AB", "Crebo": "25180", "Leerweg": "BOL"})");
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.headers["content-type"], "application/problem+json");
  json p = parse(r);
  EXPECT_EQ(p.value("code", ""), "MELDING");
  ASSERT_TRUE(p.contains("meldingen") && p["meldingen"].is_array() && !p["meldingen"].empty()) << r.body;
  EXPECT_EQ(p["meldingen"][0].value("Veld", ""), "LeerbedrijfID") << r.body;
  EXPECT_TRUE(p.contains("antwoord"));
}

TEST_F(InternalListener, BridgeIdempotencyKeyRepeatsTheMessageAndRefusesAnotherBody) {
  const std::string key = "sis-order-" + new_message_id().str().substr(9, 8);
  auto first = bridge(port_, "/v1/leerbedrijf/VerifieerErkenning", kVerifieer, {{"Idempotency-Key", key}});
  auto again = bridge(port_, "/v1/leerbedrijf/VerifieerErkenning", kVerifieer, {{"Idempotency-Key", key}});
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_EQ(again.status, 200) << again.body;
  const std::string mid = first.headers["edugate-message-id"];
  EXPECT_EQ(again.headers["edugate-message-id"], mid);
  // The provider answered the repeat from its message store.
  EXPECT_TRUE(eventually([&] {
    return sqlite_scalar(provider_->store_path(), "SELECT count(*) FROM audit WHERE message_id = '" + mid +
                                                      "' AND result = 'replay'") == "1";
  }, 5000));
  auto conflict = bridge(port_, "/v1/leerbedrijf/VerifieerErkenning",
                         R"({"LeerbedrijfID": "100000001", "Crebo": "25180", "Leerweg": "BBL"})", {{"Idempotency-Key", key}});
  EXPECT_EQ(conflict.status, 409) << conflict.body;
  EXPECT_EQ(parse(conflict).value("code", ""), "DK0011");
  EXPECT_EQ(parse(conflict).value("message_id", ""), mid);
  // A UUID key is the MessageID itself.
  const std::string uuid = new_message_id().str().substr(9);
  auto u = bridge(port_, "/v1/leerbedrijf/VerifieerErkenning", kVerifieer, {{"Idempotency-Key", uuid}});
  EXPECT_EQ(u.headers["edugate-message-id"], "urn:uuid:" + uuid) << u.body;
}

TEST_F(InternalListener, BridgeActForWithoutMandateIsRefused) {
  auto r = bridge(port_, "/v1/leerbedrijf/VerifieerErkenning", kVerifieer, {{"Edugate-Act-For", kSchool30gr}});
  EXPECT_EQ(r.status, 403) << r.body;
  // EK0030, as the relay and the provider answer it (docs/DESIGN.md, "The rule catalogue").
  EXPECT_EQ(parse(r).value("code", ""), "EK0030");
  EXPECT_EQ(parse(r).value("field", ""), "Edugate-Act-For");
  auto bad = bridge(port_, "/v1/leerbedrijf/VerifieerErkenning", kVerifieer, {{"Edugate-Act-For", "25BE"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(parse(bad).value("code", ""), "EK0020");
}

TEST(InternalBridge, VendorActsForASchoolWithAMandateInItsOwnRegistry) {
  Provider provider;
  ConsumerOptions o;
  o.stem = "vendor";
  o.oin = kVendor;
  o.provider_port = provider.port();
  o.extra_yaml = kInternal;
  Consumer vendor(o);
  unsigned short port = internal_port_of(vendor);
  ASSERT_NE(port, 0) << vendor.log();
  auto refused = bridge(port, "/v1/leerbedrijf/VerifieerErkenning", kVerifieer, {{"Edugate-Act-For", kSchool25be}});
  EXPECT_EQ(refused.status, 403) << refused.body;
  // The vendor's operator records the mandate SBB gave it.
  const std::string cfg = vendor.dir() + "/consumer.yaml";
  for (auto args : std::vector<std::vector<std::string>>{
           {"party", "--oin", kVendor, "--name", "SIS Vendor TEST", "--kind", "vendor"},
           {"party", "--oin", kSchool25be, "--name", "ROC TEST Twente", "--kind", "school"},
           {"mandate", "--vendor", kVendor, "--school", kSchool25be, "--service", "leerbedrijf"}}) {
    std::vector<std::string> full{edugate_binary(), "onboard", "--config", cfg};
    full.insert(full.end(), args.begin(), args.end());
    auto r = run(full);
    ASSERT_EQ(r.exit_code, 0) << r.output;
  }
  // The running gateway sees the registry change within store::kRegistryPollMs (its cache
  // follows the store's change counter).
  RawResponse ok;
  EXPECT_TRUE(eventually([&] {
    ok = bridge(port, "/v1/leerbedrijf/VerifieerErkenning", kVerifieer, {{"Edugate-Act-For", kSchool25be}});
    return ok.status == 200;
  }, 3000));
  ASSERT_EQ(ok.status, 200) << ok.body;
  const std::string mid = ok.headers["edugate-message-id"];
  EXPECT_TRUE(eventually([&] {
    return sqlite_scalar(provider.store_path(), "SELECT on_behalf_of_oin FROM audit WHERE message_id = '" + mid + "'") ==
           kSchool25be;
  }, 5000));
}

TEST_F(InternalListener, OpenApiDocumentIsServedAndValidByTheNpmValidator) {
  auto r = http_get(port_, "/v1/openapi.json");
  ASSERT_EQ(r.status, 200) << r.error;
  json doc = parse(r);
  ASSERT_TRUE(doc.is_object()) << r.body.substr(0, 200);
  EXPECT_EQ(doc.value("openapi", ""), "3.0.3");
  // Every operation of every consumer-facing service, with its schemas and problem answers.
  for (const char* service : {"leerbedrijf", "bpvmonitor", "praktijkloket"}) {
    auto contract = gateway::load_contract(contract_dir(), service);
    for (const auto& op : contract.operations) {
      const std::string path = "/v1/" + std::string(service) + "/" + op.name;
      ASSERT_TRUE(doc["paths"].contains(path)) << path;
      EXPECT_TRUE(doc["paths"][path]["post"]["responses"].contains("422")) << path;
    }
  }
  EXPECT_TRUE(doc["components"]["schemas"].contains("Problem"));
  const std::string file = make_temp_dir("openapi") + "/openapi.json";
  std::ofstream(file) << r.body;
  auto v = run({"/usr/bin/env", "node", std::string(EDUGATE_SOURCE_DIR) + "/tests/openapi/validate.js", file});
  EXPECT_EQ(v.exit_code, 0) << v.output;
  EXPECT_NE(v.output.find("valid: OpenAPI 3.0.3"), std::string::npos) << v.output;
  fs::remove_all(fs::path(file).parent_path());
}

TEST(InternalRelay, ReceiverFromTheRegistryWhoseCertificateLacksTheOinIsRefused) {
  Provider provider;
  ConsumerOptions o;
  o.provider_port = provider.port();
  o.extra_yaml = kInternal;
  Consumer school(o);
  unsigned short port = internal_port_of(school);
  ASSERT_NE(port, 0) << school.log();
  // The registry says school 30GR is reachable at the provider's address: the certificate there is SBB's.
  auto r = run({edugate_binary(), "onboard", "--config", school.dir() + "/consumer.yaml", "party", "--oin", kSchool30gr,
                "--name", "ROC TEST Groningen", "--endpoint", "https://127.0.0.1:" + std::to_string(provider.port())});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EnvelopeSpec s = to_sbb();
  s.to = std::string("https://127.0.0.1/edukoppeling/leerbedrijf?oin=") + kSchool30gr;
  s.message_id = new_message_id().str();
  auto a = relay(port, envelope(s));
  EXPECT_EQ(a.status, 500);
  EXPECT_NE(a.body.find("<gem:Code>TLS-IDENTITY</gem:Code>"), std::string::npos) << a.body;
  EXPECT_NE(a.body.find(kSchool30gr), std::string::npos) << a.body;
  // Nothing reached the provider.
  EXPECT_EQ(sqlite_scalar(provider.store_path(), "SELECT count(*) FROM audit WHERE message_id = '" + s.message_id + "'"), "0");
}

TEST(InternalRelay, SignsWhenConfiguredAndChecksTheSignedAnswer) {
  Provider provider;
  ConsumerOptions o;
  o.provider_port = provider.port();
  o.extra_yaml = kInternal + "wssecurity:\n  sign_requests: true\n";
  Consumer school(o);
  unsigned short port = internal_port_of(school);
  ASSERT_NE(port, 0) << school.log();
  EnvelopeSpec s = to_sbb();
  s.message_id = new_message_id().str();
  auto a = relay(port, envelope(s));
  ASSERT_EQ(a.status, 200) << a.body;
  EXPECT_NE(a.body.find("SignatureConfirmation"), std::string::npos);  // the provider verified our signature
  EXPECT_NE(a.body.find("Erkend>true<"), std::string::npos);
}

TEST(InternalRelay, SilentReceiverTimesOutAsARetryableDK0051) {
  // A port that accepts connections (the kernel's backlog) but never speaks TLS.
  asio::io_context ioc;
  asio::ip::tcp::acceptor silent(ioc, {asio::ip::make_address("127.0.0.1"), 0});
  ConsumerOptions o;
  o.provider_port = silent.local_endpoint().port();
  o.extra_yaml = kInternal;
  Consumer school(o);  // remote.timeout_ms: 10000
  unsigned short port = internal_port_of(school);
  ASSERT_NE(port, 0) << school.log();
  auto r = relay(port, envelope(to_sbb()));
  EXPECT_EQ(fault_code(r.body), "DK0051") << r.body;
  EXPECT_NE(r.body.find("niet op tijd"), std::string::npos) << r.body;
  auto b = bridge(port, "/v1/leerbedrijf/VerifieerErkenning", kVerifieer);
  EXPECT_EQ(b.status, 504) << b.body;
  EXPECT_EQ(parse(b).value("code", ""), "DK0051");
}

// --- keep-alive, TLS, graceful shutdown ---

namespace {

http::request<http::string_body> get_request(const std::string& target) {
  http::request<http::string_body> req{http::verb::get, target, 11};
  req.set(http::field::host, "127.0.0.1");
  return req;
}

http::request<http::string_body> json_request(const std::string& target, const std::string& body) {
  http::request<http::string_body> req{http::verb::post, target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::content_type, "application/json");
  req.body() = body;
  req.prepare_payload();
  return req;
}

// One request over TLS to the internal listener; the client trusts the example PKI's root and
// checks the server's name (127.0.0.1), and presents `client_stem`'s certificate when given.
RawResponse tls_request(unsigned short port, http::request<http::string_body> req, const std::string& client_stem = "") {
  RawResponse r;
  try {
    asio::io_context ioc;
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    ctx.load_verify_file(pki_dir() + "/trust.pem");
    ctx.set_verify_mode(asio::ssl::verify_peer);
    ctx.set_verify_callback(asio::ssl::host_name_verification("127.0.0.1"));
    if (!client_stem.empty()) {
      ctx.use_certificate_chain_file(pki_dir() + "/" + client_stem + ".chain.pem");
      ctx.use_private_key_file(pki_dir() + "/" + client_stem + ".key.pem", asio::ssl::context::pem);
    }
    beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(20));
    beast::get_lowest_layer(stream).connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    stream.handshake(asio::ssl::stream_base::client);
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    r.status = static_cast<int>(res.result_int());
    r.body = res.body();
  } catch (const std::exception& e) {
    r.error = e.what();
  }
  return r;
}

std::string internal_tls_yaml(const std::string& client_ca = "") {
  const std::string pki = pki_dir();
  return kInternal + "  tls:\n    certificate: " + pki + "/school-25be.chain.pem\n    private_key: " + pki +
         "/school-25be.key.pem\n" + (client_ca.empty() ? "" : "    client_ca: " + client_ca + "\n");
}

}  // namespace

TEST_F(InternalListener, KeepAliveServesSeveralRequestsOnOneConnectionAndHonoursConnectionClose) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(std::chrono::seconds(30));
  stream.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_));
  beast::flat_buffer buffer;
  http::write(stream, get_request("/v1/openapi.json"));
  http::response<http::string_body> first;
  http::read(stream, buffer, first);
  EXPECT_EQ(first.result_int(), 200u);
  EXPECT_TRUE(first.keep_alive());
  // The second request on the same connection goes through the provider.
  http::write(stream, json_request("/v1/leerbedrijf/VerifieerErkenning", kVerifieer));
  http::response<http::string_body> second;
  http::read(stream, buffer, second);
  EXPECT_EQ(second.result_int(), 200u) << second.body();
  EXPECT_NE(second.body().find("Erkend"), std::string::npos) << second.body();
  EXPECT_TRUE(second.keep_alive());
  // Connection: close is the last answer on it.
  auto last = get_request("/v1/openapi.json");
  last.keep_alive(false);
  http::write(stream, last);
  http::response<http::string_body> third;
  http::read(stream, buffer, third);
  EXPECT_EQ(third.result_int(), 200u);
  EXPECT_FALSE(third.keep_alive());
  beast::error_code ec;
  char byte;
  stream.read_some(asio::buffer(&byte, 1), ec);
  EXPECT_EQ(ec, asio::error::eof) << ec.message();
}

TEST(InternalTls, BridgeAnswersOverTlsAndPlainHttpIsRefused) {
  Provider provider;
  ConsumerOptions o;
  o.provider_port = provider.port();
  o.extra_yaml = internal_tls_yaml();
  Consumer school(o);
  unsigned short port = internal_port_of(school);
  ASSERT_NE(port, 0) << school.log();
  EXPECT_NE(school.log().find("\"tls\":true"), std::string::npos) << school.log();
  auto r = tls_request(port, json_request("/v1/leerbedrijf/VerifieerErkenning", kVerifieer));
  ASSERT_EQ(r.status, 200) << r.error << r.body;
  EXPECT_EQ(parse(r).value("Erkend", false), true) << r.body;
  EXPECT_EQ(tls_request(port, get_request("/v1/openapi.json")).status, 200);
  // Plain HTTP to the TLS port gets no HTTP answer.
  auto plain = http_get(port, "/v1/openapi.json");
  EXPECT_EQ(plain.status, 0) << plain.body;
  EXPECT_FALSE(plain.error.empty());
}

TEST(InternalTls, WithClientCaAClientCertificateIsRequired) {
  ConsumerOptions o;
  o.provider_port = closed_port();  // only the OpenAPI document is asked for
  o.extra_yaml = internal_tls_yaml(pki_dir() + "/trust.pem");
  Consumer school(o);
  unsigned short port = internal_port_of(school);
  ASSERT_NE(port, 0) << school.log();
  EXPECT_NE(school.log().find("\"client_certificates\":true"), std::string::npos) << school.log();
  auto without = tls_request(port, get_request("/v1/openapi.json"));
  EXPECT_EQ(without.status, 0) << without.body;
  EXPECT_FALSE(without.error.empty());
  auto with = tls_request(port, get_request("/v1/openapi.json"), "vendor");
  EXPECT_EQ(with.status, 200) << with.error;
  EXPECT_EQ(parse(with).value("openapi", ""), "3.0.3");
  // A certificate from outside the CA is refused as well.
  auto untrusted = tls_request(port, get_request("/v1/openapi.json"), "untrusted");
  EXPECT_EQ(untrusted.status, 0) << untrusted.body;
}

TEST(InternalShutdown, SigtermWaitsForARelayRequestInFlightAndRefusesNewConnections) {
  asio::io_context ioc;
  asio::ip::tcp::acceptor silent(ioc, {asio::ip::make_address("127.0.0.1"), 0});
  ConsumerOptions o;
  o.provider_port = silent.local_endpoint().port();
  o.extra_yaml = kInternal + "shutdown_grace_ms: 30000\n";
  Consumer school(o);  // remote.timeout_ms: 10000
  unsigned short port = internal_port_of(school);
  ASSERT_NE(port, 0) << school.log();
  // An idle keep-alive connection: closed by the drain, it does not hold the shutdown up.
  asio::io_context idle_ioc;
  beast::tcp_stream idle(idle_ioc);
  idle.expires_after(std::chrono::seconds(30));
  idle.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  beast::flat_buffer idle_buffer;
  http::write(idle, get_request("/v1/openapi.json"));
  http::response<http::string_body> idle_res;
  http::read(idle, idle_buffer, idle_res);
  ASSERT_EQ(idle_res.result_int(), 200u);

  RawResponse answer;
  std::chrono::steady_clock::time_point answered;
  std::thread caller([&] {
    answer = relay(port, envelope(to_sbb()));
    answered = std::chrono::steady_clock::now();
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));  // the relay waits for the silent receiver
  school.signal(SIGTERM);
  ASSERT_TRUE(eventually([&] { return school.log().find("\"event\":\"stopping\"") != std::string::npos; }, 5000));
  // New connections are refused once draining; the idle one is closed.
  auto late = http_get(port, "/v1/openapi.json");
  EXPECT_EQ(late.status, 0) << late.body;
  beast::error_code ec;
  char byte;
  idle.read_some(asio::buffer(&byte, 1), ec);
  EXPECT_TRUE(ec == asio::error::eof || ec == asio::error::connection_reset) << ec.message();
  // The request in flight is answered (the receiver's timeout), then the process exits.
  const int code = school.wait_exit(25000);
  const auto exited = std::chrono::steady_clock::now();
  caller.join();
  EXPECT_EQ(code, 0) << school.log();
  EXPECT_EQ(fault_code(answer.body), "DK0051") << answer.error << answer.body;
  EXPECT_LE(answered, exited);
  const std::string log = school.log();
  EXPECT_NE(log.find("\"internal_connections\":2"), std::string::npos) << log;
  EXPECT_NE(log.find("\"event\":\"drained\",\"how\":\"complete\""), std::string::npos) << log;
  EXPECT_NE(log.find("\"internal_connections_left\":0"), std::string::npos) << log;
}
