#include "adapters/pdf/praktijkloket_pdf.h"

#include <cairo.h>
#include <gtest/gtest.h>

// clang-format off
#include <cstdio>
#include <jpeglib.h>
// clang-format on

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

using namespace edugate;
using namespace edugate::adapters::pdf;

namespace {

// ---- test images, made here ----

enum class Kleuren { kRgb, kGrijs, kCmyk };

std::string make_jpeg(int w, int h, Kleuren kleuren = Kleuren::kRgb) {
  const int comps = kleuren == Kleuren::kGrijs ? 1 : kleuren == Kleuren::kCmyk ? 4 : 3;
  jpeg_compress_struct cinfo;
  jpeg_error_mgr err;
  cinfo.err = jpeg_std_error(&err);
  jpeg_create_compress(&cinfo);
  unsigned char* buf = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &buf, &size);
  cinfo.image_width = static_cast<JDIMENSION>(w);
  cinfo.image_height = static_cast<JDIMENSION>(h);
  cinfo.input_components = comps;
  cinfo.in_color_space = comps == 1 ? JCS_GRAYSCALE : comps == 4 ? JCS_CMYK : JCS_RGB;
  jpeg_set_defaults(&cinfo);
  jpeg_set_quality(&cinfo, 85, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  std::vector<unsigned char> row(static_cast<std::size_t>(w) * comps);
  while (cinfo.next_scanline < cinfo.image_height) {
    const unsigned y = cinfo.next_scanline;
    for (int x = 0; x < w; ++x) {
      unsigned char* px = row.data() + static_cast<std::size_t>(x) * comps;
      px[0] = static_cast<unsigned char>((x * 255) / w);
      if (comps > 1) px[1] = static_cast<unsigned char>((y * 255) / h), px[2] = 160;
      if (comps > 3) px[3] = 30;
    }
    JSAMPROW r = row.data();
    jpeg_write_scanlines(&cinfo, &r, 1);
  }
  jpeg_finish_compress(&cinfo);
  std::string out(reinterpret_cast<const char*>(buf), size);
  jpeg_destroy_compress(&cinfo);
  free(buf);
  return out;
}

cairo_status_t to_string(void* closure, const unsigned char* data, unsigned int len) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), len);
  return CAIRO_STATUS_SUCCESS;
}

std::string make_png() {
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 40, 20);
  cairo_t* cr = cairo_create(s);
  cairo_set_source_rgb(cr, 0.2, 0.5, 0.8);
  cairo_paint(cr);
  cairo_destroy(cr);
  std::string out;
  cairo_surface_write_to_png_stream(s, to_string, &out);
  cairo_surface_destroy(s);
  return out;
}

// ---- the PDF seen from outside, through poppler-utils ----

class Pdf : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/edugate-pdf-XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::string& pdf) {
    const std::string path = dir_ + "/doc" + std::to_string(++n_) + ".pdf";
    std::ofstream(path, std::ios::binary) << pdf;
    return path;
  }
  static std::string run(const std::string& cmd) {
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    if (p == nullptr) return out;
    char buf[65536];
    std::size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    EXPECT_EQ(pclose(p), 0) << cmd;
    return out;
  }
  std::string text(const std::string& pdf) { return run("pdftotext -layout " + write(pdf) + " -"); }
  // In content-stream order with all whitespace collapsed: a wrapped table cell reads as one line.
  std::string flat_text(const std::string& pdf) {
    std::string out;
    for (char ch : run("pdftotext -raw " + write(pdf) + " -")) {
      const bool ws = ch == ' ' || ch == '\n';
      if (ws && (out.empty() || out.back() == ' ')) continue;
      out.push_back(ws ? ' ' : ch);
    }
    return out;
  }
  int pages(const std::string& pdf) {
    const std::string info = run("pdfinfo " + write(pdf) + " 2>&1");
    auto pos = info.find("\nPages:");
    if (pos == std::string::npos) return -1;
    return std::atoi(info.c_str() + pos + 7);
  }

  std::string dir_;
  int n_ = 0;
};

