// `edugate probe`: against a real provider every observable rule passes (exit 0); against a
// deliberately sloppy endpoint (no client certificate required, TLS 1.1 and CBC suites allowed,
// every request answered 200 without RelatesTo, the body size not limited) the broken rules are
// reported by id and the exit code is 1; unusable options exit 2.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/socket.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

#include "testkit/testkit.h"

using namespace edugate;
using namespace edugate::testkit;
using json = nlohmann::json;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

std::vector<std::string> probe_args(unsigned short port, std::vector<std::string> extra = {},
                                    const std::string& action = "VerifieerErkenning",
                                    const std::string& request = std::string(EDUGATE_SOURCE_DIR) +
                                                                 "/deploy/examples/verifieer-erkenning.json") {
  const std::string pki = pki_dir();
  std::vector<std::string> a{edugate_binary(), "probe", "https://127.0.0.1:" + std::to_string(port),
                             "--cert", pki + "/school-25be.chain.pem", "--key", pki + "/school-25be.key.pem",
                             "--ca", pki + "/trust.pem", "--crl", pki + "/crls.pem", "--expect-oin", kSbbOin,
                             "--action", action, "--request", request};
  a.insert(a.end(), extra.begin(), extra.end());
  return a;
}

json report_of(const RunResult& r) {
  auto start = r.output.find('{');
  EXPECT_NE(start, std::string::npos) << r.output;
  return json::parse(r.output.substr(start == std::string::npos ? 0 : start), nullptr, false);
}

std::map<std::string, json> by_rule(const json& report) {
  std::map<std::string, json> m;
  for (const auto& c : report["checks"]) m[c["rule"]] = c;
  return m;
}

// An endpoint that gets most things wrong: TLS 1.1 and any suite, no client certificate
// required, every POST answered 200 with the same answer (no RelatesTo, a wrong Action),
// whatever its size or content.
class SloppyEndpoint {
 public:
  SloppyEndpoint() : ctx_(asio::ssl::context::tls_server) {
    const std::string pki = pki_dir();
    SSL_CTX* c = ctx_.native_handle();
    SSL_CTX_set_security_level(c, 0);
    SSL_CTX_set_min_proto_version(c, TLS1_1_VERSION);
    SSL_CTX_set_cipher_list(c, "ALL:@SECLEVEL=0");
    ctx_.use_certificate_chain_file(pki + "/sbb.chain.pem");
    ctx_.use_private_key_file(pki + "/sbb.key.pem", asio::ssl::context::pem);
    ctx_.set_verify_mode(asio::ssl::verify_none);
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(ep.protocol());
    acceptor_.bind(ep);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    accept_thread_ = std::thread([this] {
      while (!stopping_) {
        beast::error_code ec;
        tcp::socket s = acceptor_.accept(ec);
        if (ec || stopping_) break;
        int fd = s.release();
        std::lock_guard lock(mu_);
        fds_.push_back(fd);
        threads_.emplace_back([this, fd] { serve(fd); });
      }
    });
  }
  ~SloppyEndpoint() {
    stopping_ = true;
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    accept_thread_.join();
    std::vector<std::thread> ts;
    {
      std::lock_guard lock(mu_);
      for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
      ts.swap(threads_);
    }
    for (auto& t : ts) t.join();
  }
  unsigned short port() const { return port_; }

