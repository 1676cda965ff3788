#pragma once
// Strict HTTP/1.1 at every listener (service, internal, admin): what a request is refused for
// before any handler sees it, and how. Robust to untrusted downstream: the framing of a request
// must be unambiguous (RFC 9112 §6.3), or a proxy in front of us and we could disagree on where
// a request ends and the bytes of the next one (request smuggling). So ambiguous or malformed
// framing is 400, an oversized head 431, a too large body 413, HTTP/1.1 without Host 400; the
// answer says Connection: close, the connection is closed after it and nothing read behind the
// refused request is ever parsed. A plain end of the stream or a timeout is a silent close.
#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "gateway/ops/metrics.h"

struct ssl_st;  // OpenSSL's SSL

namespace edugate::gateway::strict {

struct Refusal {
  boost::beast::http::status status;
  std::string_view reason;  // one of kReasons: the log line's `reason`, the metric's label
  std::string text;         // what was wrong, one line without newline; never an echo of the request
};

// The closed list of reasons (Metrics::kHttpRefusals holds them too).
//   too_large (413)                              body over the listener's limit
//   head_too_large (431)                         request line and fields over the header limit
//   content_length_and_transfer_encoding (400)   both framings at once
//   content_length_conflict (400)                Content-Length fields that disagree
//   bad_content_length (400)                     not a decimal number
//   bad_transfer_encoding (400)                  anything but one `Transfer-Encoding: chunked`
//   bad_chunk (400)                              a bad chunk size, extension or chunk end
//   missing_host (400), bad_host (400)           HTTP/1.1 without Host; more than one Host
//   malformed (400)                              request line, field syntax, line endings
//   method (405)                                 a method the listener does not serve (the listener's call)
inline constexpr std::array<std::string_view, 11> kReasons{"too_large",
                                                           "head_too_large",
                                                           "content_length_and_transfer_encoding",
                                                           "content_length_conflict",
                                                           "bad_content_length",
                                                           "bad_transfer_encoding",
                                                           "bad_chunk",
                                                           "missing_host",
                                                           "bad_host",
                                                           "malformed",
                                                           "method"};

// A read error of Beast's request parser: the refusal to answer, or nullopt when the connection
// just ends (end of stream, timeout, reset, TLS error). head_so_far: the parser's message, whose
// fields before the failing one name the conflict. body_limit: the listener's, for the 413 text.
std::optional<Refusal> refusal_of(const boost::beast::error_code& ec, const boost::beast::http::fields& head_so_far,
                                  std::uint64_t body_limit);

// A parsed head that Beast 1.74 accepts but RFC 9112 does not let us serve: nullopt when it may
// be served. (Beast takes `Transfer-Encoding: gzip` with a Content-Length, or alone as "no
// body"; and it never asks for Host.)
std::optional<Refusal> refusal_of(const boost::beast::http::request_header<>& head);

// The log line (`http_refused`, with reason, status and listener; nothing of the request) and,
// with metrics, the count.
void record(const Refusal& r, std::string_view listener, Metrics* metrics);

// The answer as text/plain.
boost::beast::http::response<boost::beast::http::string_body> plain_answer(const Refusal& r);

namespace detail {
// What the closing sequence keeps alive: the answer being written, the buffer for what is dropped.
struct Closing {
  boost::beast::http::response<boost::beast::http::string_body> answer;
  std::array<char, 16 * 1024> sink{};
  std::size_t dropped = 0;
};

inline constexpr std::chrono::seconds kLinger{2};
inline constexpr std::size_t kMaxDropped = 64u << 20;

// TLS: the close_notify is sent without waiting for the peer's. (While OpenSSL waits for it, the
// application data that still arrives is a fatal error, and the close that follows would reset
// the connection.)
void close_notify_only(ssl_st* ssl);

inline void drop_the_rest(boost::beast::tcp_stream& tcp, std::shared_ptr<void> owner, std::shared_ptr<Closing> st) {
  tcp.async_read_some(boost::asio::buffer(st->sink),
                      [&tcp, owner = std::move(owner), st](boost::beast::error_code ec, std::size_t n) mutable {
                        st->dropped += n;
                        if (!ec && st->dropped <= kMaxDropped)
                          return drop_the_rest(tcp, std::move(owner), std::move(st));
                        boost::beast::error_code ignored;
                        tcp.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
                      });
}

// After the answer (and a close_notify): no more sending, then what the client still sends (the
// rest of a too large body or head) is read from TCP and dropped for a short while, so that
// closing does not reset the connection and lose the answer. None of it is parsed.
inline void linger(boost::beast::tcp_stream& tcp, std::shared_ptr<void> owner, std::shared_ptr<Closing> st) {
  boost::beast::error_code ignored;
  tcp.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ignored);
  drop_the_rest(tcp, std::move(owner), std::move(st));
}

// After the answer was written: TLS says close_notify, then the connection lingers.
template <class Stream>
void close_after_answer(Stream& stream, std::shared_ptr<void> owner, std::shared_ptr<Closing> st) {
  boost::beast::tcp_stream& tcp = boost::beast::get_lowest_layer(stream);
  tcp.expires_after(kLinger);
  if constexpr (std::is_same_v<Stream, boost::beast::tcp_stream>) {
    linger(tcp, std::move(owner), std::move(st));
  } else {
    close_notify_only(stream.native_handle());
    stream.async_shutdown([&tcp, owner = std::move(owner), st](boost::beast::error_code) mutable {
      linger(tcp, std::move(owner), std::move(st));
    });
  }
}
}  // namespace detail

// Writes the answer with Connection: close and closes the connection: TLS says close_notify,
// then the connection lingers (above) for at most kLinger. owner keeps the connection (which
// owns `stream`) alive until then; the connection reads no further request.
template <class Stream>
void answer_and_close(Stream& stream, std::shared_ptr<void> owner,
                      boost::beast::http::response<boost::beast::http::string_body> answer,
                      std::chrono::milliseconds write_timeout) {
  auto st = std::make_shared<detail::Closing>();
  st->answer = std::move(answer);
  st->answer.keep_alive(false);
  st->answer.prepare_payload();
  boost::beast::get_lowest_layer(stream).expires_after(write_timeout);
  auto written = [&stream, owner = std::move(owner), st](boost::beast::error_code ec, std::size_t) mutable {
    if (!ec) return detail::close_after_answer(stream, std::move(owner), std::move(st));
    boost::beast::error_code ignored;
    boost::beast::get_lowest_layer(stream).socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
  };
  boost::beast::http::async_write(stream, st->answer, std::move(written));
}

// record(), then answer_and_close() with the text/plain answer.
template <class Stream>
void refuse(Stream& stream, std::shared_ptr<void> owner, const Refusal& r, std::string_view listener, Metrics* metrics,
            std::chrono::milliseconds write_timeout) {
  record(r, listener, metrics);
  answer_and_close(stream, std::move(owner), plain_answer(r), write_timeout);
}

}  // namespace edugate::gateway::strict
