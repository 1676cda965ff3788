#include "adapters/pdf/layout.h"

#include <algorithm>
#include <cmath>

#include "adapters/pdf/pictogrammen.h"

namespace edugate::adapters::pdf {
namespace {

constexpr const char* kFamilie = "DejaVu Sans";
constexpr char32_t kVervang = 0xFFFD;

// The code point at s[i] and its length in bytes; length 0 for an invalid sequence.
std::pair<char32_t, std::size_t> decode(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) return {c, 1};
  std::size_t len;
  char32_t cp;
  if ((c & 0xE0) == 0xC0)
    len = 2, cp = c & 0x1F;
  else if ((c & 0xF0) == 0xE0)
    len = 3, cp = c & 0x0F;
  else if ((c & 0xF8) == 0xF0)
    len = 4, cp = c & 0x07;
  else
    return {0, 0};
  if (i + len > s.size()) return {0, 0};
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return {0, 0};
    cp = (cp << 6) | (b & 0x3F);
  }
  if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return {0, 0};
  return {cp, len};
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool dropped(char32_t cp) {
  return (cp < 0x20 && cp != '\n' && cp != '\t') || (cp >= 0x7F && cp <= 0x9F) || cp == 0x200E || cp == 0x200F ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF || cp == 0xFFFE ||
         cp == 0xFFFF;
}

void set_source(cairo_t* cr, const Rgb& c) { cairo_set_source_rgb(cr, c.r, c.g, c.b); }

}  // namespace

std::string clean_text(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    auto [cp, len] = decode(s, i);
    if (len == 0) {
      append_utf8(out, kVervang);
      ++i;
      continue;
    }
    i += len;
    if (cp == '\t') cp = ' ';
    if (cp == 0x2028 || cp == 0x2029) cp = '\n';
    if (dropped(cp)) continue;
    append_utf8(out, cp);
  }
  return out;
}

// ---- Canvas ----

Canvas::Canvas(cairo_t* cr, bool dry)
    : cr_(cr),
      dry_(dry),
      regular_(cairo_toy_font_face_create(kFamilie, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL)),
      bold_(cairo_toy_font_face_create(kFamilie, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD)) {}

Canvas::~Canvas() {
  cairo_font_face_destroy(regular_);
  cairo_font_face_destroy(bold_);
}

void Canvas::select(const Font& f) {
  cairo_set_font_face(cr_, f.bold ? bold_ : regular_);
  cairo_set_font_size(cr_, f.size);
}

double Canvas::advance(char32_t cp, const Font& f) {
  const auto size = static_cast<std::uint64_t>(std::lround(f.size * 100)) & 0xFFFFF;
  const std::uint64_t key = (static_cast<std::uint64_t>(f.bold) << 62) | (size << 32) | cp;
  auto it = advances_.find(key);
  if (it != advances_.end()) return it->second;
  std::string utf8;
  append_utf8(utf8, cp);
  select(f);
  cairo_text_extents_t ext;
  cairo_text_extents(cr_, utf8.c_str(), &ext);
  const double a = std::isfinite(ext.x_advance) && ext.x_advance > 0 ? ext.x_advance : 0;
  advances_.emplace(key, a);
  return a;
}

double Canvas::width(std::string_view s, const Font& f) {
  double w = 0;
  for (std::size_t i = 0; i < s.size();) {
    auto [cp, len] = decode(s, i);
    if (len == 0) return w;  // not cleaned: stop measuring rather than guess
    w += advance(cp, f);
    i += len;
  }
  return w;
}

