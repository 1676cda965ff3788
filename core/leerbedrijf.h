#pragma once
// The Leerbedrijf (White Label 2.0) domain and the backend interface adapters implement.
// Requests arrive here already parsed: identifiers are typed, optional criteria are optional.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/ids.h"
#include "core/keyed_writes.h"
#include "core/melding.h"

namespace edugate::leerbedrijf {

struct Adres {
  std::string straat, huisnummer, postcode, plaats;
};

struct Samenvatting {
  LeerbedrijfId id;
  std::string naam;
  std::optional<KvkNummer> kvk;
  std::optional<Vestigingsnummer> vestiging;
  Adres adres;
  std::optional<double> afstand_km;
};

enum class ErkenningStatus { erkend, ingetrokken, verlopen, toekomstig };
const char* to_string(ErkenningStatus s);

struct Erkenning {
  Crebo crebo;
  std::string kwalificatie;
  Leerweg leerweg;
  Datum begindatum;
  std::optional<Datum> einddatum;
  ErkenningStatus status;  // as of today
};

struct Praktijkopleider {
  std::string id, naam, functie, email;
};

struct Leerplaats {
  Crebo crebo;
  Leerweg leerweg;
  int aantal = 0;
  int beschikbaar = 0;
};

struct Details {
  Samenvatting samenvatting;
  std::string telefoon, website;
  std::vector<Erkenning> erkenningen;
  std::vector<Praktijkopleider> praktijkopleiders;
  std::vector<Leerplaats> leerplaatsen;
};

// --- operations ---
struct IdentificeerVerzoek {  // exactly one criterion family is set (checked by the service)
  std::optional<LeerbedrijfId> id;
  std::optional<KvkNummer> kvk;
  std::optional<Vestigingsnummer> vestiging;
  std::optional<std::string> naam, plaats, postcode;
};
struct IdentificeerAntwoord {
  std::vector<Samenvatting> leerbedrijven;
  Meldingen meldingen;
};

struct VerifieerVerzoek {
  LeerbedrijfId id;
  Crebo crebo;
  Leerweg leerweg;
  Datum peildatum;
};
struct VerifieerAntwoord {
  bool erkend = false;
  std::string signaal_code;          // e.g. ERKEND, INGETROKKEN, VERLOPEN, GEEN_ERKENNING, SAMENGEVOEGD
  std::string signaal_omschrijving;
  std::optional<Datum> begindatum, einddatum;
  Meldingen meldingen;
};

struct DetailsAntwoord {
  std::optional<Details> leerbedrijf;
  Meldingen meldingen;
};

struct ZoekVerzoek {
  std::optional<std::string> naam, plaats;
  std::optional<int> max_afstand_km;
  std::optional<Crebo> crebo;
  std::optional<Leerweg> leerweg;
  bool alleen_vrije_leerplaatsen = false;
  int pagina = 1;          // 1-based
  int pagina_grootte = 20; // 1..100
};
struct ZoekAntwoord {
  int totaal = 0;
  int pagina = 1;
  int pagina_grootte = 20;
  std::vector<Samenvatting> leerbedrijven;
  Meldingen meldingen;
};

struct Contactpersoon {
  std::string naam, email, telefoon;
};
struct VoordrachtVerzoek {
  MessageId bericht;  // idempotency key: the same bericht never makes two voordrachten
  Oin school;  // the school the voordracht is made for (wsa:From, also when a vendor sends it)
  KvkNummer kvk;
  std::optional<Vestigingsnummer> vestiging;
  std::string naam;
  Adres adres;
  Crebo crebo;
  Leerweg leerweg;
  Contactpersoon contact;
  std::string toelichting;
};
struct VoordrachtAntwoord {
  std::string voordracht_id;  // empty when refused
  std::string status;         // ontvangen | in_behandeling
  Meldingen meldingen;
};

struct Mutatie {
  std::int64_t volgnummer = 0;
  std::string soort;  // ErkenningVerleend | ErkenningIngetrokken | ErkenningGewijzigd | LeerbedrijfSamengevoegd | NAWGewijzigd
  std::int64_t tijdstip = 0;  // unix seconds UTC
  LeerbedrijfId leerbedrijf;
  std::optional<LeerbedrijfId> nieuw_leerbedrijf;
  std::optional<Crebo> crebo;
  std::optional<Leerweg> leerweg;
  std::optional<Datum> begindatum, einddatum;
  std::optional<std::string> naam;
};
struct MutatiesVerzoek {
  std::int64_t vanaf_volgnummer = 0;  // exclusive: mutations with volgnummer > this
  int max_aantal = 100;               // 1..1000
};
struct MutatiesAntwoord {
  std::int64_t laatste_volgnummer = 0;  // highest volgnummer that exists
  std::vector<Mutatie> mutaties;
  Meldingen meldingen;
};

// Implemented by adapters (adapters/<name>/). Must be thread-safe: called from worker threads.
// Business findings go into the answers' meldingen; a failing store throws BackendUnavailable.
// The gateway runs voordragen inside keyed() (core/keyed_writes.h).
class Backend : public KeyedWrites {
 public:
  virtual ~Backend() = default;
  virtual IdentificeerAntwoord identificeer(const IdentificeerVerzoek&) = 0;
  virtual VerifieerAntwoord verifieer(const VerifieerVerzoek&) = 0;
  virtual DetailsAntwoord details(const LeerbedrijfId&) = 0;
  virtual ZoekAntwoord zoek(const ZoekVerzoek&) = 0;
  virtual VoordrachtAntwoord voordragen(const VoordrachtVerzoek&) = 0;
  virtual MutatiesAntwoord mutaties(const MutatiesVerzoek&) = 0;
};

}  // namespace edugate::leerbedrijf
