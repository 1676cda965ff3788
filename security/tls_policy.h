#pragma once
// TLS policy (edukoppeling.md §1, §3): TLS 1.2 minimum, NCSC "good" suites only, mutual
// authentication with a full chain to a configured anchor and CRLs for every CA (fail closed).
#include <boost/asio/ssl/context.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "security/ocsp.h"

namespace edugate::security {

struct TlsSettings {
  std::string certificate;          // PEM: own certificate followed by its intermediates
  std::string private_key;          // PEM: own key (a file path, never inline)
  std::string trust_anchors;        // PEM: trusted root certificates
  std::vector<std::string> crls;    // PEM files with CRLs; every CA in a peer chain needs one
  bool check_revocation = true;     // off only for lab setups; logged loudly
  std::string crl_cache_dir;        // fetched CRLs (*.crl.pem, see crl_fetch.h), loaded besides `crls`; empty: none
  bool session_tickets = true;      // server: resumption with tickets under a TicketKeyRing (tls_session.h)
  int ticket_key_rotation_s = 3600; // a new ticket key this often; the previous one is still accepted
  int session_lifetime_s = 3600;    // ticket/session lifetime; never longer than the connection lifetime (WT008)
  // WS-Security signing (wssecurity.certificate, .private_key): a certificate of its own, as G4
  // has one purpose per certificate; empty: the TLS certificate signs. Watched and reloaded with
  // the files above.
  std::string signing_certificate;
  std::string signing_private_key;
  OcspSettings ocsp;                // stapling ours, asking about peers' (security/ocsp.h)
};

class TicketKeyRing;
class LearnedDistributionPoints;

// What the contexts of a running gateway share (TlsContexts makes them): the OCSP answers about
// peers, our own stapled response and the distribution points learned from peers. Without them a
// context checks peers by CRL only and staples nothing (test clients, tools).
struct TlsRuntime {
  std::shared_ptr<OcspResponses> ocsp;
  std::shared_ptr<OcspStaple> staple;
  std::shared_ptr<LearnedDistributionPoints> learned;
};

using SslContextPtr = std::shared_ptr<boost::asio::ssl::context>;

// Throws std::runtime_error naming the file on any unreadable or inconsistent input.
// tickets: the process's ticket key ring; without one (or with session_tickets off) the server
// resumes no sessions at all.
SslContextPtr make_server_context(const TlsSettings& s, std::shared_ptr<TicketKeyRing> tickets = nullptr,
                                  const TlsRuntime& runtime = {});
SslContextPtr make_client_context(const TlsSettings& s, const TlsRuntime& runtime = {});

// A server context for a local listener (the consumer's internal listener): the same protocol
// policy (TLS 1.2 minimum, the suites below, security level 2), our certificate chain and key.
// With client_ca (a PEM file), a client certificate is required and verified against it (chain
// and clientAuth purpose; no CRLs: it is the operator's own CA for its internal systems).
// No session resumption. Throws std::runtime_error naming the file on unreadable input.
SslContextPtr make_local_server_context(const std::string& certificate, const std::string& private_key,
                                        const std::string& client_ca = {});

// The signing certificate and key, when configured, load and belong together; throws
// std::runtime_error naming the file otherwise.
void check_signing_material(const TlsSettings& s);

// Every CRL file in force: the configured ones, then the fetched ones in crl_cache_dir (sorted).
std::vector<std::string> crl_files(const TlsSettings& s);

// The NCSC-good TLS 1.2 cipher list we allow (exposed for tests).
extern const char* const kTls12Ciphers;
extern const char* const kTls13Suites;

// Human-readable reason of the last verification failure on an SSL connection, for logs/audit.
std::string verify_failure_reason(long verify_result);

}  // namespace edugate::security
