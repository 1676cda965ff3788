// Built without libpq (EDUGATE_WITH_POSTGRES=OFF): a PostgreSQL target is a clear start-up error.
#include <stdexcept>

#include "store/sql.h"

namespace edugate::sql {

bool postgres_built() { return false; }

std::unique_ptr<Connection> open_postgres(const Target&) {
  throw std::runtime_error("this edugate was built without PostgreSQL support (cmake -DEDUGATE_WITH_POSTGRES=ON, libpq-dev)");
}

}  // namespace edugate::sql
