#pragma once
// The places the fixtures use, with approximate coordinates, for distance search.
#include <optional>
#include <string>
#include <vector>

namespace edugate::adapters::db {

struct Place {
  const char* naam;
  const char* postcode_prefix;  // 4 digits
  double lat, lon;
};

const std::vector<Place>& places();
std::optional<Place> find_place(const std::string& naam);  // case-insensitive

}  // namespace edugate::adapters::db
