#pragma once
// SOAP 1.1 envelopes with WS-Addressing: reading a guarded request, writing responses and faults.
#include <libxml/tree.h>

#include <optional>
#include <string>
#include <string_view>

#include "core/ids.h"
#include "core/result.h"
#include "core/rules.h"
#include "security/xml_guard.h"

namespace edugate::gateway {

inline constexpr const char* kSoap11Ns = "http://schemas.xmlsoap.org/soap/envelope/";
inline constexpr const char* kSoap12Ns = "http://www.w3.org/2003/05/soap-envelope";
inline constexpr const char* kWsaNs = "http://www.w3.org/2005/08/addressing";
inline constexpr const char* kWsaAnonymous = "http://www.w3.org/2005/08/addressing/anonymous";
inline constexpr const char* kWsaFaultAction = "http://www.w3.org/2005/08/addressing/fault";
inline constexpr const char* kWsseNs =
    "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd";
inline constexpr const char* kFaultDetailNs = "urn:edugate:gemeenschappelijk:1";

// The WS-Addressing headers as they arrived (raw text; presence is tracked).
struct WsaHeaders {
  std::optional<std::string> to, action, message_id, relates_to;
  std::optional<std::string> from, reply_to, fault_to;  // the wsa:Address inside each
};

struct ParsedEnvelope {
  security::XmlDocPtr doc;
  xmlNode* body_child = nullptr;  // the one child element of soap:Body
  WsaHeaders wsa;
};

// Structure (DK0001), header blocks (DK0010) and the shape of each WS-A header (the code of that
// header). Takes ownership of the guarded document.
Result<ParsedEnvelope> read_envelope(security::XmlDocPtr doc, bool allow_wsse = false);

// The body child as standalone exclusive-canonical XML (namespaces declared where used): the
// input of gSOAP and of the idempotency hash.
Result<std::string> canonical_body(const ParsedEnvelope& env);

// OIN from the ?oin= query parameter of an address (case-insensitive name). Error code empty.
Result<Oin> oin_of_address(std::string_view uri);
// Anonymous for reply purposes: the anonymous URI itself or the anonymous URI with ?oin=.
bool is_anonymous_address(std::string_view uri);
// http://www.w3.org/2005/08/addressing/anonymous?oin=<OIN>
std::string anonymous_with_oin(const Oin& oin);
// Appends or replaces ?oin= on an endpoint URL (always lower-case parameter name).
std::string address_with_oin(std::string_view url, const Oin& oin);

struct OutHeaders {
  std::string to, from, action, message_id;
  std::string relates_to;  // empty: not sent
};

// A full SOAP 1.1 envelope. body_xml is one element (a fragment, no XML declaration).
std::string build_envelope(const OutHeaders& h, std::string_view body_xml);

struct Fault {
  bool client = true;   // soap:Client or soap:Server
  std::string code;     // DK0005, EK0020 ... (empty for an unexpected server error)
  std::string message;  // Dutch, no personal data
  std::string field;    // offending element or header, if any
};
std::string build_fault(const Fault& f, const OutHeaders* h);
// The fault for a catalogue entry: soap:Client or soap:Server as the entry says.
inline Fault make_fault(const rules::Rule& r, std::string message, std::string field = {}) {
  return Fault{r.side != rules::Side::server, std::string(r.code), std::move(message), std::move(field)};
}

// What a soap:Fault answer says, read from soap:Body's child by the client and the probe; nullopt
// when that child is not a SOAP 1.1 Fault. faultcode and faultstring as written; code and field
// from the gem:Foutdetail, empty when it is absent.
struct FaultRead {
  std::string faultcode, faultstring, code, field;
};
std::optional<FaultRead> read_fault(const xmlNode* body_child);

std::string xml_escape(std::string_view s);

}  // namespace edugate::gateway
