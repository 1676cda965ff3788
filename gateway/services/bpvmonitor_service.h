#pragma once
#include <memory>

#include "core/bpvmonitor.h"
#include "gateway/services/service.h"

namespace edugate::gateway {

// The agreement a school needs to deliver student data (the direct student survey); results
// need the plain "bpvmonitor" agreement.
inline constexpr const char* kAgreementStudentgegevens = "bpvmonitor-studentgegevens";
inline constexpr int kMaxStudentgegevensPerBericht = 1000;

std::unique_ptr<Service> make_bpvmonitor_service(ServiceContract contract, std::shared_ptr<bpvmonitor::Backend> backend);

}  // namespace edugate::gateway
