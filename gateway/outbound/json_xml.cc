#include "gateway/outbound/json_xml.h"

#include <libxml/parser.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "gateway/soap/envelope.h"
#include "security/xml_guard.h"

namespace edugate::gateway {

namespace {

constexpr const char* kXs = "http://www.w3.org/2001/XMLSchema";
using json = nlohmann::ordered_json;

bool is_xs(const xmlNode* n, const char* local) {
  return n->type == XML_ELEMENT_NODE && n->ns && xmlStrEqual(n->ns->href, BAD_CAST kXs) &&
         xmlStrEqual(n->name, BAD_CAST local);
}
std::string attr(const xmlNode* n, const char* name) {
  xmlChar* v = xmlGetNoNsProp(n, BAD_CAST name);
  std::string s = v ? reinterpret_cast<const char*>(v) : "";
  xmlFree(v);
  return s;
}
std::string key(const std::string& ns, const std::string& name) { return "{" + ns + "}" + name; }

// Resolves a QName attribute value against the namespaces in scope at n.
std::pair<std::string, std::string> qname(xmlDoc* doc, xmlNode* n, const std::string& v) {
  auto colon = v.find(':');
  std::string prefix = colon == std::string::npos ? "" : v.substr(0, colon);
  std::string local = colon == std::string::npos ? v : v.substr(colon + 1);
  xmlNs* ns = xmlSearchNs(doc, n, prefix.empty() ? nullptr : BAD_CAST prefix.c_str());
  return {ns ? reinterpret_cast<const char*>(ns->href) : "", local};
}

XsdModel::Simple builtin(const std::string& local) {
  static const std::map<std::string, XsdModel::Simple> m{
      {"int", XsdModel::Simple::integer},          {"integer", XsdModel::Simple::integer},
      {"long", XsdModel::Simple::integer},         {"short", XsdModel::Simple::integer},
      {"byte", XsdModel::Simple::integer},         {"nonNegativeInteger", XsdModel::Simple::integer},
      {"positiveInteger", XsdModel::Simple::integer}, {"unsignedInt", XsdModel::Simple::integer},
      {"unsignedLong", XsdModel::Simple::integer}, {"unsignedShort", XsdModel::Simple::integer},
      {"double", XsdModel::Simple::number},        {"float", XsdModel::Simple::number},
      {"decimal", XsdModel::Simple::number},       {"boolean", XsdModel::Simple::boolean}};
  auto it = m.find(local);
  return it == m.end() ? XsdModel::Simple::string : it->second;
}

std::string text_of(const xmlNode* n) {
  xmlChar* c = xmlNodeGetContent(n);
  std::string s = c ? reinterpret_cast<const char*>(c) : "";
  xmlFree(c);
  return s;
}

}  // namespace

// Schema reading: one pass per document; QNames are kept and resolved when used.
struct SchemaReader {
  XsdModel& m;
  std::vector<std::unique_ptr<XsdModel::Type>>& owned;
  xmlDoc* doc;
  std::string tns;
  bool qualified;

  XsdModel::Type* complex(xmlNode* ct) {
    owned.push_back(std::make_unique<XsdModel::Type>());
    XsdModel::Type* t = owned.back().get();
    t->complex = true;
    collect(ct, *t, false, false);
    return t;
  }

  void collect(xmlNode* parent, XsdModel::Type& t, bool optional, bool repeated) {
    for (xmlNode* c = parent->children; c; c = c->next) {
      if (is_xs(c, "sequence") || is_xs(c, "all") || is_xs(c, "choice")) {
        std::string maxo = attr(c, "maxOccurs");
        bool rep = repeated || maxo == "unbounded" || (!maxo.empty() && maxo != "1");
        collect(c, t, optional || is_xs(c, "choice") || attr(c, "minOccurs") == "0", rep);
      } else if (is_xs(c, "complexContent") || is_xs(c, "extension")) {
        collect(c, t, optional, repeated);
      } else if (is_xs(c, "element")) {
        XsdModel::Element e;
        std::string mino = attr(c, "minOccurs"), maxo = attr(c, "maxOccurs");
        e.min = (optional || mino == "0") ? 0 : 1;
        e.many = repeated || maxo == "unbounded" || (!maxo.empty() && maxo != "1" && maxo != "0");
        if (std::string ref = attr(c, "ref"); !ref.empty()) {
          std::tie(e.ref_ns, e.ref_name) = qname(doc, c, ref);
        } else {
          e.name = attr(c, "name");
          e.ns = qualified ? tns : "";
          element_type(c, e);
        }
        t.children.push_back(std::move(e));
      }
    }
  }

