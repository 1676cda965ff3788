#include "core/leerbedrijf.h"

namespace edugate::leerbedrijf {

const char* to_string(ErkenningStatus s) {
  switch (s) {
    case ErkenningStatus::erkend: return "erkend";
    case ErkenningStatus::ingetrokken: return "ingetrokken";
    case ErkenningStatus::verlopen: return "verlopen";
    case ErkenningStatus::toekomstig: return "toekomstig";
  }
  return "onbekend";
}

}  // namespace edugate::leerbedrijf
