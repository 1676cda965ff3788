#include "adapters/db/kwalificaties.h"

#include <libxml/tree.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <initializer_list>
#include <map>
#include <set>
#include <utility>

#include "security/xml_guard.h"
#include "core/clock.h"

namespace edugate::adapters::db::kwalificaties {
namespace {

constexpr const char* kCode = "KWALIFICATIESTRUCTUUR";
constexpr std::size_t kMaxNaam = 300;    // bytes of a naam attribute
constexpr std::size_t kMaxTekst = 8000;  // bytes of an Omschrijving, GewenstResultaat or Gedrag

// ---- the file, parsed and validated, before anything is written ----

struct PWerkproces {
  std::string code, naam, omschrijving, gewenst_resultaat;
  std::vector<std::string> gedrag;
};
struct PKerntaak {
  std::string code, naam;
  std::vector<PWerkproces> werkprocessen;
};
struct PKwalificatie {
  std::string crebo, versie, naam, geldig_vanaf, geldig_tot;
  std::vector<PKerntaak> kerntaken;
};
struct PDossier {
  std::string code, naam;
  std::vector<PKwalificatie> kwalificaties;
};
struct PStructuur {
  std::string versie, peildatum;
  std::vector<PDossier> dossiers;
};

std::string_view name_of(const xmlNode* n) { return reinterpret_cast<const char*>(n->name); }

bool is_xml_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Pretty-printed files wrap text over lines: runs of whitespace become one space.
std::string collapse_space(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool pending = false;
  for (char c : s) {
    if (is_xml_space(c)) {
      pending = !out.empty();
      continue;
    }
    if (pending) out.push_back(' ');
    pending = false;
    out.push_back(c);
  }
  return out;
}

// A value quoted in an error message: short, so a hostile file cannot blow up the message.
std::string quoted(std::string_view v) {
  constexpr std::size_t kMax = 40;
  std::string out = "'";
  out += v.size() > kMax ? std::string(v.substr(0, kMax)) + "…" : std::string(v);
  return out + "'";
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Versions are short tokens such as "2024" or "2024.1".
bool valid_versie(std::string_view s) {
  return !s.empty() && s.size() <= 16 && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
  });
}

// "B1" / "P12": basisdeel or profieldeel with a number.
bool valid_deel(std::string_view s) {
  return s.size() >= 2 && s.size() <= 3 && (s[0] == 'B' || s[0] == 'P') && all_digits(s.substr(1));
}
// Kerntaak "B1-K2".
bool valid_kerntaak_code(std::string_view s) {
  auto dash = s.find("-K");
  return dash != std::string_view::npos && valid_deel(s.substr(0, dash)) && s.size() - dash - 2 <= 2 &&
         all_digits(s.substr(dash + 2));
}
// Werkproces "B1-K2-W3" within kerntaak "B1-K2".
bool valid_werkproces_code(std::string_view s, std::string_view kerntaak) {
  if (s.size() <= kerntaak.size() + 2 || s.substr(0, kerntaak.size()) != kerntaak) return false;
  std::string_view rest = s.substr(kerntaak.size());
  return rest.substr(0, 2) == "-W" && rest.size() - 2 <= 2 && all_digits(rest.substr(2));
}

class Reader {
 public:
  Result<PStructuur> read(const xmlNode* root) {
    PStructuur s;
    if (auto st = element(root, "Kwalificatiestructuur"); !st) return st.error();
    if (auto st = attributes(root, {"versie", "peildatum"}); !st) return st.error();
    auto versie = required(root, "versie");
    if (!versie) return versie.error();
    if (!valid_versie(*versie)) return fail(root, "versie " + quoted(*versie) + " is geen geldige versie");
    auto peil = date(root, "peildatum", true);
    if (!peil) return peil.error();
    s.versie = *versie;
    s.peildatum = *peil;
    auto kids = children(root);
    if (!kids) return kids.error();
    for (const xmlNode* d : *kids) {
      if (auto st = element(d, "Kwalificatiedossier"); !st) return st.error();
      auto dossier = read_dossier(d);
      if (!dossier) return dossier.error();
      s.dossiers.push_back(std::move(*dossier));
    }
    if (s.dossiers.empty()) return fail(root, "bevat geen enkel Kwalificatiedossier");
    return s;
  }

