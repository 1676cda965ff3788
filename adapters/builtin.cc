#include "adapters/http_json/backends.h"
#include "adapters/postgres/factory.h"
#include "adapters/registry.h"
#include "adapters/spool/sink.h"
#include "adapters/db/factory.h"
#include "store/sql.h"

namespace edugate::adapters {
void register_builtin() {
  db::register_factories();
  if (sql::postgres_built()) postgres::register_factories();
  spool::register_factories();
  http_json::register_factories();
}
}  // namespace edugate::adapters
