// The one outbound HTTP(S) connection against servers this test runs on loopback: one that
// accepts TCP and never answers the handshake, a mutual-TLS server with the example PKI (as the
// gateway's provider side builds it) that keeps connections alive or closes them after an
// answer, and a plain HTTP one.
#include "security/https_client.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "security/pki.h"
#include "security/tls_policy.h"
#include "security/tls_session.h"

using namespace edugate::security;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
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

const char* kSbbOin = "00000003273785290000";
const char* kSchoolOin = "0000000700025BE00000";

// A loopback server on its own thread, one connection at a time. silent: accepts and keeps
// the socket without a byte back. Otherwise it answers every request with "answer <n>" (n
// counts the requests on that connection) and, with close_after_answer, then closes the socket
// although its answer said keep-alive (an idle timeout on the server's side).
class Server {
 public:
  struct Options {
    SslContextPtr tls;  // null: plain HTTP
    bool silent = false;
    bool close_after_answer = false;
    std::size_t body_bytes = 0;  // >0: the answer's body is this many bytes instead
  };

  explicit Server(Options o) : o_(std::move(o)), acceptor_(ioc_, {asio::ip::make_address("127.0.0.1"), 0}) {
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { run(); });
  }
  ~Server() {
    stopping_ = true;
    {
      // Wakes the blocking accept.
      beast::error_code ec;
      tcp::socket wake(ioc_);
      wake.connect({asio::ip::make_address("127.0.0.1"), port_}, ec);
    }
    thread_.join();
  }

  std::string port() const { return std::to_string(port_); }
  int accepts() const { return accepts_; }
  int requests() const { return requests_; }
  std::string client_oin() const {
    std::lock_guard l(mu_);
    return client_oin_;
  }

 private:
  void run() {
    while (!stopping_) {
      tcp::socket s(ioc_);
      beast::error_code ec;
      acceptor_.accept(s, ec);
      if (ec || stopping_) break;
      ++accepts_;
      if (o_.silent) {
        held_.push_back(std::move(s));
        continue;
      }
      try {
        if (o_.tls) {
          asio::ssl::stream<tcp::socket> stream(std::move(s), *o_.tls);
          stream.handshake(asio::ssl::stream_base::server);
          if (X509* cert = SSL_get1_peer_certificate(stream.native_handle())) {
            auto id = identity_of(cert);
            X509_free(cert);
            std::lock_guard l(mu_);
            client_oin_ = id ? id->oin.str() : "";
          }
          serve(stream);
        } else {
          serve(s);
        }
      } catch (const std::exception&) {
        // The client went away or the handshake failed: next connection.
      }
    }
  }

  template <class Stream>
  void serve(Stream& stream) {
    beast::flat_buffer buffer;
    for (int n = 1;; ++n) {
      http::request<http::string_body> req;
      beast::error_code ec;
      http::read(stream, buffer, req, ec);
      if (ec) return;
      ++requests_;
      http::response<http::string_body> res{http::status::ok, 11};
      res.body() = o_.body_bytes ? std::string(o_.body_bytes, 'x') : "answer " + std::to_string(n);
      res.keep_alive(true);
      res.prepare_payload();
      http::write(stream, res);
      if (o_.close_after_answer) return;  // the socket closes with the stream, no close_notify
    }
  }

  Options o_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  unsigned short port_ = 0;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> accepts_{0}, requests_{0};
  std::vector<tcp::socket> held_;
  mutable std::mutex mu_;
  std::string client_oin_;
};

Server::Options tls_server(SslContextPtr tls, bool close_after_answer = false, std::size_t body_bytes = 0) {
  Server::Options o;
  o.tls = std::move(tls);
  o.close_after_answer = close_after_answer;
  o.body_bytes = body_bytes;
  return o;
}

SslContextPtr provider_context(std::shared_ptr<TicketKeyRing> tickets = nullptr) {
  return make_server_context(settings_of("sbb"), std::move(tickets));
}

HttpsClient::Request post(const std::string& body) {
  HttpsClient::Request req{http::verb::post, "/echo", 11};
  req.set(http::field::host, "127.0.0.1");
  req.keep_alive(true);
  req.body() = body;
  req.prepare_payload();
  return req;
}

std::string oin_of_server(const HttpsClient& c) {
  X509* cert = SSL_get1_peer_certificate(c.ssl());
  auto id = identity_of(cert);
  if (cert) X509_free(cert);
  return id ? id->oin.str() : "(none)";
}

}  // namespace