std::vector<std::string> Canvas::wrap(std::string_view s, const Font& f, double width) {
  std::vector<std::string> lines;
  const double space = advance(' ', f);
  std::size_t p_start = 0;
  while (p_start <= s.size()) {
    std::size_t p_end = s.find('\n', p_start);
    if (p_end == std::string_view::npos) p_end = s.size();
    const std::string_view para = s.substr(p_start, p_end - p_start);
    std::string cur;
    double cur_w = 0;
    bool any = false;
    std::size_t w_start = 0;
    while (w_start < para.size()) {
      std::size_t w_end = para.find(' ', w_start);
      if (w_end == std::string_view::npos) w_end = para.size();
      const std::string_view word = para.substr(w_start, w_end - w_start);
      w_start = w_end + 1;
      if (word.empty()) continue;
      any = true;
      const double ww = this->width(word, f);
      if (!cur.empty() && cur_w + space + ww <= width) {
        cur += ' ';
        cur += word;
        cur_w += space + ww;
        continue;
      }
      if (!cur.empty()) lines.push_back(std::move(cur));
      cur.clear();
      cur_w = 0;
      if (ww <= width) {
        cur = std::string(word);
        cur_w = ww;
        continue;
      }
      // A word longer than the line: cut it, after its last hyphen where there is one.
      std::size_t start = 0, after_hyphen = std::string_view::npos;
      double acc = 0, acc_at_hyphen = 0;
      for (std::size_t i = 0; i < word.size();) {
        auto [cp, len] = decode(word, i);
        if (len == 0) break;
        const double a = advance(cp, f);
        if (acc + a > width && i > start) {
          const bool at_hyphen = after_hyphen != std::string_view::npos && after_hyphen > start;
          const std::size_t cut = at_hyphen ? after_hyphen : i;
          lines.emplace_back(word.substr(start, cut - start));
          acc = at_hyphen ? acc - acc_at_hyphen : 0;
          start = cut;
          after_hyphen = std::string_view::npos;
        }
        acc += a;
        i += len;
        if (cp == '-') after_hyphen = i, acc_at_hyphen = acc;
      }
      cur = std::string(word.substr(start));
      cur_w = acc;
    }
    if (!cur.empty() || !any) lines.push_back(std::move(cur));
    p_start = p_end + 1;
  }
  return lines;
}

std::string Canvas::ellipsize(std::string_view s, const Font& f, double width) {
  if (this->width(s, f) <= width) return std::string(s);
  const std::string ell = "…";
  double acc = this->width(ell, f);
  std::size_t i = 0;
  while (i < s.size()) {
    auto [cp, len] = decode(s, i);
    if (len == 0) break;
    const double a = advance(cp, f);
    if (acc + a > width) break;
    acc += a;
    i += len;
  }
  return std::string(s.substr(0, i)) + ell;
}

void Canvas::text(double x, double baseline, std::string_view s, const Font& f) {
  if (dry_ || s.empty()) return;
  select(f);
  set_source(cr_, f.color);
  cairo_move_to(cr_, x, baseline);
  cairo_show_text(cr_, std::string(s).c_str());
}

void Canvas::text_right(double right, double baseline, std::string_view s, const Font& f) {
  text(right - width(s, f), baseline, s, f);
}

void Canvas::text_center(double center, double baseline, std::string_view s, const Font& f) {
  text(center - width(s, f) / 2, baseline, s, f);
}

void Canvas::rect(double x, double y, double w, double h, const Rgb* fill, const Rgb* stroke, double line_width) {
  if (dry_) return;
  cairo_rectangle(cr_, x, y, w, h);
  if (fill) {
    set_source(cr_, *fill);
    if (stroke)
      cairo_fill_preserve(cr_);
    else
      cairo_fill(cr_);
  }
  if (stroke) {
    set_source(cr_, *stroke);
    cairo_set_line_width(cr_, line_width);
    cairo_stroke(cr_);
  }
}

void Canvas::line(double x1, double y1, double x2, double y2, const Rgb& c, double line_width) {
  if (dry_) return;
  set_source(cr_, c);
  cairo_set_line_width(cr_, line_width);
  cairo_move_to(cr_, x1, y1);
  cairo_line_to(cr_, x2, y2);
  cairo_stroke(cr_);
}

// ---- Pages ----

Pages::Pages(Canvas& c, PageDecor decor, int total_pages, int max_pages)
    : canvas(c), decor_(std::move(decor)), total_(total_pages), max_(max_pages) {}

void Pages::begin() {
  page_ = 1;
  y = top;
  header();
}

