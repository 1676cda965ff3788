#pragma once
// A business-rule finding returned in a normal 200 response: never a SOAP fault.
#include <string>
#include <vector>

namespace edugate {

enum class Ernst { fout, waarschuwing, informatie };

struct Melding {
  std::string code;   // e.g. LB-ONBEKEND
  Ernst ernst = Ernst::fout;
  std::string tekst;  // Dutch, for people; no personal data
  std::string veld;   // request field the finding is about, empty if none
};

using Meldingen = std::vector<Melding>;

inline bool has_fout(const Meldingen& m) {
  for (const auto& x : m)
    if (x.ernst == Ernst::fout) return true;
  return false;
}

}  // namespace edugate
