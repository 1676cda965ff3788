#pragma once
// The registry as a file: `edugate onboard apply FILE` saves every party, agreement and mandate
// in it in one go (one transaction), and `edugate onboard list` prints the same shape as JSON, so
// a registry moves between stores (SQLite to PostgreSQL, test to production) as a file.
#include <functional>
#include <string>
#include <vector>

#include "core/ids.h"
#include "core/result.h"
#include "store/store.h"

namespace edugate::gateway {

struct RegistryFile {
  std::vector<store::Party> parties;
  std::vector<store::Agreement> agreements;
  std::vector<store::Mandate> mandates;
};

// Reads and checks a registry file (YAML, or the JSON of `onboard list`):
//   parties:    [{oin | cert, naam, kind, status, endpoint, signing}]
//   agreements: [{oin | cert, service}]
//   mandates:   [{vendor, school, service}]
// `cert` is a PEM file (relative to the file's directory) whose OIN is taken. Every agreement's and
// mandate's party must be in the file or `onboarded`. An error names the entry and the key, e.g.
// `parties[2].kind`; nothing is returned half.
// A party's OIN: read from the certificate file `cert_path` when given, else `oin` parsed. The
// error reads "<cert_path>: <why>" or "'<oin>': <why>".
Result<Oin> oin_of(const std::string& oin, const std::string& cert_path);

Result<RegistryFile> read_registry_file(const std::string& path, const std::function<bool(const Oin&)>& onboarded);

}  // namespace edugate::gateway
