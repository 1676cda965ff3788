#pragma once
// The server side of TLS for Beast, without the per-connection buffers of asio::ssl::stream
// (issue 17: 1,000 idle keep-alive connections at < 40 KiB each).
//
// asio::ssl::stream keeps four 17 KiB buffers per connection for as long as it lives, idle or
// not: its engine's input and output buffers and the two halves of an OpenSSL BIO pair. This
// stream gives OpenSSL a BIO of its own instead: what OpenSSL writes is appended to one output
// buffer that is sent with one TCP write and then given back, and what TCP delivers is read
// first into a small inline buffer (kFirst: the read an idle connection waits in) and, while
// OpenSSL wants more in the same operation, into a kInput buffer that is given back once
// drained at the next operation's first read. OpenSSL's own record buffers are released while
// idle (SSL_MODE_RELEASE_BUFFERS, set on the contexts). An idle connection thus holds the SSL
// object and kFirst bytes. One copy fewer per byte than the BIO pair, and a response leaves in
// one write, however many records it makes.
//
// The transport is a beast::tcp_stream, so everything that worked on the lowest layer of a
// beast::ssl_stream works here (expires_after, socket(), cancel()), and the errors are those of
// asio::ssl::stream: asio::error::eof after the peer's close_notify, stream_truncated when the
// peer closed TCP without one, OpenSSL's errors in asio's ssl category (ERR_get_error's code).
// One operation at a time (the listener never reads while it writes); not for the client side.
#include <boost/asio/async_result.hpp>
#include <boost/asio/compose.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/stream_base.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <array>
#include <cstddef>
#include <memory>
#include <string>

typedef struct ssl_st SSL;
typedef struct bio_st BIO;

namespace edugate::gateway {

class TlsStream {
 public:
  using next_layer_type = boost::beast::tcp_stream;
  using executor_type = next_layer_type::executor_type;
  static constexpr std::size_t kFirst = 512;       // inline: an idle connection's pending read
  static constexpr std::size_t kInput = 17 * 1024;  // while a record or a body arrives: one TLS record and more

  TlsStream(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context& ctx);
  ~TlsStream();
  TlsStream(const TlsStream&) = delete;
  TlsStream& operator=(const TlsStream&) = delete;

  executor_type get_executor() { return tcp_.get_executor(); }
  next_layer_type& next_layer() { return tcp_; }
  SSL* native_handle() { return ssl_; }

  enum class Kind { handshake, read, write, shutdown };
  // One OpenSSL call for an operation: done (n bytes), wants input from TCP, or failed (ec).
  // Whatever OpenSSL wrote meanwhile is in the output buffer, to be sent first.
  struct Step {
    bool want_input = false;
    boost::system::error_code ec;
    std::size_t n = 0;
  };
  Step step(Kind kind, const void* data, std::size_t size);
  bool has_output() const { return !out_.empty(); }
  boost::asio::const_buffer output() const { return boost::asio::buffer(out_); }
  void output_sent();
  // Where the next TCP read goes: the inline buffer for an operation's first read (the heap
  // buffer, drained, is given back then), the heap buffer for the reads after it.
  boost::asio::mutable_buffer input_space(bool first_read);
  void input_arrived(std::size_t n) { in_end_ += n; }
  void input_ended() { in_eof_ = true; }
  bool input_has_ended() const { return in_eof_; }

  template <class Handler>
  auto async_handshake(boost::asio::ssl::stream_base::handshake_type, Handler&& handler);
  template <class MutableBuffers, class Handler>
  auto async_read_some(const MutableBuffers& buffers, Handler&& handler);
  template <class ConstBuffers, class Handler>
  auto async_write_some(const ConstBuffers& buffers, Handler&& handler);
  template <class Handler>
  auto async_shutdown(Handler&& handler);

 private:
  friend struct TlsBio;
  next_layer_type tcp_;
  SSL* ssl_ = nullptr;
  unsigned char* in_data() { return big_in_use_ ? big_.get() : first_.data(); }
  std::array<unsigned char, kFirst> first_{};
  std::unique_ptr<unsigned char[]> big_;
  bool big_in_use_ = false;  // the unread bytes [in_begin_, in_end_) are in big_, else in first_
  std::size_t in_begin_ = 0, in_end_ = 0;
  bool in_eof_ = false;
  std::string out_;
};

namespace detail {

// The loop of every operation: an OpenSSL call; its output sent; TCP read while it wants input;
// done. `Piece` gives the next (data, size) to hand OpenSSL (a read's buffer, the rest of a
// write's buffers) and takes what it did; a completion never runs inside the initiating call.
template <bool WithSize, class Piece>
struct TlsOp {
  TlsOp(TlsStream& stream, TlsStream::Kind k, Piece p) : s(stream), kind(k), piece(std::move(p)) {}
  TlsStream& s;
  TlsStream::Kind kind;
  Piece piece;
  enum class Phase { start, reading, writing, done } phase = Phase::start;
  bool async = false;     // a completion after I/O may be direct; without any, it is posted
  bool finished = false;  // the operation's result is in (ec, n): complete once the output is sent
  bool first_read = true;
  boost::system::error_code result_ec;
  std::size_t result_n = 0;

