// WS-Security 2W-be-S end to end (edukoppeling.md §4): signatures required per service (config)
// and per party (registry), signed answers with SignatureConfirmation, signed pushes, and a
// tampered signed request over the wire. The crafted wrapping attacks are unit tests
// (tests/unit/security/wssec_test.cc); the foreign client is tests/interop/zeep_wssecurity.py.
#include <gtest/gtest.h>

#include <ctime>

#include <boost/asio/io_context.hpp>

#include <csignal>
#include <fstream>
#include <iterator>
#include <thread>

#include "security/wssec.h"
#include "security/xml_guard.h"
#include "testkit/testkit.h"

using namespace edugate;
using namespace edugate::testkit;

namespace {

const char* kVerifieer = R"({"LeerbedrijfID": "100000001", "Crebo": "25180", "Leerweg": "BBL"})";

ProviderOptions requiring(const std::string& services) {
  ProviderOptions o;
  o.extra_yaml = "wssecurity:\n  require_signed: [" + services + "]\n";
  return o;
}

std::string signed_envelope(const std::string& stem, unsigned short port, const std::string& body = {}) {
  EnvelopeSpec spec;
  spec.to = "https://127.0.0.1:" + std::to_string(port) + "/edukoppeling/leerbedrijf?oin=" + kSbbOin;
  if (!body.empty()) spec.body = body;
  security::wssec::Signer signer(pki_dir() + "/" + stem + ".chain.pem", pki_dir() + "/" + stem + ".key.pem");
  auto s = signer.sign(envelope(spec));
  if (!s) throw std::runtime_error(s.error().message);
  return *s;
}

std::map<std::string, std::string> soap_headers() {
  return {{"Content-Type", "text/xml; charset=utf-8"}, {"SOAPAction", "\"urn:edugate:leerbedrijf:1:VerifieerErkenning\""}};
}

}  // namespace

TEST(WsSecurityE2E, EK0031_UnsignedRequestRefusedWhereTheServiceRequiresASignature) {
  Provider p(requiring("leerbedrijf"));
  auto ex = send_json("school-25be", kSchool25be, p.port(), "VerifieerErkenning", kVerifieer);
  ASSERT_TRUE(ex) << ex.error().message;
  EXPECT_TRUE(ex->is_fault);
  EXPECT_EQ(ex->fault_code, "EK0031");
  EXPECT_EQ(ex->fault_field, "wsse:Security");
}

TEST(WsSecurityE2E, WB014_SignedRequestGetsASignedAnswerConfirmingItsSignature) {
  Provider p(requiring("leerbedrijf"));
  gateway::SendOptions o;
  o.sign = true;
  // The client verifies the answer's signature (signer = SBB's TLS identity) and its confirmation.
  auto ex = send_json("school-25be", kSchool25be, p.port(), "VerifieerErkenning", kVerifieer, o);
  ASSERT_TRUE(ex) << ex.error().code << " " << ex.error().message;
  EXPECT_FALSE(ex->is_fault) << ex->faultstring;
  EXPECT_NE(ex->response.find("SignatureConfirmation"), std::string::npos);
  EXPECT_NE(body_json(*ex).find("\"Erkend\":true"), std::string::npos) << body_json(*ex);
  // The same MessageID again (a retry): the stored answer, signed afresh.
  o.message_id = ex->sent;
  auto again = send_json("school-25be", kSchool25be, p.port(), "VerifieerErkenning", kVerifieer, o);
  ASSERT_TRUE(again) << again.error().message;
  EXPECT_FALSE(again->is_fault);
  EXPECT_EQ(body_json(*again), body_json(*ex));
}

TEST(WsSecurityE2E, EcdsaSignedRequestIsAccepted) {
  Provider p(requiring("all"));
  auto r = raw_post(p.port(), "school-25be-ec", "/edukoppeling/leerbedrijf", signed_envelope("school-25be-ec", p.port()),
                    soap_headers());
  EXPECT_EQ(r.status, 200) << r.error << r.body;
  EXPECT_NE(r.body.find("SignatureConfirmation"), std::string::npos);
}

TEST(WsSecurityE2E, PartyThatRequiresSigningInTheRegistryMustSign) {
  Provider p;
  ASSERT_EQ(p.edugate({"onboard", "party", "--oin", kSchool25be, "--name", "ROC TEST Twente", "--signing", "required"}).exit_code, 0);
  EXPECT_NE(p.edugate({"onboard", "list"}).output.find("\"signing\": \"required\""), std::string::npos);
  auto ex = send_json("school-25be", kSchool25be, p.port(), "VerifieerErkenning", kVerifieer);
  ASSERT_TRUE(ex);
  EXPECT_EQ(ex->fault_code, "EK0031");
  // Another school without that requirement is served unsigned.
  auto other = send_json("school-30gr", kSchool30gr, p.port(), "VerifieerErkenning", kVerifieer);
  ASSERT_TRUE(other);
  EXPECT_FALSE(other->is_fault) << other->faultstring;
  // Re-onboarding without --signing keeps the requirement.
  ASSERT_EQ(p.edugate({"onboard", "party", "--oin", kSchool25be, "--name", "ROC TEST Twente"}).exit_code, 0);
  EXPECT_EQ(send_json("school-25be", kSchool25be, p.port(), "VerifieerErkenning", kVerifieer)->fault_code, "EK0031");
}

