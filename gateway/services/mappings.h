#pragma once
// gSOAP <-> domain mappings shared by more than one service (a pushed message is built by the
// provider and read by the consumer with the same types).
#include <string>
#include <vector>

#include "core/bpvmonitor.h"
#include "core/leerbedrijf.h"
#include "core/sink.h"
#include "gateway/services/service_support.h"

namespace edugate::gateway::mapping {

lb__Mutatie* put_mutatie(support::Arena& a, const leerbedrijf::Mutatie& m);
// Errors name the field (for a DK0004 on a malformed push).
Result<leerbedrijf::Mutatie> mutatie_from(const lb__Mutatie& g);

bpv__Themaresultaat* put_themaresultaat(support::Arena& a, const bpvmonitor::Themaresultaat& t);
bpvmonitor::Themaresultaat themaresultaat_from(const bpv__Themaresultaat& g);

// The request elements of the pushes SBB -> school (schoolontvangst.wsdl), as XML.
std::string monitorresultaten_push(const Brin& brin, const Periode& periode, const bpvmonitor::Resultaten& r);
std::string erkenningmutaties_push(const std::vector<leerbedrijf::Mutatie>& mutaties);

}  // namespace edugate::gateway::mapping
