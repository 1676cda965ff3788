#include "rules_scan.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace edugate::rules_scan {
namespace fs = std::filesystem;
namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Literal {
  std::size_t pos;
  std::string text;
};

// A C++ source split into its code (comments blanked, newlines kept) and its string literals.
struct Lexed {
  std::string code;
  std::vector<Literal> literals;
};

Lexed lex(const std::string& s) {
  Lexed out;
  out.code = s;
  std::size_t i = 0;
  const std::size_t n = s.size();
  auto blank = [&](std::size_t from, std::size_t to) {
    for (std::size_t k = from; k < to && k < n; ++k)
      if (out.code[k] != '\n') out.code[k] = ' ';
  };
  while (i < n) {
    if (s.compare(i, 2, "//") == 0) {
      std::size_t e = s.find('\n', i);
      if (e == std::string::npos) e = n;
      blank(i, e);
      i = e;
    } else if (s.compare(i, 2, "/*") == 0) {
      std::size_t e = s.find("*/", i + 2);
      e = e == std::string::npos ? n : e + 2;
      blank(i, e);
      i = e;
    } else if (s[i] == 'R' && i + 1 < n && s[i + 1] == '"' && (i == 0 || !(std::isalnum(static_cast<unsigned char>(s[i - 1])) || s[i - 1] == '_'))) {
      std::size_t open = s.find('(', i + 2);
      if (open == std::string::npos) break;
      const std::string close = ")" + s.substr(i + 2, open - i - 2) + "\"";
      std::size_t e = s.find(close, open + 1);
      if (e == std::string::npos) e = n;
      out.literals.push_back({i, s.substr(open + 1, e - open - 1)});
      i = std::min(n, e + close.size());
    } else if (s[i] == '"') {
      std::size_t j = i + 1;
      std::string text;
      while (j < n && s[j] != '"' && s[j] != '\n') {
        if (s[j] == '\\' && j + 1 < n) {
          text += s[j];
          ++j;
        }
        text += s[j];
        ++j;
      }
      out.literals.push_back({i, text});
      i = j + 1;
    } else if (s[i] == '\'' && (i == 0 || !std::isxdigit(static_cast<unsigned char>(s[i - 1])))) {
      // A character literal (not a digit separator as in 1'000).
      std::size_t j = i + 1;
      while (j < n && s[j] != '\'' && s[j] != '\n') j += s[j] == '\\' ? 2 : 1;
      i = j + 1;
    } else {
      ++i;
    }
  }
  return out;
}

std::vector<fs::path> sources(const fs::path& root, std::initializer_list<const char*> dirs) {
  std::vector<fs::path> out;
  for (const char* d : dirs) {
    if (!fs::exists(root / d)) continue;
    for (const auto& e : fs::recursive_directory_iterator(root / d)) {
      if (!e.is_regular_file()) continue;
      const auto ext = e.path().extension();
      if (ext == ".cc" || ext == ".h") out.push_back(e.path());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

// The test sources, without the catalogue's own test (its allowlist names Meldingen).
std::vector<fs::path> test_sources(const std::string& source_dir) {
  std::vector<fs::path> out;
  for (auto& p : sources(source_dir, {"tests"}))
    if (p.extension() == ".cc" && p.filename() != "rules_test.cc" && p.filename() != "rules_scan.cc" &&
        p.filename() != "rules_doc_main.cc")
      out.push_back(p);
  return out;
}

const std::regex& test_header() {
  static const std::regex r(R"(\bTEST(?:_F|_P)?\s*\(\s*(\w+)\s*,\s*(\w+)\s*\))");
  return r;
}

bool has_token(const std::string& text, std::string_view code) {
  for (std::size_t at = text.find(code); at != std::string::npos; at = text.find(code, at + 1)) {
    auto part_of_code = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; };
    const bool left = at == 0 || !part_of_code(text[at - 1]);
    const std::size_t end = at + code.size();
    // "DK0005-NO-OIN" (a probe check id) names DK0005 too.
    const bool right = end == text.size() || !part_of_code(text[end]) || (text[end] == '-' && code.find('-') == std::string_view::npos);
    if (left && right) return true;
  }
  return false;
}

}  // namespace

std::string test_prefix(const rules::Rule& r) {
  std::string s(r.code);
  std::replace(s.begin(), s.end(), '-', '_');
  return s;
}

std::map<std::string, std::vector<std::string>> tests_named_after(const std::string& source_dir) {
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& file : test_sources(source_dir)) {
    const std::string code = lex(read(file)).code;
    for (std::sregex_iterator it(code.begin(), code.end(), test_header()), end; it != end; ++it) {
      const std::string name = (*it)[2];
      for (const rules::Rule* r : rules::all())
        if (name.rfind(test_prefix(*r) + "_", 0) == 0) out[std::string(r->code)].push_back(std::string((*it)[1]) + "." + name);
    }
  }
  for (auto& [code, names] : out) std::sort(names.begin(), names.end());
  return out;
}

