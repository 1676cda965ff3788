#pragma once
// The XML guard: everything that arrives from the network passes here before any other parser
// sees it. UTF-8 only, no DTD/DOCTYPE (so no entities, no XXE), and caps on depth, attributes,
// names and text. Never XML_PARSE_HUGE, never entity substitution, never network access.
// The caps are checked in one linear scan before libxml2 runs: libxml2 2.9's start-tag parsing
// is quadratic in the attributes of one element, so checking its tree afterwards is too late.
#include <libxml/tree.h>

#include <memory>
#include <string_view>

#include "core/result.h"

namespace edugate::security {

struct XmlLimits {
  int max_depth = 64;
  int max_attributes = 32;       // per element, namespace declarations included
  std::size_t max_name = 256;    // prefix and local part of element and attribute names, each
  std::size_t max_text = 8u << 20;  // one text node or attribute value (base64 attachments stay below this)
  std::size_t max_nodes = 200000;   // elements, text nodes, comments and processing instructions
  std::size_t max_bytes = 20u << 20;  // the whole document: http.max_body_bytes may be 20 MiB
};

struct XmlDocDeleter {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using XmlDocPtr = std::unique_ptr<xmlDoc, XmlDocDeleter>;

// Errors carry DK0009 (not UTF-8) or DK0001 (anything else) in Error::code.
Result<XmlDocPtr> parse_guarded(std::string_view bytes, const XmlLimits& limits = {});

bool is_valid_utf8(std::string_view bytes);

// Call once at start-up (libxml2 global initialisation is not thread-safe).
void init_xml();

}  // namespace edugate::security