void Pages::new_page() {
  footer();
  watermark();
  if (!canvas.dry()) cairo_show_page(canvas.cr());
  ++page_;
  // Stop laying out a hostile document early instead of after thousands of pages.
  if (canvas.dry() && max_ > 0 && page_ > max_) throw TeVeelPaginas{};
  y = top;
  header();
}

void Pages::finish() {
  footer();
  watermark();
  if (!canvas.dry()) cairo_show_page(canvas.cr());
}

void Pages::ensure(double h) {
  if (y + h > bottom && !at_top()) new_page();
}

void Pages::header() {
  draw_edugate_logo(canvas, left, 24, 40);
  canvas.text_right(right, 40, decor_.soort, Font{12, true, kleur::kPetrol});
  if (decor_.is_concept) {
    // The status in words as well as the watermark: the watermark is drawn as outlines, the
    // status here stays searchable text.
    const Font f{8.5, true, kleur::kWit};
    const std::string label = "CONCEPT";
    const double w = canvas.width(label, f) + 12;
    canvas.rect(right - w, 47, w, 14, &kleur::kRood, nullptr);
    canvas.text(right - w + 6, 57.5, label, f);
  } else {
    canvas.text_right(right, 57.5, "Definitief", Font{8.5, true, kleur::kGroen});
  }
  canvas.line(left, 72, right, 72, kleur::kPetrol, 1.2);
}

void Pages::footer() {
  const Font f{7, false, kleur::kGrijs};
  const double base = bottom + 34;
  canvas.line(left, bottom + 22, right, bottom + 22, kleur::kLijn, 0.5);
  const double third = width() / 3;
  canvas.text(left, base, canvas.ellipsize("Document-id: " + decor_.document_id, f, third + 20), f);
  canvas.text_center(left + width() / 2 + 10, base,
                     canvas.ellipsize("Aangemaakt: " + decor_.aanmaakdatum, f, third - 30), f);
  std::string nr = "Pagina " + std::to_string(page_);
  if (total_ > 0) nr += " van " + std::to_string(total_);
  canvas.text_right(right, base, nr, f);
}

void Pages::watermark() {
  if (!decor_.is_concept || canvas.dry()) return;
  cairo_t* cr = canvas.cr();
  cairo_save(cr);
  cairo_translate(cr, kA4Breedte / 2, kA4Hoogte / 2);
  cairo_rotate(cr, -std::atan2(kA4Hoogte, kA4Breedte));
  const Font f{118, true, kleur::kRood};
  canvas.select(f);
  cairo_text_extents_t ext;
  cairo_text_extents(cr, "CONCEPT", &ext);
  // Outlines, not text: the mark must not end up inside the extracted text of the page.
  cairo_move_to(cr, -ext.x_advance / 2, ext.height / 2);
  cairo_text_path(cr, "CONCEPT");
  cairo_set_source_rgba(cr, kleur::kRood.r, kleur::kRood.g, kleur::kRood.b, 0.11);
  cairo_fill(cr);
  cairo_restore(cr);
}

void Pages::paragraph(std::string_view s, const Font& f, double indent, double space_after, double max_width) {
  const double lh = f.line_height();
  for (const auto& l : canvas.wrap(s, f, (max_width > 0 ? max_width : width()) - indent)) {
    ensure(lh);
    canvas.text(left + indent, y + f.size * 1.02, l, f);
    y += lh;
  }
  y += space_after;
}

void Pages::heading(std::string_view s, const Font& f, double keep) {
  ensure(f.line_height() + keep);
  paragraph(s, f, 0, 3);
}

// ---- tables ----

namespace {

struct Regel {
  std::string text;
  const Font* font;
  double h;
};

struct Kolom {
  double x, w;
  std::vector<Regel> regels;
  std::size_t next = 0;
  double rest() const {
    double h = 0;
    for (std::size_t i = next; i < regels.size(); ++i) h += regels[i].h;
    return h;
  }
};

}  // namespace

