#include "security/xml_guard.h"

#include <libxml/parser.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "core/rules.h"

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

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// ASCII is judged exactly; bytes of multi-byte characters are let through for libxml2 to judge.
bool name_start(char c) {
  auto u = static_cast<unsigned char>(c);
  return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '_' || u == ':' || u >= 0x80;
}
bool name_char(char c) { return name_start(c) || (c >= '0' && c <= '9') || c == '.' || c == '-'; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool legal_char(unsigned long cp) {
  return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) || (cp >= 0xE000 && cp <= 0xFFFD) ||
         (cp >= 0x10000 && cp <= 0x10FFFF);
}

std::size_t utf8_length(unsigned long cp) { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; }

// Length after libxml2's line-end normalisation (CR LF becomes one character).
std::size_t normalised_length(std::string_view s) {
  std::size_t n = s.size();
  for (std::size_t p = 0; p + 1 < s.size(); ++p)
    if (s[p] == '\r' && s[p + 1] == '\n') --n;
  return n;
}

// One pass over the bytes, before libxml2 sees them, that refuses at the first exceeded limit:
// libxml2 2.9 checks the attributes of a start tag against each other (quadratic), so no start
// tag may reach it unbounded. Where libxml2 recovers from an error it resumes somewhere else than
// this scan would (after a bad PI target, inside a comment at an illegal character), so the scan
// refuses such certainly-malformed tokens itself: both must agree on where every start tag is.
class Prescan {
 public:
  Prescan(std::string_view s, const XmlLimits& lim) : s_(s), n_(s.size()), lim_(lim) {}

  Status run() {
    if (!legal_characters()) return err_;
    while (i_ < n_) {
      bool ok;
      if (s_[i_] != '<') {
        ok = chars();
      } else if (at("<![CDATA[")) {
        ok = cdata();
      } else {
        run_ = 0;  // any other markup ends the current text node
        if (at("<!--")) ok = comment();
        else if (at("<?")) ok = pi();
        else if (at("</")) ok = end_tag();
        else if (at("<!")) ok = malformed("'<!' is geen commentaar of CDATA-sectie");
        else if (i_ + 1 < n_ && name_start(s_[i_ + 1])) ok = start_tag();
        else ok = malformed("'<' zonder geldige naam");
      }
      if (!ok) return err_;
    }
    return ok_status();  // unclosed elements and the like: libxml2 says what is wrong
  }

 private:
  bool at(std::string_view lit) const { return s_.substr(i_, lit.size()) == lit; }

  bool malformed(const std::string& why) {
    err_ = make_error(rules::DK0001, "XML is niet well-formed: " + why + " (byte " + std::to_string(i_) + ")");
    return false;
  }
  bool too_much(const std::string& what, std::size_t max, const char* unit = "", const char* note = "") {
    err_ = make_error(rules::DK0001, what + " (max " + std::to_string(max) + unit + note + ")");
    return false;
  }

  bool node() { return ++nodes_ <= lim_.max_nodes || too_much("XML-document bevat te veel knopen", lim_.max_nodes); }

  // Raw control characters, U+FFFE and U+FFFF end comments and PIs early in libxml2: refused here.
  bool legal_characters() {
    constexpr std::uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    for (; i_ < n_; ++i_) {
      // Eight bytes at a time while none is below 0x20 or is 0xEF (the lead byte of U+FFFE/U+FFFF).
      for (std::uint64_t w; i_ + 8 <= n_; i_ += 8) {
        std::memcpy(&w, s_.data() + i_, 8);
        const std::uint64_t ef = w ^ (0xEF * ones);
        if ((((w - 0x20 * ones) & ~w) | ((ef - ones) & ~ef)) & highs) break;
      }
      if (i_ >= n_) break;
      auto c = static_cast<unsigned char>(s_[i_]);
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return malformed("ongeldig teken");
      if (c == 0xEF && i_ + 2 < n_ && s_[i_ + 1] == '\xBF' && (s_[i_ + 2] == '\xBE' || s_[i_ + 2] == '\xBF'))
        return malformed("ongeldig teken");
    }
    i_ = 0;
    return true;
  }

