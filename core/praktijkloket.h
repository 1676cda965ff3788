#pragma once
// The Praktijkloket domain (shared/docs/domain.md §2, rules from SBB's manual): deelnemers of a
// school, their praktijkopleiders, begeleidingsdocumenten and praktijkverklaringen, and the
// kwalificatiestructuur as reference data. Requests arrive parsed (identifiers, dates, numbers);
// the business rules live in the backend and answer with Meldingen naming the field.
#include <cstdint>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "core/ids.h"
#include "core/keyed_writes.h"
#include "core/melding.h"
#include "core/result.h"

namespace edugate::praktijkloket {

inline constexpr int kMaxDeelnemersPerBericht = 1000;
inline constexpr int kMinBpvUren = 10;
inline constexpr int kMaxBpvUren = 10000;
inline constexpr std::size_t kMaxLogoBytes = 1u << 20;  // company logo: JPEG, at most 1 MiB
inline constexpr const char* kOnderwijsvormen[] = {"mbo", "vso", "praktijkonderwijs", "overig"};
inline constexpr const char* kBranchelogos[] = {"techniek", "zorg", "horeca", "ict", "logistiek", "mobiliteit"};

// Who acts: the school (wsa:From OIN, the owner of the data) and the sender (TLS OIN: the school
// itself or a SIS vendor with a mandate, which acts as that school; both are kept).
struct Caller {
  Oin school;
  Oin sender;
  std::string school_naam;  // as SBB's registry knows it (printed on documents); may be empty
};

using Id = std::int64_t;  // DeelnemerID, DocumentID, VerklaringID: 1..2^53
// PraktijkopleiderID: one of the leerbedrijf's own ("100000001-PO1", SBB's registration) or one
// added for a deelnemer ("D-<n>").
using PraktijkopleiderId = std::string;

// Placeholders for default-constructed structs (the identifier types have no empty value).
inline Datum geen_datum() { return *Datum::parse("1970-01-01"); }
inline LeerbedrijfId geen_leerbedrijf() { return *LeerbedrijfId::parse("100000000"); }
inline Crebo geen_crebo() { return *Crebo::parse("00000"); }

struct Deelnemergegevens {
  std::string voornaam, tussenvoegsel, achternaam;  // personal data: stored, never logged
  Datum geboortedatum = geen_datum();
  std::string email;
  std::string onderwijsvorm;
  std::string kenmerk;  // the school's own key, optional
};

struct Deelnemer {
  Id id = 0;
  Deelnemergegevens gegevens;
  bool archief = false;
};

struct Praktijkopleidergegevens {
  std::string naam, functie, email, telefoon;
};

struct Praktijkopleider {
  PraktijkopleiderId id;
  LeerbedrijfId leerbedrijf = geen_leerbedrijf();
  Praktijkopleidergegevens gegevens;
  std::optional<Id> deelnemer;  // added for this deelnemer only
};

struct GekozenWerkproces {
  std::string code;
  bool toon_gedrag = false;
};

struct GekozenKwalificatie {
  Crebo crebo = geen_crebo();
  std::string versie;  // empty in a request: the current version
  std::vector<GekozenWerkproces> werkprocessen;
};

struct Begeleidingsdocumentgegevens {
  Id deelnemer = 0;
  LeerbedrijfId leerbedrijf = geen_leerbedrijf();
  PraktijkopleiderId praktijkopleider;
  Datum begin = geen_datum(), eind = geen_datum();
  std::vector<GekozenKwalificatie> kwalificaties;
};

struct Begeleidingsdocument {
  Id id = 0;
  bool afgerond = false;
  Begeleidingsdocumentgegevens gegevens;  // versions resolved
  std::string aangemaakt, afgerond_op;    // ISO timestamps (UTC)
};

struct BehaaldWerkproces {
  Crebo crebo = geen_crebo();
  std::string versie;  // empty in a request: the current version
  std::string code;
};

struct Praktijkverklaringgegevens {
  Id deelnemer = 0;
  LeerbedrijfId leerbedrijf = geen_leerbedrijf();
  std::optional<PraktijkopleiderId> praktijkopleider;
  std::string onderwijsvorm;
  Datum begin = geen_datum(), eind = geen_datum();
  int bpv_uren = 0;
  std::optional<Id> begeleidingsdocument;  // import its werkprocessen ...
  std::vector<BehaaldWerkproces> werkprocessen;  // ... or these
  std::optional<std::string> logo_jpeg;     // checked JPEG bytes
  std::vector<std::string> branchelogos;
};

struct Praktijkverklaring {
  Id id = 0;
  bool definitief = false;
  Praktijkverklaringgegevens gegevens;  // werkprocessen resolved (imported ones listed)
  std::string aangemaakt, definitief_op;
};

// Reference data.
struct Werkproces {
  std::string code, naam, omschrijving, gewenst_resultaat;
  std::vector<std::string> gedrag;
};
struct Kerntaak {
  std::string code, naam;
  std::vector<Werkproces> werkprocessen;
};
struct Kwalificatie {
  Crebo crebo = geen_crebo();
  std::string versie, naam, dossier, geldig_vanaf, geldig_tot;
  bool actueel = false;
};

// The outcome of an operation: a value, or Meldingen (fout) and no value.
template <class T>
struct Uitkomst {
  std::optional<T> waarde;
  Meldingen meldingen;
  std::optional<Id> bestaande;  // a duplicate deelnemer: the existing one
};

struct Itemresultaat {
  int volgnummer = 0;
  std::string kenmerk;
  std::string status;  // toegevoegd | geweigerd | dubbel
  std::optional<Id> deelnemer;
  Meldingen meldingen;
};

struct Verwijderd {
  int begeleidingsdocumenten = 0, praktijkverklaringen = 0;
};

struct Pdf {
  std::string bytes;
};

// Implemented by adapters. Thread-safe. BackendUnavailable when the store is down. Every call is
// one transaction: a refused call changes nothing. The gateway runs each write inside keyed()
// (core/keyed_writes.h), which records the message's key with the write.
class Backend : public KeyedWrites {
 public:
  virtual ~Backend() = default;
  virtual Uitkomst<Deelnemer> voeg_deelnemer_toe(const Caller&, const Deelnemergegevens&, bool doorzetten) = 0;
  // Each item on its own (one savepoint each): good items are stored, bad ones reported.
  virtual std::vector<Itemresultaat> voeg_deelnemers_toe(const Caller&, const std::vector<Deelnemergegevens>&,
                                                         bool doorzetten) = 0;
  virtual Uitkomst<Deelnemer> wijzig_deelnemer(const Caller&, Id, const Deelnemergegevens&) = 0;
  virtual Uitkomst<Deelnemer> archiveer_deelnemer(const Caller&, Id, bool archief) = 0;
  virtual Uitkomst<Verwijderd> verwijder_deelnemer(const Caller&, Id) = 0;
  virtual Uitkomst<std::vector<Deelnemer>> zoek_deelnemers(const Caller&, const std::string& voornaam,
                                                           const std::string& achternaam, bool archief) = 0;

