#include "adapters/registry.h"
#include "adapters/sqlite/factory.h"

namespace edugate::adapters {
void register_builtin() { sqlite::register_factories(); }
}  // namespace edugate::adapters