 private:
  void serve(int fd) {
    asio::io_context ioc;
    beast::ssl_stream<tcp::socket> stream(tcp::socket(ioc, tcp::v4(), fd), ctx_);
    beast::error_code ec;
    stream.handshake(asio::ssl::stream_base::server, ec);
    beast::flat_buffer buffer;
    while (!ec && !stopping_) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(64u << 20);
      http::read(stream, buffer, parser, ec);
      if (ec) break;
      http::response<http::string_body> res{http::status::ok, 11};
      res.set(http::field::content_type, "text/xml; charset=utf-8");
      res.keep_alive(parser.get().keep_alive());
      res.body() =
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" "
          "xmlns:wsa=\"http://www.w3.org/2005/08/addressing\"><soap:Header><wsa:Action>urn:sloppy:Antwoord</wsa:Action>"
          "<wsa:MessageID>urn:uuid:6f1d3c2a-1b2c-4d3e-8f4a-5b6c7d8e9f00</wsa:MessageID></soap:Header><soap:Body>"
          "<lb:VerifieerErkenningAntwoord xmlns:lb=\"urn:edugate:leerbedrijf:1\"><lb:Erkend>true</lb:Erkend>"
          "</lb:VerifieerErkenningAntwoord></soap:Body></soap:Envelope>";
      res.prepare_payload();
      http::write(stream, res, ec);
    }
    std::lock_guard lock(mu_);
    std::erase(fds_, fd);
  }

  asio::io_context ioc_;
  asio::ssl::context ctx_;
  tcp::acceptor acceptor_{ioc_};
  unsigned short port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex mu_;
  std::vector<int> fds_;
  std::vector<std::thread> threads_;
  std::thread accept_thread_;
};

}  // namespace

TEST(Probe, EdugateProviderPassesEveryObservableRule) {
  Provider p;
  auto r = run(probe_args(p.port(), {"--json"}));
  EXPECT_EQ(r.exit_code, 0) << r.output;
  json report = report_of(r);
  EXPECT_EQ(report["result"], "PASS") << report.dump(2);
  for (const auto& c : report["checks"])
    EXPECT_NE(c["result"], "FAIL") << c.dump(2);
  auto rules = by_rule(report);
  // The rules the brief names, each present and passed (TLS 1.0/1.1 may be SKIP where this
  // OpenSSL cannot offer them at all).
  for (const char* id : {"SAMPLE", "DK0008", "WSA-RESPONSE-ACTION", "WSA-RESPONSE-TO", "WSA-RESPONSE-FROM", "DK0007",
                         "DK0005", "DK0005-NO-OIN", "DK0011-TO", "DK0003", "DK0001-SOAP12", "DK0001-DOCTYPE", "WW003",
                         "WS006-UTF8", "WS007", "EK0020", "SIZE-413", "TLS-1.2-ACCEPTED", "TLS-1.3-ACCEPTED", "TLS-NO-CBC",
                         "TLS-NO-STATIC-RSA", "TLS-SUITE-GOOD", "CERT-CHAIN", "CERT-OIN", "WT001", "WT007"}) {
    ASSERT_TRUE(rules.count(id)) << id;
    EXPECT_EQ(rules[id]["result"], "PASS") << rules[id].dump(2);
  }
  for (const char* id : {"TLS-1.0-REFUSED", "TLS-1.1-REFUSED"}) EXPECT_NE(rules[id]["result"], "FAIL");
  // Evidence says what came back.
  EXPECT_EQ(rules["DK0007"]["details"]["received"]["fault"]["code"], "DK0007");
  EXPECT_EQ(rules["SIZE-413"]["details"]["http_status"], 413);
  EXPECT_NE(rules["CERT-OIN"]["evidence"].get<std::string>().find(kSbbOin), std::string::npos);
}

