#include "adapters/http_json/wire.h"

#include <openssl/evp.h>

namespace edugate::adapters::http_json::wire {

std::string base64(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string unbase64(const std::string& text) {
  if (text.size() % 4 != 0) throw WireError("not base64");
  std::string out(text.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()), reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) throw WireError("not base64");
  std::size_t pad = text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

template <class Id>
Id parse_id(const json& j, const char* type) {
  if (!j.is_string()) throw WireError(std::string("not a string (") + type + ")");
  auto r = Id::parse(j.get_ref<const std::string&>());
  if (!r) throw WireError(std::string("not a valid ") + type);
  return std::move(r).value();
}

}  // namespace edugate::adapters::http_json::wire

namespace nlohmann {

using namespace edugate;
using edugate::adapters::http_json::WireError;
using edugate::adapters::http_json::wire::list;
using edugate::adapters::http_json::wire::opt;
using edugate::adapters::http_json::wire::opt_or;
using edugate::adapters::http_json::wire::put;
using edugate::adapters::http_json::wire::req;
namespace lb = edugate::leerbedrijf;
namespace bpv = edugate::bpvmonitor;
namespace pl = edugate::praktijkloket;
namespace w = edugate::adapters::http_json::wire;

#define EDUGATE_WIRE_ID(T)                                                        \
  void adl_serializer<T>::to_json(json& j, const T& v) { j = v.str(); }           \
  T adl_serializer<T>::from_json(const json& j) { return w::parse_id<T>(j, #T); }
EDUGATE_WIRE_ID(Oin)
EDUGATE_WIRE_ID(Brin)
EDUGATE_WIRE_ID(LeerbedrijfId)
EDUGATE_WIRE_ID(Crebo)
EDUGATE_WIRE_ID(KvkNummer)
EDUGATE_WIRE_ID(Vestigingsnummer)
EDUGATE_WIRE_ID(MessageId)
EDUGATE_WIRE_ID(RioAanbiedercode)
EDUGATE_WIRE_ID(RioLocatiecode)
EDUGATE_WIRE_ID(Periode)
EDUGATE_WIRE_ID(Datum)
#undef EDUGATE_WIRE_ID

void adl_serializer<Leerweg>::to_json(json& j, const Leerweg& v) { j = edugate::to_string(v); }
Leerweg adl_serializer<Leerweg>::from_json(const json& j) {
  if (!j.is_string()) throw WireError("not a string (Leerweg)");
  auto r = parse_leerweg(j.get_ref<const std::string&>());
  if (!r) throw WireError("not BOL or BBL");
  return *r;
}

void adl_serializer<Ernst>::to_json(json& j, const Ernst& v) {
  j = v == Ernst::fout ? "fout" : v == Ernst::waarschuwing ? "waarschuwing" : "informatie";
}
Ernst adl_serializer<Ernst>::from_json(const json& j) {
  const std::string s = j.is_string() ? j.get<std::string>() : "";
  if (s == "fout") return Ernst::fout;
  if (s == "waarschuwing") return Ernst::waarschuwing;
  if (s == "informatie") return Ernst::informatie;
  throw WireError("not fout, waarschuwing or informatie");
}

void adl_serializer<Melding>::to_json(json& j, const Melding& v) {
  j = {{"code", v.code}, {"ernst", v.ernst}, {"tekst", v.tekst}, {"veld", v.veld}};
}
Melding adl_serializer<Melding>::from_json(const json& j) {
  Melding m{req<std::string>(j, "code"), opt_or(j, "ernst", Ernst::fout), opt_or<std::string>(j, "tekst", ""),
            opt_or<std::string>(j, "veld", "")};
  if (m.code.empty()) throw WireError("/code: empty");
  return m;
}

// --- leerbedrijf ---

void adl_serializer<lb::Adres>::to_json(json& j, const lb::Adres& v) {
  j = {{"straat", v.straat}, {"huisnummer", v.huisnummer}, {"postcode", v.postcode}, {"plaats", v.plaats}};
}
lb::Adres adl_serializer<lb::Adres>::from_json(const json& j) {
  return {opt_or<std::string>(j, "straat", ""), opt_or<std::string>(j, "huisnummer", ""),
          opt_or<std::string>(j, "postcode", ""), opt_or<std::string>(j, "plaats", "")};
}

void adl_serializer<lb::Samenvatting>::to_json(json& j, const lb::Samenvatting& v) {
  j = {{"id", v.id}, {"naam", v.naam}, {"adres", v.adres}};
  put(j, "kvk", v.kvk);
  put(j, "vestiging", v.vestiging);
  put(j, "afstand_km", v.afstand_km);
}
lb::Samenvatting adl_serializer<lb::Samenvatting>::from_json(const json& j) {
  return {req<LeerbedrijfId>(j, "id"), req<std::string>(j, "naam"), opt<KvkNummer>(j, "kvk"),
          opt<Vestigingsnummer>(j, "vestiging"), opt_or<lb::Adres>(j, "adres", {}), opt<double>(j, "afstand_km")};
}

void adl_serializer<lb::ErkenningStatus>::to_json(json& j, const lb::ErkenningStatus& v) { j = lb::to_string(v); }
lb::ErkenningStatus adl_serializer<lb::ErkenningStatus>::from_json(const json& j) {
  for (auto s : {lb::ErkenningStatus::erkend, lb::ErkenningStatus::ingetrokken, lb::ErkenningStatus::verlopen,
                 lb::ErkenningStatus::toekomstig})
    if (j.is_string() && j.get<std::string>() == lb::to_string(s)) return s;
  throw WireError("not erkend, ingetrokken, verlopen or toekomstig");
}

void adl_serializer<lb::Erkenning>::to_json(json& j, const lb::Erkenning& v) {
  j = {{"crebo", v.crebo}, {"kwalificatie", v.kwalificatie}, {"leerweg", v.leerweg}, {"begindatum", v.begindatum},
       {"status", v.status}};
  put(j, "einddatum", v.einddatum);
}
lb::Erkenning adl_serializer<lb::Erkenning>::from_json(const json& j) {
  return {req<Crebo>(j, "crebo"), opt_or<std::string>(j, "kwalificatie", ""), req<Leerweg>(j, "leerweg"),
          req<Datum>(j, "begindatum"), opt<Datum>(j, "einddatum"), req<lb::ErkenningStatus>(j, "status")};
}

void adl_serializer<lb::Praktijkopleider>::to_json(json& j, const lb::Praktijkopleider& v) {
  j = {{"id", v.id}, {"naam", v.naam}, {"functie", v.functie}, {"email", v.email}};
}
lb::Praktijkopleider adl_serializer<lb::Praktijkopleider>::from_json(const json& j) {
  return {req<std::string>(j, "id"), opt_or<std::string>(j, "naam", ""), opt_or<std::string>(j, "functie", ""),
          opt_or<std::string>(j, "email", "")};
}

void adl_serializer<lb::Leerplaats>::to_json(json& j, const lb::Leerplaats& v) {
  j = {{"crebo", v.crebo}, {"leerweg", v.leerweg}, {"aantal", v.aantal}, {"beschikbaar", v.beschikbaar}};
}
lb::Leerplaats adl_serializer<lb::Leerplaats>::from_json(const json& j) {
  return {req<Crebo>(j, "crebo"), req<Leerweg>(j, "leerweg"), opt_or(j, "aantal", 0), opt_or(j, "beschikbaar", 0)};
}

void adl_serializer<lb::Details>::to_json(json& j, const lb::Details& v) {
  j = {{"samenvatting", v.samenvatting}, {"telefoon", v.telefoon}, {"website", v.website}, {"erkenningen", v.erkenningen},
       {"praktijkopleiders", v.praktijkopleiders}, {"leerplaatsen", v.leerplaatsen}};
}
lb::Details adl_serializer<lb::Details>::from_json(const json& j) {
  return {req<lb::Samenvatting>(j, "samenvatting"), opt_or<std::string>(j, "telefoon", ""),
          opt_or<std::string>(j, "website", ""), list<lb::Erkenning>(j, "erkenningen"),
          list<lb::Praktijkopleider>(j, "praktijkopleiders"), list<lb::Leerplaats>(j, "leerplaatsen")};
}

void adl_serializer<lb::IdentificeerVerzoek>::to_json(json& j, const lb::IdentificeerVerzoek& v) {
  j = json::object();
  put(j, "id", v.id);
  put(j, "kvk", v.kvk);
  put(j, "vestiging", v.vestiging);
  put(j, "naam", v.naam);
  put(j, "plaats", v.plaats);
  put(j, "postcode", v.postcode);
}
lb::IdentificeerVerzoek adl_serializer<lb::IdentificeerVerzoek>::from_json(const json& j) {
  return {opt<LeerbedrijfId>(j, "id"), opt<KvkNummer>(j, "kvk"), opt<Vestigingsnummer>(j, "vestiging"),
          opt<std::string>(j, "naam"), opt<std::string>(j, "plaats"), opt<std::string>(j, "postcode")};
}

void adl_serializer<lb::IdentificeerAntwoord>::to_json(json& j, const lb::IdentificeerAntwoord& v) {
  j = {{"leerbedrijven", v.leerbedrijven}, {"meldingen", v.meldingen}};
}
lb::IdentificeerAntwoord adl_serializer<lb::IdentificeerAntwoord>::from_json(const json& j) {
  return {list<lb::Samenvatting>(j, "leerbedrijven"), list<Melding>(j, "meldingen")};
}

void adl_serializer<lb::VerifieerVerzoek>::to_json(json& j, const lb::VerifieerVerzoek& v) {
  j = {{"id", v.id}, {"crebo", v.crebo}, {"leerweg", v.leerweg}, {"peildatum", v.peildatum}};
}
lb::VerifieerVerzoek adl_serializer<lb::VerifieerVerzoek>::from_json(const json& j) {
  return {req<LeerbedrijfId>(j, "id"), req<Crebo>(j, "crebo"), req<Leerweg>(j, "leerweg"), req<Datum>(j, "peildatum")};
}

void adl_serializer<lb::VerifieerAntwoord>::to_json(json& j, const lb::VerifieerAntwoord& v) {
  j = {{"erkend", v.erkend}, {"signaal_code", v.signaal_code}, {"signaal_omschrijving", v.signaal_omschrijving},
       {"meldingen", v.meldingen}};
  put(j, "begindatum", v.begindatum);
  put(j, "einddatum", v.einddatum);
}
lb::VerifieerAntwoord adl_serializer<lb::VerifieerAntwoord>::from_json(const json& j) {
  return {req<bool>(j, "erkend"), opt_or<std::string>(j, "signaal_code", ""),
          opt_or<std::string>(j, "signaal_omschrijving", ""), opt<Datum>(j, "begindatum"), opt<Datum>(j, "einddatum"),
          list<Melding>(j, "meldingen")};
}

void adl_serializer<lb::DetailsAntwoord>::to_json(json& j, const lb::DetailsAntwoord& v) {
  j = {{"meldingen", v.meldingen}};
  put(j, "leerbedrijf", v.leerbedrijf);
}
lb::DetailsAntwoord adl_serializer<lb::DetailsAntwoord>::from_json(const json& j) {
  return {opt<lb::Details>(j, "leerbedrijf"), list<Melding>(j, "meldingen")};
}

void adl_serializer<lb::ZoekVerzoek>::to_json(json& j, const lb::ZoekVerzoek& v) {
  j = {{"alleen_vrije_leerplaatsen", v.alleen_vrije_leerplaatsen}, {"pagina", v.pagina}, {"pagina_grootte", v.pagina_grootte}};
  put(j, "naam", v.naam);
  put(j, "plaats", v.plaats);
  put(j, "max_afstand_km", v.max_afstand_km);
  put(j, "crebo", v.crebo);
  put(j, "leerweg", v.leerweg);
}
lb::ZoekVerzoek adl_serializer<lb::ZoekVerzoek>::from_json(const json& j) {
  return {opt<std::string>(j, "naam"), opt<std::string>(j, "plaats"), opt<int>(j, "max_afstand_km"), opt<Crebo>(j, "crebo"),
          opt<Leerweg>(j, "leerweg"), opt_or(j, "alleen_vrije_leerplaatsen", false), opt_or(j, "pagina", 1),
          opt_or(j, "pagina_grootte", 20)};
}

void adl_serializer<lb::ZoekAntwoord>::to_json(json& j, const lb::ZoekAntwoord& v) {
  j = {{"totaal", v.totaal}, {"pagina", v.pagina}, {"pagina_grootte", v.pagina_grootte}, {"leerbedrijven", v.leerbedrijven},
       {"meldingen", v.meldingen}};
}
lb::ZoekAntwoord adl_serializer<lb::ZoekAntwoord>::from_json(const json& j) {
  return {req<int>(j, "totaal"), opt_or(j, "pagina", 1), opt_or(j, "pagina_grootte", 20),
          list<lb::Samenvatting>(j, "leerbedrijven"), list<Melding>(j, "meldingen")};
}

void adl_serializer<lb::Contactpersoon>::to_json(json& j, const lb::Contactpersoon& v) {
  j = {{"naam", v.naam}, {"email", v.email}, {"telefoon", v.telefoon}};
}
lb::Contactpersoon adl_serializer<lb::Contactpersoon>::from_json(const json& j) {
  return {opt_or<std::string>(j, "naam", ""), opt_or<std::string>(j, "email", ""), opt_or<std::string>(j, "telefoon", "")};
}

void adl_serializer<lb::VoordrachtVerzoek>::to_json(json& j, const lb::VoordrachtVerzoek& v) {
  j = {{"bericht", v.bericht}, {"school", v.school}, {"kvk", v.kvk},         {"naam", v.naam},
       {"adres", v.adres},     {"crebo", v.crebo},   {"leerweg", v.leerweg}, {"contact", v.contact},
       {"toelichting", v.toelichting}};
  put(j, "vestiging", v.vestiging);
}
lb::VoordrachtVerzoek adl_serializer<lb::VoordrachtVerzoek>::from_json(const json& j) {
  return {req<MessageId>(j, "bericht"),  req<Oin>(j, "school"),          req<KvkNummer>(j, "kvk"),
          opt<Vestigingsnummer>(j, "vestiging"), req<std::string>(j, "naam"), opt_or<lb::Adres>(j, "adres", {}),
          req<Crebo>(j, "crebo"),        req<Leerweg>(j, "leerweg"),     opt_or<lb::Contactpersoon>(j, "contact", {}),
          opt_or<std::string>(j, "toelichting", "")};
}

void adl_serializer<lb::VoordrachtAntwoord>::to_json(json& j, const lb::VoordrachtAntwoord& v) {
  j = {{"voordracht_id", v.voordracht_id}, {"status", v.status}, {"meldingen", v.meldingen}};
}
lb::VoordrachtAntwoord adl_serializer<lb::VoordrachtAntwoord>::from_json(const json& j) {
  return {opt_or<std::string>(j, "voordracht_id", ""), opt_or<std::string>(j, "status", ""), list<Melding>(j, "meldingen")};
}

void adl_serializer<lb::Mutatie>::to_json(json& j, const lb::Mutatie& v) {
  j = {{"volgnummer", v.volgnummer}, {"soort", v.soort}, {"tijdstip", v.tijdstip}, {"leerbedrijf", v.leerbedrijf}};
  put(j, "nieuw_leerbedrijf", v.nieuw_leerbedrijf);
  put(j, "crebo", v.crebo);
  put(j, "leerweg", v.leerweg);
  put(j, "begindatum", v.begindatum);
  put(j, "einddatum", v.einddatum);
  put(j, "naam", v.naam);
}
lb::Mutatie adl_serializer<lb::Mutatie>::from_json(const json& j) {
  return {req<std::int64_t>(j, "volgnummer"), req<std::string>(j, "soort"),         req<std::int64_t>(j, "tijdstip"),
          req<LeerbedrijfId>(j, "leerbedrijf"), opt<LeerbedrijfId>(j, "nieuw_leerbedrijf"), opt<Crebo>(j, "crebo"),
          opt<Leerweg>(j, "leerweg"),         opt<Datum>(j, "begindatum"),         opt<Datum>(j, "einddatum"),
          opt<std::string>(j, "naam")};
}

void adl_serializer<lb::MutatiesVerzoek>::to_json(json& j, const lb::MutatiesVerzoek& v) {
  j = {{"vanaf_volgnummer", v.vanaf_volgnummer}, {"max_aantal", v.max_aantal}};
}
lb::MutatiesVerzoek adl_serializer<lb::MutatiesVerzoek>::from_json(const json& j) {
  return {req<std::int64_t>(j, "vanaf_volgnummer"), opt_or(j, "max_aantal", 100)};
}

void adl_serializer<lb::MutatiesAntwoord>::to_json(json& j, const lb::MutatiesAntwoord& v) {
  j = {{"laatste_volgnummer", v.laatste_volgnummer}, {"mutaties", v.mutaties}, {"meldingen", v.meldingen}};
}
lb::MutatiesAntwoord adl_serializer<lb::MutatiesAntwoord>::from_json(const json& j) {
  return {req<std::int64_t>(j, "laatste_volgnummer"), list<lb::Mutatie>(j, "mutaties"), list<Melding>(j, "meldingen")};
}

// --- bpvmonitor ---

void adl_serializer<bpv::Studentgegeven>::to_json(json& j, const bpv::Studentgegeven& v) {
  j = {{"bpvo_kenmerk", v.bpvo_kenmerk}, {"brin", v.brin},         {"rio_aanbieder", v.rio_aanbieder},
       {"rio_locatie", v.rio_locatie},   {"opleidingscode", v.opleidingscode}, {"leerweg", v.leerweg},
       {"leerbedrijf", v.leerbedrijf},   {"einddatum", v.einddatum}, {"voornaam", v.voornaam},
       {"achternaam", v.achternaam},     {"email", v.email}};
}
bpv::Studentgegeven adl_serializer<bpv::Studentgegeven>::from_json(const json& j) {
  return {req<std::string>(j, "bpvo_kenmerk"), req<Brin>(j, "brin"), req<RioAanbiedercode>(j, "rio_aanbieder"),
          req<RioLocatiecode>(j, "rio_locatie"), req<Crebo>(j, "opleidingscode"), req<Leerweg>(j, "leerweg"),
          req<LeerbedrijfId>(j, "leerbedrijf"), req<Datum>(j, "einddatum"), opt_or<std::string>(j, "voornaam", ""),
          opt_or<std::string>(j, "achternaam", ""), opt_or<std::string>(j, "email", "")};
}

void adl_serializer<bpv::Recordresultaat>::to_json(json& j, const bpv::Recordresultaat& v) {
  j = {{"bpvo_kenmerk", v.bpvo_kenmerk}, {"status", v.status}, {"meldingen", v.meldingen}};
  put(j, "uitnodigingsdatum", v.uitnodigingsdatum);
}
bpv::Recordresultaat adl_serializer<bpv::Recordresultaat>::from_json(const json& j) {
  return {req<std::string>(j, "bpvo_kenmerk"), req<std::string>(j, "status"), opt<Datum>(j, "uitnodigingsdatum"),
          list<Melding>(j, "meldingen")};
}

void adl_serializer<bpv::Resultatenfilter>::to_json(json& j, const bpv::Resultatenfilter& v) {
  j = {{"periode", v.periode}};
  put(j, "opleidingscode", v.opleidingscode);
  put(j, "leerweg", v.leerweg);
  put(j, "rio_locatie", v.rio_locatie);
}
bpv::Resultatenfilter adl_serializer<bpv::Resultatenfilter>::from_json(const json& j) {
  return {req<Periode>(j, "periode"), opt<Crebo>(j, "opleidingscode"), opt<Leerweg>(j, "leerweg"),
          opt<RioLocatiecode>(j, "rio_locatie")};
}

void adl_serializer<bpv::Themaresultaat>::to_json(json& j, const bpv::Themaresultaat& v) {
  j = {{"thema", v.thema}, {"groep", v.groep}, {"aantal", v.aantal}, {"onderdrukt", v.onderdrukt}};
  put(j, "gemiddelde", v.gemiddelde);
  put(j, "landelijk", v.landelijk);
}
bpv::Themaresultaat adl_serializer<bpv::Themaresultaat>::from_json(const json& j) {
  return {req<std::string>(j, "thema"), req<std::string>(j, "groep"), req<int>(j, "aantal"), opt_or(j, "onderdrukt", false),
          opt<double>(j, "gemiddelde"), opt<double>(j, "landelijk")};
}

void adl_serializer<bpv::Resultaten>::to_json(json& j, const bpv::Resultaten& v) {
  j = {{"minimale_respons", v.minimale_respons}, {"cellen", v.cellen}, {"meldingen", v.meldingen}};
}
bpv::Resultaten adl_serializer<bpv::Resultaten>::from_json(const json& j) {
  return {opt_or(j, "minimale_respons", 10), list<bpv::Themaresultaat>(j, "cellen"), list<Melding>(j, "meldingen")};
}

void adl_serializer<bpv::Score>::to_json(json& j, const bpv::Score& v) { j = {{"thema", v.thema}, {"waarde", v.waarde}}; }
bpv::Score adl_serializer<bpv::Score>::from_json(const json& j) { return {req<std::string>(j, "thema"), req<int>(j, "waarde")}; }

void adl_serializer<bpv::Responsrecord>::to_json(json& j, const bpv::Responsrecord& v) {
  j = {{"respondent_id", v.respondent_id}, {"groep", v.groep},         {"periode", v.periode},
       {"opleidingscode", v.opleidingscode}, {"leerweg", v.leerweg},   {"rio_locatie", v.rio_locatie},
       {"leerbedrijf", v.leerbedrijf},     {"scores", v.scores}};
}
bpv::Responsrecord adl_serializer<bpv::Responsrecord>::from_json(const json& j) {
  return {req<std::string>(j, "respondent_id"), req<std::string>(j, "groep"), req<Periode>(j, "periode"),
          req<Crebo>(j, "opleidingscode"), req<Leerweg>(j, "leerweg"), req<RioLocatiecode>(j, "rio_locatie"),
          req<LeerbedrijfId>(j, "leerbedrijf"), list<bpv::Score>(j, "scores")};
}

void adl_serializer<bpv::Responsrecords>::to_json(json& j, const bpv::Responsrecords& v) {
  j = {{"totaal", v.totaal}, {"pagina", v.pagina}, {"pagina_grootte", v.pagina_grootte}, {"records", v.records},
       {"meldingen", v.meldingen}};
}
bpv::Responsrecords adl_serializer<bpv::Responsrecords>::from_json(const json& j) {
  return {req<int>(j, "totaal"), opt_or(j, "pagina", 1), opt_or(j, "pagina_grootte", 100),
          list<bpv::Responsrecord>(j, "records"), list<Melding>(j, "meldingen")};
}

// --- praktijkloket ---

void adl_serializer<pl::Caller>::to_json(json& j, const pl::Caller& v) {
  j = {{"school", v.school}, {"sender", v.sender}, {"school_naam", v.school_naam}};
}
pl::Caller adl_serializer<pl::Caller>::from_json(const json& j) {
  return {req<Oin>(j, "school"), req<Oin>(j, "sender"), opt_or<std::string>(j, "school_naam", "")};
}

void adl_serializer<pl::Deelnemergegevens>::to_json(json& j, const pl::Deelnemergegevens& v) {
  j = {{"voornaam", v.voornaam},           {"tussenvoegsel", v.tussenvoegsel}, {"achternaam", v.achternaam},
       {"geboortedatum", v.geboortedatum}, {"email", v.email},                 {"onderwijsvorm", v.onderwijsvorm},
       {"kenmerk", v.kenmerk}};
}
pl::Deelnemergegevens adl_serializer<pl::Deelnemergegevens>::from_json(const json& j) {
  return {opt_or<std::string>(j, "voornaam", ""), opt_or<std::string>(j, "tussenvoegsel", ""),
          opt_or<std::string>(j, "achternaam", ""), req<Datum>(j, "geboortedatum"), opt_or<std::string>(j, "email", ""),
          opt_or<std::string>(j, "onderwijsvorm", ""), opt_or<std::string>(j, "kenmerk", "")};
}

void adl_serializer<pl::Deelnemer>::to_json(json& j, const pl::Deelnemer& v) {
  j = {{"id", v.id}, {"gegevens", v.gegevens}, {"archief", v.archief}};
}
pl::Deelnemer adl_serializer<pl::Deelnemer>::from_json(const json& j) {
  return {req<pl::Id>(j, "id"), req<pl::Deelnemergegevens>(j, "gegevens"), opt_or(j, "archief", false)};
}

void adl_serializer<pl::Praktijkopleidergegevens>::to_json(json& j, const pl::Praktijkopleidergegevens& v) {
  j = {{"naam", v.naam}, {"functie", v.functie}, {"email", v.email}, {"telefoon", v.telefoon}};
}
pl::Praktijkopleidergegevens adl_serializer<pl::Praktijkopleidergegevens>::from_json(const json& j) {
  return {opt_or<std::string>(j, "naam", ""), opt_or<std::string>(j, "functie", ""), opt_or<std::string>(j, "email", ""),
          opt_or<std::string>(j, "telefoon", "")};
}

void adl_serializer<pl::Praktijkopleider>::to_json(json& j, const pl::Praktijkopleider& v) {
  j = {{"id", v.id}, {"leerbedrijf", v.leerbedrijf}, {"gegevens", v.gegevens}};
  put(j, "deelnemer", v.deelnemer);
}
pl::Praktijkopleider adl_serializer<pl::Praktijkopleider>::from_json(const json& j) {
  return {req<std::string>(j, "id"), req<LeerbedrijfId>(j, "leerbedrijf"),
          opt_or<pl::Praktijkopleidergegevens>(j, "gegevens", {}), opt<pl::Id>(j, "deelnemer")};
}

void adl_serializer<pl::GekozenWerkproces>::to_json(json& j, const pl::GekozenWerkproces& v) {
  j = {{"code", v.code}, {"toon_gedrag", v.toon_gedrag}};
}
pl::GekozenWerkproces adl_serializer<pl::GekozenWerkproces>::from_json(const json& j) {
  return {req<std::string>(j, "code"), opt_or(j, "toon_gedrag", false)};
}

void adl_serializer<pl::GekozenKwalificatie>::to_json(json& j, const pl::GekozenKwalificatie& v) {
  j = {{"crebo", v.crebo}, {"versie", v.versie}, {"werkprocessen", v.werkprocessen}};
}
pl::GekozenKwalificatie adl_serializer<pl::GekozenKwalificatie>::from_json(const json& j) {
  return {req<Crebo>(j, "crebo"), opt_or<std::string>(j, "versie", ""), list<pl::GekozenWerkproces>(j, "werkprocessen")};
}

void adl_serializer<pl::Begeleidingsdocumentgegevens>::to_json(json& j, const pl::Begeleidingsdocumentgegevens& v) {
  j = {{"deelnemer", v.deelnemer}, {"leerbedrijf", v.leerbedrijf}, {"praktijkopleider", v.praktijkopleider},
       {"begin", v.begin},         {"eind", v.eind},               {"kwalificaties", v.kwalificaties}};
}
pl::Begeleidingsdocumentgegevens adl_serializer<pl::Begeleidingsdocumentgegevens>::from_json(const json& j) {
  return {req<pl::Id>(j, "deelnemer"), req<LeerbedrijfId>(j, "leerbedrijf"), req<std::string>(j, "praktijkopleider"),
          req<Datum>(j, "begin"), req<Datum>(j, "eind"), list<pl::GekozenKwalificatie>(j, "kwalificaties")};
}

void adl_serializer<pl::Begeleidingsdocument>::to_json(json& j, const pl::Begeleidingsdocument& v) {
  j = {{"id", v.id}, {"afgerond", v.afgerond}, {"gegevens", v.gegevens}, {"aangemaakt", v.aangemaakt},
       {"afgerond_op", v.afgerond_op}};
}
pl::Begeleidingsdocument adl_serializer<pl::Begeleidingsdocument>::from_json(const json& j) {
  return {req<pl::Id>(j, "id"), opt_or(j, "afgerond", false), req<pl::Begeleidingsdocumentgegevens>(j, "gegevens"),
          opt_or<std::string>(j, "aangemaakt", ""), opt_or<std::string>(j, "afgerond_op", "")};
}

void adl_serializer<pl::BehaaldWerkproces>::to_json(json& j, const pl::BehaaldWerkproces& v) {
  j = {{"crebo", v.crebo}, {"versie", v.versie}, {"code", v.code}};
}
pl::BehaaldWerkproces adl_serializer<pl::BehaaldWerkproces>::from_json(const json& j) {
  return {req<Crebo>(j, "crebo"), opt_or<std::string>(j, "versie", ""), req<std::string>(j, "code")};
}

void adl_serializer<pl::Praktijkverklaringgegevens>::to_json(json& j, const pl::Praktijkverklaringgegevens& v) {
  j = {{"deelnemer", v.deelnemer}, {"leerbedrijf", v.leerbedrijf},   {"onderwijsvorm", v.onderwijsvorm},
       {"begin", v.begin},         {"eind", v.eind},                 {"bpv_uren", v.bpv_uren},
       {"werkprocessen", v.werkprocessen}, {"branchelogos", v.branchelogos}};
  put(j, "praktijkopleider", v.praktijkopleider);
  put(j, "begeleidingsdocument", v.begeleidingsdocument);
  if (v.logo_jpeg) j["logo_jpeg"] = w::base64(*v.logo_jpeg);
}
pl::Praktijkverklaringgegevens adl_serializer<pl::Praktijkverklaringgegevens>::from_json(const json& j) {
  pl::Praktijkverklaringgegevens v{req<pl::Id>(j, "deelnemer"),
                                   req<LeerbedrijfId>(j, "leerbedrijf"),
                                   opt<std::string>(j, "praktijkopleider"),
                                   opt_or<std::string>(j, "onderwijsvorm", ""),
                                   req<Datum>(j, "begin"),
                                   req<Datum>(j, "eind"),
                                   req<int>(j, "bpv_uren"),
                                   opt<pl::Id>(j, "begeleidingsdocument"),
                                   list<pl::BehaaldWerkproces>(j, "werkprocessen"),
                                   std::nullopt,
                                   list<std::string>(j, "branchelogos")};
  if (auto logo = opt<std::string>(j, "logo_jpeg")) {
    try {
      v.logo_jpeg = w::unbase64(*logo);
    } catch (const WireError&) {
      throw WireError("/logo_jpeg: not base64");
    }
  }
  return v;
}

void adl_serializer<pl::Praktijkverklaring>::to_json(json& j, const pl::Praktijkverklaring& v) {
  j = {{"id", v.id}, {"definitief", v.definitief}, {"gegevens", v.gegevens}, {"aangemaakt", v.aangemaakt},
       {"definitief_op", v.definitief_op}};
}
pl::Praktijkverklaring adl_serializer<pl::Praktijkverklaring>::from_json(const json& j) {
  return {req<pl::Id>(j, "id"), opt_or(j, "definitief", false), req<pl::Praktijkverklaringgegevens>(j, "gegevens"),
          opt_or<std::string>(j, "aangemaakt", ""), opt_or<std::string>(j, "definitief_op", "")};
}

void adl_serializer<pl::Werkproces>::to_json(json& j, const pl::Werkproces& v) {
  j = {{"code", v.code}, {"naam", v.naam}, {"omschrijving", v.omschrijving}, {"gewenst_resultaat", v.gewenst_resultaat},
       {"gedrag", v.gedrag}};
}
pl::Werkproces adl_serializer<pl::Werkproces>::from_json(const json& j) {
  return {req<std::string>(j, "code"), opt_or<std::string>(j, "naam", ""), opt_or<std::string>(j, "omschrijving", ""),
          opt_or<std::string>(j, "gewenst_resultaat", ""), list<std::string>(j, "gedrag")};
}

void adl_serializer<pl::Kerntaak>::to_json(json& j, const pl::Kerntaak& v) {
  j = {{"code", v.code}, {"naam", v.naam}, {"werkprocessen", v.werkprocessen}};
}
pl::Kerntaak adl_serializer<pl::Kerntaak>::from_json(const json& j) {
  return {req<std::string>(j, "code"), opt_or<std::string>(j, "naam", ""), list<pl::Werkproces>(j, "werkprocessen")};
}

void adl_serializer<pl::Kwalificatie>::to_json(json& j, const pl::Kwalificatie& v) {
  j = {{"crebo", v.crebo},     {"versie", v.versie},           {"naam", v.naam},         {"dossier", v.dossier},
       {"geldig_vanaf", v.geldig_vanaf}, {"geldig_tot", v.geldig_tot}, {"actueel", v.actueel}};
}
pl::Kwalificatie adl_serializer<pl::Kwalificatie>::from_json(const json& j) {
  return {req<Crebo>(j, "crebo"), req<std::string>(j, "versie"), opt_or<std::string>(j, "naam", ""),
          opt_or<std::string>(j, "dossier", ""), opt_or<std::string>(j, "geldig_vanaf", ""),
          opt_or<std::string>(j, "geldig_tot", ""), opt_or(j, "actueel", false)};
}

void adl_serializer<pl::Itemresultaat>::to_json(json& j, const pl::Itemresultaat& v) {
  j = {{"volgnummer", v.volgnummer}, {"kenmerk", v.kenmerk}, {"status", v.status}, {"meldingen", v.meldingen}};
  put(j, "deelnemer", v.deelnemer);
}
pl::Itemresultaat adl_serializer<pl::Itemresultaat>::from_json(const json& j) {
  return {req<int>(j, "volgnummer"), opt_or<std::string>(j, "kenmerk", ""), req<std::string>(j, "status"),
          opt<pl::Id>(j, "deelnemer"), list<Melding>(j, "meldingen")};
}

void adl_serializer<pl::Verwijderd>::to_json(json& j, const pl::Verwijderd& v) {
  j = {{"begeleidingsdocumenten", v.begeleidingsdocumenten}, {"praktijkverklaringen", v.praktijkverklaringen}};
}
pl::Verwijderd adl_serializer<pl::Verwijderd>::from_json(const json& j) {
  return {opt_or(j, "begeleidingsdocumenten", 0), opt_or(j, "praktijkverklaringen", 0)};
}

void adl_serializer<pl::Pdf>::to_json(json& j, const pl::Pdf& v) { j = {{"pdf", w::base64(v.bytes)}}; }
pl::Pdf adl_serializer<pl::Pdf>::from_json(const json& j) {
  try {
    return {w::unbase64(req<std::string>(j, "pdf"))};
  } catch (const WireError& e) {
    throw WireError(std::string("/pdf: ") + e.what());
  }
}

}  // namespace nlohmann
