#include "adapters/registry.h"

#include <map>
#include <mutex>
#include <stdexcept>

#include "core/bpvmonitor.h"
#include "core/leerbedrijf.h"
#include "core/praktijkloket.h"
#include "core/sink.h"

namespace edugate::adapters {
namespace {

template <class Interface>
struct Table {
  std::mutex mu;
  std::map<std::string, Factory<Interface>> factories;
  static Table& get() {
    static Table t;
    return t;
  }
};

}  // namespace

template <class Interface>
void register_adapter(const std::string& name, Factory<Interface> factory) {
  auto& t = Table<Interface>::get();
  std::lock_guard lock(t.mu);
  t.factories[name] = std::move(factory);
}

template <class Interface>
std::unique_ptr<Interface> make_adapter(const std::string& name, const AdapterContext& ctx) {
  Factory<Interface> f;
  {
    auto& t = Table<Interface>::get();
    std::lock_guard lock(t.mu);
    auto it = t.factories.find(name);
    if (it == t.factories.end()) throw std::runtime_error("unknown adapter '" + name + "'");
    f = it->second;
  }
  if (!ctx.settings.IsMap() && ctx.settings.IsDefined() && !ctx.settings.IsNull())
    throw std::runtime_error("adapter '" + name + "': settings must be a mapping");
  return f(ctx);
}

template <class Interface>
std::vector<std::string> adapter_names() {
  auto& t = Table<Interface>::get();
  std::lock_guard lock(t.mu);
  std::vector<std::string> names;
  for (const auto& [n, _] : t.factories) names.push_back(n);
  return names;
}

std::string resolve(const std::string& base, const std::string& p) {
  if (p.empty() || p[0] == '/' || base.empty()) return p;
  return base + "/" + p;
}

#define EDUGATE_INSTANTIATE(I)                                                  \
  template void register_adapter<I>(const std::string&, Factory<I>);           \
  template std::unique_ptr<I> make_adapter<I>(const std::string&, const AdapterContext&); \
  template std::vector<std::string> adapter_names<I>();
EDUGATE_INSTANTIATE(leerbedrijf::Backend)
EDUGATE_INSTANTIATE(bpvmonitor::Backend)
EDUGATE_INSTANTIATE(consumer::Sink)
EDUGATE_INSTANTIATE(praktijkloket::Backend)
#undef EDUGATE_INSTANTIATE

}  // namespace edugate::adapters