  template <class Self>
  void operator()(Self& self, boost::system::error_code ec = {}, std::size_t n = 0) {
    switch (phase) {
      case Phase::done: return complete(self, ec, n);
      case Phase::reading:
        if (ec == boost::asio::error::eof) {
          s.input_ended();
          ec = {};
        }
        if (ec) return finish(self, ec, 0);
        s.input_arrived(n);
        break;
      case Phase::writing:
        s.output_sent();
        if (ec) return finish(self, ec, 0);
        if (finished) return finish(self, result_ec, result_n);
        break;
      case Phase::start: break;
    }
    for (;;) {
      if (piece.empty()) return finish(self, {}, piece.total());
      auto [data, size] = piece.next();
      TlsStream::Step st = s.step(kind, data, size);
      if (!st.want_input && !st.ec) piece.advance(st.n);
      const bool more = !st.want_input && !st.ec && !piece.empty();  // a write of several buffers
      if (s.has_output() && !more) {
        finished = !st.want_input;
        result_ec = st.ec;
        result_n = piece.total();
        phase = Phase::writing;
        async = true;
        return boost::asio::async_write(s.next_layer(), s.output(), std::move(self));
      }
      if (more) continue;
      if (st.ec) return finish(self, st.ec, 0);
      if (!st.want_input) return finish(self, {}, piece.total());
      if (s.input_has_ended()) return finish(self, boost::asio::ssl::error::stream_truncated, 0);
      phase = Phase::reading;
      async = true;
      const bool first = first_read;
      first_read = false;
      return s.next_layer().async_read_some(s.input_space(first), std::move(self));
    }
  }

  template <class Self>
  void finish(Self& self, boost::system::error_code ec, std::size_t n) {
    if (async) return complete(self, ec, n);
    phase = Phase::done;
    async = true;
    boost::asio::post(s.get_executor(), boost::beast::bind_front_handler(std::move(self), ec, n));
  }
  template <class Self>
  void complete(Self& self, boost::system::error_code ec, std::size_t n) {
    if constexpr (WithSize) self.complete(ec, n);
    else self.complete(ec);
  }
};

// Handshake and shutdown: one OpenSSL call until it succeeds.
struct NoData {
  bool done = false;
  bool empty() const { return done; }
  std::pair<const void*, std::size_t> next() const { return {nullptr, 0}; }
  void advance(std::size_t) { done = true; }
  std::size_t total() const { return 0; }
};

// A read: into the first non-empty buffer, as asio::ssl::stream does.
struct ReadInto {
  boost::asio::mutable_buffer b;
  std::size_t got = 0;
  bool done = false;
  bool empty() const { return done || b.size() == 0; }
  std::pair<const void*, std::size_t> next() const { return {b.data(), b.size()}; }
  void advance(std::size_t n) {
    got = n;
    done = true;
  }
  std::size_t total() const { return got; }
};

// A write: the buffers of the sequence (up to 64 KiB) handed to SSL_write a record's worth at a
// time, small buffers gathered into one (Beast's serializer gives the status line, each header
// and the body as buffers of their own; a record each would cost a seal and 22 bytes each), as
// asio::ssl::stream linearises them; then one TCP write of all the records.
template <class ConstBuffers>
struct WriteFrom {
  static constexpr std::size_t kRecord = 16 * 1024;
  ConstBuffers buffers;
  std::size_t written = 0, limit = 0;
  std::string gathered;  // the pieces of the record being written, when more than one buffer
  explicit WriteFrom(const ConstBuffers& b) : buffers(b) {
    limit = std::min<std::size_t>(boost::asio::buffer_size(b), 64 * 1024);
  }
  bool empty() const { return written >= limit; }
  std::pair<const void*, std::size_t> next() {
    const std::size_t want = std::min(kRecord, limit - written);
    std::size_t skip = written;
    gathered.clear();
    for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers); ++it) {
      boost::asio::const_buffer c(*it);
      if (skip >= c.size()) {
        skip -= c.size();
        continue;
      }
      const char* p = static_cast<const char*>(c.data()) + skip;
      const std::size_t n = std::min(c.size() - skip, want - gathered.size());
      skip = 0;
      if (gathered.empty() && n == want) return {p, n};  // within one buffer: no copy
      gathered.append(p, n);
      if (gathered.size() == want) break;
    }
    return {gathered.data(), gathered.size()};
  }
  void advance(std::size_t n) { written += n; }
  std::size_t total() const { return written; }
};

}  // namespace detail

template <class Handler>
auto TlsStream::async_handshake(boost::asio::ssl::stream_base::handshake_type, Handler&& handler) {
  return boost::asio::async_compose<Handler, void(boost::system::error_code)>(
      detail::TlsOp<false, detail::NoData>(*this, Kind::handshake, {}), handler, tcp_);
}

template <class MutableBuffers, class Handler>
auto TlsStream::async_read_some(const MutableBuffers& buffers, Handler&& handler) {
  boost::asio::mutable_buffer first;
  for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers); ++it) {
    boost::asio::mutable_buffer b(*it);
    if (b.size() > 0) {
      first = b;
      break;
    }
  }
  return boost::asio::async_compose<Handler, void(boost::system::error_code, std::size_t)>(
      detail::TlsOp<true, detail::ReadInto>(*this, Kind::read, detail::ReadInto{first}), handler, tcp_);
}

template <class ConstBuffers, class Handler>
auto TlsStream::async_write_some(const ConstBuffers& buffers, Handler&& handler) {
  return boost::asio::async_compose<Handler, void(boost::system::error_code, std::size_t)>(
      detail::TlsOp<true, detail::WriteFrom<ConstBuffers>>(*this, Kind::write, detail::WriteFrom<ConstBuffers>(buffers)),
      handler, tcp_);
}

template <class Handler>
auto TlsStream::async_shutdown(Handler&& handler) {
  return boost::asio::async_compose<Handler, void(boost::system::error_code)>(
      detail::TlsOp<false, detail::NoData>(*this, Kind::shutdown, {}), handler, tcp_);
}

}  // namespace edugate::gateway
