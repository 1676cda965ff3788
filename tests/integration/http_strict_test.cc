// Strict HTTP/1.1 at every listener (gateway/edge/http_strict.h): the provider's and the
// consumer's service listener (mutual TLS), the consumer's internal listener and the admin
// listener (plain HTTP). Every case is sent as raw bytes and read until the gateway closes the
// connection: one answer with the expected status and Connection: close, the connection closed
// after it, and an http_refused log line naming the listener and the reason.
#include <gtest/gtest.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <functional>
#include <memory>
#include <regex>
#include <string>
#include <thread>

#include "core/ids.h"
#include "security/tls_policy.h"
#include "testkit/testkit.h"

using namespace edugate;
using namespace edugate::testkit;
namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

namespace {

// What came back on one connection, read until the gateway closed it.
struct Conversation {
  std::string received;
  bool closed = false;  // the gateway ended the connection (not our read timeout)
  std::string error;    // a failed connect or handshake
};

// Writes the bytes and, at the same time, reads until the gateway closes the connection or the
// stream's deadline passes (asynchronously: Beast's deadlines bind asynchronous operations only).
// The gateway may stop reading once it has refused: a failed write still leaves its answer to read.
template <class Stream>
void send_and_read_to_the_end(asio::io_context& ioc, Stream& stream, const std::string& bytes, Conversation& x) {
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(15));
  std::array<char, 16 * 1024> buf{};
  std::function<void()> read_more = [&] {
    stream.async_read_some(asio::buffer(buf), [&](beast::error_code ec, std::size_t n) {
      x.received.append(buf.data(), n);
      if (!ec) return read_more();
      x.closed = ec != beast::error::timeout;
    });
  };
  asio::async_write(stream, asio::buffer(bytes), [](beast::error_code, std::size_t) {});
  read_more();
  ioc.run();
}

// Raw bytes over mutual TLS as the party `stem`, or over plain TCP when stem is empty.
Conversation exchange(unsigned short port, const std::string& stem, const std::string& bytes) {
  Conversation x;
  try {
    asio::io_context ioc;
    const tcp::endpoint to(asio::ip::make_address("127.0.0.1"), port);
    if (stem.empty()) {
      beast::tcp_stream stream(ioc);
      stream.connect(to);
      send_and_read_to_the_end(ioc, stream, bytes, x);
    } else {
      auto ctx = tls_for(stem);
      beast::ssl_stream<beast::tcp_stream> stream(ioc, *ctx);
      beast::get_lowest_layer(stream).connect(to);
      stream.handshake(asio::ssl::stream_base::client);
      send_and_read_to_the_end(ioc, stream, bytes, x);
    }
  } catch (const std::exception& e) {
    x.error = e.what();
  }
  return x;
}

std::size_t count_of(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) ++n;
  return n;
}

std::string status_of(const std::string& status_line) { return status_line.substr(9, 3); }

// The status lines of the answers in a stream ("HTTP/1.1 400 Bad Request" …).
std::vector<std::string> status_lines(const std::string& received) {
  static const std::regex re(R"(HTTP/1\.[01] [0-9]{3}[^\r\n]*)");
  std::vector<std::string> out;
  for (std::sregex_iterator it(received.begin(), received.end(), re), end; it != end; ++it) out.push_back(it->str());
  return out;
}

std::string chunked(const std::string& body) {
  if (body.empty()) return "0\r\n\r\n";
  char size[32];
  std::snprintf(size, sizeof size, "%zx", body.size());
  return std::string(size) + "\r\n" + body + "\r\n0\r\n\r\n";
}

// --- the gateways: one provider (with an admin listener), one school consumer (with an
// internal listener) pointing at it; started when a test first needs them. ---

Provider& provider() {
  static std::unique_ptr<Provider> p = [] {
    ProviderOptions o;
    o.admin = true;
    return std::make_unique<Provider>(o);
  }();
  return *p;
}

unsigned short internal_port_of(const Consumer& c) {
  static const std::regex re(R"re("event":"internal_listening".*"port":([0-9]+))re");
  std::smatch m;
  const std::string log = c.log();
  return std::regex_search(log, m, re) ? static_cast<unsigned short>(std::stoi(m[1])) : 0;
}

Consumer& school() {
  static std::unique_ptr<Consumer> c = [] {
    ConsumerOptions o;
    o.provider_port = provider().port();
    o.extra_yaml = "internal:\n  address: 127.0.0.1\n  port: 0\n";
    return std::make_unique<Consumer>(o);
  }();
  return *c;
}

// A request a listener serves: its start (method and path), its usual header fields and a body
// with a fresh MessageID (or the one given).
struct Served {
  std::string method_and_path;
  std::string fields;  // "Name: value\r\n" lines, without Host and framing
  std::string body;
};

