#pragma once
// `edugate probe URL`: checks an Edukoppeling endpoint from the outside against the rules of
// edukoppeling.md that a client can observe (TLS versions and suites, the server certificate
// and its OIN, mutual TLS, the WS-Addressing headers of an answer, the faults for deliberately
// broken requests, the size limit), and reports per rule id: PASS, FAIL or SKIP, with evidence.
// A vendor runs it before going live; docs/OPERATIONS.md "Probing an endpoint".
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/ids.h"
#include "security/tls_policy.h"

namespace edugate::gateway::probe {

struct Options {
  std::string url;              // the endpoint; without a path the service's path is appended
  std::string service = "leerbedrijf";
  std::string action;           // operation name or input action URI
  std::string request_file;     // the request element as JSON (mirrors the XSD) or XML
  // Our identity and trust: tls of the configuration, or these files.
  security::TlsSettings tls;
  std::optional<Oin> our_oin;   // wsa:From; default: the OIN of our certificate
  std::optional<Oin> expect_oin;  // the server's OIN; without it CERT-OIN is SKIP
  std::string contract_dir;
  int timeout_ms = 10000;
  std::size_t max_body_bytes = 20u << 20;  // the limit the endpoint must enforce with 413
};

enum class Verdict { pass, fail, skip };
const char* to_string(Verdict v);

struct Check {
  std::string rule;      // rule id (edukoppeling.md, or a descriptive id where the standard has none)
  std::string title;     // what the rule says
  Verdict verdict = Verdict::skip;
  std::string evidence;  // what was sent and what came back
  nlohmann::ordered_json details = nlohmann::ordered_json::object();  // the same, for machines
};

struct Report {
  std::string url;
  std::vector<Check> checks;
  bool passed() const;  // no FAIL (SKIP allowed)
};

// Runs every check. Throws std::invalid_argument for unusable options (files, service, action,
// request); everything the endpoint does is a check's outcome, never an exception.
Report run(const Options& options);

std::string render_table(const Report& report);
nlohmann::ordered_json render_json(const Report& report);

// The `probe` subcommand: exit code 0 every rule passes, 1 a rule fails, 2 usage error.
class Command {
 public:
  virtual ~Command() = default;
  virtual bool parsed() const = 0;
  virtual int run() = 0;
};
std::unique_ptr<Command> add_command(CLI::App& app);

}  // namespace edugate::gateway::probe
