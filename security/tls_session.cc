#include "security/tls_session.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <string>

namespace edugate::security {

TicketKeyRing::TicketKeyRing(std::chrono::seconds rotation, Clock clock)
    : rotation_(rotation.count() > 0 ? rotation : std::chrono::seconds(1)), clock_(std::move(clock)) {
  current_ = fresh(clock_());
  generation_ = 1;
}

TicketKeyRing::~TicketKeyRing() {
  wipe(current_);
  wipe(previous_);
}

TicketKeyRing::Key TicketKeyRing::fresh(std::chrono::steady_clock::time_point now) {
  Key k{};
  if (RAND_bytes(k.name, sizeof k.name) != 1 || RAND_priv_bytes(k.aes, sizeof k.aes) != 1 ||
      RAND_priv_bytes(k.hmac, sizeof k.hmac) != 1) {
    OPENSSL_cleanse(&k, sizeof k);
    throw std::runtime_error("no random bytes for a session ticket key");
  }
  k.created = now;
  return k;
}

void TicketKeyRing::wipe(std::optional<Key>& k) {
  if (k) OPENSSL_cleanse(&*k, sizeof *k);
  k.reset();
}

int TicketKeyRing::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

void TicketKeyRing::rotate_if_due(std::chrono::steady_clock::time_point now) {
  const auto age = now - current_->created;
  if (age < rotation_) return;
  // Rotation is lazy: after a quiet spell longer than two periods the old key is no use to
  // anyone and goes too, so no ticket is ever opened with a key older than two periods.
  Key next = fresh(now);
  wipe(previous_);
  if (age < 2 * rotation_) previous_ = *current_;
  wipe(current_);
  current_ = next;
  OPENSSL_cleanse(&next, sizeof next);
  ++generation_;
}

namespace {
bool set_mac_key(EVP_MAC_CTX* mac, const unsigned char* key, std::size_t len) {
  OSSL_PARAM params[] = {OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, const_cast<unsigned char*>(key), len),
                         OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, const_cast<char*>("SHA256"), 0),
                         OSSL_PARAM_construct_end()};
  return EVP_MAC_CTX_set_params(mac, params) == 1;
}
}  // namespace

int TicketKeyRing::seal(unsigned char key_name[16], unsigned char* iv, EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac) {
  std::lock_guard lock(mu_);
  try {
    rotate_if_due(clock_());
  } catch (const std::runtime_error&) {
    return -1;
  }
  const int iv_len = EVP_CIPHER_get_iv_length(EVP_aes_256_cbc());
  if (RAND_bytes(iv, iv_len) != 1) return -1;
  std::memcpy(key_name, current_->name, sizeof current_->name);
  if (EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, current_->aes, iv) != 1) return -1;
  if (!set_mac_key(mac, current_->hmac, sizeof current_->hmac)) return -1;
  return 1;
}

int TicketKeyRing::open(const unsigned char key_name[16], const unsigned char* iv, EVP_CIPHER_CTX* cipher,
                        EVP_MAC_CTX* mac) {
  std::lock_guard lock(mu_);
  const auto now = clock_();
  try {
    rotate_if_due(now);
  } catch (const std::runtime_error&) {
    return -1;
  }
  const Key* key = nullptr;
  int verdict = 0;
  if (CRYPTO_memcmp(key_name, current_->name, sizeof current_->name) == 0) {
    key = &*current_;
    verdict = 1;
  } else if (previous_ && CRYPTO_memcmp(key_name, previous_->name, sizeof previous_->name) == 0 &&
             now - previous_->created < 2 * rotation_) {
    key = &*previous_;
    verdict = 2;  // still good, but the client gets a ticket under the current key
  }
  if (key == nullptr) return 0;
  if (!set_mac_key(mac, key->hmac, sizeof key->hmac)) return -1;
  if (EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key->aes, iv) != 1) return -1;
  return verdict;
}

namespace {

// The ring rides on the SSL_CTX as a heap-held shared_ptr, freed with the context: a
// connection that outlives a reload still finds it.
void free_ring(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) {
  delete static_cast<std::shared_ptr<TicketKeyRing>*>(ptr);
}

int ring_index() {
  static const int idx = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, &free_ring);
  return idx;
}

int ticket_key_cb(SSL* ssl, unsigned char key_name[16], unsigned char* iv, EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac,
                  int enc) {
  auto* ring = static_cast<std::shared_ptr<TicketKeyRing>*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ring_index()));
  if (ring == nullptr || !*ring) return enc ? -1 : 0;
  return enc ? (*ring)->seal(key_name, iv, cipher, mac) : (*ring)->open(key_name, iv, cipher, mac);
}

