#pragma once
// Who may call which service (edukoppeling.md §3): the caller is the TLS certificate's OIN; the
// party it acts for is the wsa:From OIN. Equal OINs need an agreement for the service; different
// OINs need a mandate (vendor for school, this service) and the school's agreement.
#include <optional>
#include <string>
#include <string_view>

#include "core/ids.h"
#include "core/result.h"
#include "store/store.h"

namespace edugate::security {

struct Authorization {
  Oin caller;        // TLS identity
  Oin on_behalf_of;  // wsa:From OIN (equal to caller when not acting for someone else)
  bool via_mandate = false;
  std::string on_behalf_of_naam;  // the registry's name of the party acted for
};

// Is the TLS identity a known, active party at all? (DK0002 otherwise.)
Status check_known_party(store::Store& registry, const Oin& tls_oin);
// The same for a registry entry already read (`party` as found for `tls_oin`).
Status check_known_party(const std::optional<store::Party>& party, const Oin& tls_oin);

// Errors: DK0002 (unknown/suspended party, no agreement), EK0030 (From differs, no mandate).
Result<Authorization> authorize(store::Store& registry, const Oin& tls_oin, const Oin& from_oin,
                                std::string_view service);
// The same with the caller's registry entry already read and checked (check_known_party):
// one registry read fewer per request.
Result<Authorization> authorize(store::Store& registry, const store::Party& caller, const Oin& from_oin,
                                std::string_view service);

// Our own outbound side (relay, JSON bridge): this gateway (`own`) may send for `on_behalf_of`
// when it is itself, the party configured as remote.act_for, or a party it holds a mandate for
// on `service`; otherwise EK0030, as the receiver would answer (docs/DESIGN.md, decision log).
Status check_may_send_for(store::Store& registry, const Oin& own, const std::optional<Oin>& act_for,
                          const Oin& on_behalf_of, std::string_view service, std::string field);

}  // namespace edugate::security