  void element_type(xmlNode* el, XsdModel::Element& e) {
    if (std::string type = attr(el, "type"); !type.empty()) {
      std::tie(e.type_ns, e.type_name) = qname(doc, el, type);
      return;
    }
    for (xmlNode* c = el->children; c; c = c->next) {
      if (is_xs(c, "complexType")) e.inline_type = complex(c);
      if (is_xs(c, "simpleType")) e.inline_type = simple(c);
    }
    if (!e.inline_type) {  // no type: xs:string for our purposes
      e.type_ns = kXs;
      e.type_name = "string";
    }
  }

  XsdModel::Type* simple(xmlNode* st) {
    owned.push_back(std::make_unique<XsdModel::Type>());
    XsdModel::Type* t = owned.back().get();
    for (xmlNode* c = st->children; c; c = c->next)
      if (is_xs(c, "restriction")) {
        auto [ns, local] = qname(doc, c, attr(c, "base"));
        t->simple = ns == kXs ? builtin(local) : XsdModel::Simple::string;
      }
    return t;
  }
};

std::shared_ptr<const XsdModel> XsdModel::load(const std::string& dir) {
  auto m = std::shared_ptr<XsdModel>(new XsdModel());
  std::vector<std::string> files;
  for (const auto& f : std::filesystem::directory_iterator(dir))
    if (f.path().extension() == ".xsd") files.push_back(f.path().string());
  std::sort(files.begin(), files.end());
  if (files.empty()) throw std::runtime_error("no XSD in " + dir);
  for (const auto& file : files) {
    std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc(xmlReadFile(file.c_str(), nullptr, XML_PARSE_NONET), &xmlFreeDoc);
    if (!doc) throw std::runtime_error("cannot read XSD " + file);
    xmlNode* root = xmlDocGetRootElement(doc.get());
    if (!root || !is_xs(root, "schema")) throw std::runtime_error(file + ": not an XML Schema");
    SchemaReader r{*m, m->owned_, doc.get(), attr(root, "targetNamespace"), attr(root, "elementFormDefault") == "qualified"};
    for (xmlNs* ns = root->nsDef; ns; ns = ns->next)
      if (ns->prefix && ns->href && xmlStrEqual(ns->href, BAD_CAST r.tns.c_str()))
        m->prefixes_[r.tns] = reinterpret_cast<const char*>(ns->prefix);
    for (xmlNode* c = root->children; c; c = c->next) {
      if (is_xs(c, "element")) {
        Element e;
        e.name = attr(c, "name");
        e.ns = r.tns;  // global elements are always qualified
        r.element_type(c, e);
        m->globals_[key(e.ns, e.name)] = std::move(e);
      } else if (is_xs(c, "complexType")) {
        m->types_[key(r.tns, attr(c, "name"))] = r.complex(c);
      } else if (is_xs(c, "simpleType")) {
        m->types_[key(r.tns, attr(c, "name"))] = r.simple(c);
      }
    }
  }
  return m;
}

const XsdModel::Element* XsdModel::global(const std::string& ns, const std::string& name) const {
  auto it = globals_.find(key(ns, name));
  return it == globals_.end() ? nullptr : &it->second;
}

const XsdModel::Type* XsdModel::type_of(const Element& e) const {
  if (!e.ref_name.empty()) {
    const Element* g = global(e.ref_ns, e.ref_name);
    return g ? type_of(*g) : nullptr;
  }
  if (e.inline_type) return e.inline_type;
  if (e.type_ns == kXs) {
    static const Type kString{false, Simple::string, {}}, kInt{false, Simple::integer, {}},
        kNum{false, Simple::number, {}}, kBool{false, Simple::boolean, {}};
    switch (builtin(e.type_name)) {
      case Simple::integer: return &kInt;
      case Simple::number: return &kNum;
      case Simple::boolean: return &kBool;
      default: return &kString;
    }
  }
  auto it = types_.find(key(e.type_ns, e.type_name));
  return it == types_.end() ? nullptr : it->second;
}

namespace {

// The xs:double lexical form without NaN and INF: [+-] digits [. digits] [(e|E) [+-] digits].
// std::stod takes more (hex, "nan", "infinity", leading blanks) that no XSD number is.
bool is_xsd_number(std::string_view s) {
  auto digit = [&](std::size_t i) { return i < s.size() && s[i] >= '0' && s[i] <= '9'; };
  std::size_t i = 0, mantissa = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  for (; digit(i); ++i) ++mantissa;
  if (i < s.size() && s[i] == '.')
    for (++i; digit(i); ++i) ++mantissa;
  if (mantissa == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (!digit(i)) return false;
    while (digit(i)) ++i;
  }
  return i == s.size();
}

Result<std::string> simple_text(const json& v, XsdModel::Simple kind, const std::string& path) {
  auto bad = [&](const char* what) { return make_error("JSON", path + ": " + what, path); };
  switch (kind) {
    case XsdModel::Simple::boolean:
      if (v.is_boolean()) return std::string(v.get<bool>() ? "true" : "false");
      if (v.is_string() && (v == "true" || v == "false")) return v.get<std::string>();
      return bad("verwacht true of false");
    case XsdModel::Simple::integer:
      if (v.is_number_integer()) return v.dump();
      if (v.is_string()) {
        const auto& s = v.get_ref<const std::string&>();
        bool ok = !s.empty() && s.size() < 20;
        for (std::size_t i = 0; i < s.size() && ok; ++i) ok = std::isdigit(static_cast<unsigned char>(s[i])) || (i == 0 && s[i] == '-');
        if (ok) return s;
      }
      return bad("verwacht een geheel getal");
    case XsdModel::Simple::number:
      if (v.is_number_integer()) return v.dump();
      if (v.is_number()) {
        double d = v.get<double>();
        if (!std::isfinite(d)) return bad("verwacht een eindig getal");
        return v.dump();
      }
      if (v.is_string() && is_xsd_number(v.get_ref<const std::string&>())) {
        if (!std::isfinite(std::strtod(v.get_ref<const std::string&>().c_str(), nullptr)))
          return bad("verwacht een eindig getal");
        return v.get<std::string>();
      }
      return bad("verwacht een getal");
    case XsdModel::Simple::string:
      if (v.is_string()) return v.get<std::string>();
      if (v.is_number() || v.is_boolean()) return v.dump();
      return bad("verwacht een tekst, geen object of lijst");
  }
  return bad("onbekend type");
}

}  // namespace

Status XsdModel::write(std::string& out, const Element& decl, const json& j, const std::string& path) const {
  const Element* e = &decl;
  if (!decl.ref_name.empty()) {
    e = global(decl.ref_ns, decl.ref_name);
    if (!e) return make_error("JSON", path + ": onbekende verwijzing in het schema", path);
  }
  const Type* t = type_of(*e);
  if (!t) return make_error("JSON", path + ": type niet gevonden in het schema", path);
  std::string tag;
  if (!e->ns.empty()) {
    auto p = prefixes_.find(e->ns);
    tag = (p != prefixes_.end() ? p->second : std::string("ns")) + ":";
  }
  tag += e->name;
  if (!t->complex) {
    auto text = simple_text(j, t->simple, path);
    if (!text) return text.error();
    out += "<" + tag + ">" + xml_escape(*text) + "</" + tag + ">";
    return ok_status();
  }
  if (!j.is_object()) return make_error("JSON", path + ": verwacht een object", path);
  for (auto it = j.begin(); it != j.end(); ++it) {
    bool known = false;
    for (const auto& c : t->children) known |= (c.ref_name.empty() ? c.name : c.ref_name) == it.key();
    if (!known) return make_error("JSON", (path.empty() ? "" : path + ".") + it.key() + ": onbekend veld", it.key());
  }
  out += "<" + tag + ">";
  for (const auto& c : t->children) {
    const std::string& name = c.ref_name.empty() ? c.name : c.ref_name;
    const std::string child_path = path.empty() ? name : path + "." + name;
    auto it = j.find(name);
    if (it == j.end() || it->is_null()) {
      if (c.min > 0) return make_error("JSON", child_path + ": verplicht veld ontbreekt", child_path);
      continue;
    }
    if (it->is_array()) {
      if (!c.many) return make_error("JSON", child_path + ": komt maar één keer voor, geen lijst", child_path);
      if (it->empty() && c.min > 0) return make_error("JSON", child_path + ": verplicht veld ontbreekt", child_path);
      for (std::size_t i = 0; i < it->size(); ++i)
        if (auto st = write(out, c, (*it)[i], child_path + "[" + std::to_string(i) + "]"); !st) return st;
    } else if (auto st = write(out, c, *it, child_path); !st) {
      return st;
    }
  }
  out += "</" + tag + ">";
  return ok_status();
}

Result<std::string> XsdModel::json_to_xml(const std::string& ns, const std::string& element, const json& j) const {
  const Element* e = global(ns, element);
  if (!e) return make_error("JSON", "element " + element + " bestaat niet in het schema");
  std::string body;
  if (auto st = write(body, *e, j, ""); !st) return st.error();
  // Declare every contract namespace on the root element.
  std::string decls;
  for (const auto& [uri, prefix] : prefixes_) decls += " xmlns:" + prefix + "=\"" + xml_escape(uri) + "\"";
  auto close = body.find('>');
  if (close == std::string::npos) return make_error("JSON", "leeg resultaat");
  std::size_t insert_at = body[close - 1] == '/' ? close - 1 : close;
  body.insert(insert_at, decls);
  return body;
}

json XsdModel::read(const xmlNode* n, const Type* t) const {
  if (t && !t->complex) {
    std::string s = text_of(n);
    try {
      switch (t->simple) {
        case Simple::integer: return json(std::stoll(s));
        case Simple::number: return json(std::stod(s));
        case Simple::boolean: return json(s == "true" || s == "1");
        case Simple::string: return json(s);
      }
    } catch (const std::exception&) {
      return json(s);
    }
  }
  bool has_children = false;
  for (const xmlNode* c = n->children; c; c = c->next) has_children |= c->type == XML_ELEMENT_NODE;
  if (!has_children) return t ? json::object() : json(text_of(n));
  json obj = json::object();
  for (const xmlNode* c = n->children; c; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    std::string name = reinterpret_cast<const char*>(c->name);
    const Element* decl = nullptr;
    if (t)
      for (const auto& d : t->children)
        if ((d.ref_name.empty() ? d.name : d.ref_name) == name) decl = &d;
    json v = read(c, decl ? type_of(*decl) : nullptr);
    if (decl && decl->many) {
      obj[name].push_back(std::move(v));
    } else if (obj.contains(name)) {  // undeclared repetition: make it a list
      if (!obj[name].is_array()) obj[name] = json::array({obj[name]});
      obj[name].push_back(std::move(v));
    } else {
      obj[name] = std::move(v);
    }
  }
  return obj;
}

json XsdModel::xml_to_json(const xmlNode* element) const {
  std::string ns = element->ns && element->ns->href ? reinterpret_cast<const char*>(element->ns->href) : "";
  const Element* e = global(ns, reinterpret_cast<const char*>(element->name));
  return read(element, e ? type_of(*e) : nullptr);
}

std::string XsdModel::prefix_of(const std::string& ns) const {
  auto p = prefixes_.find(ns);
  return p != prefixes_.end() ? p->second : std::string("ns");
}

json XsdModel::schema_of_type(const Type* t, json& components) const {
  if (!t) return json{{"type", "string"}};
  if (!t->complex) {
    switch (t->simple) {
      case Simple::integer: return json{{"type", "integer"}};
      case Simple::number: return json{{"type", "number"}};
      case Simple::boolean: return json{{"type", "boolean"}};
      case Simple::string: return json{{"type", "string"}};
    }
  }
  json props = json::object(), required = json::array();
  for (const auto& c : t->children) {
    const std::string& name = c.ref_name.empty() ? c.name : c.ref_name;
    json s = schema_of(c, components);
    props[name] = c.many ? json{{"type", "array"}, {"items", s}} : s;
    if (c.many && c.min > 0) props[name]["minItems"] = 1;
    if (c.min > 0) required.push_back(name);
  }
  json out{{"type", "object"}, {"properties", props}, {"additionalProperties", false}};
  if (!required.empty()) out["required"] = required;
  return out;
}

// Named complex types become components (shared, as in the XSD); anonymous ones are inlined.
json XsdModel::schema_of(const Element& decl, json& components) const {
  const Element* e = &decl;
  if (!decl.ref_name.empty()) {
    e = global(decl.ref_ns, decl.ref_name);
    if (!e) return json{{"type", "string"}};
  }
  const Type* t = type_of(*e);
  if (t && t->complex && !e->type_name.empty() && e->type_ns != kXs) {
    const std::string name = prefix_of(e->type_ns) + "_" + e->type_name;
    if (!components.contains(name)) {
      components[name] = json::object();  // placeholder: a recursive type refers to itself
      components[name] = schema_of_type(t, components);
    }
    return json{{"$ref", "#/components/schemas/" + name}};
  }
  return schema_of_type(t, components);
}

json XsdModel::json_schema(const std::string& ns, const std::string& element, json& components) const {
  const Element* e = global(ns, element);
  if (!e) return json::object();
  return schema_of_type(type_of(*e), components);
}

Result<json> XsdModel::xml_text_to_json(std::string_view xml) const {
  auto doc = security::parse_guarded(xml);
  if (!doc) return doc.error();
  return xml_to_json(xmlDocGetRootElement(doc->get()));
}

}  // namespace edugate::gateway
