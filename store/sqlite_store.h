#pragma once
// store::SqliteStore (the embedded default) is SqlStore on SQLite: see store/sql_store.h.
#include "store/sql_store.h"
