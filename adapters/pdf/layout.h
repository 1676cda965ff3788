#pragma once
// A small page-layout engine over cairo for the Praktijkloket documents: cleaned UTF-8, measured
// and wrapped text (long words are broken), headings and paragraphs that flow over pages, and
// bordered tables whose rows split over pages. Internal to adapters/pdf.
//
// Every document is laid out twice: a dry pass (nothing drawn) counts the pages, so the footer
// can say "pagina 3 van 7" and an oversized document is refused before any PDF is made.
#include <cairo.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace edugate::adapters::pdf {

struct Rgb {
  double r, g, b;
};

namespace kleur {
inline constexpr Rgb kTekst{0.12, 0.13, 0.15};
inline constexpr Rgb kPetrol{0.0, 0.34, 0.43};
inline constexpr Rgb kOranje{0.91, 0.47, 0.11};
inline constexpr Rgb kGroen{0.36, 0.58, 0.18};
inline constexpr Rgb kRood{0.75, 0.12, 0.12};
inline constexpr Rgb kGrijs{0.42, 0.44, 0.47};
inline constexpr Rgb kLijn{0.62, 0.65, 0.69};
inline constexpr Rgb kKop{0.87, 0.93, 0.95};
inline constexpr Rgb kZebra{0.965, 0.97, 0.975};
inline constexpr Rgb kWit{1, 1, 1};
}  // namespace kleur

struct Font {
  double size = 9;
  bool bold = false;
  Rgb color = kleur::kTekst;
  double line_height() const { return size * 1.32; }
};

// Valid UTF-8 that cairo accepts: bad sequences become U+FFFD; control and bidi-override characters
// are dropped (tab becomes a space); '\n' is kept as a line break.
std::string clean_text(std::string_view s);

// A cairo context plus cached glyph advances. In a dry canvas nothing is drawn.
class Canvas {
 public:
  Canvas(cairo_t* cr, bool dry);
  ~Canvas();
  Canvas(const Canvas&) = delete;
  Canvas& operator=(const Canvas&) = delete;

  cairo_t* cr() const { return cr_; }
  bool dry() const { return dry_; }

  double width(std::string_view clean, const Font& f);
  // Lines that fit `width`; words longer than a line are broken (after a hyphen when there is one).
  std::vector<std::string> wrap(std::string_view clean, const Font& f, double width);
  // The text cut with "…" so that it fits `width`.
  std::string ellipsize(std::string_view clean, const Font& f, double width);

  void text(double x, double baseline, std::string_view clean, const Font& f);
  void text_right(double right, double baseline, std::string_view clean, const Font& f);
  void text_center(double center, double baseline, std::string_view clean, const Font& f);
  void rect(double x, double y, double w, double h, const Rgb* fill, const Rgb* stroke, double line_width = 0.5);
  void line(double x1, double y1, double x2, double y2, const Rgb& c, double line_width = 0.5);
  void select(const Font& f);

 private:
  double advance(char32_t cp, const Font& f);

  cairo_t* cr_;
  bool dry_;
  cairo_font_face_t* regular_;
  cairo_font_face_t* bold_;
  std::unordered_map<std::uint64_t, double> advances_;
};

inline constexpr double kA4Breedte = 595.276;
inline constexpr double kA4Hoogte = 841.89;

struct PageDecor {
  std::string soort;  // "Begeleidingsdocument" / "Praktijkverklaring" in the header
  bool is_concept = true;
  std::string document_id;  // cleaned
  std::string aanmaakdatum;
};

// Thrown by a dry Pages when the document passes its page limit; caught in the same module.
struct TeVeelPaginas {};

// Pages with header, footer and watermark; a cursor `y` that flows content over pages.
class Pages {
 public:
  // A dry Pages with max_pages > 0 throws TeVeelPaginas when a page beyond it starts.
  Pages(Canvas& canvas, PageDecor decor, int total_pages, int max_pages = 0);
  void begin();
  void finish();  // ends the last page
  void new_page();
  // Starts a new page unless `h` still fits below y.
  void ensure(double h);
  double remaining() const { return bottom - y; }
  bool at_top() const { return y <= top + 0.01; }
  int page() const { return page_; }

  Canvas& canvas;
  const double left = 51, right = kA4Breedte - 51, top = 96, bottom = kA4Hoogte - 58;
  double y = 96;
  double width() const { return right - left; }

  // Wrapped text flowing over pages; `max_width` 0 is the full width.
  void paragraph(std::string_view clean, const Font& f, double indent = 0, double space_after = 4,
                 double max_width = 0);
  // A heading kept together with `keep` points of what follows.
  void heading(std::string_view clean, const Font& f, double keep = 60);
  void space(double h) { y += h; }

 private:
  void header();
  void footer();
  void watermark();

  PageDecor decor_;
  int total_;
  int max_;
  int page_ = 0;
};

struct Para {
  std::string text;  // cleaned
  Font font;
};
using Cell = std::vector<Para>;

struct Column {
  double width;
  std::string header;
};

struct TableStyle {
  Font header_font{8, true, kleur::kPetrol};
  Rgb header_fill = kleur::kKop;
  bool zebra = true;
  double padding = 3.5;
};

// A bordered table; the header row repeats on every page; a row that does not fit on the rest of
// the page moves to the next one, a row taller than a page is split line by line.
void draw_table(Pages& pages, const std::vector<Column>& columns, const std::vector<std::vector<Cell>>& rows,
                const TableStyle& style = {});

}  // namespace edugate::adapters::pdf
