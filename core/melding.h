#pragma once
// A business-rule finding returned in a normal 200 response: never a SOAP fault.
#include <string>
#include <vector>

#include "core/rules.h"

namespace edugate {

enum class Ernst { fout, waarschuwing, informatie };

struct Melding {
  std::string code;   // e.g. LB-ONBEKEND
  Ernst ernst = Ernst::fout;
  std::string tekst;  // Dutch, for people; no personal data
  std::string veld;   // request field the finding is about, empty if none
};

using Meldingen = std::vector<Melding>;

// A Melding of a catalogue entry (core/rules.h): its code, with this Ernst, text and field.
inline Melding melding(const rules::Rule& r, Ernst e, std::string tekst, std::string veld = {}) {
  return Melding{std::string(r.code), e, std::move(tekst), std::move(veld)};
}
inline Melding fout(const rules::Rule& r, std::string tekst, std::string veld = {}) {
  return melding(r, Ernst::fout, std::move(tekst), std::move(veld));
}

inline bool has_fout(const Meldingen& m) {
  for (const auto& x : m)
    if (x.ernst == Ernst::fout) return true;
  return false;
}

}  // namespace edugate
