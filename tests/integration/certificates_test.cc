// Every bad certificate of the example PKI is refused, in the handshake or with DK0002; none is served.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>

#include "adapters/db/leerbedrijf_fixtures.h"
#include "testkit/testkit.h"

using namespace edugate;
using namespace edugate::testkit;
namespace fx = edugate::adapters::db::fixtures;

namespace {

struct BadCert {
  const char* stem;
  const char* oin;
};

std::string verifieer_json() {
  return std::string(R"({"LeerbedrijfID":")") + fx::kErkendId + R"(","Crebo":")" + fx::kErkendCrebo + R"(","Leerweg":"BOL"})";
}

void expect_refused_in_handshake(const BadCert& c) {
  Provider p;
  auto ex = send_json(c.stem, c.oin, p.port(), "VerifieerErkenning", verifieer_json());
  ASSERT_FALSE(ex) << c.stem << " was served: " << ex->response;
  EXPECT_EQ(ex.error().code, "TRANSPORT") << ex.error().message;
  EXPECT_TRUE(eventually([&] { return p.log().find("tls_refused") != std::string::npos; }, 5000));
  EXPECT_TRUE(p.alive());
}

}  // namespace

TEST(Certificates, GoodSchoolCertificateIsServed) {
  Provider p;
  auto ex = send_json("school-25be", kSchool25be, p.port(), "VerifieerErkenning", verifieer_json());
  ASSERT_TRUE(ex) << ex.error().message;
  EXPECT_FALSE(ex->is_fault);
}

TEST(Certificates, RevokedIsRefused) { expect_refused_in_handshake({"revoked", "0000000700031ZZ00000"}); }
TEST(Certificates, ExpiredIsRefused) { expect_refused_in_handshake({"expired", "0000000700032YY00000"}); }
TEST(Certificates, NotYetValidIsRefused) { expect_refused_in_handshake({"notyetvalid", "0000000700033XX00000"}); }
TEST(Certificates, WrongKeyUsageIsRefused) { expect_refused_in_handshake({"wrongusage", "0000000700034WW00000"}); }
TEST(Certificates, UntrustedIssuerIsRefused) { expect_refused_in_handshake({"untrusted", "0000000700035VV00000"}); }
TEST(Certificates, IssuerWithStaleCrlIsRefused) { expect_refused_in_handshake({"stalecrl", "0000000700036UU00000"}); }

// The refusal names the CA whose CRL could not be used, and why: one such CA refuses all its
// certificates, and the operator must know which CRL to renew.
TEST(Certificates, ARefusalForAStaleCrlLogsTheCaAndTheReason) {
  Provider p;
  ASSERT_FALSE(send_json("stalecrl", "0000000700036UU00000", p.port(), "VerifieerErkenning", verifieer_json()));
  ASSERT_TRUE(eventually([&] { return p.log().find("tls_refused") != std::string::npos; }, 5000));
  EXPECT_NE(p.log().find(R"("ca":"/C=NL/O=edugate TEST ONLY/CN=edugate TEST Stale Issuing CA","crl":"CRL has expired")"),
            std::string::npos)
      << p.log();
  // A refusal for another reason names no CA.
  Provider q;
  ASSERT_FALSE(send_json("revoked", "0000000700031ZZ00000", q.port(), "VerifieerErkenning", verifieer_json()));
  ASSERT_TRUE(eventually([&] { return q.log().find("tls_refused") != std::string::npos; }, 5000));
  EXPECT_EQ(q.log().find(R"("ca":)"), std::string::npos) << q.log();
}

TEST(Certificates, CertificateWithoutOinGetsDK0002) {
  Provider p;
  auto ex = send_json("nooin", kSchool25be, p.port(), "VerifieerErkenning", verifieer_json());
  ASSERT_TRUE(ex) << ex.error().message;
  EXPECT_TRUE(ex->is_fault);
  EXPECT_EQ(ex->fault_code, "DK0002");
  EXPECT_EQ(ex->http_status, 500);
}

TEST(Certificates, WT001_NoClientCertificateIsRefused) {
  Provider p;
  // A TLS client without a certificate (WT001: two-way TLS is mandatory). Under TLS 1.3 the
  // client may finish its handshake before the server's alert arrives, so also try a request.
  namespace asio = boost::asio;
  namespace beast = boost::beast;
  asio::io_context ioc;
  asio::ssl::context ctx(asio::ssl::context::tls_client);
  ctx.load_verify_file(pki_dir() + "/trust.pem");
  ctx.set_verify_mode(asio::ssl::verify_peer);
  beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
  beast::get_lowest_layer(stream).connect({asio::ip::make_address("127.0.0.1"), p.port()});
  beast::error_code ec;
  stream.handshake(asio::ssl::stream_base::client, ec);
  std::string answer;
  if (!ec) {
    std::string req = "POST /edukoppeling/leerbedrijf HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n";
    asio::write(stream, asio::buffer(req), ec);
    char buf[512];
    std::size_t n = stream.read_some(asio::buffer(buf), ec);
    answer.assign(buf, n);
  }
  EXPECT_TRUE(ec) << "a client without certificate got: " << answer;
  EXPECT_EQ(answer.find("HTTP/1.1"), std::string::npos);
  EXPECT_TRUE(p.alive());
}