TEST(HttpsClient, OpenEndsAtTheDeadlineWhenTheServerNeverAnswersTheHandshake) {
  Server::Options silent_options;
  silent_options.silent = true;
  Server silent(silent_options);
  HttpsClient c(Peer("127.0.0.1", silent.port(), make_client_context(settings_of("school-25be"))));
  const auto started = std::chrono::steady_clock::now();
  auto e = c.open(deadline_in(300ms));
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_TRUE(e.has_value()) << "the handshake completed with a server that never answers";
  EXPECT_EQ(e->phase, Phase::handshake) << to_string(e->phase);
  EXPECT_TRUE(e->timed_out()) << e->message();
  EXPECT_LT(took, 3s);
  EXPECT_FALSE(c.is_open());
  EXPECT_EQ(silent.accepts(), 1);
}

TEST(HttpsClient, OpenEndsAtTheDeadlineWhenTheResolverNeverAnswers) {
  // The fake resolver answers only when the test ends: the deadline must not wait for it.
  auto released = std::make_shared<std::pair<std::mutex, std::condition_variable>>();
  auto done = std::make_shared<bool>(false);
  Peer peer("slow-resolver.edugate.test", "443", make_client_context(settings_of("school-25be")));
  peer.resolver = [released, done](const std::string&, const std::string&, tcp::resolver::results_type&) {
    std::unique_lock l(released->first);
    released->second.wait_for(l, 10s, [&] { return *done; });
    return beast::error_code(asio::error::host_not_found);
  };
  HttpsClient c(std::move(peer));
  const auto started = std::chrono::steady_clock::now();
  auto e = c.open(deadline_in(300ms));
  const auto took = std::chrono::steady_clock::now() - started;
  {
    std::lock_guard l(released->first);
    *done = true;
  }
  released->second.notify_all();
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->phase, Phase::resolve) << to_string(e->phase);
  EXPECT_TRUE(e->timed_out()) << e->message();
  EXPECT_LT(took, 3s);
}

TEST(HttpsClient, MutualTlsExchangeWithTheTestPki) {
  Server provider(tls_server(provider_context()));
  HttpsClient c(Peer("127.0.0.1", provider.port(), make_client_context(settings_of("school-25be"))));
  ASSERT_FALSE(c.open(deadline_in(5s))) << "open failed";
  ASSERT_NE(c.ssl(), nullptr);
  EXPECT_EQ(SSL_get_verify_result(c.ssl()), X509_V_OK);
  EXPECT_EQ(oin_of_server(c), kSbbOin);
  EXPECT_GT(c.timings().handshake.count(), 0);
  HttpsClient::Response res;
  auto e = c.exchange(post("<ping/>"), res, 1 << 20, deadline_in(5s));
  ASSERT_FALSE(e) << to_string(e->phase) << ": " << e->message();
  EXPECT_EQ(res.result_int(), 200u);
  EXPECT_EQ(res.body(), "answer 1");
  EXPECT_EQ(provider.client_oin(), kSchoolOin);  // the server saw our certificate
  c.close();
  EXPECT_FALSE(c.is_open());
}

TEST(HttpsClient, ServerWithAnUntrustedCertificateIsRefusedInTheHandshake) {
  Server stranger(tls_server(make_server_context(settings_of("sbb"))));
  // The client trusts nothing of the example PKI: an anchor of its own only.
  TlsSettings own = settings_of("school-25be");
  own.trust_anchors = pki("untrusted.cert.pem");
  own.check_revocation = false;
  HttpsClient c(Peer("127.0.0.1", stranger.port(), make_client_context(own)));
  auto e = c.open(deadline_in(5s));
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->phase, Phase::handshake);
  EXPECT_FALSE(e->timed_out()) << e->message();
}

TEST(HttpsClient, KeepAliveConnectionIsReusedForASecondRequest) {
  Server provider(tls_server(provider_context()));
  HttpsClient c(Peer("127.0.0.1", provider.port(), make_client_context(settings_of("school-25be"))));
  for (int i = 1; i <= 2; ++i) {
    ASSERT_FALSE(c.reuse_or_open(deadline_in(5s))) << "request " << i;
    EXPECT_EQ(c.reused(), i == 2);
    HttpsClient::Response res;
    auto e = c.exchange(post("<ping/>"), res, 1 << 20, deadline_in(5s));
    ASSERT_FALSE(e) << to_string(e->phase) << ": " << e->message();
    EXPECT_EQ(res.body(), "answer " + std::to_string(i));
  }
  EXPECT_EQ(provider.accepts(), 1);
  EXPECT_EQ(provider.requests(), 2);
}