TEST(Probe, ConfigFileSuppliesIdentityAndExpectedOin) {
  Provider p;
  const std::string dir = make_temp_dir("probe");
  const std::string pki = pki_dir();
  std::ofstream(dir + "/school.yaml") << "role: consumer\noin: \"" << kSchool25be << "\"\n"
                                      << "tls:\n  certificate: " << pki << "/school-25be.chain.pem\n  private_key: " << pki
                                      << "/school-25be.key.pem\n  trust_anchors: " << pki << "/trust.pem\n  crls: [" << pki
                                      << "/crls.pem]\nremote:\n  url: https://127.0.0.1:" << p.port() << "\n  oin: \"" << kSbbOin
                                      << "\"\n";
  auto r = run({edugate_binary(), "probe", "https://127.0.0.1:" + std::to_string(p.port()) + "/edukoppeling/leerbedrijf",
                "--config", dir + "/school.yaml", "--action", "VerifieerErkenning", "--request",
                std::string(EDUGATE_SOURCE_DIR) + "/deploy/examples/verifieer-erkenning.json"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("RULE"), std::string::npos) << "a table by default: " << r.output;
  EXPECT_NE(r.output.find("0 failed"), std::string::npos) << r.output;
  std::filesystem::remove_all(dir);
}

TEST(Probe, SloppyEndpointFailuresAreReportedByRuleIdWithExitCode1) {
  SloppyEndpoint bad;
  auto r = run(probe_args(bad.port(), {"--json", "--timeout-ms", "2000"}));
  EXPECT_EQ(r.exit_code, 1) << r.output;
  json report = report_of(r);
  EXPECT_EQ(report["result"], "FAIL");
  auto rules = by_rule(report);
  // Its certificate is the real SBB one: those rules hold.
  EXPECT_EQ(rules["CERT-CHAIN"]["result"], "PASS") << rules["CERT-CHAIN"].dump(2);
  EXPECT_EQ(rules["CERT-OIN"]["result"], "PASS");
  // What it gets wrong, each by its rule id, with the evidence.
  for (const char* id : {"DK0008", "WSA-RESPONSE-ACTION", "WSA-RESPONSE-TO", "WSA-RESPONSE-FROM", "DK0007", "DK0005",
                         "DK0003", "DK0001-DOCTYPE", "DK0001-SOAP12", "WW003", "EK0020", "WS007", "SIZE-413", "WT001",
                         "TLS-NO-CBC", "TLS-NO-STATIC-RSA"}) {
    ASSERT_TRUE(rules.count(id)) << id;
    EXPECT_EQ(rules[id]["result"], "FAIL") << rules[id].dump(2);
  }
  EXPECT_NE(rules["DK0008"]["evidence"].get<std::string>().find("(absent)"), std::string::npos) << rules["DK0008"].dump(2);
  EXPECT_NE(rules["DK0001-DOCTYPE"]["evidence"].get<std::string>().find("HTTP 200"), std::string::npos);
  EXPECT_NE(rules["WT001"]["evidence"].get<std::string>().find("handshake completed"), std::string::npos);
  // TLS 1.1 is allowed there: FAIL, unless this OpenSSL cannot offer TLS 1.1 at all (SKIP).
  EXPECT_NE(rules["TLS-1.1-REFUSED"]["result"], "PASS") << rules["TLS-1.1-REFUSED"].dump(2);
  // The sample itself is answered 200 without a fault: SAMPLE passes.
  EXPECT_EQ(rules["SAMPLE"]["result"], "PASS");
}

TEST(Probe, UnusableOptionsExitWith2) {
  const std::string example = std::string(EDUGATE_SOURCE_DIR) + "/deploy/examples/verifieer-erkenning.json";
  auto without_url = run({edugate_binary(), "probe", "--action", "VerifieerErkenning", "--request", example});
  EXPECT_EQ(without_url.exit_code, 2) << without_url.output;
  auto args = probe_args(1);
  args[2] = "http://127.0.0.1:1";
  auto plain = run(args);
  EXPECT_EQ(plain.exit_code, 2) << plain.output;
  EXPECT_NE(plain.output.find("https://"), std::string::npos) << plain.output;
  args = probe_args(1, {}, "BestaatNiet");
  auto unknown = run(args);
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.output.find("no operation BestaatNiet"), std::string::npos) << unknown.output;
  args = probe_args(1, {}, "VerifieerErkenning", "/nonexistent/request.json");
  auto missing = run(args);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.output.find("/nonexistent/request.json"), std::string::npos) << missing.output;
  auto unknown_flag = run({edugate_binary(), "probe", "https://127.0.0.1:1", "--no-such-flag"});
  EXPECT_EQ(unknown_flag.exit_code, 2) << unknown_flag.output;
  args = probe_args(1, {"--expect-oin", "12AB"});
  EXPECT_EQ(run(args).exit_code, 2);
}