struct Attachment {
  std::shared_ptr<ClientSessions> sessions;
  std::string peer;
};

void free_attachment(void*, void* ptr, CRYPTO_EX_DATA*, int, long, void*) { delete static_cast<Attachment*>(ptr); }

int attachment_index() {
  static const int idx = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, &free_attachment);
  return idx;
}

TicketKeyRing* ring_of(SSL* ssl) {
  auto* ring = static_cast<std::shared_ptr<TicketKeyRing>*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), ring_index()));
  return ring ? ring->get() : nullptr;
}

std::int64_t ms_of(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// The ticket's application data: when the full handshake of this chain of resumptions was
// (the ring's clock, milliseconds, big-endian), then the intermediates the client sent in that
// handshake (DER, one after the other): a resumed session carries the client's certificate but
// not its chain, and a signed request over it needs the chain to verify its signer
// (resumed_peer_intermediates). Sealed with the ticket, so a client cannot alter it. A renewed
// ticket inherits it.
int stamp_ticket(SSL* ssl, void*) {
  SSL_SESSION* session = SSL_get0_session(ssl);
  TicketKeyRing* ring = ring_of(ssl);
  if (session == nullptr || ring == nullptr) return 0;
  void* data = nullptr;
  std::size_t len = 0;
  if (SSL_SESSION_get0_ticket_appdata(session, &data, &len) == 1 && len >= 8) return 1;
  std::string appdata(8, '\0');
  std::uint64_t v = static_cast<std::uint64_t>(ms_of(ring->now()));
  for (int i = 7; i >= 0; --i, v >>= 8) appdata[static_cast<std::size_t>(i)] = static_cast<char>(v & 0xff);
  if (STACK_OF(X509)* sent = SSL_get_peer_cert_chain(ssl))  // server side: without the leaf
    for (int i = 0; i < sk_X509_num(sent); ++i) {
      unsigned char* der = nullptr;
      const int n = i2d_X509(sk_X509_value(sent, i), &der);
      if (n > 0) appdata.append(reinterpret_cast<const char*>(der), static_cast<std::size_t>(n));
      OPENSSL_free(der);
    }
  return SSL_SESSION_set1_ticket_appdata(session, appdata.data(), appdata.size());
}

SSL_TICKET_RETURN admit_ticket(SSL* ssl, SSL_SESSION* session, const unsigned char*, std::size_t,
                               SSL_TICKET_STATUS status, void*) {
  switch (status) {
    case SSL_TICKET_SUCCESS:
    case SSL_TICKET_SUCCESS_RENEW: {
      TicketKeyRing* ring = ring_of(ssl);
      void* data = nullptr;
      std::size_t len = 0;
      if (ring == nullptr || SSL_SESSION_get0_ticket_appdata(session, &data, &len) != 1 || len < 8)
        return SSL_TICKET_RETURN_IGNORE_RENEW;
      std::uint64_t start = 0;
      for (std::size_t i = 0; i < 8; ++i) start = (start << 8) | static_cast<const unsigned char*>(data)[i];
      const std::int64_t age_ms = ms_of(ring->now()) - static_cast<std::int64_t>(start);
      const std::int64_t lifetime_ms = std::int64_t{SSL_CTX_get_timeout(SSL_get_SSL_CTX(ssl))} * 1000;
      if (age_ms < 0 || age_ms >= lifetime_ms) return SSL_TICKET_RETURN_IGNORE_RENEW;
      return SSL_TICKET_RETURN_USE_RENEW;  // a fresh ticket each time: each is used once
    }
    case SSL_TICKET_NONE:
    case SSL_TICKET_EMPTY:
    case SSL_TICKET_NO_DECRYPT:
      return SSL_TICKET_RETURN_IGNORE_RENEW;
    default:
      return SSL_TICKET_RETURN_ABORT;
  }
}

}  // namespace

STACK_OF(X509)* resumed_peer_intermediates(SSL* ssl) {
  if (ssl == nullptr || !SSL_session_reused(ssl)) return nullptr;
  SSL_SESSION* session = SSL_get0_session(ssl);
  void* data = nullptr;
  std::size_t len = 0;
  if (session == nullptr || SSL_SESSION_get0_ticket_appdata(session, &data, &len) != 1 || len <= 8) return nullptr;
  STACK_OF(X509)* out = sk_X509_new_null();
  const unsigned char* p = static_cast<const unsigned char*>(data) + 8;
  const unsigned char* end = static_cast<const unsigned char*>(data) + len;
  while (out != nullptr && p < end) {
    X509* cert = d2i_X509(nullptr, &p, static_cast<long>(end - p));
    if (cert == nullptr || sk_X509_push(out, cert) == 0) {
      X509_free(cert);
      sk_X509_pop_free(out, X509_free);
      ERR_clear_error();
      return nullptr;
    }
  }
  return out;
}

