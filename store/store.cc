#include "store/store.h"

#include <map>

namespace edugate::store {

std::vector<OutboxStats> Store::outbox_stats() {
  std::map<std::string, OutboxStats> by;
  for (const auto& m : outbox_list("pending", 1 << 30)) {
    auto& s = by[m.destination_oin];
    s.destination_oin = m.destination_oin;
    ++s.pending;
    if (s.oldest_pending_created_ms == 0 || m.created_ms < s.oldest_pending_created_ms)
      s.oldest_pending_created_ms = m.created_ms;
  }
  for (const auto& m : outbox_list("dead", 1 << 30)) {
    auto& s = by[m.destination_oin];
    s.destination_oin = m.destination_oin;
    ++s.dead;
  }
  std::vector<OutboxStats> out;
  for (auto& [_, s] : by) out.push_back(std::move(s));
  return out;
}

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

void Store::apply_registry(const std::vector<Party>& parties, const std::vector<Agreement>& agreements,
                           const std::vector<Mandate>& mandates) {
  for (const auto& p : parties) upsert_party(p);
  for (const auto& a : agreements) set_agreement(a.party, a.service, true);
  for (const auto& m : mandates) set_mandate(m.vendor, m.school, m.service, true);
}

void Store::complete_messages(const std::vector<Completion>& batch) {
  for (const auto& c : batch) complete_message(c.sender, c.message_id, c.response, c.audit);
}

}  // namespace edugate::store