 private:
  Error fail(const xmlNode* n, const std::string& msg) const {
    std::string elem(name_of(n));
    return make_error(kCode, "regel " + std::to_string(xmlGetLineNo(n)) + ", <" + elem + ">: " + msg, elem);
  }

  Status element(const xmlNode* n, std::string_view expected) const {
    if (name_of(n) != expected) return fail(n, "onverwacht element (verwacht: <" + std::string(expected) + ">)");
    if (n->ns == nullptr || std::strcmp(reinterpret_cast<const char*>(n->ns->href), kNamespace) != 0)
      return fail(n, std::string("element hoort in namespace ") + kNamespace);
    return ok_status();
  }

  // Unknown attributes are an error, as in a schema: a typo must not silently drop data.
  Status attributes(const xmlNode* n, std::initializer_list<std::string_view> allowed) const {
    for (const xmlAttr* a = n->properties; a != nullptr; a = a->next) {
      std::string_view an = reinterpret_cast<const char*>(a->name);
      if (a->ns != nullptr || std::find(allowed.begin(), allowed.end(), an) == allowed.end())
        return fail(n, "onbekend attribuut " + quoted(an));
    }
    return ok_status();
  }

  std::optional<std::string> attr(const xmlNode* n, const char* name) const {
    const xmlAttr* a = xmlHasProp(n, reinterpret_cast<const xmlChar*>(name));
    if (a == nullptr) return std::nullopt;
    xmlChar* v = xmlNodeGetContent(reinterpret_cast<const xmlNode*>(a));
    std::string out = v ? reinterpret_cast<const char*>(v) : "";
    xmlFree(v);
    return collapse_space(out);
  }

  Result<std::string> required(const xmlNode* n, const char* name, std::size_t max = kMaxNaam) const {
    auto v = attr(n, name);
    if (!v || v->empty()) return fail(n, std::string("attribuut ") + name + " ontbreekt of is leeg");
    if (v->size() > max) return fail(n, std::string("attribuut ") + name + " is te lang");
    return *v;
  }

  Result<std::string> date(const xmlNode* n, const char* name, bool needed) const {
    auto v = attr(n, name);
    if (!v || v->empty()) {
      if (needed) return fail(n, std::string("attribuut ") + name + " ontbreekt of is leeg");
      return std::string();
    }
    if (!Datum::parse(*v))
      return fail(n, std::string("attribuut ") + name + " " + quoted(*v) + " is geen datum (JJJJ-MM-DD)");
    return *v;
  }

