#include "security/authorization.h"

#include "core/rules.h"

namespace edugate::security {

Status check_known_party(store::Store& registry, const Oin& tls_oin) {
  return check_known_party(registry.find_party(tls_oin), tls_oin);
}

Status check_known_party(const std::optional<store::Party>& party, const Oin& tls_oin) {
  if (!party) return make_error(rules::DK0002, "OIN " + tls_oin.str() + " is niet aangesloten");
  if (party->status != store::PartyStatus::actief)
    return make_error(rules::DK0002, "OIN " + tls_oin.str() + " is geschorst");
  return ok_status();
}

Result<Authorization> authorize(store::Store& registry, const Oin& tls_oin, const Oin& from_oin,
                                std::string_view service) {
  auto caller = registry.find_party(tls_oin);
  if (auto st = check_known_party(caller, tls_oin); !st) return st.error();
  return authorize(registry, *caller, from_oin, service);
}

Result<Authorization> authorize(store::Store& registry, const store::Party& caller, const Oin& from_oin,
                                std::string_view service) {
  const Oin& tls_oin = caller.oin;
  const std::string svc(service);
  if (from_oin == tls_oin) {
    if (!registry.has_agreement(tls_oin, service))
      return make_error(rules::DK0002, "OIN " + tls_oin.str() + " heeft geen aansluiting op dienst " + svc);
    return Authorization{tls_oin, from_oin, false, caller.naam};
  }
  if (!registry.has_mandate(tls_oin, from_oin, service))
    return make_error(rules::EK0030,
                      "OIN in wsa:From wijkt af van het OIN van het TLS-certificaat en er is geen machtiging voor dienst " +
                          svc,
                      "wsa:From");
  auto school = registry.find_party(from_oin);
  if (!school || school->status != store::PartyStatus::actief)
    return make_error(rules::DK0002, "OIN " + from_oin.str() + " in wsa:From is niet (meer) aangesloten", "wsa:From");
  if (!registry.has_agreement(from_oin, service))
    return make_error(rules::DK0002, "OIN " + from_oin.str() + " heeft geen aansluiting op dienst " + svc, "wsa:From");
  return Authorization{tls_oin, from_oin, true, school->naam};
}

Status check_may_send_for(store::Store& registry, const Oin& own, const std::optional<Oin>& act_for,
                          const Oin& on_behalf_of, std::string_view service, std::string field) {
  if (on_behalf_of == own || (act_for && on_behalf_of == *act_for) || registry.has_mandate(own, on_behalf_of, service))
    return ok_status();
  return make_error(rules::EK0030,
                    "geen machtiging: " + own.str() + " mag niet namens " + on_behalf_of.str() + " handelen voor " +
                        std::string(service) + " (edugate onboard mandate)",
                    std::move(field));
}

}  // namespace edugate::security
