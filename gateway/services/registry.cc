#include "gateway/services/registry.h"

#include "core/sink.h"
#include "gateway/services/bpvmonitor_service.h"
#include "gateway/services/leerbedrijf_service.h"
#include "gateway/services/praktijkloket_service.h"
#include "gateway/services/schoolontvangst_service.h"

namespace edugate::gateway {
namespace {
namespace ad = adapters;

std::unique_ptr<Service> leerbedrijf(ServiceContract k, const std::string& a, const ad::AdapterContext& ctx, Backends& out) {
  out.leerbedrijf = ad::make_adapter<leerbedrijf::Backend>(a, ctx);
  return make_leerbedrijf_service(std::move(k), out.leerbedrijf);
}
std::unique_ptr<Service> bpvmonitor(ServiceContract k, const std::string& a, const ad::AdapterContext& ctx, Backends& out) {
  out.bpvmonitor = ad::make_adapter<bpvmonitor::Backend>(a, ctx);
  return make_bpvmonitor_service(std::move(k), out.bpvmonitor);
}
std::unique_ptr<Service> praktijkloket(ServiceContract k, const std::string& a, const ad::AdapterContext& ctx, Backends& out) {
  out.praktijkloket = ad::make_adapter<praktijkloket::Backend>(a, ctx);
  return make_praktijkloket_service(std::move(k), out.praktijkloket);
}
std::unique_ptr<Service> schoolontvangst(ServiceContract k, const std::string& a, const ad::AdapterContext& ctx, Backends&) {
  return make_schoolontvangst_service(std::move(k), ad::make_adapter<consumer::Sink>(a, ctx));
}

constexpr const char* kLeerbedrijfAgreements[] = {kAgreementMutaties};
constexpr const char* kBpvmonitorAgreements[] = {kAgreementStudentgegevens};

// One line per service.
constexpr ServiceEntry kServices[] = {
    {"leerbedrijf", Role::provider, true, leerbedrijf, ad::adapter_names<leerbedrijf::Backend>, kLeerbedrijfAgreements},
    {"bpvmonitor", Role::provider, true, bpvmonitor, ad::adapter_names<bpvmonitor::Backend>, kBpvmonitorAgreements},
    {"schoolontvangst", Role::consumer, false, schoolontvangst, ad::adapter_names<consumer::Sink>, {}},
    {"praktijkloket", Role::provider, true, praktijkloket, ad::adapter_names<praktijkloket::Backend>, {}},
};
}  // namespace

std::span<const ServiceEntry> service_registry() { return kServices; }

const ServiceEntry* find_service(std::string_view name) {
  for (const auto& s : kServices)
    if (s.name == name) return &s;
  return nullptr;
}

std::vector<std::string> service_names() {
  std::vector<std::string> out;
  for (const auto& s : kServices) out.emplace_back(s.name);
  return out;
}

std::string service_list(bool bridged_only, std::string_view last_separator) {
  std::vector<std::string_view> names;
  for (const auto& s : kServices)
    if (!bridged_only || s.bridged) names.push_back(s.name);
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i) out += i + 1 == names.size() ? last_separator : std::string_view(", ");
    out += names[i];
  }
  return out;
}

std::vector<std::string> agreement_names() {
  std::vector<std::string> out;
  for (const auto& s : kServices) {
    if (s.role != Role::provider) continue;
    out.emplace_back(s.name);
    for (const char* a : s.more_agreements) out.emplace_back(a);
  }
  return out;
}

bool is_agreement_name(std::string_view name) {
  for (const auto& a : agreement_names())
    if (a == name) return true;
  return false;
}

std::string agreement_list() {
  std::string out;
  for (const auto& a : agreement_names()) out += (out.empty() ? "" : ", ") + a;
  return out;
}

}  // namespace edugate::gateway