SchoolView school() { return {"ROC Testland", "99XX"}; }
DeelnemerView deelnemer() {
  return {"Sanne", "van der", "Testdeelnemer", "12-03-2008", "Eerste monteur elektrotechniek"};
}
LeerbedrijfView leerbedrijf() { return {"Installatiebedrijf Van der Berg", "100000001", "Enschede"}; }
PraktijkopleiderView opleider() { return {"A. Testpersoon", "praktijkopleider", "opleider@vanderberg.example"}; }

WerkprocesView werkproces(int i, bool gedrag) {
  // W1..W9 only, so no code is a prefix of another.
  return {"B1-K" + std::to_string(i / 9 + 1) + "-W" + std::to_string(i % 9 + 1),
          "Werkproces " + std::to_string(1000 + i),  // short enough for one line of its column
          "De deelnemer bestudeert de tekeningen en het werkplan en controleert of materialen compleet zijn.",
          "De werkzaamheden zijn goed voorbereid.",
          gedrag,
          {"Werkt nauwkeurig en volgens de voorschriften.", "Overlegt tijdig met de leidinggevende."}};
}

BegeleidingsdocumentView begeleidingsdocument(int n_werkprocessen, bool is_concept) {
  BegeleidingsdocumentView d;
  d.titel = "Eerste leerjaar, eerste periode";
  d.school = school();
  d.deelnemer = deelnemer();
  d.leerbedrijf = leerbedrijf();
  d.praktijkopleider = opleider();
  KwalificatieView k{"25180", "2024", "Eerste monteur elektrotechnische installaties", {}};
  for (int i = 0; i < n_werkprocessen; ++i) k.werkprocessen.push_back(werkproces(i, i % 3 == 0));
  d.kwalificaties.push_back(k);
  d.periode_begin = "2026-09-01";
  d.periode_eind = "2027-01-31";
  d.is_concept = is_concept;
  d.document_id = "BD-000123";
  d.aanmaakdatum = "2026-11-29";
  return d;
}

PraktijkverklaringView verklaring(bool is_concept) {
  PraktijkverklaringView v;
  v.school = school();
  v.deelnemer = deelnemer();
  v.leerbedrijf = leerbedrijf();
  v.praktijkopleider = opleider();
  v.onderwijsvorm = "mbo";
  for (int i = 0; i < 5; ++i) {
    auto w = werkproces(i, false);
    v.werkprocessen.push_back({w.code, w.naam, "25180", "Eerste monteur elektrotechnische installaties"});
  }
  v.bpv_uren = 1234;
  v.begin = "2026-09-01";
  v.eind = "2027-06-30";
  v.is_concept = is_concept;
  v.document_id = "PV-000042";
  v.aanmaakdatum = "2026-11-29";
  v.bedrijfslogo_jpeg = make_jpeg(240, 100);
  v.branche_logos = {"techniek", "ict", "zorg", "horeca", "logistiek", "mobiliteit"};
  return v;
}

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

}  // namespace

TEST_F(Pdf, BegeleidingsdocumentCarriesItsText) {
  auto d = begeleidingsdocument(6, false);
  auto pdf = render_begeleidingsdocument(d);
  ASSERT_TRUE(pdf.ok()) << pdf.error().message;
  EXPECT_EQ(pdf->substr(0, 5), "%PDF-");
  const std::string t = text(*pdf);
  EXPECT_TRUE(contains(t, "Sanne van der Testdeelnemer")) << t;
  EXPECT_TRUE(contains(t, "Installatiebedrijf Van der Berg"));
  EXPECT_TRUE(contains(t, "A. Testpersoon"));
  EXPECT_TRUE(contains(t, "99XX"));
  EXPECT_TRUE(contains(t, "25180"));
  for (const auto& w : d.kwalificaties[0].werkprocessen) {
    EXPECT_TRUE(contains(t, w.code)) << w.code;
    EXPECT_TRUE(contains(t, w.naam)) << w.naam;
  }
  // Gedrag tables for the werkprocessen that ask for one (0 and 3 of 6).
  EXPECT_TRUE(contains(t, "Gedrag bij B1-K1-W1"));
  EXPECT_TRUE(contains(t, "Gedrag bij B1-K1-W4"));
  EXPECT_FALSE(contains(t, "Gedrag bij B1-K1-W2"));
  EXPECT_TRUE(contains(t, "Werkt nauwkeurig en volgens de voorschriften."));
  EXPECT_TRUE(contains(t, "BD-000123"));
  EXPECT_TRUE(contains(t, "Pagina 1 van"));
  EXPECT_TRUE(contains(t, "Definitief"));
  EXPECT_FALSE(contains(t, "CONCEPT"));
}

