#include "gateway/outbound/client.h"

#include <boost/beast/http.hpp>
#include <libxml/tree.h>

#include <algorithm>

#include "core/rules.h"
#include "core/url.h"
#include "gateway/soap/envelope.h"
#include "gateway/soap/wsa_rules.h"
#include "security/https_client.h"
#include "security/pki.h"
#include "security/wssec.h"
#include "security/xml_guard.h"

namespace edugate::gateway {

namespace http = boost::beast::http;

namespace {

// The remote endpoint: host, port and the path the contract's path is appended to.
struct Remote {
  std::string host, port, path;
};

Result<Remote> parse_remote(const std::string& url) {
  if (url.rfind("https://", 0) != 0) return make_error("TRANSPORT", "URL moet met https:// beginnen");
  auto u = parse_url(url);
  if (!u) return make_error("TRANSPORT", u.error().message);
  Remote r{u->host, u->port, u->path()};
  while (!r.path.empty() && r.path.back() == '/') r.path.pop_back();
  return r;
}

}  // namespace

Client::Client(const Config& config, std::shared_ptr<security::TlsContexts> tls)
    : config_(config),
      tls_(tls ? std::move(tls) : std::make_shared<security::TlsContexts>(config.tls)),
      wss_(std::make_shared<WsSecurity>(config_, tls_)) {}

Result<Exchange> Client::send(const ServiceContract& contract, const Operation& op, const std::string& body_xml,
                              const SendOptions& options) {
  const std::string remote_url = options.url ? *options.url : config_.remote_url;
  const std::optional<Oin> remote_oin = options.remote_oin ? options.remote_oin : config_.remote_oin;
  if (remote_url.empty() || !remote_oin) return make_error("CONFIG", "remote.url en remote.oin zijn niet geconfigureerd");
  auto url = parse_remote(remote_url);
  if (!url) return url.error();
  const Oin from = options.act_for ? *options.act_for : (config_.act_for ? *config_.act_for : config_.oin);

  Exchange ex{options.message_id ? *options.message_id : new_message_id(), 0, {}, {}, {}, {}, false, {}, {}, {}, {}, false};
  const std::string endpoint = "https://" + url->host + ":" + url->port + url->path + contract.path;
  std::string envelope = options.raw_envelope
                             ? body_xml
                             : build_envelope(OutHeaders{address_with_oin(endpoint, *remote_oin),
                                                         anonymous_with_oin(from), op.input_action, ex.sent.str(), ""},
                                              body_xml);
  const bool sign = options.sign.value_or(config_.wss_sign_requests);
  std::string sent_signature;
  if (sign) {
    auto signed_envelope = wss_->sign(envelope, std::nullopt, &sent_signature);
    if (!signed_envelope) return make_error("SIGN", "ondertekenen mislukt: " + signed_envelope.error().message);
    envelope = std::move(*signed_envelope);
  }
  X509ChainPtr server_chain;
  auto transport_error = [](const security::NetError& e) {
    if (e.phase == security::Phase::setup) return make_error("TRANSPORT", "SNI kan niet gezet worden");
    return make_error("TRANSPORT", "verbinding mislukt: " + e.message());
  };
  {
    const int trust_generation = tls_->generation();  // read before the context: see below
    security::Peer peer{url->host, url->port, tls_->client()};
    // A resumed session skips the verification of the server's chain, so a ticket is only offered
    // under the trust (anchors, CRLs) it was verified with: the key names the trust generation,
    // and a reload (a new CRL) sends the next connection through a full handshake. The resumed
    // session carries the server's certificate: the identity check below applies unchanged.
    // A signed request always goes over a full handshake: the receiver builds our signature's
    // chain from the certificates of the TLS handshake, which a resumed session does not carry.
    if (!sign) {
      peer.sessions = sessions_;
      peer.session_key = url->host + ":" + url->port + "#" + std::to_string(trust_generation);
    }
    const auto timeout = std::chrono::milliseconds(options.timeout_ms.value_or(config_.client_timeout_ms));
    security::HttpsClient connection(std::move(peer));
    // Resolve, connect and handshake under one deadline, then the exchange under another.
    if (auto e = connection.open(security::deadline_in(timeout))) return transport_error(*e);

    // The server's identity is the OIN in its certificate, never what it says in a header.
    X509* cert = SSL_get1_peer_certificate(connection.ssl());
    auto id = security::identity_of(cert);
    if (cert) X509_free(cert);
    if (!id || !(id->oin == *remote_oin))
      return make_error("TLS-IDENTITY", "servercertificaat draagt niet het OIN " + remote_oin->str());
    server_chain = peer_chain_of(connection.ssl());
    ex.tls_resumed = connection.resumed();

    security::HttpsClient::Request req{http::verb::post, url->path + contract.path, 11};
    req.set(http::field::host, url->host);
    req.set(http::field::content_type, "text/xml; charset=utf-8");
    req.set("SOAPAction", "\"" + (options.soap_action_header.empty() ? op.input_action : options.soap_action_header) + "\"");
    req.body() = envelope;
    req.prepare_payload();
    security::HttpsClient::Response res;
    if (auto e = connection.exchange(req, res, 20u << 20, security::deadline_in(timeout))) return transport_error(*e);
    ex.http_status = static_cast<int>(res.result_int());
    ex.response = std::move(res.body());
    connection.close();
  }

  auto doc = security::parse_guarded(ex.response);
  if (!doc) return make_error("TRANSPORT", "HTTP " + std::to_string(ex.http_status) + " zonder geldig SOAP-antwoord: " + doc.error().message);
  auto env = read_envelope(std::move(doc).value(), /*allow_wsse=*/true);
  if (!env) return make_error(env.error().code, "antwoord: " + env.error().message, env.error().field);
  ex.relates_to = env->wsa.relates_to.value_or("");
  ex.action = env->wsa.action.value_or("");
  if (auto f = read_fault(env->body_child)) {
    ex.is_fault = true;
    ex.faultcode = std::move(f->faultcode);
    ex.faultstring = std::move(f->faultstring);
    ex.fault_code = std::move(f->code);
    ex.fault_field = std::move(f->field);
  } else if (auto st = check_response_headers(env->wsa, ex.sent, *remote_oin); !st) {
    return st.error();
  }
  // WS-Security on the answer: verified when signed (signer = the server's TLS identity); after a
  // signed request a non-fault answer must be signed and confirm our signature [WB014].
  if (security::wssec::has_security_header(env->doc.get())) {
    auto v = wss_->verify(env->doc.get(), *remote_oin, server_chain.get(), /*request=*/false);
    if (!v) return make_error(v.error().code, "antwoord: " + v.error().message, v.error().field);
    if (sign && std::ranges::find(v->confirmations, sent_signature) == v->confirmations.end())
      return make_error(rules::EK0031, "antwoord bevestigt onze handtekening niet (SignatureConfirmation)",
                        "wsse11:SignatureConfirmation");
  } else if (sign && !ex.is_fault) {
    return make_error(rules::EK0031, "antwoord op een ondertekend verzoek is niet ondertekend", "wsse:Security");
  }
  auto canon = canonical_body(*env);
  if (canon) ex.body_xml = *canon;
  return ex;
}

}  // namespace edugate::gateway