void draw_table(Pages& pages, const std::vector<Column>& columns, const std::vector<std::vector<Cell>>& rows,
                const TableStyle& style) {
  if (columns.empty()) return;
  Canvas& c = pages.canvas;
  const double pad = style.padding;
  double total = 0;
  for (const auto& col : columns) total += col.width;
  const double scale = total > 0 ? pages.width() / total : 1;
  std::vector<double> xs, ws;
  double x = pages.left;
  for (const auto& col : columns) {
    xs.push_back(x);
    ws.push_back(col.width * scale);
    x += col.width * scale;
  }

  std::vector<std::vector<std::string>> head;
  double head_h = 0;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    head.push_back(c.wrap(columns[i].header, style.header_font, ws[i] - 2 * pad));
    head_h = std::max(head_h, head.back().size() * style.header_font.line_height());
  }
  head_h += 2 * pad;
  auto draw_header = [&] {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      c.rect(xs[i], pages.y, ws[i], head_h, &style.header_fill, &kleur::kLijn);
      double ly = pages.y + pad;
      for (const auto& l : head[i]) {
        c.text(xs[i] + pad, ly + style.header_font.size * 1.02, l, style.header_font);
        ly += style.header_font.line_height();
      }
    }
    pages.y += head_h;
  };
  auto next_page = [&] {
    pages.new_page();
    draw_header();
  };
  const double just_below_header = pages.top + head_h + 0.01;

  pages.ensure(head_h + 2 * pad + 3 * Font{}.line_height());
  draw_header();

  for (std::size_t r = 0; r < rows.size(); ++r) {
    std::vector<Kolom> cols;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      Kolom k{xs[i], ws[i], {}, 0};
      if (i < rows[r].size()) {
        for (const auto& para : rows[r][i])
          for (auto& l : c.wrap(para.text, para.font, ws[i] - 2 * pad))
            k.regels.push_back({std::move(l), &para.font, para.font.line_height()});
      }
      cols.push_back(std::move(k));
    }
    const Rgb* fill = style.zebra && r % 2 == 1 ? &kleur::kZebra : nullptr;
    const double room_on_fresh_page = pages.bottom - pages.top - head_h;
    bool first = true;
    while (true) {
      double need = 0;
      for (const auto& k : cols) need = std::max(need, k.rest());
      need += 2 * pad;
      const bool fresh = pages.y <= just_below_header;
      std::vector<std::size_t> upto;  // per column: lines drawn in this fragment end here
      double frag_h = 0;
      if (need <= pages.remaining()) {
        for (const auto& k : cols) upto.push_back(k.regels.size());
        frag_h = need;
      } else if (!fresh && (first ? need <= room_on_fresh_page : false)) {
        next_page();  // the whole row fits on the next page: keep it together
        continue;
      } else if (!fresh && pages.remaining() < 2 * pad + 3 * Font{}.line_height()) {
        next_page();  // too little room to start splitting here
        continue;
      } else {
        const double usable = pages.remaining() - 2 * pad;
        double tallest = 0;
        for (const auto& k : cols) {
          double h = 0;
          std::size_t n = k.next;
          while (n < k.regels.size() && h + k.regels[n].h <= usable) h += k.regels[n++].h;
          if (n == k.next && n < k.regels.size() && fresh) h += k.regels[n++].h;  // always progress
          upto.push_back(n);
          tallest = std::max(tallest, h);
        }
        frag_h = tallest + 2 * pad;
      }
      for (std::size_t i = 0; i < cols.size(); ++i) {
        Kolom& k = cols[i];
        c.rect(k.x, pages.y, k.w, frag_h, fill, &kleur::kLijn);
        double ly = pages.y + pad;
        for (; k.next < upto[i]; ++k.next) {
          const Regel& l = k.regels[k.next];
          c.text(k.x + pad, ly + l.font->size * 1.02, l.text, *l.font);
          ly += l.h;
        }
      }
      pages.y += frag_h;
      first = false;
      bool left_over = false;
      for (const auto& k : cols) left_over = left_over || k.next < k.regels.size();
      if (!left_over) break;
      next_page();
    }
  }
}

}  // namespace edugate::adapters::pdf
