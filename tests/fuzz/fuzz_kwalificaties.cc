// Fuzz target: the kwalificatiestructuur loader (XML guard, validation, one transaction) on an
// in-memory database. A refused file must leave the previous load intact.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "adapters/db/kwalificaties.h"
#include "security/xml_guard.h"

namespace kw = edugate::adapters::db::kwalificaties;

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  edugate::security::init_xml();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto db = edugate::sql::open({edugate::sql::Dialect::sqlite, ":memory:", false, "", "", 0});
  auto& conn = *db;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  auto before = kw::loaded_kwalificatiestructuur(conn);
  auto r = kw::load_kwalificatiestructuur(conn, in);
  auto after = kw::loaded_kwalificatiestructuur(conn);
  if (r) {
    if (!after || after->werkprocessen != r->werkprocessen || after->kwalificaties != r->kwalificaties)
      __builtin_trap();
  } else {
    if (r.error().code != "KWALIFICATIESTRUCTUUR") __builtin_trap();
    if (before.has_value() != after.has_value()) __builtin_trap();
    if (before && (before->werkprocessen != after->werkprocessen || before->versie != after->versie)) __builtin_trap();
  }
  return 0;
}
