#pragma once
#include <memory>

#include "core/leerbedrijf.h"
#include "gateway/services/service.h"

namespace edugate::gateway {

std::unique_ptr<Service> make_leerbedrijf_service(ServiceContract contract,
                                                  std::shared_ptr<leerbedrijf::Backend> backend);

}  // namespace edugate::gateway
