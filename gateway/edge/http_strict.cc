#include "gateway/edge/http_strict.h"

#include <openssl/ssl.h>

#include "gateway/ops/log.h"

namespace edugate::gateway::strict {

namespace beast = boost::beast;
namespace http = beast::http;

namespace {

Refusal bad_request(std::string_view reason, std::string text) {
  return {http::status::bad_request, reason, std::move(text)};
}

bool is_chunked(beast::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return beast::iequals(s, "chunked");
}

}  // namespace

std::optional<Refusal> refusal_of(const beast::error_code& ec, const http::fields& head_so_far,
                                  std::uint64_t body_limit) {
  if (ec.category() != http::make_error_code(http::error::header_limit).category()) return std::nullopt;
  const bool has_length = head_so_far.count(http::field::content_length) > 0;
  const bool has_encoding = head_so_far.count(http::field::transfer_encoding) > 0;
  switch (static_cast<http::error>(ec.value())) {
    case http::error::header_limit:
      return Refusal{http::status::request_header_fields_too_large, "head_too_large",
                     "verzoekregel en headervelden te groot"};
    case http::error::body_limit:
      return Refusal{http::status::payload_too_large, "too_large",
                     "bericht groter dan de limiet van " + std::to_string(body_limit) + " bytes"};
    // Beast refuses a second framing field itself; the fields read before it say which it was.
    case http::error::bad_content_length:
      if (has_encoding)
        return bad_request("content_length_and_transfer_encoding", "Content-Length en Transfer-Encoding samen");
      if (has_length) return bad_request("content_length_conflict", "Content-Length-velden die elkaar tegenspreken");
      return bad_request("bad_content_length", "Content-Length is geen getal");
    case http::error::bad_transfer_encoding:
      if (has_length)
        return bad_request("content_length_and_transfer_encoding", "Content-Length en Transfer-Encoding samen");
      return bad_request("bad_transfer_encoding", "alleen één Transfer-Encoding: chunked");
    case http::error::bad_chunk:
    case http::error::bad_chunk_extension:
      return bad_request("bad_chunk", "ongeldige chunk in een chunked body");
    case http::error::bad_line_ending:
    case http::error::bad_method:
    case http::error::bad_target:
    case http::error::bad_version:
    case http::error::bad_status:
    case http::error::bad_reason:
    case http::error::bad_field:
    case http::error::bad_value:
    case http::error::bad_obs_fold:
      return bad_request("malformed", "ongeldige verzoekregel of headerveld");
    default:  // end_of_stream, partial_message, short_read …: the client went away
      return std::nullopt;
  }
}

std::optional<Refusal> refusal_of(const http::request_header<>& head) {
  // RFC 9112 §3.2: 400 for HTTP/1.1 without Host, and for more than one Host in any version.
  const auto hosts = head.count(http::field::host);
  if (hosts > 1) return bad_request("bad_host", "meer dan één Host-veld");
  if (hosts == 0 && head.version() >= 11) return bad_request("missing_host", "HTTP/1.1-verzoek zonder Host");
  // RFC 9112 §6.1-6.3: chunked is the only transfer coding we decode; anything else cannot be
  // framed, and with a Content-Length beside it the framing is ambiguous.
  const auto encodings = head.count(http::field::transfer_encoding);
  if (encodings > 0 && head.count(http::field::content_length) > 0)
    return bad_request("content_length_and_transfer_encoding", "Content-Length en Transfer-Encoding samen");
  if (encodings > 1 || (encodings == 1 && !is_chunked(head[http::field::transfer_encoding])))
    return bad_request("bad_transfer_encoding", "alleen één Transfer-Encoding: chunked");
  // §6.1: HTTP/1.0 has no transfer codings; its framing is to be treated as faulty.
  if (encodings > 0 && head.version() < 11)
    return bad_request("bad_transfer_encoding", "Transfer-Encoding in HTTP/1.0");
  return std::nullopt;
}

void record(const Refusal& r, std::string_view listener, Metrics* metrics) {
  if (metrics) metrics->http_refused(r.reason);
  jlog::info("http_refused", {{"listener", listener}, {"reason", r.reason}, {"status", static_cast<int>(r.status)}});
}

// As if the peer's close_notify had come: SSL_shutdown sends ours and is done.
void detail::close_notify_only(ssl_st* ssl) { SSL_set_shutdown(ssl, SSL_get_shutdown(ssl) | SSL_RECEIVED_SHUTDOWN); }

http::response<http::string_body> plain_answer(const Refusal& r) {
  http::response<http::string_body> res(r.status, 11);
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.set(http::field::cache_control, "no-store");
  res.keep_alive(false);
  res.body() = r.text + "\n";
  return res;
}

}  // namespace edugate::gateway::strict
