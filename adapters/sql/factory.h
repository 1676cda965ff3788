#pragma once
namespace edugate::adapters::sql {
// Registers the "sqlite" adapters (embedded default) with adapters/registry.h.
void register_factories();
}  // namespace edugate::adapters::sql
