#include "security/xml_guard.h"

#include <libxml/parser.h>

#include <algorithm>
#include <cctype>
#include <string>

namespace edugate::security {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// The encoding named in the XML declaration, if any.
std::string_view declared_encoding(std::string_view doc) {
  if (doc.substr(0, 5) != "<?xml") return {};
  auto end = doc.find("?>");
  if (end == std::string_view::npos) return {};
  std::string_view decl = doc.substr(0, end);
  auto pos = decl.find("encoding");
  if (pos == std::string_view::npos) return {};
  pos = decl.find_first_of("\"'", pos);
  if (pos == std::string_view::npos) return "?";
  char quote = decl[pos];
  auto close = decl.find(quote, pos + 1);
  if (close == std::string_view::npos) return "?";
  return decl.substr(pos + 1, close - pos - 1);
}

Status check_limits(const xmlNode* root, const XmlLimits& lim) {
  std::size_t nodes = 0;
  // Iterative walk: depth is also bounded by libxml2 itself (256 without XML_PARSE_HUGE).
  const xmlNode* n = root;
  int depth = 1;
  while (n != nullptr) {
    if (++nodes > lim.max_nodes) return make_error("DK0001", "XML-document bevat te veel knopen");
    if (n->type == XML_ELEMENT_NODE) {
      if (depth > lim.max_depth) return make_error("DK0001", "XML-document is te diep genest");
      if (xmlStrlen(n->name) > static_cast<int>(lim.max_name)) return make_error("DK0001", "elementnaam te lang");
      int attrs = 0;
      for (const xmlAttr* a = n->properties; a != nullptr; a = a->next) {
        if (xmlStrlen(a->name) > static_cast<int>(lim.max_name)) return make_error("DK0001", "attribuutnaam te lang");
        ++attrs;
      }
      for (const xmlNs* ns = n->nsDef; ns != nullptr; ns = ns->next) ++attrs;
      if (attrs > lim.max_attributes) return make_error("DK0001", "element heeft te veel attributen");
    } else if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
      if (n->content != nullptr && static_cast<std::size_t>(xmlStrlen(n->content)) > lim.max_text)
        return make_error("DK0001", "tekstknoop te groot");
    } else if (n->type == XML_ENTITY_REF_NODE || n->type == XML_DTD_NODE || n->type == XML_ENTITY_DECL) {
      return make_error("DK0001", "entiteiten zijn niet toegestaan");
    }
    if (n->type == XML_ELEMENT_NODE && n->children != nullptr) {
      n = n->children;
      ++depth;
      continue;
    }
    while (n != nullptr && n->next == nullptr) {
      n = n->parent;
      --depth;
      if (n == nullptr || n == root->parent || depth == 0) return ok_status();
    }
    if (n != nullptr) n = n->next;
  }
  return ok_status();
}

}  // namespace

void init_xml() { xmlInitParser(); }

bool is_valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t i = 0, n = s.size();
  while (i < n) {
    unsigned char c = p[i];
    if (c < 0x80) { ++i; continue; }
    std::size_t len;
    unsigned cp;
    if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
    else return false;
    if (i + len > n) return false;
    for (std::size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    i += len;
  }
  return true;
}

Result<XmlDocPtr> parse_guarded(std::string_view bytes, const XmlLimits& limits) {
  if (bytes.empty()) return make_error("DK0001", "leeg bericht: geen XML");
  if (bytes.size() >= 2 && ((bytes[0] == '\xFE' && bytes[1] == '\xFF') || (bytes[0] == '\xFF' && bytes[1] == '\xFE')))
    return make_error("DK0009", "bericht is UTF-16; alleen UTF-8 is toegestaan");
  if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  if (!is_valid_utf8(bytes)) return make_error("DK0009", "bericht is geen geldige UTF-8");
  std::string_view enc = declared_encoding(bytes);
  if (!enc.empty() && !iequals(enc, "utf-8"))
    return make_error("DK0009", "XML-declaratie noemt een andere codering dan UTF-8");
  // Refused before parsing: a DTD is where entity expansion (billion laughs) and XXE live.
  if (bytes.find("<!DOCTYPE") != std::string_view::npos || bytes.find("<!ENTITY") != std::string_view::npos)
    return make_error("DK0001", "DOCTYPE/DTD is niet toegestaan");
  if (bytes.size() > static_cast<std::size_t>(INT32_MAX)) return make_error("DK0001", "bericht te groot");

  xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
  if (ctxt == nullptr) return make_error("DK0051", "geen geheugen voor XML-parser");
  const int options = XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
  xmlDocPtr doc = xmlCtxtReadMemory(ctxt, bytes.data(), static_cast<int>(bytes.size()), nullptr, "UTF-8", options);
  std::string why;
  if (doc == nullptr || !ctxt->wellFormed) {
    const xmlError* err = xmlCtxtGetLastError(ctxt);
    why = err && err->message ? err->message : "onbekende fout";
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
  }
  xmlFreeParserCtxt(ctxt);
  XmlDocPtr owned(doc);
  if (!why.empty() || !owned) return make_error("DK0001", "XML is niet well-formed: " + why);
  if (owned->intSubset != nullptr || owned->extSubset != nullptr)
    return make_error("DK0001", "DOCTYPE/DTD is niet toegestaan");
  xmlNode* root = xmlDocGetRootElement(owned.get());
  if (root == nullptr) return make_error("DK0001", "XML zonder root-element");
  if (auto st = check_limits(root, limits); !st) return st.error();
  return owned;
}

}  // namespace edugate::security
