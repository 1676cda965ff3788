// OCSP (issue 16 point 8), with real handshakes through a running provider and the example PKI's
// responder (`openssl ocsp`, testkit/ocsp_lab.h) on a free port: the provider staples its own
// certificate's status, and asks about its peers' (tls.ocsp.peers). The ocsp-* certificates pass
// the CRLs (ocsp-revoked was revoked after the issuing CA's CRL was made), so what refuses them
// here is OCSP.
#include <gtest/gtest.h>
#include <openssl/ocsp.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

#include "adapters/db/leerbedrijf_fixtures.h"
#include "security/x509_files.h"
#include "testkit/ocsp_lab.h"
#include "testkit/testkit.h"

using namespace edugate;
using namespace edugate::testkit;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace fx = edugate::adapters::db::fixtures;

namespace {

const std::string kPath = "/edukoppeling/leerbedrijf";
const std::string kAction = "urn:edugate:leerbedrijf:1:VerifieerErkenning";

// Whether the handshake let the peer in: any HTTP answer (the ocsp-* parties are not onboarded,
// so theirs is DK0002), not a TLS error.
bool accepted(unsigned short port, const std::string& stem) {
  EnvelopeSpec s;
  s.body = verifieer_body(fx::kErkendId, fx::kErkendCrebo, "BOL");
  Connection c(port, stem);
  return c.post(kPath, envelope(s), kAction).status != 0;
}

// responder_url stands in for every certificate's AIA, ours too: staple only asks about ours.
ProviderOptions with_ocsp(const std::string& peers, const std::string& responder_url, bool staple = false) {
  ProviderOptions o;
  o.extra_tls_yaml = "  ocsp:\n    peers: " + peers + "\n    responder_url: " + responder_url +
                     "\n    timeout_ms: 1000\n    failure_retry_s: 60\n    staple: " + (staple ? "true" : "false") + "\n";
  return o;
}

// A handshake that asks for the server's certificate status (status_request); the response the
// server stapled, empty when none.
struct Stapled {
  bool handshake_ok = false;
  std::string error;
  std::string response;
};
Stapled handshake_asking_status(unsigned short port) {
  Stapled out;
  asio::io_context ioc;
  auto ctx = tls_for("school-25be");
  beast::ssl_stream<beast::tcp_stream> stream(ioc, *ctx);
  SSL_set_tlsext_status_type(stream.native_handle(), TLSEXT_STATUSTYPE_ocsp);
  try {
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
    beast::get_lowest_layer(stream).connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    stream.handshake(asio::ssl::stream_base::client);
    out.handshake_ok = true;
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  const unsigned char* p = nullptr;
  const long len = SSL_get_tlsext_status_ocsp_resp(stream.native_handle(), &p);
  if (len > 0 && p) out.response.assign(reinterpret_cast<const char*>(p), static_cast<std::size_t>(len));
  return out;
}

// The status a DER OCSP response gives `stem`'s certificate, after checking it as a client would:
// signed by a responder the issuing CA authorised, chaining to the trust anchor.
std::string verified_status(const std::string& der, const std::string& stem) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<OCSP_RESPONSE, decltype(&OCSP_RESPONSE_free)> resp(d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(der.size())),
                                                                     &OCSP_RESPONSE_free);
  if (!resp || OCSP_response_status(resp.get()) != OCSP_RESPONSE_STATUS_SUCCESSFUL) return "not a successful response";
  std::unique_ptr<OCSP_BASICRESP, decltype(&OCSP_BASICRESP_free)> basic(OCSP_response_get1_basic(resp.get()),
                                                                        &OCSP_BASICRESP_free);
  auto anchors = security::read_certs(pki_dir() + "/trust.pem");
  auto intermediates = security::read_certs(pki_dir() + "/intermediates.pem");
  auto cert = security::read_certs(pki_dir() + "/" + stem + ".cert.pem");
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), &X509_STORE_free);
  for (auto& a : anchors) X509_STORE_add_cert(store.get(), a.get());
  STACK_OF(X509)* untrusted = sk_X509_new_null();
  for (auto& i : intermediates) sk_X509_push(untrusted, i.get());
  const int verified = OCSP_basic_verify(basic.get(), untrusted, store.get(), 0);
  sk_X509_free(untrusted);
  if (verified != 1) return "does not verify";
  X509* issuing = intermediates[1].get();  // intermediates.pem: domain, issuing, stale
  std::unique_ptr<OCSP_CERTID, decltype(&OCSP_CERTID_free)> id(OCSP_cert_to_id(EVP_sha1(), cert[0].get(), issuing),
                                                               &OCSP_CERTID_free);
  int status = -1, reason = -1;
  ASN1_GENERALIZEDTIME *rev = nullptr, *this_update = nullptr, *next_update = nullptr;
  if (OCSP_resp_find_status(basic.get(), id.get(), &status, &reason, &rev, &this_update, &next_update) != 1)
    return "not about this certificate";
  if (OCSP_check_validity(this_update, next_update, 300, -1) != 1) return "not current";
  return OCSP_cert_status_str(status);
}

}  // namespace

TEST(Ocsp, TheProviderStaplesAGoodResponseForItsOwnCertificate) {
  OcspResponder responder;
  ProviderOptions o = with_ocsp("off", responder.url(), true);  // only our own certificate is asked about
  o.certificate_stem = "sbb-ocsp";
  Provider p(o);
  ASSERT_TRUE(eventually([&] { return p.log().find("ocsp_staple_fetched") != std::string::npos; }, 10000)) << p.log();
  EXPECT_NE(p.log().find(R"("status":"good")"), std::string::npos) << p.log();
  const auto s = handshake_asking_status(p.port());
  ASSERT_TRUE(s.handshake_ok) << s.error;
  ASSERT_FALSE(s.response.empty()) << "nothing stapled";
  EXPECT_EQ(verified_status(s.response, "sbb-ocsp"), "good");
  // The staple is held: handshakes do not make the provider ask the responder again.
  const int asked = responder.requests();
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(handshake_asking_status(p.port()).response.empty());
  EXPECT_EQ(responder.requests(), asked);
}