TEST_F(Pdf, ConceptIsMarkedOnlyWhenConcept) {
  auto conc = render_begeleidingsdocument(begeleidingsdocument(60, true));
  ASSERT_TRUE(conc.ok());
  const std::string t = text(*conc);
  // The header of every page says CONCEPT in words (the diagonal watermark is drawn as outlines).
  const int n = pages(*conc);
  std::size_t count = 0;
  for (auto pos = t.find("CONCEPT"); pos != std::string::npos; pos = t.find("CONCEPT", pos + 1)) ++count;
  EXPECT_EQ(count, static_cast<std::size_t>(n));
  auto definitief = render_begeleidingsdocument(begeleidingsdocument(60, false));
  ASSERT_TRUE(definitief.ok());
  EXPECT_FALSE(contains(text(*definitief), "CONCEPT"));
}

TEST_F(Pdf, SixtyWerkprocessenRunOverSeveralPages) {
  auto d = begeleidingsdocument(60, false);
  auto pdf = render_begeleidingsdocument(d);
  ASSERT_TRUE(pdf.ok());
  const int n = pages(*pdf);
  EXPECT_GT(n, 1);
  const std::string t = text(*pdf);
  for (const auto& w : d.kwalificaties[0].werkprocessen) {
    EXPECT_TRUE(contains(t, w.code)) << w.code;
    EXPECT_TRUE(contains(t, w.naam)) << w.naam;
  }
  EXPECT_TRUE(contains(t, "Pagina " + std::to_string(n) + " van " + std::to_string(n)));
}

TEST_F(Pdf, PraktijkverklaringCarriesItsText) {
  auto v = verklaring(false);
  auto pdf = render_praktijkverklaring(v);
  ASSERT_TRUE(pdf.ok()) << pdf.error().message;
  const std::string t = text(*pdf);
  EXPECT_TRUE(contains(t, "Praktijkverklaring"));
  EXPECT_TRUE(contains(t, "Sanne van der Testdeelnemer"));
  EXPECT_TRUE(contains(t, "Aantal BPV-uren: 1234"));
  for (const auto& w : v.werkprocessen) {
    EXPECT_TRUE(contains(t, w.code)) << w.code;
    EXPECT_TRUE(contains(t, w.naam)) << w.naam;
  }
  for (const char* label : {"Techniek", "ICT", "Zorg", "Horeca", "Logistiek", "Mobiliteit"})
    EXPECT_TRUE(contains(t, label)) << label;
  EXPECT_TRUE(contains(t, "PV-000042"));
  EXPECT_FALSE(contains(t, "CONCEPT"));
  // The JPEG logo is in the PDF as an image.
  EXPECT_TRUE(contains(*pdf, "/DCTDecode"));

  auto conc = render_praktijkverklaring(verklaring(true));
  ASSERT_TRUE(conc.ok());
  EXPECT_TRUE(contains(text(*conc), "CONCEPT"));
}

TEST_F(Pdf, PraktijkverklaringRefusesBadLogoAndUnknownBranche) {
  auto v = verklaring(false);
  v.bedrijfslogo_jpeg = make_png();
  auto r = render_praktijkverklaring(v);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "LOGO");
  v = verklaring(false);
  v.branche_logos.push_back("ruimtevaart");
  r = render_praktijkverklaring(v);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "BRANCHELOGO");
  EXPECT_TRUE(contains(r.error().message, "ruimtevaart"));
  // Without a logo and branche logos it is fine too.
  v = verklaring(false);
  v.bedrijfslogo_jpeg.clear();
  v.branche_logos.clear();
  v.praktijkopleider = {};
  EXPECT_TRUE(render_praktijkverklaring(v).ok());
}

