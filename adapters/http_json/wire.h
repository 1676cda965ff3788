#pragma once
// The JSON wire shapes of the http_json backend adapter (docs/HTTP_JSON_BACKEND.md): one
// to_json/from_json pair per domain type, the keys being the member names of core/*.h. Reading
// is strict about types and required members and tolerant of extra members (a backend may add
// fields). Errors throw WireError with the path of the offending member, never its value.
#include <nlohmann/json.hpp>

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/bpvmonitor.h"
#include "core/ids.h"
#include "core/leerbedrijf.h"
#include "core/melding.h"
#include "core/praktijkloket.h"

namespace edugate::adapters::http_json {

using json = nlohmann::json;

class WireError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

namespace wire {

template <class T>
T as(const json& j, const std::string& path) {
  try {
    return j.get<T>();
  } catch (const WireError& e) {
    throw WireError(path + (std::string(e.what()).starts_with("/") ? "" : ": ") + e.what());
  } catch (const json::exception& e) {
    // nlohmann's type errors name types only ("type must be string, but is number").
    std::string what = e.what();
    auto close = what.find("] ");
    throw WireError(path + ": " + (close == std::string::npos ? what : what.substr(close + 2)));
  }
}

inline const json& object(const json& j) {
  if (!j.is_object()) throw WireError("not a JSON object");
  return j;
}

// A required member (present and not null).
template <class T>
T req(const json& j, const char* key) {
  auto it = object(j).find(key);
  if (it == j.end() || it->is_null()) throw WireError(std::string("/") + key + ": missing");
  return as<T>(*it, std::string("/") + key);
}

// An optional member: absent or null is nullopt.
template <class T>
std::optional<T> opt(const json& j, const char* key) {
  auto it = object(j).find(key);
  if (it == j.end() || it->is_null()) return std::nullopt;
  return as<T>(*it, std::string("/") + key);
}

template <class T>
T opt_or(const json& j, const char* key, T def) {
  auto v = opt<T>(j, key);
  return v ? std::move(*v) : std::move(def);
}

// A list member: absent or null is empty.
template <class T>
std::vector<T> list(const json& j, const char* key) {
  std::vector<T> out;
  auto it = object(j).find(key);
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_array()) throw WireError(std::string("/") + key + ": not an array");
  out.reserve(it->size());
  for (std::size_t i = 0; i < it->size(); ++i) out.push_back(as<T>((*it)[i], std::string("/") + key + "/" + std::to_string(i)));
  return out;
}

template <class T>
void put(json& j, const char* key, const std::optional<T>& v) {
  if (v) j[key] = *v;
}

// Bytes (PDFs, logos) travel as base64 text.
std::string base64(const std::string& bytes);
std::string unbase64(const std::string& text);  // WireError when it is not base64

template <class Id>
Id parse_id(const json& j, const char* type);

}  // namespace wire

// The shape of a praktijkloket::Uitkomst<T>: {"waarde": T, "meldingen": [...], "bestaande": id}.
template <class T>
praktijkloket::Uitkomst<T> uitkomst_from_json(const json& j) {
  praktijkloket::Uitkomst<T> u;
  u.waarde = wire::opt<T>(j, "waarde");
  u.meldingen = wire::list<Melding>(j, "meldingen");
  u.bestaande = wire::opt<praktijkloket::Id>(j, "bestaande");
  return u;
}

}  // namespace edugate::adapters::http_json

#define EDUGATE_WIRE_TYPE(T)                \
  template <>                               \
  struct nlohmann::adl_serializer<T> {      \
    static void to_json(json& j, const T& v); \
    static T from_json(const json& j);      \
  };

EDUGATE_WIRE_TYPE(edugate::Oin)
EDUGATE_WIRE_TYPE(edugate::Brin)
EDUGATE_WIRE_TYPE(edugate::LeerbedrijfId)
EDUGATE_WIRE_TYPE(edugate::Crebo)
EDUGATE_WIRE_TYPE(edugate::KvkNummer)
EDUGATE_WIRE_TYPE(edugate::Vestigingsnummer)
EDUGATE_WIRE_TYPE(edugate::MessageId)
EDUGATE_WIRE_TYPE(edugate::RioAanbiedercode)
EDUGATE_WIRE_TYPE(edugate::RioLocatiecode)
EDUGATE_WIRE_TYPE(edugate::Periode)
EDUGATE_WIRE_TYPE(edugate::Datum)
EDUGATE_WIRE_TYPE(edugate::Leerweg)
EDUGATE_WIRE_TYPE(edugate::Ernst)
EDUGATE_WIRE_TYPE(edugate::Melding)