std::map<std::string, std::vector<std::string>> tests_asserting(const std::string& source_dir) {
  std::map<std::string, std::set<std::string>> found;
  for (const auto& file : test_sources(source_dir)) {
    const Lexed l = lex(read(file));
    std::vector<std::pair<std::size_t, std::string>> tests;  // where each test starts
    for (std::sregex_iterator it(l.code.begin(), l.code.end(), test_header()), end; it != end; ++it)
      tests.emplace_back(static_cast<std::size_t>(it->position()), std::string((*it)[1]) + "." + std::string((*it)[2]));
    for (const auto& lit : l.literals) {
      auto t = std::upper_bound(tests.begin(), tests.end(), std::make_pair(lit.pos, std::string()),
                                [](const auto& a, const auto& b) { return a.first < b.first; });
      if (t == tests.begin()) continue;  // a helper before the first test
      const std::string& test = std::prev(t)->second;
      for (const rules::Rule* r : rules::all())
        if (has_token(lit.text, r->code)) found[std::string(r->code)].insert(test);
    }
  }
  std::map<std::string, std::vector<std::string>> out;
  for (auto& [code, names] : found) out[code].assign(names.begin(), names.end());
  return out;
}

std::vector<std::string> literal_codes(const std::string& source_dir) {
  static const std::regex code(R"re(\b((?:DK|EK)[0-9]{4}|(?:WT|WB|WS|WW)[0-9]{3})\b)re");
  static const std::regex melding(R"re(\b(?:fout|melding)\s*\(\s*(?:[^"(),]*\?\s*)?"([A-Z][A-Z0-9-]+)"|\bMelding\s*\{\s*"([A-Z][A-Z0-9-]+)")re");
  std::vector<std::string> out;
  for (const auto& file : sources(source_dir, {"core", "gateway", "security", "store", "adapters", "app"})) {
    const std::string rel = fs::relative(file, source_dir).generic_string();
    if (rel == "core/rules.h" || rel == "core/rules.cc") continue;
    const std::string text = read(file);
    const Lexed l = lex(text);
    auto line_of = [&](std::size_t pos) { return 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(pos), '\n'); };
    for (const auto& lit : l.literals)
      for (std::sregex_iterator it(lit.text.begin(), lit.text.end(), code), end; it != end; ++it)
        out.push_back(rel + ":" + std::to_string(line_of(lit.pos)) + ": " + std::string((*it)[1]));
    for (std::sregex_iterator it(text.begin(), text.end(), melding), end; it != end; ++it) {
      const auto pos = static_cast<std::size_t>(it->position());
      if (l.code[pos] != text[pos]) continue;  // in a comment
      out.push_back(rel + ":" + std::to_string(line_of(pos)) + ": " + std::string((*it)[1].matched ? (*it)[1] : (*it)[2]));
    }
  }
  return out;
}

std::string markdown(const std::string& source_dir) {
  const auto named = tests_named_after(source_dir);
  const auto asserting = tests_asserting(source_dir);
  auto cell = [](std::string_view s) {
    std::string o;
    for (char c : s) o += c == '|' ? std::string("\\|") : std::string(1, c);
    return o;
  };
  auto side = [](const rules::Rule& r) {
    switch (r.side) {
      case rules::Side::client: return "Client";
      case rules::Side::server: return "Server";
      case rules::Side::none: return "—";
    }
    return "—";
  };
  auto list = [](const std::vector<std::string>& v, std::size_t max) {
    std::string o;
    for (std::size_t i = 0; i < v.size() && i < max; ++i) o += (i ? ", " : "") + ("`" + v[i] + "`");
    if (v.size() > max) o += " and " + std::to_string(v.size() - max) + " more";
    return o;
  };
  std::ostringstream md;
  md << "# The rule catalogue\n\n"
        "Generated from `core/rules.h` by `edugate_rules_doc`; do not edit. Regenerate with\n"
        "`./build/tests/unit/core/edugate_rules_doc > docs/RULES.md` (the test `Rules.RulesMdIsGeneratedFromTheCatalogue`\n"
        "fails when this file is stale). Every fault code and rule has a test named `<CODE>_…`;\n"
        "a Melding is tested where a test asserts its code.\n";
  const struct {
    rules::Kind kind;
    const char* title;
    const char* intro;
  } kinds[] = {
      {rules::Kind::fault, "SOAP faults", "Answered as a SOAP 1.1 Fault, HTTP 500, the code in `faultstring` and `detail` "
                                          "(edukoppeling.md §5)."},
      {rules::Kind::rule, "Rules of the standard",
       "Checked by edugate (and by `edugate probe`, whose check ids they are); a violation is answered with the "
       "fault code the text names, or refused at start-up."},
      {rules::Kind::melding, "Meldingen",
       "Business findings in a normal HTTP 200 answer, never a fault (edukoppeling.md §5, last paragraph)."},
  };
  for (const auto& k : kinds) {
    md << "\n## " << k.title << "\n\n" << k.intro << "\n\n";
    md << "| code | side | text | rule of the standard | where tested |\n| --- | --- | --- | --- | --- |\n";
    for (const rules::Rule* r : rules::all()) {
      if (r->kind != k.kind) continue;
      const std::string code(r->code);
      std::string text(r->text);
      if (!r->field.empty()) text += " (field: " + std::string(r->field) + ")";
      std::string where;
      if (auto n = named.find(code); n != named.end()) where = list(n->second, 4);
      else if (auto a = asserting.find(code); a != asserting.end()) where = "asserted in " + list(a->second, 3);
      else where = "**none**";
      md << "| " << code << " | " << side(*r) << " | " << cell(text) << " | " << cell(r->standard) << " | " << where << " |\n";
    }
  }
  return md.str();
}

}  // namespace edugate::rules_scan
