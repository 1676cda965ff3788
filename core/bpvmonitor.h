#pragma once
// The BPV Monitor domain: student data for the direct student survey (school -> SBB) and the
// school's survey results. Requests arrive parsed; business findings are Meldingen.
#include <optional>
#include <string>
#include <vector>

#include "core/ids.h"
#include "core/keyed_writes.h"
#include "core/melding.h"

namespace edugate::bpvmonitor {

inline constexpr const char* kThemas[] = {"algehele_eindwaardering", "voorbereiding", "afspraken", "begeleiding",
                                          "uitvoering", "beoordeling", "probleemoplossing"};
inline constexpr const char* kGroepen[] = {"student", "praktijkopleider"};
inline constexpr int kUitnodigingDagenVoorEinde = 21;  // SBB invites three weeks before the end date

struct Studentgegeven {
  std::string bpvo_kenmerk;
  Brin brin;
  RioAanbiedercode rio_aanbieder;
  RioLocatiecode rio_locatie;
  Crebo opleidingscode;
  Leerweg leerweg;
  LeerbedrijfId leerbedrijf;
  Datum einddatum;
  std::string voornaam, achternaam, email;  // personal data: stored, never logged
};

struct Recordresultaat {
  std::string bpvo_kenmerk;
  std::string status;  // geaccepteerd | geweigerd | ingetrokken
  std::optional<Datum> uitnodigingsdatum;
  Meldingen meldingen;
};

struct Resultatenfilter {
  Periode periode;
  std::optional<Crebo> opleidingscode;
  std::optional<Leerweg> leerweg;
  std::optional<RioLocatiecode> rio_locatie;
};

struct Themaresultaat {
  std::string thema, groep;
  int aantal = 0;
  bool onderdrukt = false;
  std::optional<double> gemiddelde, landelijk;
};

struct Resultaten {
  int minimale_respons = 10;
  std::vector<Themaresultaat> cellen;  // every thema x groep, in kThemas x kGroepen order
  Meldingen meldingen;
};

struct Score {
  std::string thema;
  int waarde = 0;
};

struct Responsrecord {
  std::string respondent_id, groep;
  Periode periode;
  Crebo opleidingscode;
  Leerweg leerweg;
  RioLocatiecode rio_locatie;
  LeerbedrijfId leerbedrijf;
  std::vector<Score> scores;
};

struct Responsrecords {
  int totaal = 0, pagina = 1, pagina_grootte = 100;
  std::vector<Responsrecord> records;
  Meldingen meldingen;
};

// Implemented by adapters. Thread-safe. BackendUnavailable when the store is down. The gateway
// runs lever_aan, corrigeer and trek_in inside keyed() (core/keyed_writes.h).
class Backend : public KeyedWrites {
 public:
  virtual ~Backend() = default;
  // Stores the valid records of one batch atomically; a record refused by a business rule gets
  // status geweigerd and its Meldingen. school: the school the data is for.
  virtual std::vector<Recordresultaat> lever_aan(const Oin& school, const std::vector<Studentgegeven>& records) = 0;
  virtual Recordresultaat corrigeer(const Oin& school, const Studentgegeven& record) = 0;
  virtual Recordresultaat trek_in(const Oin& school, const std::string& bpvo_kenmerk) = 0;
  virtual Resultaten resultaten(const Brin& brin, const Resultatenfilter& filter) = 0;
  virtual Responsrecords responsrecords(const Brin& brin, const std::optional<Periode>& periode, int pagina,
                                        int pagina_grootte) = 0;
};

}  // namespace edugate::bpvmonitor