EDUGATE_WIRE_TYPE(edugate::leerbedrijf::Adres)
EDUGATE_WIRE_TYPE(edugate::leerbedrijf::Samenvatting)
EDUGATE_WIRE_TYPE(edugate::leerbedrijf::ErkenningStatus)
EDUGATE_WIRE_TYPE(edugate::leerbedrijf::Erkenning)
EDUGATE_WIRE_TYPE(edugate::leerbedrijf::Praktijkopleider)
EDUGATE_WIRE_TYPE(edugate::leerbedrijf::Leerplaats)
EDUGATE_WIRE_TYPE(edugate::leerbedrijf::Details)
EDUGATE_WIRE_TYPE(edugate::leerbedrijf::IdentificeerVerzoek)
EDUGATE_WIRE_TYPE(edugate::leerbedrijf::IdentificeerAntwoord)
EDUGATE_WIRE_TYPE(edugate::leerbedrijf::VerifieerVerzoek)
EDUGATE_WIRE_TYPE(edugate::leerbedrijf::VerifieerAntwoord)
EDUGATE_WIRE_TYPE(edugate::leerbedrijf::DetailsAntwoord)
EDUGATE_WIRE_TYPE(edugate::leerbedrijf::ZoekVerzoek)
EDUGATE_WIRE_TYPE(edugate::leerbedrijf::ZoekAntwoord)
EDUGATE_WIRE_TYPE(edugate::leerbedrijf::Contactpersoon)
EDUGATE_WIRE_TYPE(edugate::leerbedrijf::VoordrachtVerzoek)
EDUGATE_WIRE_TYPE(edugate::leerbedrijf::VoordrachtAntwoord)
EDUGATE_WIRE_TYPE(edugate::leerbedrijf::Mutatie)
EDUGATE_WIRE_TYPE(edugate::leerbedrijf::MutatiesVerzoek)
EDUGATE_WIRE_TYPE(edugate::leerbedrijf::MutatiesAntwoord)

EDUGATE_WIRE_TYPE(edugate::bpvmonitor::Studentgegeven)
EDUGATE_WIRE_TYPE(edugate::bpvmonitor::Recordresultaat)
EDUGATE_WIRE_TYPE(edugate::bpvmonitor::Resultatenfilter)
EDUGATE_WIRE_TYPE(edugate::bpvmonitor::Themaresultaat)
EDUGATE_WIRE_TYPE(edugate::bpvmonitor::Resultaten)
EDUGATE_WIRE_TYPE(edugate::bpvmonitor::Score)
EDUGATE_WIRE_TYPE(edugate::bpvmonitor::Responsrecord)
EDUGATE_WIRE_TYPE(edugate::bpvmonitor::Responsrecords)

EDUGATE_WIRE_TYPE(edugate::praktijkloket::Caller)
EDUGATE_WIRE_TYPE(edugate::praktijkloket::Deelnemergegevens)
EDUGATE_WIRE_TYPE(edugate::praktijkloket::Deelnemer)
EDUGATE_WIRE_TYPE(edugate::praktijkloket::Praktijkopleidergegevens)
EDUGATE_WIRE_TYPE(edugate::praktijkloket::Praktijkopleider)
EDUGATE_WIRE_TYPE(edugate::praktijkloket::GekozenWerkproces)
EDUGATE_WIRE_TYPE(edugate::praktijkloket::GekozenKwalificatie)
EDUGATE_WIRE_TYPE(edugate::praktijkloket::Begeleidingsdocumentgegevens)
EDUGATE_WIRE_TYPE(edugate::praktijkloket::Begeleidingsdocument)
EDUGATE_WIRE_TYPE(edugate::praktijkloket::BehaaldWerkproces)
EDUGATE_WIRE_TYPE(edugate::praktijkloket::Praktijkverklaringgegevens)
EDUGATE_WIRE_TYPE(edugate::praktijkloket::Praktijkverklaring)
EDUGATE_WIRE_TYPE(edugate::praktijkloket::Werkproces)
EDUGATE_WIRE_TYPE(edugate::praktijkloket::Kerntaak)
EDUGATE_WIRE_TYPE(edugate::praktijkloket::Kwalificatie)
EDUGATE_WIRE_TYPE(edugate::praktijkloket::Itemresultaat)
EDUGATE_WIRE_TYPE(edugate::praktijkloket::Verwijderd)
EDUGATE_WIRE_TYPE(edugate::praktijkloket::Pdf)

#undef EDUGATE_WIRE_TYPE