  // The element children; text other than whitespace between them is an error.
  Result<std::vector<const xmlNode*>> children(const xmlNode* n) const {
    std::vector<const xmlNode*> out;
    for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
      if (c->type == XML_ELEMENT_NODE) {
        out.push_back(c);
      } else if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
        std::string_view t = c->content ? reinterpret_cast<const char*>(c->content) : "";
        if (!std::all_of(t.begin(), t.end(), is_xml_space)) return fail(n, "tekst is hier niet toegestaan");
      } else if (c->type != XML_COMMENT_NODE && c->type != XML_PI_NODE) {
        return fail(n, "onverwachte inhoud");
      }
    }
    return out;
  }

  // An element with text only (no attributes, no child elements), whitespace collapsed.
  Result<std::string> text(const xmlNode* n) const {
    if (auto st = attributes(n, {}); !st) return st.error();
    std::string raw;
    for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
      if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
        if (c->content) raw += reinterpret_cast<const char*>(c->content);
      } else if (c->type != XML_COMMENT_NODE && c->type != XML_PI_NODE) {
        return fail(n, "mag alleen tekst bevatten");
      }
    }
    std::string t = collapse_space(raw);
    if (t.empty()) return fail(n, "is leeg");
    if (t.size() > kMaxTekst) return fail(n, "tekst is te lang (meer dan " + std::to_string(kMaxTekst) + " bytes)");
    return t;
  }

  Result<PDossier> read_dossier(const xmlNode* n) {
    PDossier d;
    if (auto st = attributes(n, {"code", "naam"}); !st) return st.error();
    auto code = required(n, "code");
    if (!code) return code.error();
    if (!all_digits(*code) || code->size() != 5)
      return fail(n, "code " + quoted(*code) + " is geen dossiercode van 5 cijfers");
    if (!dossiers_.insert(*code).second) return fail(n, "dossier " + *code + " komt twee keer voor");
    auto naam = required(n, "naam");
    if (!naam) return naam.error();
    d.code = *code;
    d.naam = *naam;
    auto kids = children(n);
    if (!kids) return kids.error();
    for (const xmlNode* k : *kids) {
      if (auto st = element(k, "Kwalificatie"); !st) return st.error();
      auto kw = read_kwalificatie(k, d.code);
      if (!kw) return kw.error();
      d.kwalificaties.push_back(std::move(*kw));
    }
    if (d.kwalificaties.empty()) return fail(n, "dossier " + d.code + " bevat geen Kwalificatie");
    return d;
  }

  Result<PKwalificatie> read_kwalificatie(const xmlNode* n, const std::string& dossier) {
    PKwalificatie k;
    if (auto st = attributes(n, {"crebo", "versie", "naam", "geldigVanaf", "geldigTot"}); !st) return st.error();
    auto crebo = required(n, "crebo");
    if (!crebo) return crebo.error();
    if (!Crebo::parse(*crebo)) return fail(n, "crebo " + quoted(*crebo) + " is geen crebocode van 5 cijfers");
    auto versie = required(n, "versie");
    if (!versie) return versie.error();
    if (!valid_versie(*versie)) return fail(n, "versie " + quoted(*versie) + " is geen geldige versie");
    auto naam = required(n, "naam");
    if (!naam) return naam.error();
    auto vanaf = date(n, "geldigVanaf", true);
    if (!vanaf) return vanaf.error();
    auto tot = date(n, "geldigTot", false);
    if (!tot) return tot.error();
    if (!tot->empty() && *tot < *vanaf) return fail(n, "geldigTot ligt voor geldigVanaf");
    auto [it, fresh] = crebo_dossier_.emplace(*crebo, dossier);
    if (!fresh && it->second != dossier) return fail(n, "crebo " + *crebo + " staat al in dossier " + it->second);
    if (!versies_.insert(*crebo + "/" + *versie).second)
      return fail(n, "kwalificatie " + *crebo + " versie " + *versie + " komt twee keer voor");
    k.crebo = *crebo;
    k.versie = *versie;
    k.naam = *naam;
    k.geldig_vanaf = *vanaf;
    k.geldig_tot = *tot;

    auto kids = children(n);
    if (!kids) return kids.error();
    std::set<std::string> kerntaken, werkprocessen;
    const std::string wie = "kwalificatie " + k.crebo + " versie " + k.versie;
    for (const xmlNode* kt : *kids) {
      if (auto st = element(kt, "Kerntaak"); !st) return st.error();
      if (auto st = attributes(kt, {"code", "naam"}); !st) return st.error();
      PKerntaak t;
      auto code = required(kt, "code");
      if (!code) return code.error();
      if (!valid_kerntaak_code(*code)) return fail(kt, "code " + quoted(*code) + " is geen kerntaakcode (zoals B1-K1)");
      if (!kerntaken.insert(*code).second) return fail(kt, "kerntaak " + *code + " komt twee keer voor in " + wie);
      auto ktnaam = required(kt, "naam");
      if (!ktnaam) return ktnaam.error();
      t.code = *code;
      t.naam = *ktnaam;
      auto wps = children(kt);
      if (!wps) return wps.error();
      for (const xmlNode* w : *wps) {
        if (auto st = element(w, "Werkproces"); !st) return st.error();
        auto wp = read_werkproces(w, t.code);
        if (!wp) return wp.error();
        if (!werkprocessen.insert(wp->code).second)
          return fail(w, "werkproces " + wp->code + " komt twee keer voor in " + wie);
        t.werkprocessen.push_back(std::move(*wp));
      }
      if (t.werkprocessen.empty()) return fail(kt, "kerntaak " + t.code + " bevat geen Werkproces");
      k.kerntaken.push_back(std::move(t));
    }
    if (k.kerntaken.empty()) return fail(n, wie + " bevat geen Kerntaak");
    return k;
  }

  // Omschrijving, GewenstResultaat, then one or more Gedrag, in that order.
  Result<PWerkproces> read_werkproces(const xmlNode* n, const std::string& kerntaak) {
    PWerkproces w;
    if (auto st = attributes(n, {"code", "naam"}); !st) return st.error();
    auto code = required(n, "code");
    if (!code) return code.error();
    if (!valid_werkproces_code(*code, kerntaak))
      return fail(n, "code " + quoted(*code) + " is geen werkprocescode binnen kerntaak " + kerntaak + " (zoals " +
                         kerntaak + "-W1)");
    auto naam = required(n, "naam");
    if (!naam) return naam.error();
    w.code = *code;
    w.naam = *naam;
    auto kids = children(n);
    if (!kids) return kids.error();
    std::size_t i = 0;
    const std::vector<const xmlNode*>& k = *kids;
    for (const char* verplicht : {"Omschrijving", "GewenstResultaat"}) {
      if (i >= k.size() || name_of(k[i]) != verplicht)
        return fail(i < k.size() ? k[i] : n,
                    "werkproces " + w.code + ": <" + verplicht + "> ontbreekt of staat niet op zijn plaats");
      if (auto st = element(k[i], verplicht); !st) return st.error();
      auto t = text(k[i]);
      if (!t) return t.error();
      (std::strcmp(verplicht, "Omschrijving") == 0 ? w.omschrijving : w.gewenst_resultaat) = std::move(*t);
      ++i;
    }
    for (; i < k.size(); ++i) {
      if (auto st = element(k[i], "Gedrag"); !st) return st.error();
      auto t = text(k[i]);
      if (!t) return t.error();
      w.gedrag.push_back(std::move(*t));
    }
    if (w.gedrag.empty()) return fail(n, "werkproces " + w.code + " heeft geen <Gedrag>");
    return w;
  }

  std::set<std::string> dossiers_, versies_;
  std::map<std::string, std::string> crebo_dossier_;
};

