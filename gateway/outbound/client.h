#pragma once
// The Edukoppeling client: one request over mutual TLS with the party's certificate and the WS-A
// headers, and the checks on the answer (TLS identity of the server, RelatesTo, From OIN).
// `edugate send` uses it; the consumer role will too.
#include <optional>
#include <string>

#include "core/ids.h"
#include "core/result.h"
#include "gateway/ops/config.h"
#include "gateway/soap/contract.h"
#include "gateway/soap/wss.h"
#include "security/tls_reload.h"
#include "security/tls_session.h"

namespace edugate::gateway {

struct Exchange {
  MessageId sent;
  int http_status = 0;
  std::string response;            // the raw envelope
  std::string body_xml;            // the body child (response element or soap:Fault), serialized
  std::string relates_to, action;  // of the response
  // When the answer was a SOAP fault:
  bool is_fault = false;
  std::string faultcode, faultstring, fault_code, fault_field;
  bool tls_resumed = false;  // the connection resumed an earlier TLS session (no full handshake)
};

struct SendOptions {
  std::optional<MessageId> message_id;  // reuse to retry the same message
  std::optional<Oin> act_for;           // wsa:From when acting for a school (vendor)
  std::string soap_action_header;       // default: the action
  bool raw_envelope = false;            // body_xml is a whole envelope, sent unchanged (but signed when `sign`);
                                        // message_id must then be its wsa:MessageID
  // Another party than remote.url/remote.oin (the outbox sends to each school's endpoint).
  std::optional<std::string> url;
  std::optional<Oin> remote_oin;
  std::optional<int> timeout_ms;
  // WS-Security: sign the request (default: wssecurity.sign_requests). A signed request needs a
  // signed answer with our SignatureConfirmation; a signed answer is always verified.
  std::optional<bool> sign;
};

class Client {
 public:
  // tls: the reloadable contexts of a running gateway; without it the client reads the files once.
  explicit Client(const Config& config, std::shared_ptr<security::TlsContexts> tls = nullptr);  // throws on unusable TLS files
  // body_xml: the request element. Errors: transport/TLS problems (code TRANSPORT), a server
  // identity that is not remote.oin (code TLS-IDENTITY), response header problems (DK0008 ...).
  Result<Exchange> send(const ServiceContract& contract, const Operation& op, const std::string& body_xml,
                        const SendOptions& options = {});

 private:
  const Config& config_;
  std::shared_ptr<security::TlsContexts> tls_;
  std::shared_ptr<WsSecurity> wss_;
  // TLS session tickets per peer (host:port): a client that sends again, such as the outbox
  // pushing to a school, resumes instead of repeating the full handshake.
  std::shared_ptr<security::ClientSessions> sessions_ = std::make_shared<security::ClientSessions>();
};

}  // namespace edugate::gateway
