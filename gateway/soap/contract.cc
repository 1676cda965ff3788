#include "gateway/soap/contract.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <map>
#include <memory>
#include <stdexcept>

#include "core/rules.h"

namespace edugate::gateway {
namespace {

constexpr const char* kWsdlNs = "http://schemas.xmlsoap.org/wsdl/";
constexpr const char* kWsamNs = "http://www.w3.org/2007/05/addressing/metadata";

bool is(const xmlNode* n, const char* local) {
  return n->type == XML_ELEMENT_NODE && n->ns && xmlStrEqual(n->ns->href, BAD_CAST kWsdlNs) &&
         xmlStrEqual(n->name, BAD_CAST local);
}
std::string attr(const xmlNode* n, const char* name, const char* ns = nullptr) {
  xmlChar* v = ns ? xmlGetNsProp(n, BAD_CAST name, BAD_CAST ns) : xmlGetNoNsProp(n, BAD_CAST name);
  std::string s = v ? reinterpret_cast<const char*>(v) : "";
  xmlFree(v);
  return s;
}
std::string local_part(const std::string& qname) {
  auto p = qname.find(':');
  return p == std::string::npos ? qname : qname.substr(p + 1);
}

}  // namespace

const Operation* ServiceContract::by_action(std::string_view action) const {
  for (const auto& op : operations)
    if (op.input_action == action) return &op;
  return nullptr;
}
const Operation* ServiceContract::by_name(std::string_view name) const {
  for (const auto& op : operations)
    if (op.name == name) return &op;
  return nullptr;
}

ServiceContract load_contract(const std::string& dir, const std::string& service) {
  const std::string file = dir + "/" + service + ".wsdl";
  std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc(xmlReadFile(file.c_str(), nullptr, XML_PARSE_NONET), &xmlFreeDoc);
  if (!doc) throw std::runtime_error("cannot read WSDL " + file);
  xmlNode* root = xmlDocGetRootElement(doc.get());
  if (!root || !is(root, "definitions")) throw std::runtime_error(file + ": not a WSDL 1.1 document");
  ServiceContract c;
  c.name = service;
  c.target_ns = attr(root, "targetNamespace");
  c.path = "/edukoppeling/" + service;

  std::map<std::string, std::string> message_element;  // message name -> element local name
  int port_types = 0;
  for (xmlNode* n = root->children; n; n = n->next) {
    if (is(n, "message")) {
      for (xmlNode* p = n->children; p; p = p->next)
        if (is(p, "part")) {
          std::string el = attr(p, "element");
          if (el.empty()) throw std::runtime_error(file + ": part of message " + attr(n, "name") + " has no element " + rules::cite(rules::WW004));
          message_element[attr(n, "name")] = local_part(el);
        }
    }
  }
  for (xmlNode* n = root->children; n; n = n->next) {
    if (!is(n, "portType")) continue;
    ++port_types;
    for (xmlNode* o = n->children; o; o = o->next) {
      if (!is(o, "operation")) continue;
      Operation op;
      op.name = attr(o, "name");
      for (xmlNode* io = o->children; io; io = io->next) {
        if (is(io, "input")) {
          op.input_element = message_element[local_part(attr(io, "message"))];
          op.input_action = attr(io, "Action", kWsamNs);
        } else if (is(io, "output")) {
          op.output_element = message_element[local_part(attr(io, "message"))];
          op.output_action = attr(io, "Action", kWsamNs);
        }
      }
      if (op.input_action.empty() || op.output_action.empty())
        throw std::runtime_error(file + ": operation " + op.name + " lacks wsam:Action " + rules::cite(rules::WS008));
      if (op.input_element.empty() || op.output_element.empty())
        throw std::runtime_error(file + ": operation " + op.name + " is not request/response " + rules::cite(rules::WS003));
      c.operations.push_back(op);
    }
  }
  if (port_types != 1) throw std::runtime_error(file + ": must have exactly one portType " + rules::cite(rules::WS005));
  return c;
}

}  // namespace edugate::gateway
