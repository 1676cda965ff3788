#pragma once
namespace edugate::adapters::postgres {
// Registers the "postgres" backends (the SQL backends of adapters/db/ on PostgreSQL).
void register_factories();
}  // namespace edugate::adapters::postgres