// One INSERT with its binds per line reads as a row.
// clang-format off
LoadSummary write(sql::Connection& c, const PStructuur& s) {
  LoadSummary sum;
  sum.versie = s.versie;
  sum.peildatum = s.peildatum;
  sql::Transaction tx(c);
  // Children first: the foreign keys are enforced.
  c.exec("DELETE FROM kwal_gedrag; DELETE FROM kwal_werkprocessen; DELETE FROM kwal_kerntaken; "
         "DELETE FROM kwal_versies; DELETE FROM kwal_dossiers; DELETE FROM kwal_structuur;");
  const std::int64_t now_ms =
      edugate::now_ms();
  c.prepare("INSERT INTO kwal_structuur (id, versie, peildatum, geladen_op_ms) VALUES (1, ?, ?, ?)")
      .bind(1, s.versie).bind(2, s.peildatum).bind(3, now_ms).run();
  int volgorde = 0;
  for (const auto& d : s.dossiers) {
    c.prepare("INSERT INTO kwal_dossiers (code, naam) VALUES (?, ?)").bind(1, d.code).bind(2, d.naam).run();
    ++sum.dossiers;
    for (const auto& k : d.kwalificaties) {
      c.prepare("INSERT INTO kwal_versies (crebo, versie, naam, dossier, geldig_vanaf, geldig_tot, volgorde) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)")
          .bind(1, k.crebo).bind(2, k.versie).bind(3, k.naam).bind(4, d.code).bind(5, k.geldig_vanaf)
          .bind(6, k.geldig_tot.empty() ? std::optional<std::string>() : k.geldig_tot).bind(7, ++volgorde).run();
      ++sum.kwalificaties;
      int kt_nr = 0;
      for (const auto& t : k.kerntaken) {
        c.prepare("INSERT INTO kwal_kerntaken (crebo, versie, code, naam, volgorde) VALUES (?, ?, ?, ?, ?)")
            .bind(1, k.crebo).bind(2, k.versie).bind(3, t.code).bind(4, t.naam).bind(5, ++kt_nr).run();
        ++sum.kerntaken;
        int wp_nr = 0;
        for (const auto& w : t.werkprocessen) {
          c.prepare("INSERT INTO kwal_werkprocessen (crebo, versie, code, kerntaak, naam, omschrijving, "
                    "gewenst_resultaat, volgorde) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
              .bind(1, k.crebo).bind(2, k.versie).bind(3, w.code).bind(4, t.code).bind(5, w.naam)
              .bind(6, w.omschrijving).bind(7, w.gewenst_resultaat).bind(8, ++wp_nr).run();
          ++sum.werkprocessen;
          int g_nr = 0;
          for (const auto& g : w.gedrag)
            c.prepare("INSERT INTO kwal_gedrag (crebo, versie, werkproces, volgnummer, tekst) VALUES (?, ?, ?, ?, ?)")
                .bind(1, k.crebo).bind(2, k.versie).bind(3, w.code).bind(4, ++g_nr).bind(5, g).run();
        }
      }
    }
  }
  tx.commit();
  return sum;
}
// clang-format on

// Rows of kwal_versies for one crebo or all, sorted by crebo and newest first, with geldig and
// actueel worked out for the peildatum.
std::vector<KwalificatieVersie> versies(sql::Connection& c, const std::optional<Crebo>& crebo,
                                        const Datum& peildatum) {
  std::vector<KwalificatieVersie> out;
  const std::string peil = peildatum.str();
  auto st = c.prepare(
      "SELECT v.crebo, v.versie, v.naam, v.dossier, d.naam, v.geldig_vanaf, v.geldig_tot "
      "FROM kwal_versies v JOIN kwal_dossiers d ON d.code = v.dossier "
      "WHERE CAST(?1 AS TEXT) IS NULL OR v.crebo = ?1 ORDER BY v.crebo, v.geldig_vanaf DESC, v.versie DESC");
  st.bind(1, crebo ? std::optional<std::string>(crebo->str()) : std::nullopt);
  std::string vorige;
  bool actueel_gevonden = false;
  while (st.step()) {
    auto parsed = Crebo::parse(st.text(0));
    if (!parsed) continue;  // written by load_kwalificatiestructuur, so always valid
    KwalificatieVersie k{
        *parsed, st.text(1), st.text(2), st.text(3), st.text(4), st.text(5), st.opt_text(6).value_or(""), false, false};
    if (k.crebo.str() != vorige) {
      vorige = k.crebo.str();
      actueel_gevonden = false;
    }
    k.geldig = k.geldig_vanaf <= peil && (k.geldig_tot.empty() || peil <= k.geldig_tot);
    // Newest first: the first valid version of a crebo is its actuele version.
    if (k.geldig && !actueel_gevonden) k.actueel = actueel_gevonden = true;
    out.push_back(std::move(k));
  }
  return out;
}

}  // namespace

