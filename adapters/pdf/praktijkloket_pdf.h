#pragma once
// The Praktijkloket's PDF documents (begeleidingsdocument, praktijkverklaring), drawn with cairo
// on A4. The views are plain strings, filled by the backend; nothing here knows the store.
//
// Robust to untrusted input: every string may be empty, very long, invalid or non-Latin UTF-8
// (cleaned, wrapped, split over pages); the company logo is checked by content and decoded with
// libjpeg-turbo under limits. The answer is always a valid PDF or an Error, never a crash.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace edugate::adapters::pdf {

inline constexpr std::size_t kMaxLogoBytes = 1u << 20;  // company logo: JPEG, at most 1 MiB
inline constexpr int kMaxPaginas = 1000;                // a larger document is refused ("PDF")

struct SchoolView {
  std::string naam, brin;
};

struct DeelnemerView {
  std::string voornaam, tussenvoegsel, achternaam;
  std::string geboortedatum;  // as it is to be printed
  std::string opleiding;
};

struct LeerbedrijfView {
  std::string naam, leerbedrijf_id, plaats;
};

struct PraktijkopleiderView {
  std::string naam, functie, email;
};

struct WerkprocesView {
  std::string code, naam, omschrijving, gewenst_resultaat;
  bool show_gedrag = false;  // print the Gedrag table of this werkproces
  std::vector<std::string> gedrag;
};

struct KwalificatieView {
  std::string crebo, versie, naam;
  std::vector<WerkprocesView> werkprocessen;
};

struct BegeleidingsdocumentView {
  std::string titel;  // a subtitle under "Begeleidingsdocument"; may be empty
  SchoolView school;
  DeelnemerView deelnemer;
  LeerbedrijfView leerbedrijf;
  PraktijkopleiderView praktijkopleider;
  std::vector<KwalificatieView> kwalificaties;
  std::string periode_begin, periode_eind;
  bool is_concept = true;  // a diagonal CONCEPT watermark on every page
  std::string document_id, aanmaakdatum;
};

struct BehaaldWerkprocesView {
  std::string code, naam;
  std::string crebo, kwalificatie_naam;
};

struct PraktijkverklaringView {
  SchoolView school;
  DeelnemerView deelnemer;
  LeerbedrijfView leerbedrijf;
  PraktijkopleiderView praktijkopleider;  // naam may be empty: no praktijkopleider
  std::string onderwijsvorm;
  std::vector<BehaaldWerkprocesView> werkprocessen;
  int bpv_uren = 0;
  std::string begin, eind;
  bool is_concept = true;
  std::string document_id, aanmaakdatum;
  std::string bedrijfslogo_jpeg;           // empty: none; otherwise checked with check_logo
  std::vector<std::string> branche_logos;  // names from branche_logo_namen()
};

// JPEG only, checked by content: SOI marker, a SOF with sane dimensions, and a full decode without
// errors or warnings (a truncated file is refused). Error code "LOGO", field "Bedrijfslogo".
Status check_logo(std::string_view bytes, std::size_t max_bytes = kMaxLogoBytes);

// The branche pictograms a praktijkverklaring can show: techniek, zorg, horeca, ict, logistiek,
// mobiliteit.
const std::vector<std::string>& branche_logo_namen();
bool is_branche_logo(std::string_view naam);

// PDF bytes. Errors: "LOGO" (bad company logo), "BRANCHELOGO" (unknown name), "PDF" (more than
// kMaxPaginas pages, or cairo failed).
Result<std::string> render_begeleidingsdocument(const BegeleidingsdocumentView& doc);
Result<std::string> render_praktijkverklaring(const PraktijkverklaringView& doc);

}  // namespace edugate::adapters::pdf
