// Fuzz target: the bytes of one keep-alive connection, read as the listeners read them (Beast's
// request parser, the head judged by gateway/edge/http_strict.h before the body, the next
// request after a served one). A request that is served must have unambiguous framing (one
// Content-Length, or one Transfer-Encoding: chunked, never both) and, in HTTP/1.1, one Host; a
// refusal must be 400, 413 or 431 and ends the connection (nothing after it is parsed).
#include <boost/beast/http.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "gateway/edge/http_strict.h"

namespace {
namespace beast = boost::beast;
namespace http = beast::http;
using namespace edugate::gateway;

void check(bool ok) {
  if (!ok) std::abort();
}

void refused(const strict::Refusal& r) {
  const auto s = static_cast<int>(r.status);
  check(s == 400 || s == 413 || s == 431);
}

// One request from the front of `in`; false when the connection ends (refused, or incomplete).
bool one_request(std::string_view& in) {
  http::request_parser<http::string_body> p;
  p.header_limit(16 * 1024);
  p.body_limit(64 * 1024);
  bool head_checked = false;
  for (;;) {
    beast::error_code ec;
    const auto n = p.put(boost::asio::buffer(in.data(), in.size()), ec);
    in.remove_prefix(n);
    if (ec == http::error::need_more) return false;
    if (ec) {
      if (auto r = strict::refusal_of(ec, p.get(), 64 * 1024)) refused(*r);
      return false;
    }
    if (p.is_header_done() && !head_checked) {
      head_checked = true;
      const auto& h = p.get();
      if (auto r = strict::refusal_of(h)) {
        refused(*r);
        return false;
      }
      const auto lengths = h.count(http::field::content_length);
      const auto encodings = h.count(http::field::transfer_encoding);
      check(!(lengths > 0 && encodings > 0));
      check(encodings <= 1);
      check(encodings == 0 || (p.chunked() && h.version() >= 11));
      check(h.version() < 11 || h.count(http::field::host) == 1);
    }
    if (p.is_done()) return true;
    if (n == 0) return false;  // no progress: Beast wants more than there is
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  for (int i = 0; i < 16 && !in.empty() && one_request(in); ++i) {
  }
  return 0;
}
