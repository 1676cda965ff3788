#include "adapters/registry.h"

#include <map>
#include <mutex>
#include <stdexcept>

namespace edugate::adapters {
namespace {
std::mutex mu;
std::map<std::string, LeerbedrijfFactory>& leerbedrijf_factories() {
  static std::map<std::string, LeerbedrijfFactory> m;
  return m;
}
}  // namespace

void register_leerbedrijf(const std::string& name, LeerbedrijfFactory factory) {
  std::lock_guard lock(mu);
  leerbedrijf_factories()[name] = std::move(factory);
}

std::unique_ptr<leerbedrijf::Backend> make_leerbedrijf(const std::string& name, const AdapterContext& ctx) {
  LeerbedrijfFactory f;
  {
    std::lock_guard lock(mu);
    auto it = leerbedrijf_factories().find(name);
    if (it == leerbedrijf_factories().end())
      throw std::runtime_error("unknown leerbedrijf adapter '" + name + "'");
    f = it->second;
  }
  return f(ctx);
}

std::vector<std::string> leerbedrijf_adapters() {
  std::lock_guard lock(mu);
  std::vector<std::string> names;
  for (const auto& [n, _] : leerbedrijf_factories()) names.push_back(n);
  return names;
}

}  // namespace edugate::adapters
