#pragma once
namespace edugate::adapters::db {
// Registers the "sqlite" adapters (embedded default) with adapters/registry.h.
void register_factories();
}  // namespace edugate::adapters::db
