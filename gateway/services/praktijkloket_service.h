#pragma once
#include <memory>

#include "core/praktijkloket.h"
#include "gateway/services/service.h"

namespace edugate::gateway {

std::unique_ptr<Service> make_praktijkloket_service(ServiceContract contract, std::shared_ptr<praktijkloket::Backend> backend);

}  // namespace edugate::gateway