const char* const kPostgresV1 = R"SQL(
CREATE TABLE kwal_structuur (
  id BIGINT PRIMARY KEY CHECK (id = 1), versie TEXT NOT NULL, peildatum TEXT NOT NULL, geladen_op_ms BIGINT NOT NULL);
CREATE TABLE kwal_dossiers (code TEXT PRIMARY KEY, naam TEXT NOT NULL);
CREATE TABLE kwal_versies (
  crebo TEXT NOT NULL, versie TEXT NOT NULL, naam TEXT NOT NULL, dossier TEXT NOT NULL REFERENCES kwal_dossiers(code),
  geldig_vanaf TEXT NOT NULL, geldig_tot TEXT, volgorde BIGINT NOT NULL, PRIMARY KEY (crebo, versie));
CREATE TABLE kwal_kerntaken (
  crebo TEXT NOT NULL, versie TEXT NOT NULL, code TEXT NOT NULL, naam TEXT NOT NULL, volgorde BIGINT NOT NULL,
  PRIMARY KEY (crebo, versie, code), FOREIGN KEY (crebo, versie) REFERENCES kwal_versies(crebo, versie));
CREATE TABLE kwal_werkprocessen (
  crebo TEXT NOT NULL, versie TEXT NOT NULL, code TEXT NOT NULL, kerntaak TEXT NOT NULL, naam TEXT NOT NULL,
  omschrijving TEXT NOT NULL, gewenst_resultaat TEXT NOT NULL, volgorde BIGINT NOT NULL,
  PRIMARY KEY (crebo, versie, code),
  FOREIGN KEY (crebo, versie, kerntaak) REFERENCES kwal_kerntaken(crebo, versie, code));
