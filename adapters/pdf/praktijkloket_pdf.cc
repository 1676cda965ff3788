#include "adapters/pdf/praktijkloket_pdf.h"

#include <cairo-pdf.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <memory>
#include <optional>

#include "adapters/pdf/jpeg.h"
#include "adapters/pdf/layout.h"
#include "adapters/pdf/pictogrammen.h"

namespace edugate::adapters::pdf {
namespace {

constexpr int kLogoRenderZijde = 600;  // pixels: the PDF gets the original JPEG where it can
constexpr double kLogoBoxB = 150, kLogoBoxH = 60;

struct SurfaceDeleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct ContextDeleter {
  void operator()(cairo_t* c) const { cairo_destroy(c); }
};
using SurfacePtr = std::unique_ptr<cairo_surface_t, SurfaceDeleter>;
using ContextPtr = std::unique_ptr<cairo_t, ContextDeleter>;

std::string c(std::string_view s) { return clean_text(s); }
std::string of_streep(std::string s) { return s.empty() ? "—" : s; }

std::string naam_van(const DeelnemerView& d) {
  std::string out;
  for (const std::string* deel : {&d.voornaam, &d.tussenvoegsel, &d.achternaam}) {
    std::string x = c(*deel);
    if (x.empty()) continue;
    if (!out.empty()) out += ' ';
    out += x;
  }
  return of_streep(out);
}

std::string mib(std::size_t bytes) {
  if (bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  if (bytes % 1024 == 0) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

Status check_size(std::string_view bytes, std::size_t max_bytes) {
  if (bytes.empty()) return make_error("LOGO", "bedrijfslogo moet een JPEG-afbeelding zijn", "Bedrijfslogo");
  if (bytes.size() > max_bytes)
    return make_error("LOGO", "bedrijfslogo is groter dan " + mib(max_bytes), "Bedrijfslogo");
  return ok_status();
}

cairo_status_t append(void* closure, const unsigned char* data, unsigned int length) {
  try {
    static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
    return CAIRO_STATUS_SUCCESS;
  } catch (const std::exception&) {
    return CAIRO_STATUS_WRITE_ERROR;
  }
}
cairo_status_t discard(void*, const unsigned char*, unsigned int) { return CAIRO_STATUS_SUCCESS; }

using Layout = std::function<void(Pages&)>;

// Lays the document out once without drawing to count its pages, then for real.
Result<std::string> render(const PageDecor& decor, const char* titel, const Layout& layout) {
  try {
    int pages = 0;
    try {
      SurfacePtr s(cairo_pdf_surface_create_for_stream(discard, nullptr, kA4Breedte, kA4Hoogte));
      ContextPtr cr(cairo_create(s.get()));
      Canvas canvas(cr.get(), true);
      Pages p(canvas, decor, 0, kMaxPaginas);
      p.begin();
      layout(p);
      p.finish();
      pages = p.page();
    } catch (const TeVeelPaginas&) {
      return make_error("PDF", "document wordt te groot (meer dan " + std::to_string(kMaxPaginas) + " pagina's)");
    }
    std::string out;
    SurfacePtr s(cairo_pdf_surface_create_for_stream(append, &out, kA4Breedte, kA4Hoogte));
    cairo_pdf_surface_set_metadata(s.get(), CAIRO_PDF_METADATA_TITLE, titel);
    cairo_pdf_surface_set_metadata(s.get(), CAIRO_PDF_METADATA_CREATOR, "edugate");
    cairo_status_t st;
    {
      ContextPtr cr(cairo_create(s.get()));
      Canvas canvas(cr.get(), false);
      Pages p(canvas, decor, pages);
      p.begin();
      layout(p);
      p.finish();
      st = cairo_status(cr.get());
    }
    cairo_surface_finish(s.get());
    if (st == CAIRO_STATUS_SUCCESS) st = cairo_surface_status(s.get());
    if (st != CAIRO_STATUS_SUCCESS)
      return make_error("PDF", std::string("PDF maken mislukt: ") + cairo_status_to_string(st));
    return out;
  } catch (const std::bad_alloc&) {
    return make_error("PDF", "PDF maken mislukt: onvoldoende geheugen");
  }
}

// ---- blocks shared by both documents ----

const Font kBody{9};
const Font kBodyBold{9, true};
const Font kKlein{8};
const Font kKleinBold{8, true};
const Font kGrijsKlein{8, false, kleur::kGrijs};

// The four parties in two rows of two: deelnemer and school, leerbedrijf and praktijkopleider.
void partijen(Pages& p, const SchoolView& school, const DeelnemerView& d, const LeerbedrijfView& lb,
              const PraktijkopleiderView& po) {
  Cell deelnemer{{naam_van(d), kBodyBold},
                 {"Geboortedatum: " + of_streep(c(d.geboortedatum)), kKlein},
                 {"Opleiding: " + of_streep(c(d.opleiding)), kKlein}};
  Cell sch{{of_streep(c(school.naam)), kBodyBold}, {"BRIN: " + of_streep(c(school.brin)), kKlein}};
  Cell bedrijf{{of_streep(c(lb.naam)), kBodyBold},
               {"LeerbedrijfID: " + of_streep(c(lb.leerbedrijf_id)), kKlein},
               {"Plaats: " + of_streep(c(lb.plaats)), kKlein}};
  Cell opleider{{of_streep(c(po.naam)), kBodyBold}};
  if (!po.functie.empty()) opleider.push_back({"Functie: " + c(po.functie), kKlein});
  if (!po.email.empty()) opleider.push_back({"E-mail: " + c(po.email), kKlein});
  TableStyle style;
  style.zebra = false;
  style.padding = 5;
  draw_table(p, {{1, "Deelnemer"}, {1, "School"}}, {{deelnemer, sch}}, style);
  p.space(6);
  draw_table(p, {{1, "Leerbedrijf"}, {1, "Praktijkopleider"}}, {{bedrijf, opleider}}, style);
  p.space(12);
}

struct Ondertekenaar {
  std::string rol, naam;
};

void ondertekening(Pages& p, const std::vector<Ondertekenaar>& wie) {
  const double h = 118;
  p.ensure(h);
  p.heading("Ondertekening", Font{12, true, kleur::kPetrol}, h - 20);
  Canvas& cv = p.canvas;
  const double gap = 16;
  const double w = (p.width() - gap * (wie.size() - 1)) / static_cast<double>(wie.size());
  for (std::size_t i = 0; i < wie.size(); ++i) {
    const double x = p.left + i * (w + gap);
    double y = p.y + 10;
    cv.text(x, y, cv.ellipsize(wie[i].rol, kBodyBold, w), kBodyBold);
    y += 15;
    cv.text(x, y, cv.ellipsize("Naam: " + wie[i].naam, kKlein, w), kKlein);
    y += 18;
    cv.text(x, y, "Datum:", kKlein);
    cv.line(x + 32, y + 1, x + w, y + 1, kleur::kLijn);
    y += 18;
    cv.text(x, y, "Handtekening:", kKlein);
    cv.rect(x, y + 5, w, 40, nullptr, &kleur::kLijn);
  }
  p.space(h - 20);
}

// ---- the company logo as a cairo surface ----

struct Logo {
  SurfacePtr surface;
  int width = 0, height = 0;
};

Result<Logo> logo_surface(std::string_view jpeg) {
  if (auto st = check_size(jpeg, kMaxLogoBytes); !st) return st.error();
  auto img = decode_jpeg(jpeg, kLogoRenderZijde);
  if (!img) return img.error();
  SurfacePtr s(cairo_image_surface_create(CAIRO_FORMAT_RGB24, img->width, img->height));
  if (cairo_surface_status(s.get()) != CAIRO_STATUS_SUCCESS)
    return make_error("PDF", "PDF maken mislukt: geen geheugen voor het bedrijfslogo");
  cairo_surface_flush(s.get());
  unsigned char* data = cairo_image_surface_get_data(s.get());
  const int stride = cairo_image_surface_get_stride(s.get());
  for (int y = 0; y < img->height; ++y)
    std::memcpy(data + static_cast<std::ptrdiff_t>(y) * stride,
                img->pixels.data() + static_cast<std::size_t>(y) * img->width,
                static_cast<std::size_t>(img->width) * 4);
  cairo_surface_mark_dirty(s.get());
  if (img->embeddable) {
    // The PDF then carries the original JPEG (DCTDecode) at full resolution instead of our pixels.
    auto* copy = static_cast<unsigned char*>(std::malloc(jpeg.size()));
    if (copy != nullptr) {
      std::memcpy(copy, jpeg.data(), jpeg.size());
      if (cairo_surface_set_mime_data(s.get(), CAIRO_MIME_TYPE_JPEG, copy, jpeg.size(), std::free, copy) !=
          CAIRO_STATUS_SUCCESS)
        std::free(copy);
    }
  }
  return Logo{std::move(s), img->width, img->height};
}

// Draws the logo aspect-fit, right-aligned in a box; returns the height used.
double draw_logo(Pages& p, const Logo& logo, double right, double y) {
  const double scale = std::min(kLogoBoxB / logo.width, kLogoBoxH / logo.height);
  const double w = logo.width * scale, h = logo.height * scale;
  if (!p.canvas.dry()) {
    cairo_t* cr = p.canvas.cr();
    cairo_save(cr);
    cairo_translate(cr, right - w, y);
    cairo_scale(cr, scale, scale);
    cairo_set_source_surface(cr, logo.surface.get(), 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
    cairo_paint(cr);
    cairo_restore(cr);
  }
  return h;
}

}  // namespace

// ---- public ----

Status check_logo(std::string_view bytes, std::size_t max_bytes) {
  if (auto st = check_size(bytes, max_bytes); !st) return st;
  auto img = decode_jpeg(bytes, 0);
  if (!img) return img.error();
  return ok_status();
}

const std::vector<std::string>& branche_logo_namen() {
  static const std::vector<std::string> namen{"techniek", "zorg", "horeca", "ict", "logistiek", "mobiliteit"};
  return namen;
}

bool is_branche_logo(std::string_view naam) {
  const auto& n = branche_logo_namen();
  return std::find(n.begin(), n.end(), naam) != n.end();
}

Result<std::string> render_begeleidingsdocument(const BegeleidingsdocumentView& doc) {
  PageDecor decor{"Begeleidingsdocument", doc.is_concept, c(doc.document_id), c(doc.aanmaakdatum)};
  return render(decor, "Begeleidingsdocument", [&doc](Pages& p) {
    p.paragraph("Begeleidingsdocument", Font{20, true, kleur::kPetrol}, 0, 2);
    if (!doc.titel.empty()) p.paragraph(c(doc.titel), Font{12, false}, 0, 2);
    p.paragraph("Beroepspraktijkvorming van " + of_streep(c(doc.periode_begin)) + " tot en met " +
                    of_streep(c(doc.periode_eind)),
                Font{9.5, false, kleur::kGrijs}, 0, 12);
    partijen(p, doc.school, doc.deelnemer, doc.leerbedrijf, doc.praktijkopleider);
    p.paragraph(
        "Dit begeleidingsdocument beschrijft de werkprocessen waaraan de deelnemer tijdens de "
        "beroepspraktijkvorming werkt. De praktijkopleider begeleidt de deelnemer daarbij en bespreekt de "
        "voortgang met de deelnemer en de school.",
        kBody, 0, 10);
    if (doc.kwalificaties.empty()) p.paragraph("Er zijn geen kwalificaties gekozen.", kBody, 0, 10);
    const std::vector<Column> wp_cols{
        {54, "Code"}, {124, "Werkproces"}, {172, "Omschrijving"}, {143, "Gewenst resultaat"}};
    const std::vector<Column> gedrag_cols{
        {307, "Gedrag: de deelnemer …"}, {66, "Onvoldoende"}, {62, "Voldoende"}, {58, "Goed"}};
    for (const auto& k : doc.kwalificaties) {
      std::string kop = "Kwalificatie " + c(k.crebo) + " " + c(k.naam);
      if (!k.versie.empty()) kop += " (versie " + c(k.versie) + ")";
      p.heading(kop, Font{12.5, true, kleur::kPetrol}, 70);
      if (k.werkprocessen.empty()) {
        p.paragraph("Er zijn geen werkprocessen gekozen.", kBody, 0, 10);
        continue;
      }
      std::vector<std::vector<Cell>> rows;
      for (const auto& w : k.werkprocessen)
        rows.push_back({{{c(w.code), kKleinBold}},
                        {{c(w.naam), kKleinBold}},
                        {{c(w.omschrijving), kKlein}},
                        {{c(w.gewenst_resultaat), kKlein}}});
      draw_table(p, wp_cols, rows);
      p.space(12);
      for (const auto& w : k.werkprocessen) {
        if (!w.show_gedrag) continue;
        p.heading("Gedrag bij " + c(w.code) + " " + c(w.naam), Font{10, true, kleur::kPetrol}, 50);
        std::vector<std::vector<Cell>> g;
        for (const auto& regel : w.gedrag) g.push_back({{{c(regel), kKlein}}, {}, {}, {}});
        if (w.gedrag.empty()) g.push_back({{{"Geen gedrag vastgelegd.", kGrijsKlein}}, {}, {}, {}});
        draw_table(p, gedrag_cols, g);
        p.space(10);
      }
    }
    ondertekening(p, {{"Deelnemer", naam_van(doc.deelnemer)},
                      {"Praktijkopleider", of_streep(c(doc.praktijkopleider.naam))},
                      {"Namens de school", of_streep(c(doc.school.naam))}});
  });
}

Result<std::string> render_praktijkverklaring(const PraktijkverklaringView& doc) {
  for (const auto& b : doc.branche_logos)
    if (!is_branche_logo(b))
      return make_error("BRANCHELOGO",
                        "onbekend branchelogo '" + c(b.substr(0, 40)) +
                            "' (kies uit techniek, zorg, horeca, ict, logistiek, mobiliteit)",
                        "Branchelogo");
  std::optional<Logo> logo;
  if (!doc.bedrijfslogo_jpeg.empty()) {
    auto l = logo_surface(doc.bedrijfslogo_jpeg);
    if (!l) return l.error();
    logo = std::move(*l);
  }
  std::vector<std::string> branches;  // each once, in the order given
  for (const auto& b : doc.branche_logos)
    if (std::find(branches.begin(), branches.end(), b) == branches.end()) branches.push_back(b);

  PageDecor decor{"Praktijkverklaring", doc.is_concept, c(doc.document_id), c(doc.aanmaakdatum)};
  return render(decor, "Praktijkverklaring", [&](Pages& p) {
    const double top = p.y;
    double logo_h = 0;
    if (logo) logo_h = draw_logo(p, *logo, p.right, top);
    const double tekst_b = logo ? p.width() - kLogoBoxB - 16 : 0;
    p.paragraph("Praktijkverklaring", Font{22, true, kleur::kPetrol}, 0, 2, tekst_b);
    p.paragraph("Verklaring over de beroepspraktijkvorming" +
                    (doc.onderwijsvorm.empty() ? std::string() : " (" + c(doc.onderwijsvorm) + ")"),
                Font{10.5, false, kleur::kGrijs}, 0, 10, tekst_b);
    p.y = std::max(p.y, top + logo_h + 10);
    const std::string naam = naam_van(doc.deelnemer);
    p.paragraph("Hierbij verklaren de school en het leerbedrijf dat " + naam + ", geboren op " +
                    of_streep(c(doc.deelnemer.geboortedatum)) + ", in de periode van " + of_streep(c(doc.begin)) +
                    " tot en met " + of_streep(c(doc.eind)) + " beroepspraktijkvorming heeft gevolgd bij " +
                    of_streep(c(doc.leerbedrijf.naam)) +
                    " en daarbij de hieronder genoemde werkprocessen in de praktijk heeft laten zien.",
                Font{10}, 0, 12);
    partijen(p, doc.school, doc.deelnemer, doc.leerbedrijf, doc.praktijkopleider);

    // The hours and the onderwijsvorm in a highlighted band.
    p.ensure(44);
    p.canvas.rect(p.left, p.y, p.width(), 34, &kleur::kKop, nullptr);
    p.canvas.rect(p.left, p.y, 4, 34, &kleur::kOranje, nullptr);
    p.canvas.text(p.left + 14, p.y + 22, "Aantal BPV-uren: " + std::to_string(doc.bpv_uren),
                  Font{13, true, kleur::kPetrol});
    p.canvas.text_right(
        p.right - 10, p.y + 21,
        p.canvas.ellipsize("Onderwijsvorm: " + of_streep(c(doc.onderwijsvorm)), kBody, p.width() / 2 - 20), kBody);
    p.space(48);

    p.heading("Behaalde werkprocessen", Font{12.5, true, kleur::kPetrol}, 50);
    if (doc.werkprocessen.empty()) {
      p.paragraph("Er zijn geen werkprocessen vastgelegd.", kBody, 0, 10);
    } else {
      std::vector<std::vector<Cell>> rows;
      for (const auto& w : doc.werkprocessen)
        rows.push_back({{{c(w.code), kKleinBold}},
                        {{c(w.naam), kKlein}},
                        {{c(w.crebo), kKleinBold}, {c(w.kwalificatie_naam), kKlein}}});
      draw_table(p, {{62, "Code"}, {240, "Werkproces"}, {190, "Kwalificatie"}}, rows);
      p.space(14);
    }

    if (!branches.empty()) {
      p.heading("Branche", Font{12.5, true, kleur::kPetrol}, 86);
      const double box_w = 72, box_h = 76, gap = 8;
      const int per_rij = std::max(1, static_cast<int>((p.width() + gap) / (box_w + gap)));
      for (std::size_t i = 0; i < branches.size(); ++i) {
        const int kolom = static_cast<int>(i) % per_rij;
        if (kolom == 0) {
          if (i > 0) p.space(box_h + gap);
          p.ensure(box_h);
        }
        const double x = p.left + kolom * (box_w + gap);
        p.canvas.rect(x, p.y, box_w, box_h, nullptr, &kleur::kLijn);
        draw_branche_pictogram(p.canvas, branches[i], x + (box_w - 42) / 2, p.y + 8, 42);
        p.canvas.text_center(x + box_w / 2, p.y + box_h - 10, branche_label(branches[i]), kKleinBold);
      }
      p.space(box_h + 16);
    }

    const std::string namens_lb =
        doc.praktijkopleider.naam.empty() ? of_streep(c(doc.leerbedrijf.naam)) : c(doc.praktijkopleider.naam);
    ondertekening(p, {{"Namens het leerbedrijf", namens_lb}, {"Namens de school", of_streep(c(doc.school.naam))}});
  });
}

}  // namespace edugate::adapters::pdf

#if defined(__SANITIZE_ADDRESS__)
// fontconfig's configuration parser and cairo 1.16's toy font faces keep a few allocations that
// LeakSanitizer reports at exit (about 1 KiB, once per process, not per document). Every binary
// that renders PDFs links this file, so the suppression travels with the code that needs it.
// Quiet about it: a report file of any kind fails deploy/test.sh's sanitizer pass.
extern "C" const char* __lsan_default_suppressions() { return "leak:libfontconfig.so\n"; }
extern "C" const char* __lsan_default_options() { return "print_suppressions=0"; }
#endif
