#pragma once
#include <memory>

#include "core/sink.h"
#include "gateway/services/service.h"

namespace edugate::gateway {

// Served by the consumer at a school: receives SBB's pushes and hands them to the sink.
std::unique_ptr<Service> make_schoolontvangst_service(ServiceContract contract, std::unique_ptr<consumer::Sink> sink);

}  // namespace edugate::gateway
