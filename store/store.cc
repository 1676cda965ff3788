#include "store/store.h"

namespace edugate::store {

const char* to_string(PartyKind k) {
  switch (k) {
    case PartyKind::school: return "school";
    case PartyKind::vendor: return "vendor";
    case PartyKind::sbb: return "sbb";
  }
  return "school";
}

const char* to_string(PartyStatus s) { return s == PartyStatus::actief ? "actief" : "geschorst"; }

Result<PartyKind> parse_party_kind(std::string_view s) {
  if (s == "school") return PartyKind::school;
  if (s == "vendor") return PartyKind::vendor;
  if (s == "sbb") return PartyKind::sbb;
  return make_error("CONFIG", "soort partij moet school, vendor of sbb zijn, niet '" + std::string(s) + "'");
}

Result<PartyStatus> parse_party_status(std::string_view s) {
  if (s == "actief") return PartyStatus::actief;
  if (s == "geschorst") return PartyStatus::geschorst;
  return make_error("CONFIG", "status moet actief of geschorst zijn, niet '" + std::string(s) + "'");
}

void Store::complete_messages(const std::vector<Completion>& batch) {
  for (const auto& c : batch) complete_message(c.sender, c.message_id, c.response, c.audit);
}

}  // namespace edugate::store