TEST_F(Pdf, CheckLogoAcceptsJpeg) {
  EXPECT_TRUE(check_logo(make_jpeg(64, 32)).ok());
  EXPECT_TRUE(check_logo(make_jpeg(17, 9, Kleuren::kGrijs)).ok());
  EXPECT_TRUE(check_logo(make_jpeg(33, 20, Kleuren::kCmyk)).ok());
  // Each kind also renders (CMYK is converted, the others are embedded as they are).
  for (auto k : {Kleuren::kRgb, Kleuren::kGrijs, Kleuren::kCmyk}) {
    PraktijkverklaringView v;
    v.bedrijfslogo_jpeg = make_jpeg(120, 40, k);
    auto r = render_praktijkverklaring(v);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(contains(*r, "/DCTDecode"), k != Kleuren::kCmyk);
  }
}

TEST_F(Pdf, CheckLogoRefusesPngNamedJpg) {
  const std::string png = make_png();
  ASSERT_EQ(png.substr(1, 3), "PNG");
  std::ofstream(dir_ + "/logo.jpg", std::ios::binary) << png;  // the name does not matter: the content does
  auto st = check_logo(png);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, "LOGO");
  EXPECT_EQ(st.error().message, "bedrijfslogo moet een JPEG-afbeelding zijn");
}

TEST_F(Pdf, CheckLogoRefusesTruncatedJpeg) {
  const std::string jpeg = make_jpeg(64, 64);
  auto st = check_logo(jpeg.substr(0, jpeg.size() / 2));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, "LOGO");
  // Only the end-of-image marker missing: libjpeg warns, we refuse.
  EXPECT_FALSE(check_logo(jpeg.substr(0, jpeg.size() - 2)).ok());
  // Headers only.
  EXPECT_FALSE(check_logo(jpeg.substr(0, 200)).ok());
}

TEST_F(Pdf, CheckLogoRefusesTooLarge) {
  std::string big = make_jpeg(64, 64);
  big.resize(2u << 20, '\0');
  auto st = check_logo(big);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, "LOGO");
  EXPECT_EQ(st.error().message, "bedrijfslogo is groter dan 1 MiB");
  EXPECT_EQ(check_logo(make_jpeg(64, 64), 512).error().message, "bedrijfslogo is groter dan 512 bytes");
}

TEST_F(Pdf, CheckLogoRefusesGarbageAndImpossibleDimensions) {
  EXPECT_FALSE(check_logo("").ok());
  EXPECT_FALSE(check_logo("\xFF\xD8\xFF").ok());
  EXPECT_FALSE(check_logo(std::string("\xFF\xD8\xFF\xE0\x00\x10JFIF\0", 11) + std::string(100, 'x')).ok());
  // A small file that claims 60000 × 60000 pixels (a decompression bomb).
  std::string jpeg = make_jpeg(16, 16);
  auto sof = jpeg.find("\xFF\xC0");
  ASSERT_NE(sof, std::string::npos);
  jpeg[sof + 5] = jpeg[sof + 7] = '\xEA';
  jpeg[sof + 6] = jpeg[sof + 8] = '\x60';
  auto st = check_logo(jpeg);
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(contains(st.error().message, "afmetingen")) << st.error().message;
}

TEST_F(Pdf, WrappedWerkprocesNamesStayTogether) {
  auto d = begeleidingsdocument(3, false);
  d.kwalificaties[0].werkprocessen[0].naam = "Bereidt de werkzaamheden voor en overlegt met de werkvoorbereider";
  d.kwalificaties[0].werkprocessen[1].naam = "Installeert en sluit duurzame energietoepassingen aan";
  auto pdf = render_begeleidingsdocument(d);
  ASSERT_TRUE(pdf.ok());
  const std::string t = flat_text(*pdf);
  for (const auto& w : d.kwalificaties[0].werkprocessen) {
    EXPECT_TRUE(contains(t, w.code + " " + w.naam)) << w.naam;
    EXPECT_TRUE(contains(t, w.omschrijving)) << w.code;
  }
}

