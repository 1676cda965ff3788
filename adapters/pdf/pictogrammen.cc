#include "adapters/pdf/pictogrammen.h"

#include <cmath>

namespace edugate::adapters::pdf {
namespace {

constexpr double kPi = 3.14159265358979323846;

void source(cairo_t* cr, const Rgb& c, double alpha = 1) { cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha); }

void rounded(cairo_t* cr, double x, double y, double w, double h, double r) {
  cairo_new_sub_path(cr);
  cairo_arc(cr, x + w - r, y + r, r, -kPi / 2, 0);
  cairo_arc(cr, x + w - r, y + h - r, r, 0, kPi / 2);
  cairo_arc(cr, x + r, y + h - r, r, kPi / 2, kPi);
  cairo_arc(cr, x + r, y + r, r, kPi, 3 * kPi / 2);
  cairo_close_path(cr);
}

void wheel(cairo_t* cr, double x, double y, double r) {
  cairo_arc(cr, x, y, r, 0, 2 * kPi);
  source(cr, kleur::kTekst);
  cairo_fill(cr);
  cairo_arc(cr, x, y, r * 0.4, 0, 2 * kPi);
  source(cr, kleur::kWit);
  cairo_fill(cr);
}

// All pictograms are drawn in a 40 × 40 box.
void techniek(cairo_t* cr) {
  source(cr, kleur::kPetrol);
  cairo_translate(cr, 20, 20);
  for (int i = 0; i < 8; ++i) {
    cairo_save(cr);
    cairo_rotate(cr, i * kPi / 4);
    cairo_rectangle(cr, -3.2, -17.5, 6.4, 8);
    cairo_fill(cr);
    cairo_restore(cr);
  }
  cairo_arc(cr, 0, 0, 12.5, 0, 2 * kPi);
  cairo_fill(cr);
  source(cr, kleur::kOranje);
  cairo_arc(cr, 0, 0, 5.5, 0, 2 * kPi);
  cairo_fill(cr);
}

void zorg(cairo_t* cr) {
  cairo_move_to(cr, 20, 35);
  cairo_curve_to(cr, 4, 25, 1, 12, 9, 7);
  cairo_curve_to(cr, 14, 4, 19, 7, 20, 11);
  cairo_curve_to(cr, 21, 7, 26, 4, 31, 7);
  cairo_curve_to(cr, 39, 12, 36, 25, 20, 35);
  cairo_close_path(cr);
  source(cr, kleur::kOranje);
  cairo_fill(cr);
  source(cr, kleur::kWit);
  cairo_rectangle(cr, 18, 12, 4, 13);
  cairo_rectangle(cr, 13.5, 16.5, 13, 4);
  cairo_fill(cr);
}

void horeca(cairo_t* cr) {
  source(cr, kleur::kPetrol);
  cairo_set_line_width(cr, 2.2);
  cairo_arc(cr, 20, 21, 11, 0, 2 * kPi);
  cairo_stroke(cr);
  cairo_set_line_width(cr, 1);
  cairo_arc(cr, 20, 21, 6.5, 0, 2 * kPi);
  cairo_stroke(cr);
  // Fork.
  source(cr, kleur::kOranje);
  cairo_set_line_width(cr, 1.2);
  for (double x : {2.5, 4.5, 6.5}) {
    cairo_move_to(cr, x, 5);
    cairo_line_to(cr, x, 12);
  }
  cairo_stroke(cr);
  cairo_move_to(cr, 2.5, 12);
  cairo_curve_to(cr, 2.5, 15, 6.5, 15, 6.5, 12);
  cairo_stroke(cr);
  cairo_set_line_width(cr, 2);
  cairo_move_to(cr, 4.5, 14);
  cairo_line_to(cr, 4.5, 36);
  cairo_stroke(cr);
  // Knife.
  cairo_move_to(cr, 35, 36);
  cairo_line_to(cr, 35, 5);
  cairo_curve_to(cr, 39, 9, 39, 17, 35, 21);
  cairo_close_path(cr);
  cairo_fill(cr);
}

void ict(cairo_t* cr) {
  source(cr, kleur::kPetrol);
  cairo_set_line_width(cr, 2.2);
  rounded(cr, 4, 6, 32, 21, 2);
  cairo_stroke(cr);
  cairo_set_line_width(cr, 2.5);
  cairo_move_to(cr, 20, 27);
  cairo_line_to(cr, 20, 32);
  cairo_move_to(cr, 13, 33.5);
  cairo_line_to(cr, 27, 33.5);
  cairo_stroke(cr);
  source(cr, kleur::kOranje);
  cairo_set_line_width(cr, 1.8);
  cairo_move_to(cr, 14, 12);
  cairo_line_to(cr, 10, 16.5);
  cairo_line_to(cr, 14, 21);
  cairo_move_to(cr, 26, 12);
  cairo_line_to(cr, 30, 16.5);
  cairo_line_to(cr, 26, 21);
  cairo_move_to(cr, 22, 11);
  cairo_line_to(cr, 18, 22);
  cairo_stroke(cr);
}

void logistiek(cairo_t* cr) {
  source(cr, kleur::kPetrol);
  cairo_rectangle(cr, 2, 9, 22, 17);
  cairo_fill(cr);
  source(cr, kleur::kOranje);
  cairo_move_to(cr, 25, 14);
  cairo_line_to(cr, 32, 14);
  cairo_line_to(cr, 38, 20.5);
  cairo_line_to(cr, 38, 26);
  cairo_line_to(cr, 25, 26);
  cairo_close_path(cr);
  cairo_fill(cr);
  source(cr, kleur::kWit);
  cairo_rectangle(cr, 27, 16, 4.5, 4.5);
  cairo_fill(cr);
  wheel(cr, 9, 28.5, 4);
  wheel(cr, 31, 28.5, 4);
}

void mobiliteit(cairo_t* cr) {
  source(cr, kleur::kPetrol);
  rounded(cr, 2, 18, 36, 9, 3);
  cairo_fill(cr);
  cairo_move_to(cr, 9, 18.5);
  cairo_line_to(cr, 13.5, 10);
  cairo_line_to(cr, 27, 10);
  cairo_line_to(cr, 32, 18.5);
  cairo_close_path(cr);
  cairo_fill(cr);
  source(cr, kleur::kWit);
  cairo_move_to(cr, 12.5, 17.5);
  cairo_line_to(cr, 15.2, 12);
  cairo_line_to(cr, 19.3, 12);
  cairo_line_to(cr, 19.3, 17.5);
  cairo_close_path(cr);
  cairo_move_to(cr, 21, 17.5);
  cairo_line_to(cr, 21, 12);
  cairo_line_to(cr, 25.8, 12);
  cairo_line_to(cr, 28.8, 17.5);
  cairo_close_path(cr);
  cairo_fill(cr);
  source(cr, kleur::kOranje);
  cairo_rectangle(cr, 34, 20, 3, 2.5);
  cairo_fill(cr);
  wheel(cr, 11, 28, 4.5);
  wheel(cr, 29, 28, 4.5);
}

}  // namespace