  virtual Uitkomst<std::vector<Praktijkopleider>> praktijkopleiders(const Caller&, const LeerbedrijfId&,
                                                                    std::optional<Id> deelnemer) = 0;
  virtual Uitkomst<Praktijkopleider> voeg_praktijkopleider_toe(const Caller&, Id deelnemer, const LeerbedrijfId&,
                                                               const Praktijkopleidergegevens&) = 0;

  virtual Uitkomst<Begeleidingsdocument> maak_begeleidingsdocument(const Caller&, const Begeleidingsdocumentgegevens&) = 0;
  virtual Uitkomst<Begeleidingsdocument> wijzig_begeleidingsdocument(const Caller&, Id,
                                                                     const Begeleidingsdocumentgegevens&) = 0;
  virtual Uitkomst<Begeleidingsdocument> rond_begeleidingsdocument_af(const Caller&, Id) = 0;
  virtual Uitkomst<Begeleidingsdocument> begeleidingsdocument(const Caller&, Id) = 0;
  virtual Uitkomst<Pdf> begeleidingsdocument_pdf(const Caller&, Id) = 0;

  virtual Uitkomst<Praktijkverklaring> maak_praktijkverklaring(const Caller&, const Praktijkverklaringgegevens&) = 0;
  virtual Uitkomst<Praktijkverklaring> wijzig_praktijkverklaring(const Caller&, Id, const Praktijkverklaringgegevens&) = 0;
  virtual Uitkomst<Praktijkverklaring> maak_definitief(const Caller&, Id) = 0;
  virtual Uitkomst<bool> verwijder_praktijkverklaring(const Caller&, Id) = 0;
  virtual Uitkomst<Praktijkverklaring> praktijkverklaring(const Caller&, Id) = 0;
  virtual Uitkomst<Pdf> praktijkverklaring_pdf(const Caller&, Id) = 0;

  virtual Uitkomst<std::vector<Kwalificatie>> kwalificaties(const std::optional<Crebo>&, bool alle_versies) = 0;
  virtual Uitkomst<std::pair<Kwalificatie, std::vector<Kerntaak>>> werkprocessen(const Crebo&,
                                                                                 const std::string& versie) = 0;
  // Operator command `edugate refdata load FILE`: replaces the kwalificatiestructuur with the
  // catalogue in `xml` (SBB's export shape); an invalid file changes nothing. summary: counts.
  virtual Status load_kwalificatiestructuur(std::string_view xml, std::string& summary) = 0;
};

}  // namespace edugate::praktijkloket
