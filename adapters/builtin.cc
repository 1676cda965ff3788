#include "adapters/http_json/backends.h"
#include "adapters/postgres/factory.h"
#include "adapters/registry.h"
#include "adapters/spool/sink.h"
#include "adapters/sql/factory.h"
#include "store/sql.h"

namespace edugate::adapters {
void register_builtin() {
  sqlite::register_factories();
  if (sql::postgres_built()) postgres::register_factories();
  spool::register_factories();
  http_json::register_factories();
}
}  // namespace edugate::adapters