TEST(HttpsClient, ConnectionIsReopenedAfterTheServerClosedIt) {
  Server provider(tls_server(provider_context(), /*close_after_answer=*/true));
  HttpsClient c(Peer("127.0.0.1", provider.port(), make_client_context(settings_of("school-25be"))));
  for (int i = 1; i <= 2; ++i) {
    ASSERT_FALSE(c.reuse_or_open(deadline_in(5s))) << "request " << i;
    HttpsClient::Response res;
    auto e = c.exchange(post("<ping/>"), res, 1 << 20, deadline_in(5s));
    ASSERT_FALSE(e) << to_string(e->phase) << ": " << e->message();
    EXPECT_EQ(res.body(), "answer 1");  // a new connection each time
    if (i == 1) {
      // The server's close reaches us: the idle connection is no longer usable.
      auto until = std::chrono::steady_clock::now() + 5s;
      while (c.usable() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(10ms);
      EXPECT_FALSE(c.usable());
    }
  }
  EXPECT_FALSE(c.reused());
  EXPECT_EQ(provider.accepts(), 2);
}

TEST(HttpsClient, SessionTicketIsOfferedOnTheNextConnection) {
  Server provider(tls_server(provider_context(std::make_shared<TicketKeyRing>(3600s))));
  auto client_ctx = make_client_context(settings_of("school-25be"));
  auto sessions = std::make_shared<ClientSessions>();
  for (int i = 1; i <= 2; ++i) {
    Peer peer("127.0.0.1", provider.port(), client_ctx);
    peer.sessions = sessions;
    peer.session_key = "provider";
    HttpsClient c(std::move(peer));
    ASSERT_FALSE(c.open(deadline_in(5s))) << "connection " << i;
    HttpsClient::Response res;
    ASSERT_FALSE(c.exchange(post("<ping/>"), res, 1 << 20, deadline_in(5s))) << "connection " << i;
    EXPECT_EQ(c.resumed(), i == 2) << "connection " << i;
    EXPECT_EQ(oin_of_server(c), kSbbOin);  // a resumed session still carries the server's certificate
    c.close();                             // close_notify: the ticket is kept
  }
  EXPECT_EQ(provider.accepts(), 2);
}

TEST(HttpsClient, AnswerOverTheBodyLimitIsRefusedAndTheConnectionDropped) {
  Server provider(tls_server(provider_context(), false, /*body_bytes=*/1 << 20));
  HttpsClient c(Peer("127.0.0.1", provider.port(), make_client_context(settings_of("school-25be"))));
  ASSERT_FALSE(c.open(deadline_in(5s)));
  HttpsClient::Response res;
  auto e = c.exchange(post("<ping/>"), res, 64 << 10, deadline_in(5s));
  ASSERT_TRUE(e.has_value()) << res.body().size();
  EXPECT_EQ(e->phase, Phase::read);
  EXPECT_EQ(e->ec, http::error::body_limit) << e->message();
  EXPECT_FALSE(c.is_open());
}

TEST(HttpsClient, PlainHttpForHttpBackends) {
  Server backend(Server::Options{});
  HttpsClient c(Peer("127.0.0.1", backend.port()));
  for (int i = 1; i <= 2; ++i) {
    ASSERT_FALSE(c.reuse_or_open(deadline_in(5s)));
    EXPECT_EQ(c.ssl(), nullptr);
    HttpsClient::Response res;
    auto e = c.exchange(post("{}"), res, 1 << 20, deadline_in(5s));
    ASSERT_FALSE(e) << to_string(e->phase) << ": " << e->message();
    EXPECT_EQ(res.body(), "answer " + std::to_string(i));
  }
  EXPECT_EQ(backend.accepts(), 1);
}

TEST(HttpsClient, ConnectionRefusedIsAConnectError) {
  unsigned short closed;
  {
    asio::io_context ioc;
    tcp::acceptor a(ioc, {asio::ip::make_address("127.0.0.1"), 0});
    closed = a.local_endpoint().port();
  }
  HttpsClient c(Peer("127.0.0.1", std::to_string(closed)));
  auto e = c.open(deadline_in(5s));
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->phase, Phase::connect);
  EXPECT_FALSE(e->timed_out()) << e->message();
}
