// Strict HTTP/1.1 (gateway/edge/http_strict.h) on Beast 1.74's request parser, fed the way the
// listeners read: the head first (then its check), then the body. Each case also says what Beast
// does by itself, so an upgrade that changes it shows up here.
#include "gateway/edge/http_strict.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/error.hpp>
#include <string>

using namespace edugate::gateway;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {

struct Judged {
  std::string outcome;      // "served", the refusal's reason, "closed" (a silent close) or "incomplete"
  int status = 0;           // of the refusal
  beast::error_code beast;  // the parser's own error, if any
  std::size_t unread = 0;   // bytes nobody parsed
};

constexpr std::uint64_t kBodyLimit = 1u << 20;

Judged judge(std::string_view bytes) {
  http::request_parser<http::string_body> p;
  p.header_limit(16 * 1024);
  p.body_limit(kBodyLimit);
  bool head_checked = false;
  for (;;) {
    beast::error_code ec;
    const auto n = p.put(asio::buffer(bytes.data(), bytes.size()), ec);
    bytes.remove_prefix(n);
    if (ec == http::error::need_more) return {"incomplete", 0, {}, bytes.size()};
    if (ec) {
      auto r = strict::refusal_of(ec, p.get(), kBodyLimit);
      if (!r) return {"closed", 0, ec, bytes.size()};
      return {std::string(r->reason), static_cast<int>(r->status), ec, bytes.size()};
    }
    if (p.is_header_done() && !head_checked) {
      head_checked = true;
      if (auto r = strict::refusal_of(p.get()))
        return {std::string(r->reason), static_cast<int>(r->status), {}, bytes.size()};
    }
    if (p.is_done()) return {"served", 0, {}, bytes.size()};
    if (n == 0) return {"incomplete", 0, {}, bytes.size()};
  }
}

const std::string kPost = "POST /edukoppeling/leerbedrijf HTTP/1.1\r\nHost: gateway\r\n";

}  // namespace