std::string mutatie_push(const std::string& message_id) {
  static int volgnummer = 1000;
  EnvelopeSpec s;
  s.to = std::string("https://127.0.0.1/edukoppeling/schoolontvangst?oin=") + kSchool25be;
  s.from = std::string("http://www.w3.org/2005/08/addressing/anonymous?oin=") + kSbbOin;
  s.action = "urn:edugate:schoolontvangst:1:OntvangErkenningmutaties";
  s.message_id = message_id;
  s.body =
      "<so:OntvangErkenningmutatiesVerzoek xmlns:so=\"urn:edugate:schoolontvangst:1\" "
      "xmlns:lb=\"urn:edugate:leerbedrijf:1\"><so:Mutatie><lb:Volgnummer>" +
      std::to_string(++volgnummer) +
      "</lb:Volgnummer><lb:Soort>ErkenningVerleend</lb:Soort><lb:Tijdstip>2026-01-01T00:00:00Z</lb:Tijdstip>"
      "<lb:LeerbedrijfID>100000001</lb:LeerbedrijfID></so:Mutatie></so:OntvangErkenningmutatiesVerzoek>";
  return envelope(s);
}

std::string soap_fields(const std::string& action) {
  return "Content-Type: text/xml; charset=utf-8\r\nSOAPAction: \"" + action + "\"\r\n";
}

struct Listener {
  std::string name;      // the test's name suffix
  std::string log_name;  // the http_refused line's listener
  std::function<unsigned short()> port;
  std::string stem;  // mutual TLS as this party; empty: plain HTTP
  std::function<std::string()> log;
  std::function<Served(const std::string& message_id)> served;
  int served_status = 200;
  // Whether a request with this MessageID left a trace (an audit record), where one would.
  std::function<bool(const std::string& message_id)> executed;
  bool keeps_alive = true;
};

void PrintTo(const Listener& l, std::ostream* os) { *os << l.name; }

bool audited(const Provider& p, const std::string& message_id) {
  return p.scalar("store", "SELECT count(*) FROM audit WHERE message_id = '" + message_id + "'") != "0";
}

std::vector<Listener> listeners() {
  const std::string verifieer = "urn:edugate:leerbedrijf:1:VerifieerErkenning";
  Listener provider_service{"provider",
                            "service",
                            [] { return provider().port(); },
                            "school-25be",
                            [] { return provider().log(); },
                            [verifieer](const std::string& id) {
                              EnvelopeSpec s;
                              s.message_id = id;
                              return Served{"POST /edukoppeling/leerbedrijf", soap_fields(verifieer), envelope(s)};
                            },
                            200,
                            [](const std::string& id) { return audited(provider(), id); }};
  Listener consumer_service{"consumer",
                            "service",
                            [] { return school().port(); },
                            "sbb",
                            [] { return school().log(); },
                            [](const std::string& id) {
                              return Served{"POST /edukoppeling/schoolontvangst",
                                            soap_fields("urn:edugate:schoolontvangst:1:OntvangErkenningmutaties"),
                                            mutatie_push(id)};
                            },
                            200,
                            [](const std::string& id) {
                              return sqlite_scalar(school().dir() + "/consumer.db",
                                                   "SELECT count(*) FROM audit WHERE message_id = '" + id + "'") != "0";
                            }};
  Listener internal{"internal",
                    "internal",
                    [] { return internal_port_of(school()); },
                    "",
                    [] { return school().log(); },
                    [verifieer](const std::string& id) {
                      EnvelopeSpec s;
                      s.to = std::string("https://sbb.example/edukoppeling/leerbedrijf?oin=") + kSbbOin;
                      s.from = "";  // the relay fills in the school
                      s.message_id = id;
                      return Served{"POST /relay", soap_fields(verifieer), envelope(s)};
                    },
                    200,
                    [](const std::string& id) { return audited(provider(), id); }};  // relayed to the provider
  Listener admin{"admin",
                 "admin",
                 [] { return provider().admin_port(); },
                 "",
                 [] { return provider().log(); },
                 [](const std::string&) {
                   return Served{"GET /healthz", "", ""};
                 },
                 200,
                 nullptr,
                 false};
  return {provider_service, consumer_service, internal, admin};
}

class StrictHttp : public ::testing::TestWithParam<Listener> {
 protected:
  const Listener& l() const { return GetParam(); }

  void SetUp() override { ASSERT_NE(l().port(), 0) << l().log(); }