TEST(Ocsp, WithoutAResponderForItsCertificateTheProviderStaplesNothingAndServes) {
  Provider p;  // sbb: no AIA, no responder_url
  const auto s = handshake_asking_status(p.port());
  ASSERT_TRUE(s.handshake_ok) << s.error;
  EXPECT_TRUE(s.response.empty());
  EXPECT_EQ(p.log().find("ocsp_staple"), std::string::npos) << p.log();
}

TEST(Ocsp, AGoodPeerIsAccepted) {
  OcspResponder responder;
  Provider p(with_ocsp("require", responder.url()));
  EXPECT_TRUE(accepted(p.port(), "ocsp-good"));
  EXPECT_EQ(responder.requests(), 1);
}

TEST(Ocsp, ARevokedPeerIsRefusedInTheHandshake) {
  OcspResponder responder;
  Provider p(with_ocsp("prefer", responder.url()));
  EXPECT_FALSE(accepted(p.port(), "ocsp-revoked"));
  ASSERT_TRUE(eventually([&] { return p.log().find("tls_refused") != std::string::npos; }, 5000));
  EXPECT_NE(p.log().find(R"x("revocation":"ocsp: revoked (keyCompromise)")x"), std::string::npos) << p.log();
  EXPECT_NE(p.log().find(R"("kind":"certificate_revoked")"), std::string::npos) << p.log();
  // The CRL does not list it yet: without OCSP it gets in.
  Provider crl_only(with_ocsp("off", responder.url()));
  EXPECT_TRUE(accepted(crl_only.port(), "ocsp-revoked"));
}

TEST(Ocsp, AnUnknownPeerIsRefusedUnderRequireAndAcceptedUnderPrefer) {
  OcspResponder responder;
  Provider strict(with_ocsp("require", responder.url()));
  EXPECT_FALSE(accepted(strict.port(), "ocsp-unknown"));
  ASSERT_TRUE(eventually([&] { return strict.log().find("tls_refused") != std::string::npos; }, 5000));
  EXPECT_NE(strict.log().find(R"("revocation":"ocsp: unknown")"), std::string::npos) << strict.log();
  Provider lenient(with_ocsp("prefer", responder.url()));
  EXPECT_TRUE(accepted(lenient.port(), "ocsp-unknown"));
}

TEST(Ocsp, WhenTheResponderIsDownRequireRefusesAndPreferFallsBackToTheCrl) {
  OcspResponder responder;
  const std::string url = responder.url();
  responder.stop();
  Provider strict(with_ocsp("require", url));
  EXPECT_FALSE(accepted(strict.port(), "ocsp-good"));
  ASSERT_TRUE(eventually([&] { return strict.log().find("tls_refused") != std::string::npos; }, 5000));
  EXPECT_NE(strict.log().find(R"("revocation":"ocsp: no answer)"), std::string::npos) << strict.log();
  EXPECT_NE(strict.log().find(R"("kind":"ocsp_no_answer")"), std::string::npos) << strict.log();
  Provider lenient(with_ocsp("prefer", url));
  EXPECT_TRUE(accepted(lenient.port(), "ocsp-good"));
  EXPECT_FALSE(accepted(lenient.port(), "revoked")) << "the CRL still decides";
}

// A responder key the issuing CA did not authorise (school-25be's: issued by that CA, but not for
// OCSPSigning) signs "good" for ocsp-revoked as readily as for anything: not believed.
TEST(Ocsp, AnAnswerSignedByAnUnauthorisedResponderIsNotBelieved) {
  OcspResponder impostor(5, "school-25be");
  Provider p(with_ocsp("require", impostor.url()));
  EXPECT_FALSE(accepted(p.port(), "ocsp-good"));
  ASSERT_TRUE(eventually([&] { return p.log().find("tls_refused") != std::string::npos; }, 5000));
  EXPECT_NE(p.log().find("ocsp: no answer (the answer's signature does not verify"), std::string::npos) << p.log();
  EXPECT_EQ(impostor.requests(), 1);
}

TEST(Ocsp, TheCacheAnswersASecondHandshakeWithoutASecondRequest) {
  OcspResponder responder;
  Provider p(with_ocsp("require", responder.url()));
  EXPECT_TRUE(accepted(p.port(), "ocsp-good"));
  EXPECT_TRUE(accepted(p.port(), "ocsp-good"));
  EXPECT_FALSE(accepted(p.port(), "ocsp-revoked"));
  EXPECT_FALSE(accepted(p.port(), "ocsp-revoked"));
  EXPECT_EQ(responder.requests(), 2) << "one query per certificate";
}

TEST(Ocsp, PeersWithoutAResponderAreLeftToTheCrlUnlessOcspIsRequired) {
  ProviderOptions lenient;  // the default policy (prefer), the AIA's responder: school-25be has none
  Provider p(lenient);
  EXPECT_TRUE(accepted(p.port(), "school-30gr"));
  ProviderOptions strict;
  strict.extra_tls_yaml = "  ocsp:\n    peers: require\n";
  Provider q(strict);
  EXPECT_FALSE(accepted(q.port(), "school-30gr"));
  ASSERT_TRUE(eventually([&] { return q.log().find("tls_refused") != std::string::npos; }, 5000));
  EXPECT_NE(q.log().find(R"x("revocation":"ocsp: no answer (the certificate names no responder)")x"), std::string::npos)
      << q.log();
}
