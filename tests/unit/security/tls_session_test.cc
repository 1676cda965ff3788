// TLS session resumption with our own rotating ticket keys: handshakes between the server and
// client contexts of the example PKI, in memory, with a clock the test moves.
#include "security/tls_session.h"

#include <gtest/gtest.h>

#include <thread>
#include <openssl/err.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "security/pki.h"
#include "security/tls_policy.h"
#include "security/tls_reload.h"
#include "testkit/crl_lab.h"

using namespace edugate::security;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

std::string pki(const std::string& f) { return std::string(EDUGATE_TEST_PKI_DIR) + "/" + f; }

TlsSettings settings_of(const std::string& stem) {
  TlsSettings s;
  s.certificate = pki(stem + ".chain.pem");
  s.private_key = pki(stem + ".key.pem");
  s.trust_anchors = pki("trust.pem");
  s.crls = {pki("crls.pem")};
  return s;
}

struct Handshake {
  bool ok = false;
  bool reused = false;
  std::string peer_oin;  // the client's OIN as the server sees it
  std::string error;
};

// One connection over a BIO pair: handshake, then one byte from the server so that the client
// reads the TLS 1.3 tickets that follow the handshake.
Handshake connect(SSL_CTX* server_ctx, SSL_CTX* client_ctx, ClientSessions& sessions, int max_version = 0,
                  const std::string& peer = "provider:8443") {
  Handshake h;
  SSL* server = SSL_new(server_ctx);
  SSL* client = SSL_new(client_ctx);
  if (max_version) SSL_set_max_proto_version(client, max_version);
  BIO *sb = nullptr, *cb = nullptr;
  BIO_new_bio_pair(&sb, 0, &cb, 0);
  SSL_set_bio(server, sb, sb);
  SSL_set_bio(client, cb, cb);
  SSL_set_accept_state(server);
  SSL_set_connect_state(client);
  sessions.prepare(client, peer);
  bool server_done = false, client_done = false;
  for (int i = 0; i < 50 && !(server_done && client_done); ++i) {
    if (!client_done) {
      int rc = SSL_do_handshake(client);
      if (rc == 1)
        client_done = true;
      else if (int e = SSL_get_error(client, rc); e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
        break;
    }
    if (!server_done) {
      int rc = SSL_do_handshake(server);
      if (rc == 1)
        server_done = true;
      else if (int e = SSL_get_error(server, rc); e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
        break;
    }
  }
  if (server_done && client_done) {
    char byte = 'x';
    SSL_write(server, &byte, 1);
    for (int i = 0; i < 10; ++i) {
      if (SSL_read(client, &byte, 1) == 1) {
        h.ok = true;
        break;
      }
      SSL_do_handshake(server);
    }
    h.reused = SSL_session_reused(server) == 1 && SSL_session_reused(client) == 1;
    if (X509* peer = SSL_get1_peer_certificate(server)) {
      if (auto id = identity_of(peer)) h.peer_oin = id->oin.str();
      X509_free(peer);
    }
  } else {
    long vr = SSL_get_verify_result(server);
    h.error = vr == X509_V_OK ? "handshake failed" : verify_failure_reason(vr);
  }
  // A connection closed without close_notify makes OpenSSL drop its session: shut down cleanly.
  SSL_shutdown(client);
  SSL_shutdown(server);
  ERR_clear_error();
  SSL_free(server);
  SSL_free(client);
  return h;
}

class TlsSession : public ::testing::Test {
 protected:
  std::chrono::steady_clock::time_point now_ = std::chrono::steady_clock::now();
  std::shared_ptr<TicketKeyRing> ring_ = std::make_shared<TicketKeyRing>(60s, [this] { return now_; });
  std::shared_ptr<ClientSessions> sessions_ = std::make_shared<ClientSessions>();
  SslContextPtr client_ = make_client_context(settings_of("school-25be"));
};

}  // namespace

TEST_F(TlsSession, AResumedHandshakeReusesTheSessionAndKeepsTheIdentity) {
  for (int version : {TLS1_3_VERSION, TLS1_2_VERSION}) {
    auto server = make_server_context(settings_of("sbb"), ring_);
    auto first = connect(server->native_handle(), client_->native_handle(), *sessions_, version);
    ASSERT_TRUE(first.ok) << first.error;
    EXPECT_FALSE(first.reused);
    EXPECT_EQ(sessions_->size(), 1u) << "the client kept a ticket";
    auto second = connect(server->native_handle(), client_->native_handle(), *sessions_, version);
    ASSERT_TRUE(second.ok) << second.error;
    EXPECT_TRUE(second.reused) << "TLS version " << std::hex << version;
    EXPECT_EQ(second.peer_oin, "0000000700025BE00000") << "the identity comes back with the ticket";
    EXPECT_TRUE(connect(server->native_handle(), client_->native_handle(), *sessions_, version).reused)
        << "each resumption brings a fresh ticket (each is offered once)";
  }
}

TEST_F(TlsSession, TheClientDropsTicketsPastTheirLifetimeWhenItKeepsTheNext) {
  // A peer key that is never asked for again (a school that went away, a trust generation that a
  // reload replaced) must not hold its ticket for ever.
  auto s = settings_of("sbb");
  s.session_lifetime_s = 1;
  auto server = make_server_context(s, ring_);
  ASSERT_TRUE(connect(server->native_handle(), client_->native_handle(), *sessions_, 0, "school-a:8443#1").ok);
  EXPECT_EQ(sessions_->size(), 1u);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  ASSERT_TRUE(connect(server->native_handle(), client_->native_handle(), *sessions_, 0, "school-b:8443#1").ok);
  EXPECT_EQ(sessions_->size(), 1u) << "school-a's ticket is past its lifetime and gone";
}

TEST_F(TlsSession, AChainOfResumptionsEndsAtTheSessionLifetime) {
  ring_ = std::make_shared<TicketKeyRing>(400s, [this] { return now_; });
  auto s = settings_of("sbb");
  s.session_lifetime_s = 600;
  auto server = make_server_context(s, ring_);
  ASSERT_TRUE(connect(server->native_handle(), client_->native_handle(), *sessions_).ok);
  now_ += 350s;
  EXPECT_TRUE(connect(server->native_handle(), client_->native_handle(), *sessions_).reused);
  now_ += 200s;
  EXPECT_TRUE(connect(server->native_handle(), client_->native_handle(), *sessions_).reused);
  now_ += 100s;  // 650 s since the full handshake, though the ticket is 100 s old
  auto fresh = connect(server->native_handle(), client_->native_handle(), *sessions_);
  ASSERT_TRUE(fresh.ok) << fresh.error;
  EXPECT_FALSE(fresh.reused) << "WT008: the session has reached its lifetime";
  now_ += 10s;
  EXPECT_TRUE(connect(server->native_handle(), client_->native_handle(), *sessions_).reused) << "a new session";
}

TEST_F(TlsSession, ThePreviousKeyStillResumesAndTheTicketIsRenewed) {
  auto server = make_server_context(settings_of("sbb"), ring_);
  ASSERT_TRUE(connect(server->native_handle(), client_->native_handle(), *sessions_).ok);  // ticket under key 1
  now_ += 90s;  // key 2 is current; key 1 is the previous one
  auto renewed = connect(server->native_handle(), client_->native_handle(), *sessions_);
  EXPECT_TRUE(renewed.reused);
  EXPECT_EQ(ring_->generation(), 2);
  now_ += 60s;  // key 3 is current; key 1 is gone, key 2 is the previous one
  auto again = connect(server->native_handle(), client_->native_handle(), *sessions_);
  EXPECT_TRUE(again.reused) << "the renewed ticket is under key 2";
  EXPECT_EQ(ring_->generation(), 3);
}

TEST_F(TlsSession, AfterTwoRotationPeriodsAResumptionFallsBackToAFullHandshake) {
  auto server = make_server_context(settings_of("sbb"), ring_);
  ASSERT_TRUE(connect(server->native_handle(), client_->native_handle(), *sessions_).ok);
  now_ += 121s;
  auto late = connect(server->native_handle(), client_->native_handle(), *sessions_);
  ASSERT_TRUE(late.ok) << late.error;
  EXPECT_FALSE(late.reused);
  EXPECT_EQ(late.peer_oin, "0000000700025BE00000");
}

TEST_F(TlsSession, TheKeyRingSurvivesAReloadWithTheSameTrust) {
  TlsContexts contexts(settings_of("sbb"), ring_);
  ASSERT_TRUE(connect(contexts.server()->native_handle(), client_->native_handle(), *sessions_).ok);
  ASSERT_TRUE(contexts.reload().ok());
  auto after = connect(contexts.server()->native_handle(), client_->native_handle(), *sessions_);
  EXPECT_TRUE(after.reused);
}

TEST_F(TlsSession, ARevokedClientCannotResumeAfterANewCrl) {
  std::string dir = (fs::temp_directory_path() / "edugate-session-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  std::shared_ptr<void> cleanup(nullptr, [&](void*) { fs::remove_all(dir); });
  auto s = settings_of("sbb");
  s.crls = {dir + "/crls.pem"};
  fs::copy_file(pki("crls.pem"), s.crls[0]);
  TlsContexts contexts(s, ring_);
  auto school = make_client_context(settings_of("school-30gr"));
  ASSERT_TRUE(connect(contexts.server()->native_handle(), school->native_handle(), *sessions_).ok);
  ASSERT_TRUE(connect(contexts.server()->native_handle(), school->native_handle(), *sessions_).reused);

  edugate::testkit::CaCopy ca("issuing", dir + "/ca");
  ca.revoke(pki("school-30gr.cert.pem"));
  ca.write_crl_der(dir + "/issuing.crl");
  ASSERT_EQ(std::system(("openssl crl -inform DER -in " + dir + "/issuing.crl >> " + s.crls[0]).c_str()), 0);
  ASSERT_TRUE(contexts.reload().ok());
  ASSERT_EQ(sessions_->size(), 1u) << "the school holds a ticket from before the revocation";
  auto refused = connect(contexts.server()->native_handle(), school->native_handle(), *sessions_);
  EXPECT_FALSE(refused.ok) << "resumed past its revocation";
  EXPECT_EQ(refused.error, "certificate revoked");
}

TEST_F(TlsSession, TicketLifetimeIsTheSessionLifetimeAndTicketsCanBeTurnedOff) {
  auto s = settings_of("sbb");
  s.session_lifetime_s = 600;
  auto server = make_server_context(s, ring_);
  EXPECT_EQ(SSL_CTX_get_timeout(server->native_handle()), 600);
  s.session_tickets = false;
  auto no_tickets = make_server_context(s, ring_);
  ASSERT_TRUE(connect(no_tickets->native_handle(), client_->native_handle(), *sessions_).ok);
  EXPECT_EQ(sessions_->size(), 0u) << "no ticket issued";
  EXPECT_FALSE(connect(no_tickets->native_handle(), client_->native_handle(), *sessions_).reused);
}

TEST_F(TlsSession, AnotherProcessesRingCannotOpenOurTickets) {
  auto server = make_server_context(settings_of("sbb"), ring_);
  ASSERT_TRUE(connect(server->native_handle(), client_->native_handle(), *sessions_).ok);
  auto other = make_server_context(settings_of("sbb"), std::make_shared<TicketKeyRing>(60s));
  auto h = connect(other->native_handle(), client_->native_handle(), *sessions_);
  ASSERT_TRUE(h.ok) << h.error;
  EXPECT_FALSE(h.reused);
}
