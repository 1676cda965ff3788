#include "gateway/soap/envelope.h"

#include <libxml/c14n.h>

#include <cctype>
#include <memory>

#include "core/rules.h"

namespace edugate::gateway {
namespace {

bool in_ns(const xmlNode* n, const char* ns) {
  return n->ns != nullptr && n->ns->href != nullptr && xmlStrEqual(n->ns->href, BAD_CAST ns);
}
bool named(const xmlNode* n, const char* ns, const char* local) {
  return n->type == XML_ELEMENT_NODE && in_ns(n, ns) && xmlStrEqual(n->name, BAD_CAST local);
}
std::string text_of(const xmlNode* n) {
  xmlChar* c = xmlNodeGetContent(n);
  std::string s = c ? reinterpret_cast<const char*>(c) : "";
  xmlFree(c);
  // Trim XML whitespace around the value.
  auto b = s.find_first_not_of(" \t\r\n");
  auto e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? std::string() : s.substr(b, e - b + 1);
}
bool has_element_children(const xmlNode* n) {
  for (const xmlNode* c = n->children; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE) return true;
  return false;
}

// The fault code that belongs to a malformed occurrence of each WS-A header.
const rules::Rule& code_for(std::string_view local) {
  if (local == "To") return rules::DK0005;
  if (local == "Action") return rules::DK0006;
  if (local == "MessageID") return rules::DK0007;
  if (local == "From") return rules::EK0020;
  return rules::DK0011;
}

// wsa:From / wsa:ReplyTo / wsa:FaultTo: an EndpointReference holding only wsa:Address.
Result<std::string> endpoint_address(const xmlNode* n, std::string_view local) {
  const xmlNode* address = nullptr;
  for (const xmlNode* c = n->children; c; c = c->next) {
    if (c->type == XML_TEXT_NODE && !text_of(c).empty())
      return make_error(code_for(local), "wsa:" + std::string(local) + " bevat tekst buiten wsa:Address", "wsa:" + std::string(local));
    if (c->type != XML_ELEMENT_NODE) continue;
    if (!named(c, kWsaNs, "Address") || address != nullptr)
      return make_error(code_for(local), "wsa:" + std::string(local) + " mag alleen één wsa:Address bevatten",
                        "wsa:" + std::string(local));
    address = c;
  }
  if (address == nullptr || has_element_children(address) || text_of(address).empty())
    return make_error(code_for(local), "wsa:" + std::string(local) + "/wsa:Address ontbreekt of is leeg",
                      "wsa:" + std::string(local));
  return text_of(address);
}

}  // namespace

Result<ParsedEnvelope> read_envelope(security::XmlDocPtr doc, bool allow_wsse) {
  xmlNode* root = xmlDocGetRootElement(doc.get());
  if (named(root, kSoap12Ns, "Envelope"))
    return make_error(rules::DK0001, "SOAP 1.2 wordt niet ondersteund; gebruik SOAP 1.1", "soap:Envelope");
  if (!named(root, kSoap11Ns, "Envelope"))
    return make_error(rules::DK0001, "root-element is geen SOAP 1.1 Envelope", "soap:Envelope");

  xmlNode* header = nullptr;
  xmlNode* body = nullptr;
  for (xmlNode* c = root->children; c; c = c->next) {
    if (c->type == XML_TEXT_NODE) {
      if (!text_of(c).empty()) return make_error(rules::DK0001, "tekst direct in soap:Envelope", "soap:Envelope");
      continue;
    }
    if (c->type != XML_ELEMENT_NODE) continue;
    if (named(c, kSoap11Ns, "Header") && header == nullptr && body == nullptr) header = c;
    else if (named(c, kSoap11Ns, "Body") && body == nullptr) body = c;
    else return make_error(rules::DK0001, "onverwacht element in soap:Envelope", reinterpret_cast<const char*>(c->name));
  }
  if (body == nullptr) return make_error(rules::DK0001, "soap:Body ontbreekt", "soap:Body");

  ParsedEnvelope env;
  for (xmlNode* c = body->children; c; c = c->next) {
    if (c->type == XML_TEXT_NODE && !text_of(c).empty())
      return make_error(rules::DK0001, "tekst direct in soap:Body", "soap:Body");
    if (c->type != XML_ELEMENT_NODE) continue;
    if (env.body_child != nullptr) return make_error(rules::DK0001, "soap:Body heeft meer dan één kindelement " + rules::cite(rules::WW003), "soap:Body");
    env.body_child = c;
  }
  if (env.body_child == nullptr) return make_error(rules::DK0001, "soap:Body is leeg", "soap:Body");

  if (header != nullptr) {
    for (xmlNode* h = header->children; h; h = h->next) {
      if (h->type == XML_TEXT_NODE && !text_of(h).empty())
        return make_error(rules::DK0001, "tekst direct in soap:Header", "soap:Header");
      if (h->type != XML_ELEMENT_NODE) continue;
      std::string local = reinterpret_cast<const char*>(h->name);
      if (!in_ns(h, kWsaNs)) {
        if (allow_wsse && local == "Security" && in_ns(h, kWsseNs)) continue;  // checked by wssec::verify
        return make_error(rules::DK0010, "headerblok " + local + " is niet toegestaan; alleen WS-Addressing " + rules::cite(rules::WS007), local);
      }
      std::optional<std::string>* slot = nullptr;
      bool epr = false;
      if (local == "To") slot = &env.wsa.to;
      else if (local == "Action") slot = &env.wsa.action;
      else if (local == "MessageID") slot = &env.wsa.message_id;
      else if (local == "RelatesTo") slot = &env.wsa.relates_to;
      else if (local == "From") { slot = &env.wsa.from; epr = true; }
      else if (local == "ReplyTo") { slot = &env.wsa.reply_to; epr = true; }
      else if (local == "FaultTo") { slot = &env.wsa.fault_to; epr = true; }
      else return make_error(rules::DK0010, "WS-Addressing header wsa:" + local + " wordt niet ondersteund", "wsa:" + local);
      if (slot->has_value())
        return make_error(code_for(local), "wsa:" + local + " komt meer dan eens voor", "wsa:" + local);
      if (epr) {
        auto a = endpoint_address(h, local);
        if (!a) return a.error();
        *slot = *a;
      } else {
        if (has_element_children(h))
          return make_error(code_for(local), "wsa:" + local + " moet een tekstwaarde zijn", "wsa:" + local);
        *slot = text_of(h);
      }
    }
  }
  env.doc = std::move(doc);
  return env;
}

namespace {
void silent(void*, const char*, ...) {}
}  // namespace

Result<std::string> canonical_body(const ParsedEnvelope& env) {
  // libxml2's C14N reports problems (e.g. relative namespace URIs) on stderr; we answer with a
  // fault instead. The handler is per thread in libxml2.
  xmlSetGenericErrorFunc(nullptr, silent);
  std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> copy(xmlNewDoc(BAD_CAST "1.0"), &xmlFreeDoc);
  xmlNode* node = xmlDocCopyNode(env.body_child, copy.get(), 1);
  if (node == nullptr) return make_error(rules::DK0051, "geen geheugen");
  xmlDocSetRootElement(copy.get(), node);
  xmlChar* out = nullptr;
  int n = xmlC14NDocDumpMemory(copy.get(), nullptr, XML_C14N_EXCLUSIVE_1_0, nullptr, 0, &out);
  if (n < 0 || out == nullptr)
    return make_error(rules::DK0001, "body kan niet gecanonicaliseerd worden (bijvoorbeeld een relatieve namespace-URI)",
                      "soap:Body");
  std::string s(reinterpret_cast<const char*>(out), static_cast<size_t>(n));
  xmlFree(out);
  return s;
}

Result<Oin> oin_of_address(std::string_view uri) {
  auto q = uri.find('?');
  if (q == std::string_view::npos) return make_error("", "adres bevat geen ?oin=");
  std::string_view query = uri.substr(q + 1);
  std::optional<std::string_view> found;
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view param = query.substr(0, amp);
    auto eq = param.find('=');
    if (eq != std::string_view::npos && eq == 3) {
      std::string name(param.substr(0, 3));
      for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (name == "oin") {
        if (found) return make_error("", "adres bevat meer dan één oin-parameter");
        found = param.substr(4);
      }
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  if (!found) return make_error("", "adres bevat geen ?oin=");
  auto oin = Oin::parse(*found);
  if (!oin) return make_error("", "oin-parameter is geen geldig OIN");
  return *oin;
}

bool is_anonymous_address(std::string_view uri) {
  std::string_view anon = kWsaAnonymous;
  if (uri == anon) return true;
  return uri.size() > anon.size() && uri.substr(0, anon.size()) == anon && uri[anon.size()] == '?' &&
         oin_of_address(uri).ok();
}

std::string anonymous_with_oin(const Oin& oin) { return std::string(kWsaAnonymous) + "?oin=" + oin.str(); }

std::string address_with_oin(std::string_view url, const Oin& oin) {
  std::string base(url.substr(0, url.find('?')));
  return base + "?oin=" + oin.str();
}

std::string xml_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {
void append_headers(std::string& out, const OutHeaders& h) {
  out += "<soap:Header>";
  out += "<wsa:To>" + xml_escape(h.to) + "</wsa:To>";
  out += "<wsa:From><wsa:Address>" + xml_escape(h.from) + "</wsa:Address></wsa:From>";
  out += "<wsa:Action>" + xml_escape(h.action) + "</wsa:Action>";
  out += "<wsa:MessageID>" + xml_escape(h.message_id) + "</wsa:MessageID>";
  if (!h.relates_to.empty()) out += "<wsa:RelatesTo>" + xml_escape(h.relates_to) + "</wsa:RelatesTo>";
  out += "</soap:Header>";
}
constexpr std::string_view kEnvelopeOpen =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
    "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" "
    "xmlns:wsa=\"http://www.w3.org/2005/08/addressing\">";
}  // namespace

std::string build_envelope(const OutHeaders& h, std::string_view body_xml) {
  std::string out;
  out.reserve(body_xml.size() + 1024);
  out += kEnvelopeOpen;
  append_headers(out, h);
  out += "<soap:Body>";
  out += body_xml;
  out += "</soap:Body></soap:Envelope>";
  return out;
}

namespace {
// The first child element with this local name (any namespace), or null.
const xmlNode* child(const xmlNode* parent, const char* name) {
  for (const xmlNode* c = parent ? parent->children : nullptr; c; c = c->next)
    if (c->type == XML_ELEMENT_NODE && xmlStrEqual(c->name, BAD_CAST name)) return c;
  return nullptr;
}
std::string content_of(const xmlNode* n) {
  if (!n) return {};
  xmlChar* t = xmlNodeGetContent(n);
  std::string s = t ? reinterpret_cast<const char*>(t) : "";
  xmlFree(t);
  return s;
}
}  // namespace

std::optional<FaultRead> read_fault(const xmlNode* body) {
  if (!body || !named(body, kSoap11Ns, "Fault")) return std::nullopt;
  FaultRead f{content_of(child(body, "faultcode")), content_of(child(body, "faultstring")), {}, {}};
  if (const xmlNode* fd = child(child(body, "detail"), "Foutdetail")) {
    f.code = content_of(child(fd, "Code"));
    f.field = content_of(child(fd, "Veld"));
  }
  return f;
}

std::string build_fault(const Fault& f, const OutHeaders* h) {
  std::string out(kEnvelopeOpen);
  if (h) append_headers(out, *h);
  std::string faultstring = f.code.empty() ? f.message : f.code + ": " + f.message;
  out += "<soap:Body><soap:Fault><faultcode>";
  out += f.client ? "soap:Client" : "soap:Server";
  out += "</faultcode><faultstring xml:lang=\"nl\">" + xml_escape(faultstring) + "</faultstring>";
  if (!f.code.empty()) {
    out += "<detail><gem:Foutdetail xmlns:gem=\"";
    out += kFaultDetailNs;
    out += "\"><gem:Code>" + xml_escape(f.code) + "</gem:Code><gem:Omschrijving>" + xml_escape(f.message) +
           "</gem:Omschrijving>";
    if (!f.field.empty()) out += "<gem:Veld>" + xml_escape(f.field) + "</gem:Veld>";
    out += "</gem:Foutdetail></detail>";
  }
  out += "</soap:Fault></soap:Body></soap:Envelope>";
  return out;
}

}  // namespace edugate::gateway