CREATE TABLE kwal_gedrag (
  crebo TEXT NOT NULL, versie TEXT NOT NULL, werkproces TEXT NOT NULL, volgnummer BIGINT NOT NULL, tekst TEXT NOT NULL,
  PRIMARY KEY (crebo, versie, werkproces, volgnummer),
  FOREIGN KEY (crebo, versie, werkproces) REFERENCES kwal_werkprocessen(crebo, versie, code));
)SQL";

void create_kwalificatie_schema(sql::Connection& c) {
  if (c.dialect() != sql::Dialect::sqlite) return;
  c.exec(R"(
    CREATE TABLE IF NOT EXISTS kwal_structuur (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      versie TEXT NOT NULL,
      peildatum TEXT NOT NULL,
      geladen_op_ms INTEGER NOT NULL);
    CREATE TABLE IF NOT EXISTS kwal_dossiers (
      code TEXT PRIMARY KEY,
      naam TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS kwal_versies (
      crebo TEXT NOT NULL,
      versie TEXT NOT NULL,
      naam TEXT NOT NULL,
      dossier TEXT NOT NULL REFERENCES kwal_dossiers(code),
      geldig_vanaf TEXT NOT NULL,
      geldig_tot TEXT,
      volgorde INTEGER NOT NULL,
      PRIMARY KEY (crebo, versie)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS kwal_kerntaken (
      crebo TEXT NOT NULL,
      versie TEXT NOT NULL,
      code TEXT NOT NULL,
      naam TEXT NOT NULL,
      volgorde INTEGER NOT NULL,
      PRIMARY KEY (crebo, versie, code),
      FOREIGN KEY (crebo, versie) REFERENCES kwal_versies(crebo, versie)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS kwal_werkprocessen (
      crebo TEXT NOT NULL,
      versie TEXT NOT NULL,
      code TEXT NOT NULL,
      kerntaak TEXT NOT NULL,
      naam TEXT NOT NULL,
      omschrijving TEXT NOT NULL,
      gewenst_resultaat TEXT NOT NULL,
      volgorde INTEGER NOT NULL,
      PRIMARY KEY (crebo, versie, code),
      FOREIGN KEY (crebo, versie, kerntaak) REFERENCES kwal_kerntaken(crebo, versie, code)) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS kwal_gedrag (
      crebo TEXT NOT NULL,
      versie TEXT NOT NULL,
      werkproces TEXT NOT NULL,
      volgnummer INTEGER NOT NULL,
      tekst TEXT NOT NULL,
      PRIMARY KEY (crebo, versie, werkproces, volgnummer),
      FOREIGN KEY (crebo, versie, werkproces) REFERENCES kwal_werkprocessen(crebo, versie, code)) WITHOUT ROWID;
  )");
}

Result<LoadSummary> load_kwalificatiestructuur(sql::Connection& c, std::string_view xml) {
  if (xml.size() > kMaxBestand)
    return make_error(kCode, "bestand is groter dan " + std::to_string(kMaxBestand >> 20) + " MiB");
  // SBB's full catalogue is far larger than a message: more nodes, but the same shallow shape.
  security::XmlLimits limits;
  limits.max_depth = 16;
  limits.max_nodes = 4'000'000;
  limits.max_text = 64u << 10;
  auto doc = security::parse_guarded(xml, limits);
  if (!doc) return make_error(kCode, "geen bruikbare XML: " + doc.error().message);
  const xmlNode* root = xmlDocGetRootElement(doc->get());
  Reader reader;
  auto parsed = reader.read(root);
  if (!parsed) return parsed.error();
  create_kwalificatie_schema(c);
  return write(c, *parsed);
}

Result<LoadSummary> load_demo_kwalificaties(sql::Connection& c) {
  return load_kwalificatiestructuur(c, demo_kwalificatiestructuur_xml());
}

std::optional<LoadSummary> loaded_kwalificatiestructuur(sql::Connection& c) {
  create_kwalificatie_schema(c);
  LoadSummary s;
  {
    auto st = c.prepare("SELECT versie, peildatum FROM kwal_structuur WHERE id = 1");
    if (!st.step()) return std::nullopt;
    s.versie = st.text(0);
    s.peildatum = st.text(1);
  }
  auto count = [&c](const char* sql) {
    auto st = c.prepare(sql);
    return st.step() ? static_cast<int>(st.integer(0)) : 0;
  };
  s.dossiers = count("SELECT count(*) FROM kwal_dossiers");
  s.kwalificaties = count("SELECT count(*) FROM kwal_versies");
  s.kerntaken = count("SELECT count(*) FROM kwal_kerntaken");
  s.werkprocessen = count("SELECT count(*) FROM kwal_werkprocessen");
  return s;
}

std::vector<KwalificatieVersie> list_kwalificaties(sql::Connection& c, const std::optional<Crebo>& crebo,
                                                   bool alle_versies, const Datum& peildatum) {
  auto all = versies(c, crebo, peildatum);
  if (!alle_versies) std::erase_if(all, [](const KwalificatieVersie& k) { return !k.actueel; });
  return all;
}

std::optional<KwalificatieVersie> actuele_versie(sql::Connection& c, const Crebo& crebo, const Datum& peildatum) {
  for (auto& k : versies(c, crebo, peildatum))
    if (k.actueel) return std::move(k);
  return std::nullopt;
}

std::optional<KwalificatieDetail> find_kwalificatie(sql::Connection& c, const Crebo& crebo,
                                                    std::string_view versie, const Datum& peildatum) {
  std::optional<KwalificatieDetail> out;
  for (auto& k : versies(c, crebo, peildatum)) {
    if (versie.empty() ? k.actueel : k.versie == versie) {
      out = KwalificatieDetail{std::move(k), {}};
      break;
    }
  }
  if (!out) return std::nullopt;
  const std::string& v = out->kwalificatie.versie;
  {
    auto st = c.prepare("SELECT code, naam FROM kwal_kerntaken WHERE crebo = ? AND versie = ? ORDER BY volgorde");
    st.bind(1, crebo.str()).bind(2, v);
    while (st.step()) out->kerntaken.push_back(Kerntaak{st.text(0), st.text(1), {}});
  }
  std::map<std::string, Werkproces*> by_code;
  {
    auto st = c.prepare(
        "SELECT kerntaak, code, naam, omschrijving, gewenst_resultaat FROM kwal_werkprocessen "
        "WHERE crebo = ? AND versie = ? ORDER BY volgorde");
    st.bind(1, crebo.str()).bind(2, v);
    while (st.step()) {
      const std::string kt = st.text(0);
      auto it =
          std::find_if(out->kerntaken.begin(), out->kerntaken.end(), [&](const Kerntaak& k) { return k.code == kt; });
      if (it == out->kerntaken.end()) continue;  // the foreign key rules this out
      it->werkprocessen.push_back(Werkproces{st.text(1), st.text(2), st.text(3), st.text(4), {}});
    }
  }
  // Pointers taken only now: the vectors above no longer grow.
  for (auto& k : out->kerntaken)
    for (auto& w : k.werkprocessen) by_code[w.code] = &w;
  {
    auto st = c.prepare(
        "SELECT werkproces, tekst FROM kwal_gedrag WHERE crebo = ? AND versie = ? ORDER BY werkproces, volgnummer");
    st.bind(1, crebo.str()).bind(2, v);
    while (st.step()) {
      auto it = by_code.find(st.text(0));
      if (it != by_code.end()) it->second->gedrag.push_back(st.text(1));
    }
  }
  return out;
}

bool werkproces_belongs(sql::Connection& c, const Crebo& crebo, std::string_view versie, std::string_view code) {
  auto st = c.prepare("SELECT 1 FROM kwal_werkprocessen WHERE crebo = ? AND versie = ? AND code = ?");
  st.bind(1, crebo.str()).bind(2, versie).bind(3, code);
  return st.step();
}

}  // namespace edugate::adapters::db::kwalificaties