  // "POST /relay HTTP/1.1\r\nHost: …\r\n<fields>" (no blank line yet).
  std::string head(const Served& s, const std::string& version = "HTTP/1.1", bool host = true) const {
    return s.method_and_path + " " + version + "\r\n" + (host ? "Host: 127.0.0.1\r\n" : "") + s.fields;
  }
  Served served() const { return l().served(new_message_id().str()); }

  std::string refused_line(const std::string& reason) const {
    return "\"event\":\"http_refused\",\"listener\":\"" + l().log_name + "\",\"reason\":\"" + reason + "\"";
  }

  // Sends the bytes; expects one answer with `status`, Connection: close, the connection closed
  // and one more http_refused line for `reason`.
  void expect_refused(const std::string& bytes, int status, const std::string& reason) const {
    const auto before = count_of(l().log(), refused_line(reason));
    const auto x = exchange(l().port(), l().stem, bytes);
    ASSERT_TRUE(x.error.empty()) << x.error;
    const auto lines = status_lines(x.received);
    ASSERT_EQ(lines.size(), 1u) << x.received.substr(0, 600);
    EXPECT_EQ(lines[0].substr(0, 12), "HTTP/1.1 " + std::to_string(status)) << x.received.substr(0, 600);
    EXPECT_NE(x.received.find("Connection: close\r\n"), std::string::npos) << x.received.substr(0, 600);
    EXPECT_TRUE(x.closed) << "the gateway keeps the connection open after the refusal";
    EXPECT_TRUE(eventually([&] { return count_of(l().log(), refused_line(reason)) == before + 1; }, 5000))
        << "no log line " << refused_line(reason);
  }
};

}  // namespace

TEST_P(StrictHttp, ContentLengthWithTransferEncodingIs400) {
  const Served s = served();
  const std::string body = chunked(s.body);
  expect_refused(
      head(s) + "Content-Length: " + std::to_string(body.size()) + "\r\nTransfer-Encoding: chunked\r\n\r\n" + body, 400,
      "content_length_and_transfer_encoding");
  expect_refused(
      head(s) + "Transfer-Encoding: chunked\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body, 400,
      "content_length_and_transfer_encoding");
}

TEST_P(StrictHttp, AnUnknownTransferCodingBesideAContentLengthIs400) {
  // Beast 1.74 would frame this by the Content-Length and ignore the coding.
  const Served s = served();
  expect_refused(
      head(s) + "Transfer-Encoding: gzip\r\nContent-Length: " + std::to_string(s.body.size()) + "\r\n\r\n" + s.body,
      400, "content_length_and_transfer_encoding");
}

TEST_P(StrictHttp, ATransferEncodingOtherThanChunkedIs400) {
  // Beast 1.74 reads `gzip` alone as "no body": the body would be parsed as the next request.
  const Served s = served();
  expect_refused(head(s) + "Transfer-Encoding: gzip\r\n\r\n" + s.body, 400, "bad_transfer_encoding");
  expect_refused(head(s) + "Transfer-Encoding: chunked, gzip\r\n\r\n" + chunked(s.body), 400, "bad_transfer_encoding");
  // HTTP/1.0 has no transfer codings (RFC 9112 §6.1); Beast would decode this one.
  expect_refused(head(s, "HTTP/1.0") + "Transfer-Encoding: chunked\r\n\r\n" + chunked(s.body), 400,
                 "bad_transfer_encoding");
}

TEST_P(StrictHttp, TwoDifferentContentLengthsAre400) {
  const Served s = served();
  const auto n = s.body.size();
  expect_refused(head(s) + "Content-Length: " + std::to_string(n) + "\r\nContent-Length: " + std::to_string(n + 1) +
                     "\r\n\r\n" + s.body + "x",
                 400, "content_length_conflict");
}

TEST_P(StrictHttp, ABadChunkSizeIs400) {
  const Served s = served();
  expect_refused(head(s) + "Transfer-Encoding: chunked\r\n\r\nzz\r\n" + s.body + "\r\n0\r\n\r\n", 400, "bad_chunk");
}

TEST_P(StrictHttp, AHundredKiBHeaderLineIs431) {
  const Served s = served();
  expect_refused(head(s) + "X-Long: " + std::string(100 * 1024, 'a') +
                     "\r\nContent-Length: " + std::to_string(s.body.size()) + "\r\n\r\n" + s.body,
                 431, "head_too_large");
}

TEST_P(StrictHttp, TenThousandHeaderFieldsAre431) {
  const Served s = served();
  std::string fields;
  for (int i = 0; i < 10000; ++i) fields += "X-Field-" + std::to_string(i) + ": v\r\n";
  expect_refused(head(s) + fields + "Content-Length: " + std::to_string(s.body.size()) + "\r\n\r\n" + s.body, 431,
                 "head_too_large");
}