double draw_edugate_logo(Canvas& canvas, double x, double y, double height) {
  const double s = height / 40;
  const Font naam{13 * s, true, kleur::kPetrol};
  const Font onder{6.5 * s, false, kleur::kGrijs};
  const std::string titel = "edugate demo";
  const std::string sub = "Praktijkloket · school en leerbedrijf";
  const double text_w = std::max(canvas.width(titel, naam), canvas.width(sub, onder));
  if (!canvas.dry()) {
    // Three blocks as a bridge between school and leerbedrijf.
    cairo_t* cr = canvas.cr();
    cairo_save(cr);
    cairo_translate(cr, x, y);
    cairo_scale(cr, s, s);
    rounded(cr, 0, 17, 15, 15, 3);
    source(cr, kleur::kPetrol);
    cairo_fill(cr);
    rounded(cr, 10, 7, 15, 15, 3);
    source(cr, kleur::kOranje, 0.92);
    cairo_fill(cr);
    rounded(cr, 20, 17, 15, 15, 3);
    source(cr, kleur::kGroen, 0.92);
    cairo_fill(cr);
    cairo_restore(cr);
  }
  canvas.text(x + 42 * s, y + 21 * s, titel, naam);
  canvas.text(x + 42 * s, y + 31 * s, sub, onder);
  return 42 * s + text_w;
}

void draw_branche_pictogram(Canvas& canvas, std::string_view naam, double x, double y, double size) {
  if (canvas.dry()) return;
  cairo_t* cr = canvas.cr();
  cairo_save(cr);
  cairo_translate(cr, x, y);
  cairo_scale(cr, size / 40, size / 40);
  if (naam == "techniek")
    techniek(cr);
  else if (naam == "zorg")
    zorg(cr);
  else if (naam == "horeca")
    horeca(cr);
  else if (naam == "ict")
    ict(cr);
  else if (naam == "logistiek")
    logistiek(cr);
  else if (naam == "mobiliteit")
    mobiliteit(cr);
  cairo_restore(cr);
}

std::string branche_label(std::string_view naam) {
  if (naam == "ict") return "ICT";
  std::string s(naam);
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

}  // namespace edugate::adapters::pdf
