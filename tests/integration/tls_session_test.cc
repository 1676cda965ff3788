// TLS session resumption against the real provider: a school resumes its session with the
// ticket it got (the identity comes back with it); once two ticket key rotations have passed
// the ticket is useless and a full handshake follows.
#include "security/tls_session.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <thread>

#include "adapters/db/leerbedrijf_fixtures.h"
#include "security/tls_policy.h"
#include "testkit/testkit.h"

using namespace edugate;
using namespace edugate::testkit;
namespace fx = edugate::adapters::db::fixtures;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

struct Attempt {
  bool reused = false;
  int status = 0;
  std::string error;
};

// One request on a new connection that offers what `sessions` holds for the provider.
Attempt post_once(unsigned short port, security::ClientSessions& sessions, asio::ssl::context& ctx) {
  Attempt a;
  try {
    asio::io_context ioc;
    beast::ssl_stream<beast::tcp_stream> stream(ioc, ctx);
    sessions.prepare(stream.native_handle(), "127.0.0.1:" + std::to_string(port));
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(10));
    beast::get_lowest_layer(stream).connect({asio::ip::make_address("127.0.0.1"), port});
    stream.handshake(asio::ssl::stream_base::client);
    a.reused = SSL_session_reused(stream.native_handle()) == 1;
    EnvelopeSpec spec;
    spec.body = verifieer_body(fx::kErkendId, fx::kErkendCrebo, "BOL");
    http::request<http::string_body> req{http::verb::post, "/edukoppeling/leerbedrijf", 11};
    req.set(http::field::host, "127.0.0.1");
    req.set(http::field::content_type, "text/xml; charset=utf-8");
    req.set("SOAPAction", "\"urn:edugate:leerbedrijf:1:VerifieerErkenning\"");
    req.body() = envelope(spec);
    req.prepare_payload();
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);  // the TLS 1.3 ticket arrives before the answer
    a.status = static_cast<int>(res.result_int());
    beast::error_code ignored;
    stream.shutdown(ignored);
  } catch (const std::exception& e) {
    a.error = e.what();
  }
  return a;
}

}  // namespace

TEST(TlsSession, AProviderResumesASessionUntilTwoKeyRotationsHavePassed) {
  ProviderOptions o;
  o.extra_tls_yaml = "  ticket_key_rotation_s: 1\n";
  Provider p(o);
  security::TlsSettings s;
  s.certificate = pki_dir() + "/school-25be.chain.pem";
  s.private_key = pki_dir() + "/school-25be.key.pem";
  s.trust_anchors = pki_dir() + "/trust.pem";
  s.crls = {pki_dir() + "/crls.pem"};
  auto ctx = security::make_client_context(s);
  auto sessions = std::make_shared<security::ClientSessions>();

  auto full = post_once(p.port(), *sessions, *ctx);
  ASSERT_EQ(full.status, 200) << full.error;
  EXPECT_FALSE(full.reused);
  auto resumed = post_once(p.port(), *sessions, *ctx);
  EXPECT_EQ(resumed.status, 200) << resumed.error << " (the school's identity came back with the ticket)";
  EXPECT_TRUE(resumed.reused);

  std::this_thread::sleep_for(std::chrono::milliseconds(2500));  // beyond two rotation periods
  auto late = post_once(p.port(), *sessions, *ctx);
  EXPECT_EQ(late.status, 200) << late.error;
  EXPECT_FALSE(late.reused) << "a ticket under a key older than two periods is not opened";
}

TEST(TlsSession, SessionTicketsCanBeTurnedOff) {
  ProviderOptions o;
  o.extra_tls_yaml = "  session_tickets: false\n";
  Provider p(o);
  security::TlsSettings s;
  s.certificate = pki_dir() + "/school-25be.chain.pem";
  s.private_key = pki_dir() + "/school-25be.key.pem";
  s.trust_anchors = pki_dir() + "/trust.pem";
  s.crls = {pki_dir() + "/crls.pem"};
  auto ctx = security::make_client_context(s);
  auto sessions = std::make_shared<security::ClientSessions>();
  ASSERT_EQ(post_once(p.port(), *sessions, *ctx).status, 200);
  auto second = post_once(p.port(), *sessions, *ctx);
  EXPECT_EQ(second.status, 200) << second.error;
  EXPECT_FALSE(second.reused);
}