TEST(HttpStrict, BeastRefusesTheSecondFramingFieldAndTheFieldsBeforeItSayWhich) {
  auto a = judge(kPost + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  EXPECT_EQ(a.beast, http::error::bad_transfer_encoding);
  EXPECT_EQ(a.outcome, "content_length_and_transfer_encoding");
  EXPECT_EQ(a.status, 400);
  auto b = judge(kPost + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n");
  EXPECT_EQ(b.beast, http::error::bad_content_length);
  EXPECT_EQ(b.outcome, "content_length_and_transfer_encoding");
  auto c = judge(kPost + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!");
  EXPECT_EQ(c.beast, http::error::bad_content_length);
  EXPECT_EQ(c.outcome, "content_length_conflict");
  EXPECT_EQ(c.status, 400);
  EXPECT_EQ(judge(kPost + "Content-Length: 5, 6\r\n\r\nhello!").outcome, "bad_content_length");
  EXPECT_EQ(judge(kPost + "Content-Length: abc\r\n\r\n").outcome, "bad_content_length");
  EXPECT_EQ(judge(kPost + "Content-Length: -1\r\n\r\n").outcome, "bad_content_length");
  auto d = judge(kPost + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n");
  EXPECT_EQ(d.beast, http::error::bad_transfer_encoding);
  EXPECT_EQ(d.outcome, "bad_transfer_encoding");
}

TEST(HttpStrict, FramingThatBeastAcceptsButRfc9112DoesNotIsRefusedAtTheHead) {
  // A coding Beast does not know beside a Content-Length: Beast frames by the length.
  auto a = judge(kPost + "Transfer-Encoding: gzip\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_FALSE(a.beast);
  EXPECT_EQ(a.outcome, "content_length_and_transfer_encoding");
  EXPECT_EQ(a.status, 400);
  // Beast reads a request whose last coding is not chunked as having no body: its body would be
  // parsed as the next request (RFC 9112 §6.3 says 400 and close).
  auto b = judge(kPost + "Transfer-Encoding: gzip\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_FALSE(b.beast);
  EXPECT_EQ(b.outcome, "bad_transfer_encoding");
  EXPECT_GT(b.unread, 0u) << "the hidden request is never parsed";
  EXPECT_EQ(judge(kPost + "Transfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n").outcome, "bad_transfer_encoding");
  EXPECT_EQ(judge(kPost + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n").outcome, "bad_transfer_encoding");
  EXPECT_EQ(judge(kPost + "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").outcome,
            "bad_transfer_encoding");
  EXPECT_EQ(judge(kPost + "Transfer-Encoding: identity\r\n\r\n").outcome, "bad_transfer_encoding");
  // RFC 9112 §6.1: a Transfer-Encoding in HTTP/1.0 is faulty framing (Beast decodes it).
  auto c = judge("POST /x HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  EXPECT_FALSE(c.beast);
  EXPECT_EQ(c.outcome, "bad_transfer_encoding");
}

TEST(HttpStrict, PlainFramingIsServed) {
  EXPECT_EQ(judge(kPost + "Content-Length: 5\r\n\r\nhello").outcome, "served");
  EXPECT_EQ(judge(kPost + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n").outcome, "served");
  EXPECT_EQ(judge(kPost + "Transfer-Encoding:  Chunked \r\n\r\n5\r\nhello\r\n0\r\n\r\n").outcome, "served");
  // The same length twice is one length (RFC 9110 §8.6 allows taking it as such).
  EXPECT_EQ(judge(kPost + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello").outcome, "served");
  EXPECT_EQ(judge("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").outcome, "served");
}

TEST(HttpStrict, Http11WithoutHostIs400AndHttp10WithoutHostIsServed) {
  auto a = judge("POST /edukoppeling/leerbedrijf HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello");
  EXPECT_EQ(a.outcome, "missing_host");
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(judge("POST /edukoppeling/leerbedrijf HTTP/1.0\r\nContent-Length: 5\r\n\r\nhello").outcome, "served");
  EXPECT_EQ(judge(kPost + "Host: other\r\nContent-Length: 5\r\n\r\nhello").outcome, "bad_host");
  EXPECT_EQ(judge("GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n").outcome, "bad_host");
}

TEST(HttpStrict, OversizedHeadsAre431) {
  auto a = judge(kPost + "X-Long: " + std::string(100 * 1024, 'a') + "\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(a.beast, http::error::header_limit);
  EXPECT_EQ(a.outcome, "head_too_large");
  EXPECT_EQ(a.status, 431);
  std::string many = kPost;
  for (int i = 0; i < 10000; ++i) many += "X-F" + std::to_string(i) + ": v\r\n";
  auto b = judge(many + "Content-Length: 0\r\n\r\n");
  EXPECT_EQ(b.outcome, "head_too_large");
  EXPECT_EQ(b.status, 431);
  EXPECT_EQ(judge("GET /" + std::string(20 * 1024, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n").outcome, "head_too_large");
}

TEST(HttpStrict, BadChunksAre400) {
  const std::string te = kPost + "Transfer-Encoding: chunked\r\n\r\n";
  auto a = judge(te + "zz\r\nhello\r\n0\r\n\r\n");
  EXPECT_EQ(a.beast, http::error::bad_chunk);
  EXPECT_EQ(a.outcome, "bad_chunk");
  EXPECT_EQ(a.status, 400);
  EXPECT_EQ(judge(te + "5\r\nhelloXX0\r\n\r\n").outcome, "bad_chunk") << "chunk data not ended by CRLF";
  EXPECT_EQ(judge(te + "5;\x01\r\nhello\r\n0\r\n\r\n").outcome, "bad_chunk") << "a bad chunk extension";
  EXPECT_EQ(judge(te + "ffffffffffffffffff\r\n").outcome, "bad_chunk") << "a chunk size that overflows";
}

TEST(HttpStrict, MalformedRequestLinesAndFieldsAre400) {
  EXPECT_EQ(judge("POST /x HTTP/x.1\r\nHost: x\r\n\r\n").outcome, "malformed");
  EXPECT_EQ(judge("PO ST /x HTTP/1.1\r\nHost: x\r\n\r\n").outcome, "malformed");
  EXPECT_EQ(judge(kPost + "Content-Length : 5\r\n\r\nhello").outcome, "malformed") << "whitespace before the colon";
  EXPECT_EQ(judge(kPost + "X-Bad\x01: v\r\n\r\n").outcome, "malformed");
  EXPECT_EQ(judge("POST /x HTTP/1.1\r\nHost: x\r\r\n\r\n").outcome, "malformed");
}

TEST(HttpStrict, ATooLargeBodyIs413NamingTheLimit) {
  auto a = judge(kPost + "Content-Length: " + std::to_string(kBodyLimit + 1) + "\r\n\r\n");
  EXPECT_EQ(a.beast, http::error::body_limit);
  EXPECT_EQ(a.outcome, "too_large");
  EXPECT_EQ(a.status, 413);
  auto r = strict::refusal_of(http::error::body_limit, http::fields{}, 4096);
  ASSERT_TRUE(r);
  EXPECT_NE(r->text.find("4096"), std::string::npos) << r->text;
  std::string chunked = kPost + "Transfer-Encoding: chunked\r\n\r\n";
  chunked += "100000\r\n" + std::string(0x100000, 'a') + "\r\n1\r\na\r\n0\r\n\r\n";
  EXPECT_EQ(judge(chunked).outcome, "too_large") << "a growing chunked body";
}

TEST(HttpStrict, TheEndOfTheStreamATimeoutOrAResetIsASilentClose) {
  const http::fields none;
  EXPECT_FALSE(strict::refusal_of(http::error::end_of_stream, none, kBodyLimit));
  EXPECT_FALSE(strict::refusal_of(http::error::partial_message, none, kBodyLimit));
  EXPECT_FALSE(strict::refusal_of(asio::error::eof, none, kBodyLimit));
  EXPECT_FALSE(strict::refusal_of(asio::error::connection_reset, none, kBodyLimit));
  EXPECT_FALSE(strict::refusal_of(beast::error::timeout, none, kBodyLimit));
  EXPECT_FALSE(strict::refusal_of(asio::error::operation_aborted, none, kBodyLimit));
}

TEST(HttpStrict, TheAnswerClosesTheConnection) {
  auto r = strict::refusal_of(http::error::bad_chunk, http::fields{}, kBodyLimit);
  ASSERT_TRUE(r);
  auto res = strict::plain_answer(*r);
  EXPECT_EQ(res.result(), http::status::bad_request);
  EXPECT_FALSE(res.keep_alive());
  EXPECT_EQ(res[http::field::connection], "close");
  EXPECT_EQ(res.body(), r->text + "\n");
}

TEST(HttpStrict, EveryReasonIsALabelOfTheMetric) {
  const auto& labels = Metrics::kHttpRefusals;
  for (auto reason : strict::kReasons)
    EXPECT_NE(std::find(labels.begin(), labels.end(), reason), labels.end()) << reason;
  EXPECT_EQ(labels.size(), strict::kReasons.size() + 1) << "the reasons and \"other\"";
  EXPECT_EQ(labels.back(), "other");
}