TEST(WsSecurityE2E, TamperedOrForeignSignedRequestsAreRefusedOverTheWire) {
  Provider p;  // no requirement: a signature that is present is still verified
  auto good = signed_envelope("school-25be", p.port());
  auto ok = raw_post(p.port(), "school-25be", "/edukoppeling/leerbedrijf", good, soap_headers());
  EXPECT_EQ(ok.status, 200) << ok.body;
  auto tampered = good;
  tampered.replace(tampered.find("100000001"), 9, "100000002");
  auto r = raw_post(p.port(), "school-25be", "/edukoppeling/leerbedrijf", tampered, soap_headers());
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(fault_code(r.body), "EK0031") << r.body;
  // Signed by the vendor, sent over the school's TLS connection.
  r = raw_post(p.port(), "school-25be", "/edukoppeling/leerbedrijf", signed_envelope("vendor", p.port()), soap_headers());
  EXPECT_EQ(fault_code(r.body), "EK0031") << r.body;
  // A Security header in another namespace is a foreign header block.
  auto foreign = good;
  foreign.replace(foreign.find(security::wssec::kWsseNs), std::string(security::wssec::kWsseNs).size(), "urn:not-wsse");
  r = raw_post(p.port(), "school-25be", "/edukoppeling/leerbedrijf", foreign, soap_headers());
  EXPECT_EQ(fault_code(r.body), "DK0010") << r.body;
}

TEST(WsSecurityE2E, SignedPushesReachASchoolThatRequiresThem) {
  ProviderOptions po;
  po.outbox_yaml = "outbox:\n  poll_ms: 50\n  backoff_initial_ms: 200\n  backoff_max_ms: 400\n  mutations_per_message: 1\n"
                   "  mutation_poll_ms: 100\n  send_timeout_ms: 3000\n";
  Provider p(po);
  ConsumerOptions co;
  co.provider_port = p.port();
  co.extra_yaml = "wssecurity:\n  require_signed: [all]\n";
  Consumer c(co);
  auto subscribe = [&](const std::string& signing) {
    ASSERT_EQ(p.edugate({"onboard", "party", "--oin", kSchool25be, "--name", "ROC TEST Twente", "--endpoint",
                         "https://127.0.0.1:" + std::to_string(c.port()), "--signing", signing}).exit_code, 0);
    ASSERT_EQ(p.edugate({"onboard", "agreement", "--oin", kSchool25be, "--service", "leerbedrijf-mutaties"}).exit_code, 0);
  };
  auto record = [&] {
    p.exec("lb", "INSERT INTO mutaties (soort, tijdstip, leerbedrijf_id, crebo, leerweg, begindatum) VALUES "
                 "('ErkenningVerleend', " + std::to_string(std::time(nullptr)) + ", '100000001', '25180', 'BBL', '2026-01-01');");
  };
  // Unsigned pushes are refused by the school (EK0031) and stay in the outbox.
  subscribe("optional");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  record();
  EXPECT_TRUE(eventually([&] {
    return p.scalar("store", "SELECT count(*) FROM outbox WHERE last_error LIKE '%EK0031%'") == "1";
  })) << p.log();
  EXPECT_NE(sqlite_scalar(c.sink_path(), "SELECT count(*) FROM erkenningmutaties"), "1");
  // Once the registry says the school requires signing, the retry goes out signed and lands.
  subscribe("required");
  EXPECT_TRUE(eventually([&] { return sqlite_scalar(c.sink_path(), "SELECT count(*) FROM erkenningmutaties") == "1"; }))
      << c.log();
  EXPECT_TRUE(eventually([&] { return p.scalar("store", "SELECT state FROM outbox") == "sent"; }));
}

// Hot reload of the configuration (issue 6 §2): SIGHUP applies the signing requirements and the
// log level at once; a broken file is refused and the old configuration keeps serving; keys that
// need a restart are named in the log.
TEST(ConfigReload, SighupAppliesSigningRequirementsAndRefusesABrokenFile) {
  Provider p;
  auto unsigned_call = [&] { return send_json("school-25be", kSchool25be, p.port(), "VerifieerErkenning", kVerifieer); };
  ASSERT_FALSE(unsigned_call()->is_fault);
  std::string original;
  {
    std::ifstream in(p.config_path());
    original.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::ofstream(p.config_path()) << original << "wssecurity:\n  require_signed: [leerbedrijf]\n";
  p.signal(SIGHUP);
  EXPECT_TRUE(eventually([&] { return p.log().find("config_reloaded") != std::string::npos; })) << p.log();
  EXPECT_EQ(unsigned_call()->fault_code, "EK0031");
  // A broken file: refused with a log line, the running configuration (requiring signatures) stays.
  std::ofstream(p.config_path()) << original << "wssecurity:\n  require_signed: [nonsense]\n";
  p.signal(SIGHUP);
  EXPECT_TRUE(eventually([&] { return p.log().find("config_reload_failed") != std::string::npos; })) << p.log();
  EXPECT_EQ(unsigned_call()->fault_code, "EK0031");
  // Back to the original, plus a changed key that needs a restart.
  std::string moved = original;
  moved.replace(moved.find("idle_timeout_ms: 5000"), 21, "idle_timeout_ms: 6000");
  std::ofstream(p.config_path()) << moved;
  p.signal(SIGHUP);
  EXPECT_TRUE(eventually([&] { return p.log().find("config_change_needs_restart") != std::string::npos; })) << p.log();
  EXPECT_NE(p.log().find("\"keys\":[\"http\"]"), std::string::npos) << p.log();
  EXPECT_FALSE(unsigned_call()->is_fault);
}
