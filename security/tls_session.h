#pragma once
// TLS session resumption. The server issues stateless session tickets sealed with keys of our
// own: a TicketKeyRing makes a new key from the CSPRNG every rotation period and still opens
// (and renews) tickets of the previous key; keys live in memory only. The ring is shared by
// every server context of the process, so it outlives TLS reloads. A ticket only resumes under
// the same trust anchors and CRLs it was verified with (tls_policy binds the session id
// context to them), so a refreshed CRL or a changed anchor means a full handshake again.
// Every resumption gets a fresh ticket, but a ticket carries the time of the full handshake it
// descends from: past the session lifetime (WT008) the next connection is a full handshake.
//
// ClientSessions is the client's side: it keeps the latest ticket per peer and offers it on the
// next connection (a TLS 1.3 ticket once, as RFC 8446 advises). OpenSSL drops the session of a
// connection freed without SSL_shutdown, so close connections cleanly to keep their tickets.
#include <openssl/ssl.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace edugate::security {

// The intermediates a client sent in the full handshake that a resumed session descends from,
// carried in our ticket (see stamp_ticket in tls_session.cc): a new stack for the caller to free
// with sk_X509_pop_free, or nullptr when the session is not resumed or carries none.
STACK_OF(X509)* resumed_peer_intermediates(SSL* ssl);

// After the handshake (whose tickets carried it) and after resumed_peer_intermediates: frees the
// session's copy of the ticket data, the client's intermediates (a few KiB per connection that
// nothing reads again). Later tickets on the connection are not issued.
void release_ticket_appdata(SSL* ssl);

class TicketKeyRing {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // Throws std::runtime_error when the CSPRNG cannot give a key (start-up).
  explicit TicketKeyRing(std::chrono::seconds rotation, Clock clock = &std::chrono::steady_clock::now);
  ~TicketKeyRing();
  TicketKeyRing(const TicketKeyRing&) = delete;
  TicketKeyRing& operator=(const TicketKeyRing&) = delete;

  // OpenSSL's ticket key callback (SSL_CTX_set_tlsext_ticket_key_evp_cb), one half each:
  // seal a new ticket with the current key (1, or -1 on error); open one: 1 with the current
  // key, 2 with the previous one (OpenSSL then issues a fresh ticket), 0 when the key is gone
  // (a full handshake follows), -1 on error.
  int seal(unsigned char key_name[16], unsigned char* iv, EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac);
  int open(const unsigned char key_name[16], const unsigned char* iv, EVP_CIPHER_CTX* cipher, EVP_MAC_CTX* mac);

  std::chrono::seconds rotation() const { return rotation_; }
  std::chrono::steady_clock::time_point now() const { return clock_(); }
  int generation() const;  // keys made so far (for tests and logs)

 private:
  struct Key {
    unsigned char name[16];
    unsigned char aes[32];
    unsigned char hmac[32];
    std::chrono::steady_clock::time_point created;
  };
  static Key fresh(std::chrono::steady_clock::time_point now);
  void rotate_if_due(std::chrono::steady_clock::time_point now);  // with mu_ held
  static void wipe(std::optional<Key>& k);

  const std::chrono::seconds rotation_;
  const Clock clock_;
  mutable std::mutex mu_;
  std::optional<Key> current_, previous_;
  int generation_ = 0;
};

// Server: seal session tickets with the ring (tls_policy calls this for server contexts).
void enable_session_tickets(SSL_CTX* ctx, std::shared_ptr<TicketKeyRing> ring);
// Client: lets new sessions reach a ClientSessions attached to the connection (tls_policy calls
// this for every client context; without an attachment nothing is kept).
void enable_client_session_capture(SSL_CTX* ctx);

class ClientSessions : public std::enable_shared_from_this<ClientSessions> {
 public:
  ~ClientSessions();
  // Before the handshake: offer the ticket kept for `peer` (e.g. "host:port"), if any and still
  // within its lifetime, and keep the tickets this connection receives.
  void prepare(SSL* ssl, const std::string& peer);
  std::size_t size() const;

 private:
  friend void enable_client_session_capture(SSL_CTX* ctx);
  void keep(const std::string& peer, SSL_SESSION* session);  // takes ownership

  mutable std::mutex mu_;
  std::map<std::string, SSL_SESSION*> sessions_;
};

}  // namespace edugate::security
