#pragma once
#include <memory>

#include "core/leerbedrijf.h"
#include "gateway/services/service.h"

namespace edugate::gateway {

// The agreement a school needs to receive erkenning mutations (pushed by the outbox to its
// registered endpoint; gateway/outbound/publish.h).
inline constexpr const char* kAgreementMutaties = "leerbedrijf-mutaties";

std::unique_ptr<Service> make_leerbedrijf_service(ServiceContract contract,
                                                  std::shared_ptr<leerbedrijf::Backend> backend);

}  // namespace edugate::gateway
