#include "adapters/http_json/backends.h"
#include "adapters/registry.h"
#include "adapters/spool/sink.h"
#include "adapters/sqlite/factory.h"

namespace edugate::adapters {
void register_builtin() {
  sqlite::register_factories();
  spool::register_factories();
  http_json::register_factories();
}
}  // namespace edugate::adapters