  // A name; prefix and local part each at most max_name, stopping at the first byte over.
  bool name(std::string_view& out, const char* what) {
    std::size_t begin = i_, part = 0;
    bool colon = false;
    if (i_ >= n_ || !name_start(s_[i_])) return malformed(std::string("geen geldige ") + what);
    for (; i_ < n_ && name_char(s_[i_]); ++i_) {
      if (s_[i_] == ':' && !colon) {
        colon = true;
        part = 0;
      } else if (++part > lim_.max_name) {
        return too_much(std::string(what) + " te lang", lim_.max_name, " bytes");
      }
    }
    out = s_.substr(begin, i_ - begin);
    return true;
  }

  // Without a DTD only the five predefined entities and legal character references exist.
  bool reference(std::size_t& decoded) {
    std::size_t j = i_ + 1;
    if (j < n_ && s_[j] == '#') {
      ++j;
      const bool hex = j < n_ && s_[j] == 'x';
      if (hex) ++j;
      unsigned long cp = 0;
      std::size_t digits = 0;
      for (; j < n_; ++j, ++digits) {
        int d = hex ? hex_value(s_[j]) : (s_[j] >= '0' && s_[j] <= '9' ? s_[j] - '0' : -1);
        if (d < 0) break;
        cp = std::min<unsigned long>(cp * (hex ? 16 : 10) + static_cast<unsigned long>(d), 0x110000);
      }
      if (digits == 0 || j >= n_ || s_[j] != ';' || !legal_char(cp)) return malformed("ongeldige tekenreferentie");
      decoded = utf8_length(cp);
    } else {
      std::size_t begin = j;
      while (j < n_ && j - begin < 5 && name_char(s_[j])) ++j;
      std::string_view ent = s_.substr(begin, j - begin);
      if (j >= n_ || s_[j] != ';' ||
          (ent != "lt" && ent != "gt" && ent != "amp" && ent != "apos" && ent != "quot"))
        return malformed("onbekende of onvolledige entiteitsreferentie");
      decoded = 1;
    }
    i_ = j + 1;
    return true;
  }

  // Adds to the current text node, which libxml2 makes of adjacent text, references and CDATA.
  bool text(std::size_t decoded) {
    if (open_.empty() || decoded == 0) return true;  // outside the root libxml2 keeps no text
    if (run_ == 0 && !node()) return false;
    run_ += decoded;
    return run_ <= lim_.max_text || too_much("tekstknoop te groot", lim_.max_text, " bytes");
  }

  // The length of the run from i_ up to the next '<', '&', CR or `quote` (or the end).
  std::size_t plain(char quote = '<') const {
    std::size_t j = i_;
    for (char c; j < n_ && (c = s_[j]) != '<' && c != '&' && c != '\r' && c != quote;) ++j;
    return j - i_;
  }

  bool chars() {
    while (i_ < n_ && s_[i_] != '<') {
      std::size_t decoded = plain();
      if (decoded > 0) {
        i_ += decoded;
      } else if (s_[i_] == '&') {
        if (!reference(decoded)) return false;
      } else {  // CR, alone or before LF, is one LF
        i_ += i_ + 1 < n_ && s_[i_ + 1] == '\n' ? 2 : 1;
        decoded = 1;
      }
      if (!text(decoded)) return false;
    }
    return true;
  }

  bool cdata() {
    std::size_t end = s_.find("]]>", i_ + 9);
    if (end == std::string_view::npos) return malformed("CDATA-sectie niet afgesloten");
    std::size_t len = normalised_length(s_.substr(i_ + 9, end - i_ - 9));
    i_ = end + 3;
    return text(len);
  }

  bool comment() {
    std::size_t end = s_.find("-->", i_ + 4);
    if (end == std::string_view::npos) return malformed("commentaar niet afgesloten");
    std::string_view body = s_.substr(i_ + 4, end - i_ - 4);
    if (body.find("--") != std::string_view::npos || (!body.empty() && body.back() == '-'))
      return malformed("'--' in commentaar");
    i_ = end + 3;
    return node();
  }

