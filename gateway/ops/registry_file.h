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
// mandate's party must be in the file or `onboarded`, and its service one of agreement_names();
// an OIN must be of its register's form unless `onboarded`. An error names the entry and the key, e.g.
// `parties[2].kind`; nothing is returned half.
// A party's OIN: read from the certificate file `cert_path` when given, else `oin` parsed; either
// way of the OIN-stelsel's form (check_oin_form) unless `held` says the registry has it already
// (a party saved before OINs were checked can still be changed or suspended). The error reads
// "<cert_path>: <why>" or "'<oin>': <why>".
Result<Oin> oin_of(const std::string& oin, const std::string& cert_path,
                   const std::function<bool(const Oin&)>& held = nullptr);

// The service an agreement or mandate names, if it is one (is_agreement_name, the service
// registry); the error lists them all.
Result<std::string> agreement_service(const std::string& name);

Result<RegistryFile> read_registry_file(const std::string& path, const std::function<bool(const Oin&)>& onboarded);

}  // namespace edugate::gateway