void release_ticket_appdata(SSL* ssl) {
  if (SSL_SESSION* session = ssl ? SSL_get0_session(ssl) : nullptr) SSL_SESSION_set1_ticket_appdata(session, nullptr, 0);
}

void enable_session_tickets(SSL_CTX* ctx, std::shared_ptr<TicketKeyRing> ring) {
  const int idx = ring_index();
  if (idx < 0) throw std::runtime_error("no SSL_CTX ex_data index for the ticket key ring");
  delete static_cast<std::shared_ptr<TicketKeyRing>*>(SSL_CTX_get_ex_data(ctx, idx));
  if (SSL_CTX_set_ex_data(ctx, idx, new std::shared_ptr<TicketKeyRing>(std::move(ring))) != 1)
    throw std::runtime_error("cannot attach the ticket key ring");
  if (SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, &ticket_key_cb) != 1 ||
      SSL_CTX_set_session_ticket_cb(ctx, &stamp_ticket, &admit_ticket, nullptr) != 1)
    throw std::runtime_error("cannot install the session ticket callbacks");
}

void enable_client_session_capture(SSL_CTX* ctx) {
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(ctx, [](SSL* ssl, SSL_SESSION* session) -> int {
    auto* a = static_cast<Attachment*>(SSL_get_ex_data(ssl, attachment_index()));
    if (a == nullptr || !SSL_SESSION_is_resumable(session)) return 0;  // not kept: OpenSSL frees it
    a->sessions->keep(a->peer, session);
    return 1;  // we own the reference now
  });
  // TLS 1.2: a resumed session's renewed ticket never reaches the callback above (OpenSSL only
  // drops the old one), so keep the session as it is when the handshake is done.
  SSL_CTX_set_info_callback(ctx, [](const SSL* ssl, int where, int) {
    if (!(where & SSL_CB_HANDSHAKE_DONE) || SSL_version(ssl) >= TLS1_3_VERSION) return;
    auto* a = static_cast<Attachment*>(SSL_get_ex_data(ssl, attachment_index()));
    SSL_SESSION* session = SSL_get1_session(const_cast<SSL*>(ssl));
    if (a != nullptr && session != nullptr && SSL_SESSION_is_resumable(session))
      a->sessions->keep(a->peer, session);
    else if (session != nullptr)
      SSL_SESSION_free(session);
  });
}

namespace {
// A client's session lives as long as the server said its ticket does (the lifetime hint), and
// never longer than the session's own timeout.
bool alive(const SSL_SESSION* session, long now) {
  long lifetime = SSL_SESSION_get_timeout(session);
  if (const unsigned long hint = SSL_SESSION_get_ticket_lifetime_hint(session); hint > 0)
    lifetime = std::min(lifetime, static_cast<long>(hint));
  return SSL_SESSION_get_time(session) + lifetime > now;
}
}  // namespace

ClientSessions::~ClientSessions() {
  for (auto& [peer, s] : sessions_) SSL_SESSION_free(s);
}

void ClientSessions::prepare(SSL* ssl, const std::string& peer) {
  auto* previous = static_cast<Attachment*>(SSL_get_ex_data(ssl, attachment_index()));
  delete previous;
  SSL_set_ex_data(ssl, attachment_index(), new Attachment{shared_from_this(), peer});
  SSL_SESSION* session = nullptr;
  {
    std::lock_guard lock(mu_);
    auto it = sessions_.find(peer);
    if (it == sessions_.end()) return;
    session = it->second;
    sessions_.erase(it);  // a ticket is offered once; the connection brings the next one
  }
  const auto now = static_cast<long>(std::time(nullptr));
  if (alive(session, now)) SSL_set_session(ssl, session);
  SSL_SESSION_free(session);
}

void ClientSessions::keep(const std::string& peer, SSL_SESSION* session) {
  std::lock_guard lock(mu_);
  // Tickets past their lifetime go: a peer key that is never asked for again (a peer that went
  // away, a trust generation that was replaced) does not keep its ticket for ever.
  const auto now = static_cast<long>(std::time(nullptr));
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (!alive(it->second, now)) {
      SSL_SESSION_free(it->second);
      it = sessions_.erase(it);
    } else {
      ++it;
    }
  }
  auto [it, inserted] = sessions_.emplace(peer, session);
  if (!inserted) {
    SSL_SESSION_free(it->second);
    it->second = session;
  }
}

std::size_t ClientSessions::size() const {
  std::lock_guard lock(mu_);
  return sessions_.size();
}

}  // namespace edugate::security