  bool pi() {
    const bool first = i_ == 0;
    i_ += 2;
    std::size_t begin = i_;
    if (i_ >= n_ || !name_start(s_[i_])) return malformed("verwerkingsinstructie zonder naam");
    while (i_ < n_ && name_char(s_[i_])) ++i_;
    std::string_view target = s_.substr(begin, i_ - begin);
    if (!at("?>") && (i_ >= n_ || !is_space(s_[i_]))) return malformed("spatie verwacht na naam van verwerkingsinstructie");
    std::size_t end = s_.find("?>", i_);
    if (end == std::string_view::npos) return malformed("verwerkingsinstructie niet afgesloten");
    std::string_view body = s_.substr(i_, end - i_);
    i_ = end + 2;
    // libxml2 ends a broken XML declaration at the next '>', wherever that is.
    if (first && target == "xml" && !body.empty()) {
      if (body.find_first_of("<>") != std::string_view::npos) return malformed("'<' of '>' in XML-declaratie");
      return true;  // the declaration is no node
    }
    return node();
  }

  bool start_tag() {
    ++i_;
    if (open_.size() >= static_cast<std::size_t>(std::max(lim_.max_depth, 0)))
      return too_much("XML-document is te diep genest", static_cast<std::size_t>(std::max(lim_.max_depth, 0)));
    if (!node()) return false;
    std::string_view element;
    if (!name(element, "elementnaam")) return false;
    int attributes = 0;
    for (;;) {
      const std::size_t before = i_;
      while (i_ < n_ && is_space(s_[i_])) ++i_;
      if (i_ >= n_) return malformed("starttag niet afgesloten");
      if (s_[i_] == '>') {
        ++i_;
        open_.push_back(element);
        return true;
      }
      if (s_[i_] == '/') {
        if (i_ + 1 < n_ && s_[i_ + 1] == '>') {
          i_ += 2;
          return true;
        }
        return malformed("'/' zonder '>' in starttag");
      }
      if (i_ == before) return malformed("spatie verwacht voor attribuut");
      if (++attributes > lim_.max_attributes)
        return too_much("element heeft te veel attributen", static_cast<std::size_t>(std::max(lim_.max_attributes, 0)),
                        "", ", namespace-declaraties meegeteld");
      std::string_view attribute;
      if (!name(attribute, "attribuutnaam")) return false;
      while (i_ < n_ && is_space(s_[i_])) ++i_;
      if (i_ >= n_ || s_[i_] != '=') return malformed("'=' verwacht na attribuutnaam");
      ++i_;
      while (i_ < n_ && is_space(s_[i_])) ++i_;
      if (i_ >= n_ || (s_[i_] != '"' && s_[i_] != '\'')) return malformed("attribuutwaarde zonder aanhalingstekens");
      if (!attribute_value()) return false;
    }
  }

  bool attribute_value() {
    const char quote = s_[i_++];
    std::size_t len = 0;
    for (;;) {
      std::size_t decoded = plain(quote);
      if (decoded > 0) {
        i_ += decoded;
      } else if (i_ >= n_) {
        return malformed("attribuutwaarde niet afgesloten");
      } else if (s_[i_] == quote) {
        break;
      } else if (s_[i_] == '<') {
        return malformed("'<' in attribuutwaarde");
      } else if (s_[i_] == '&') {
        if (!reference(decoded)) return false;
      } else {
        i_ += i_ + 1 < n_ && s_[i_ + 1] == '\n' ? 2 : 1;
        decoded = 1;
      }
      len += decoded;
      if (len > lim_.max_text) return too_much("attribuutwaarde te groot", lim_.max_text, " bytes");
    }
    ++i_;
    return true;
  }

