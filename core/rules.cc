#include "core/rules.h"

#include <string>
#include <vector>

namespace edugate::rules {
namespace {

constexpr const Rule* kAll[] = {
    &DK0001,
    &DK0002,
    &DK0003,
    &DK0004,
    &DK0005,
    &DK0006,
    &DK0007,
    &DK0008,
    &DK0009,
    &DK0010,
    &DK0011,
    &DK0051,
    &EK0020,
    &EK0023,
    &EK0030,
    &EK0031,
    &WT001,
    &WT007,
    &WT008,
    &WS002,
    &WS003,
    &WS005,
    &WS006,
    &WS007,
    &WS008,
    &WW003,
    &WW004,
    &WB004,
    &WB014,
    &VERPLICHT,
    &CRITERIUM,
    &TE_LANG,
    &TE_VEEL,
    &ONGELDIG_ID,
    &ONGELDIG_DATUM,
    &ONGELDIG_BRIN,
    &ONGELDIG_RIO,
    &ONGELDIG_CREBO,
    &ONGELDIG_LEERWEG,
    &ONGELDIG_LEERBEDRIJFID,
    &ONGELDIG_KVK,
    &ONGELDIG_VESTIGING,
    &ONGELDIG_PERIODE,
    &ONGELDIG_EMAIL,
    &ONGELDIG_PAGINA,
    &ONGELDIG_PAGINAGROOTTE,
    &ONGELDIG_AFSTAND,
    &ONGELDIG_VOLGNUMMER,
    &ONGELDIG_MAXAANTAL,
    &ONGELDIG_KENMERK,
    &ONGELDIG_STATUS,
    &ONGELDIG_ONDERWIJSVORM,
    &LB_ONBEKEND,
    &LB_SAMENGEVOEGD,
    &LB_GEEN_RESULTAAT,
    &LB_ONBEKENDE_PLAATS,
    &LB_AL_ERKEND,
    &BPV_TE_GROOT,
    &BPV_GEEN_SCHOOL,
    &BPV_BRIN,
    &BPV_LEERBEDRIJF,
    &BPV_AFGELOPEN,
    &BPV_EINDDATUM,
    &BPV_KORT,
    &BPV_DUBBEL,
    &BPV_BESTAAT,
    &BPV_ONBEKEND,
    &BPV_GEEN_RESPONS,
    &PL_TE_GROOT,
    &PL_BPV_UREN,
    &PL_LOGO,
    &PL_ONBEKENDE_DEELNEMER,
    &PL_GEBOORTEDATUM,
    &PL_ONBEKEND_LEERBEDRIJF,
    &PL_ONBEKENDE_KWALIFICATIE,
    &PL_DUBBEL,
    &PL_ONBEKEND_WERKPROCES,
    &PL_DATUMVOLGORDE,
    &PL_DUBBELE_DEELNEMER,
    &PL_AL_GEARCHIVEERD,
    &PL_NIET_GEARCHIVEERD,
    &PL_MEER_RESULTATEN,
    &PL_ONBEKEND_DOCUMENT,
    &PL_GEARCHIVEERD,
    &PL_ONBEKENDE_PRAKTIJKOPLEIDER,
    &PL_AFGEROND,
    &PL_ONBEKENDE_VERKLARING,
    &PL_WERKPROCESSEN,
    &PL_ANDERE_DEELNEMER,
    &PL_BRANCHELOGO,
    &PL_DEFINITIEF,
    &PL_NIET_ERKEND,
    &PL_NIET_EIGENAAR,
    &PL_PDF,
};

}  // namespace

std::span<const Rule* const> all() { return kAll; }

const Rule* find(std::string_view code) {
  for (const Rule* r : kAll)
    if (r->code == code) return r;
  return nullptr;
}

const Rule* invalid_field(std::string_view tag) {
  const Rule* r = find(std::string(kInvalidPrefix) + std::string(tag));
  return r && r->kind == Kind::melding ? r : nullptr;
}

std::span<const std::string> fault_outcomes() {
  static const std::vector<std::string> outcomes = [] {
    std::vector<std::string> v;
    for (const Rule* r : kAll)
      if (r->kind == Kind::fault) v.push_back("fault:" + std::string(r->code));
    return v;
  }();
  return outcomes;
}

}  // namespace edugate::rules