TEST_F(Pdf, LongWordsAreBrokenNotLost) {
  auto d = begeleidingsdocument(1, false);
  std::string woord;
  for (int i = 0; i < 12; ++i) woord += "arbeidsongeschiktheidsverzekering";
  d.titel = "Titel " + woord;
  auto pdf = render_begeleidingsdocument(d);
  ASSERT_TRUE(pdf.ok());
  std::string t = text(*pdf);
  std::erase_if(t, [](char ch) { return ch == ' ' || ch == '\n'; });
  EXPECT_TRUE(contains(t, woord));
}

TEST_F(Pdf, HostileInputGivesAPdfOrAnError) {
  // Empty everything.
  auto leeg = render_begeleidingsdocument({});
  ASSERT_TRUE(leeg.ok()) << leeg.error().message;
  EXPECT_EQ(pages(*leeg), 1);
  leeg = render_praktijkverklaring({});
  ASSERT_TRUE(leeg.ok()) << leeg.error().message;
  EXPECT_EQ(pages(*leeg), 1);

  // 10,000-character strings, with and without spaces, and a long one-word code.
  std::string lang_woord(10000, 'x');
  std::string lang_zin;
  while (lang_zin.size() < 10000) lang_zin += "werkproces ";
  auto d = begeleidingsdocument(3, true);
  d.titel = lang_zin;
  d.deelnemer.achternaam = lang_woord;
  d.school.naam = lang_zin;
  d.praktijkopleider.email = lang_woord;
  d.document_id = lang_woord;
  for (auto& w : d.kwalificaties[0].werkprocessen) {
    w.code = lang_woord;
    w.omschrijving = lang_zin;
    w.gedrag = {lang_woord, lang_zin};
  }
  auto r = render_begeleidingsdocument(d);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_GT(pages(*r), 1);

  // Non-Latin, invalid UTF-8, control and bidi characters.
  auto u = begeleidingsdocument(4, true);
  u.deelnemer.voornaam = "Анна 李小龙 محمد 🙂";
  u.deelnemer.achternaam = std::string("bad\xC3\x28utf8\xFF\xFE\x80 end") + '\0' + "nul\x1b[31m\u202Eevil";
  u.titel = "Ελληνικά עברית हिन्दी 日本語テキスト";
  u.kwalificaties[0].werkprocessen[0].naam = "\xED\xA0\x80surrogate \xF4\x90\x80\x80 too big";
  r = render_begeleidingsdocument(u);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(contains(text(*r), "Анна"));

  // 500 werkprocessen, each with its Gedrag table.
  auto veel = begeleidingsdocument(500, true);
  for (auto& w : veel.kwalificaties[0].werkprocessen) w.show_gedrag = true;
  r = render_begeleidingsdocument(veel);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_GT(pages(*r), 50);

  // The verklaring with the same hostile strings.
  auto v = verklaring(true);
  v.deelnemer = u.deelnemer;
  v.onderwijsvorm = lang_woord;
  v.leerbedrijf.naam = lang_zin;
  for (int i = 0; i < 500; ++i)
    v.werkprocessen.push_back({lang_woord.substr(0, 50), lang_zin.substr(0, 300), "x", lang_zin.substr(0, 500)});
  v.bpv_uren = -5;
  v.branche_logos = {"zorg", "zorg", "zorg"};
  r = render_praktijkverklaring(v);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_GT(pages(*r), 1);
}

TEST_F(Pdf, OversizedDocumentIsRefused) {
  // 500 werkprocessen of 10,000 characters: more than kMaxPaginas pages.
  auto d = begeleidingsdocument(0, false);
  std::string lang;
  while (lang.size() < 10000) lang += "gewenst resultaat ";
  for (int i = 0; i < 500; ++i) d.kwalificaties[0].werkprocessen.push_back({"C", "N", lang, lang, false, {}});
  auto r = render_begeleidingsdocument(d);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "PDF");
}