  bool end_tag() {
    i_ += 2;
    if (open_.empty()) return malformed("eindtag zonder starttag");
    std::string_view open = open_.back();
    if (s_.substr(i_, open.size()) != open || (i_ + open.size() < n_ && name_char(s_[i_ + open.size()])))
      return malformed("eindtag past niet bij <" + std::string(open) + ">");
    i_ += open.size();
    while (i_ < n_ && is_space(s_[i_])) ++i_;
    if (i_ >= n_ || s_[i_] != '>') return malformed("'>' verwacht in eindtag");
    ++i_;
    open_.pop_back();
    return true;
  }

  std::string_view s_;
  std::size_t n_;
  const XmlLimits& lim_;
  std::size_t i_ = 0;
  std::size_t nodes_ = 0;
  std::size_t run_ = 0;  // decoded bytes of the current text node so far
  std::vector<std::string_view> open_;
  Error err_;
};

// The limits are all enforced by Prescan; what is left to look at in the tree is what a DTD
// would bring (refused before parsing; kept as a second line should that check ever slip).
Status check_no_entities(const xmlNode* root) {
  const xmlNode* n = root;
  while (n != nullptr) {
    if (n->type == XML_ENTITY_REF_NODE || n->type == XML_DTD_NODE || n->type == XML_ENTITY_DECL)
      return make_error(rules::DK0001, "entiteiten zijn niet toegestaan");
    if (n->type == XML_ELEMENT_NODE && n->children != nullptr) {
      n = n->children;
      continue;
    }
    while (n != nullptr && n != root && n->next == nullptr) n = n->parent;
    if (n == nullptr || n == root) return ok_status();
    n = n->next;
  }
  return ok_status();
}

}  // namespace

void init_xml() { xmlInitParser(); }

bool is_valid_utf8(std::string_view s) {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  std::size_t i = 0, n = s.size();
  while (i < n) {
    for (std::uint64_t w; i + 8 <= n; i += 8) {  // ASCII eight bytes at a time
      std::memcpy(&w, p + i, 8);
      if (w & 0x8080808080808080u) break;
    }
    if (i >= n) break;
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
  if (bytes.empty()) return make_error(rules::DK0001, "leeg bericht: geen XML");
  if (bytes.size() > limits.max_bytes)
    return make_error(rules::DK0001, "bericht te groot (max " + std::to_string(limits.max_bytes) + " bytes)");
  if (bytes.size() >= 2 && ((bytes[0] == '\xFE' && bytes[1] == '\xFF') || (bytes[0] == '\xFF' && bytes[1] == '\xFE')))
    return make_error(rules::DK0009, "bericht is UTF-16; alleen UTF-8 is toegestaan");
  if (bytes.size() >= 3 && bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  if (!is_valid_utf8(bytes)) return make_error(rules::DK0009, "bericht is geen geldige UTF-8");
  std::string_view enc = declared_encoding(bytes);
  if (!enc.empty() && !iequals(enc, "utf-8"))
    return make_error(rules::DK0009, "XML-declaratie noemt een andere codering dan UTF-8");
  // Refused before parsing: a DTD is where entity expansion (billion laughs) and XXE live.
  if (bytes.find("<!DOCTYPE") != std::string_view::npos || bytes.find("<!ENTITY") != std::string_view::npos)
    return make_error(rules::DK0001, "DOCTYPE/DTD is niet toegestaan");
  if (bytes.size() > static_cast<std::size_t>(INT32_MAX)) return make_error(rules::DK0001, "bericht te groot");
  if (auto st = Prescan(bytes, limits).run(); !st) return st.error();

  xmlParserCtxtPtr ctxt = xmlNewParserCtxt();
  if (ctxt == nullptr) return make_error(rules::DK0051, "geen geheugen voor XML-parser");
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
  if (!why.empty() || !owned) return make_error(rules::DK0001, "XML is niet well-formed: " + why);
  if (owned->intSubset != nullptr || owned->extSubset != nullptr)
    return make_error(rules::DK0001, "DOCTYPE/DTD is niet toegestaan");
  xmlNode* root = xmlDocGetRootElement(owned.get());
  if (root == nullptr) return make_error(rules::DK0001, "XML zonder root-element");
  if (auto st = check_no_entities(root); !st) return st.error();
  return owned;
}

}  // namespace edugate::security
