#include "gateway/edge/tls_stream.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cstring>
#include <new>

namespace edugate::gateway {

namespace asio = boost::asio;

// OpenSSL's view of the stream: reads come from the input buffer (a retry when it is empty, end
// of file once TCP has ended), writes go to the output buffer (always whole).
struct TlsBio {
  static TlsStream& of(BIO* b) { return *static_cast<TlsStream*>(BIO_get_data(b)); }

  static int write(BIO* b, const char* data, int len) {
    BIO_clear_retry_flags(b);
    if (len <= 0) return 0;
    of(b).out_.append(data, static_cast<std::size_t>(len));
    return len;
  }
  static int read(BIO* b, char* data, int len) {
    BIO_clear_retry_flags(b);
    TlsStream& s = of(b);
    const std::size_t have = s.in_end_ - s.in_begin_;
    if (have == 0) {
      if (s.in_eof_) return 0;
      BIO_set_retry_read(b);
      return -1;
    }
    const std::size_t n = std::min(have, static_cast<std::size_t>(len < 0 ? 0 : len));
    std::memcpy(data, s.in_data() + s.in_begin_, n);
    s.in_begin_ += n;
    if (s.in_begin_ == s.in_end_) s.in_begin_ = s.in_end_ = 0;
    return static_cast<int>(n);
  }
  static long ctrl(BIO* b, int cmd, long, void*) {
    TlsStream& s = of(b);
    switch (cmd) {
      case BIO_CTRL_FLUSH: return 1;
      case BIO_CTRL_PENDING: return static_cast<long>(s.in_end_ - s.in_begin_);
      case BIO_CTRL_WPENDING: return static_cast<long>(s.out_.size());
      case BIO_CTRL_EOF: return s.in_eof_ && s.in_end_ == s.in_begin_ ? 1 : 0;
      default: return 0;
    }
  }
  static int create(BIO* b) {
    BIO_set_init(b, 1);
    return 1;
  }
  static int destroy(BIO*) { return 1; }

  static BIO_METHOD* method() {
    static BIO_METHOD* m = [] {
      BIO_METHOD* bm = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "edugate-tls");
      if (bm == nullptr) throw std::bad_alloc();
      BIO_meth_set_write(bm, &TlsBio::write);
      BIO_meth_set_read(bm, &TlsBio::read);
      BIO_meth_set_ctrl(bm, &TlsBio::ctrl);
      BIO_meth_set_create(bm, &TlsBio::create);
      BIO_meth_set_destroy(bm, &TlsBio::destroy);
      return bm;
    }();
    return m;
  }
};

TlsStream::TlsStream(asio::ip::tcp::socket socket, asio::ssl::context& ctx) : tcp_(std::move(socket)) {
  ssl_ = SSL_new(ctx.native_handle());
  if (ssl_ == nullptr) throw std::bad_alloc();
  BIO* bio = BIO_new(TlsBio::method());
  if (bio == nullptr) {
    SSL_free(ssl_);
    throw std::bad_alloc();
  }
  BIO_set_data(bio, this);
  SSL_set_bio(ssl_, bio, bio);  // one reference, owned by the SSL object
  SSL_set_mode(ssl_, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);  // a retried write may come from another buffer
  SSL_set_accept_state(ssl_);
}

TlsStream::~TlsStream() { SSL_free(ssl_); }

void TlsStream::output_sent() {
  std::string().swap(out_);  // nothing kept between answers: an idle connection holds no output buffer
}

asio::mutable_buffer TlsStream::input_space(bool first_read) {
  // OpenSSL asks for input only once it has read everything buffered, so the buffer is empty here
  // (kept general all the same: unread bytes move to the front of the buffer they are in).
  if (in_begin_ == in_end_) {
    in_begin_ = in_end_ = 0;
    if (first_read) {
      big_.reset();
      big_in_use_ = false;
    } else {
      if (!big_) big_ = std::make_unique_for_overwrite<unsigned char[]>(kInput);
      big_in_use_ = true;
    }
  } else {
    if (!big_) big_ = std::make_unique_for_overwrite<unsigned char[]>(kInput);
    std::memmove(big_.get(), in_data() + in_begin_, in_end_ - in_begin_);  // into the larger buffer
    big_in_use_ = true;
    in_end_ -= in_begin_;
    in_begin_ = 0;
  }
  const std::size_t cap = big_in_use_ ? kInput : kFirst;
  return asio::buffer(in_data() + in_end_, cap - in_end_);
}

TlsStream::Step TlsStream::step(Kind kind, const void* data, std::size_t size) {
  Step st;
  ERR_clear_error();
  int ret = 0;
  std::size_t n = 0;
  switch (kind) {
    case Kind::handshake: ret = SSL_do_handshake(ssl_); break;
    case Kind::read: ret = SSL_read_ex(ssl_, const_cast<void*>(data), size, &n); break;
    case Kind::write: ret = SSL_write_ex(ssl_, data, size, &n); break;
    case Kind::shutdown:
      // As asio::ssl::stream: a second call when the first only sent our close_notify.
      ret = SSL_shutdown(ssl_);
      if (ret == 0) ret = SSL_shutdown(ssl_);
      break;
  }
  if (ret > 0) {
    st.n = n;
    return st;
  }
  switch (SSL_get_error(ssl_, ret)) {
    case SSL_ERROR_WANT_READ:
      st.want_input = true;
      return st;
    case SSL_ERROR_ZERO_RETURN:
      st.ec = asio::error::eof;
      return st;
    default: {
      const unsigned long e = ERR_get_error();
      if (e == 0 || ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
        st.ec = in_eof_ ? boost::system::error_code(asio::ssl::error::stream_truncated)
                        : boost::system::error_code(asio::error::connection_reset);
      else
        st.ec = boost::system::error_code(static_cast<int>(e), asio::error::get_ssl_category());
      return st;
    }
  }
}

}  // namespace edugate::gateway