// The gateway refuses after the first 16 KiB while the client is still sending: the answer must
// not be lost to a reset (the connection lingers, dropping what still comes, before it closes).
TEST_P(StrictHttp, AHeadStillArrivingWhenItIsRefusedGetsItsAnswer) {
  const Served s = served();
  std::string fields;
  while (fields.size() < (4u << 20))
    fields += "X-Field-" + std::to_string(fields.size()) + ": " + std::string(200, 'v') + "\r\n";
  expect_refused(head(s) + fields + "Content-Length: " + std::to_string(s.body.size()) + "\r\n\r\n" + s.body, 431,
                 "head_too_large");
}

TEST_P(StrictHttp, Http11WithoutHostIs400) {
  const Served s = served();
  expect_refused(head(s, "HTTP/1.1", false) + "Content-Length: " + std::to_string(s.body.size()) + "\r\n\r\n" + s.body,
                 400, "missing_host");
}

TEST_P(StrictHttp, Http10WithoutHostIsStillServed) {
  const Served s = served();
  const auto x =
      exchange(l().port(), l().stem,
               head(s, "HTTP/1.0", false) + "Content-Length: " + std::to_string(s.body.size()) + "\r\n\r\n" + s.body);
  ASSERT_TRUE(x.error.empty()) << x.error;
  const auto lines = status_lines(x.received);
  ASSERT_EQ(lines.size(), 1u) << x.received.substr(0, 600);
  EXPECT_EQ(status_of(lines[0]), std::to_string(l().served_status)) << x.received.substr(0, 2000);
  EXPECT_TRUE(x.closed) << "HTTP/1.0 without keep-alive: closed after the answer";
}

// CL.TE request smuggling: a front end that frames by Content-Length sees one request; a back
// end that frames by Transfer-Encoding would see a second, hidden one. We answer 400 to the
// first and close: the hidden one is never parsed, let alone executed.
TEST_P(StrictHttp, ARequestSmuggledBehindARefusedOneIsNeverExecuted) {
  const std::string hidden_id = new_message_id().str();
  const Served hidden = l().served(hidden_id);
  const std::string smuggled =
      head(hidden) + "Content-Length: " + std::to_string(hidden.body.size()) + "\r\n\r\n" + hidden.body;
  const Served front = served();
  const std::string body = "0\r\n\r\n" + smuggled;
  expect_refused(
      head(front) + "Content-Length: " + std::to_string(body.size()) + "\r\nTransfer-Encoding: chunked\r\n\r\n" + body,
      400, "content_length_and_transfer_encoding");
  if (!l().executed) return;  // the admin listener leaves no trace but its one answer
  // A request sent after it is executed; the hidden one, sent before, is not.
  const std::string later_id = new_message_id().str();
  const Served later = l().served(later_id);
  const auto x = exchange(l().port(), l().stem,
                          head(later) + "Content-Length: " + std::to_string(later.body.size()) +
                              "\r\nConnection: close\r\n\r\n" + later.body);
  ASSERT_EQ(status_lines(x.received).size(), 1u) << x.received.substr(0, 600) << x.error;
  EXPECT_TRUE(eventually([&] { return l().executed(later_id); }, 5000)) << x.received.substr(0, 2000);
  EXPECT_FALSE(l().executed(hidden_id));
}

// The control of the test above: the same second request, framed plainly behind a first one
// on the same connection, is executed (the admin listener answers one request per connection).
TEST_P(StrictHttp, AWellFramedSecondRequestOnTheSameConnectionIsExecuted) {
  const std::string second_id = new_message_id().str();
  const Served first = served();
  const Served second = l().served(second_id);
  const auto x = exchange(l().port(), l().stem,
                          head(first) + "Content-Length: " + std::to_string(first.body.size()) + "\r\n\r\n" +
                              first.body + head(second) + "Content-Length: " + std::to_string(second.body.size()) +
                              "\r\nConnection: close\r\n\r\n" + second.body);
  ASSERT_TRUE(x.error.empty()) << x.error;
  const auto lines = status_lines(x.received);
  ASSERT_EQ(lines.size(), l().keeps_alive ? 2u : 1u) << x.received.substr(0, 2000);
  for (const auto& line : lines)
    EXPECT_EQ(status_of(line), std::to_string(l().served_status)) << x.received.substr(0, 2000);
  if (l().executed) {
    EXPECT_TRUE(eventually([&] { return l().executed(second_id); }, 5000));
  }
}

INSTANTIATE_TEST_SUITE_P(EveryListener, StrictHttp, ::testing::ValuesIn(listeners()),
                         [](const ::testing::TestParamInfo<Listener>& info) { return info.param.name; });
