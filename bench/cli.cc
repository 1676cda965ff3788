#include "bench/cli.h"

#include <filesystem>
#include <iostream>

#include "bench/bench.h"

namespace edugate::bench {

namespace {

constexpr const char* kFooter = R"(
Load modes (pick one; keep-alive closed loop is the default):
  closed loop     --connections N: each connection sends its next request when the answer is in
  fixed rate      --rate R: requests are due at t0 + k/R over all connections; a due request waits
                  for a free connection and its latency runs from when it was due (no coordinated
                  omission). Connections are opened before the clock starts.
  --new-connection / --resume: a new TLS connection per request, full handshake or resuming the
                  previous session (tickets); the report says how many handshakes really resumed.
  --idle N        open N keep-alive connections, one request on each, hold them for --duration
                  seconds, then close; with --server-pid the server's RSS per connection.
A request counts as ok when the answer is HTTP 200 and not a soap:Fault; errors are counted by
kind (connect, tls_handshake, timeout, write, read, connection_closed, http_status_NNN,
soap_fault:CODE, unsigned_answer, not_sent). Latency percentiles come from a log-linear
histogram with buckets under 0.8 % wide.
Request file: {"service":"leerbedrijf","action":"VerifieerErkenning","to_oin":"...",
  "from_oin":"..." (default: the OIN of --cert),"body":"<raw XML of the soap:Body child>" or a
  JSON object mirroring the XSD}. In the body {{seq}} becomes a token unique per run and request,
  {{today+N}} a date N days from today. Every request has a fresh wsa:MessageID.
--baseline-server: serve a fixed 1 KiB text/xml answer to every POST over mutual TLS with the
  gateway's TLS policy and session tickets; prints {"event":"listening","port":N} on stdout and
  runs until SIGINT/SIGTERM.
Exit status: 0 run completed without errors, 3 run completed with errors (see the report),
  1 could not run.)";

class BenchCommand : public Command {
 public:
  explicit BenchCommand(CLI::App& app) {
    load_.contract_dir = EDUGATE_CONTRACT_DIR;
    cmd_ = app.add_subcommand("bench",
                              "mutual-TLS load generator; --baseline-server: the minimal TLS server to compare with");
    cmd_->footer(kFooter);
    cmd_->add_option("--url", load_.url,
                     "target, e.g. https://127.0.0.1:8443/edukoppeling/leerbedrijf (no path: the service's)");
    cmd_->add_option("--cert", tls_.cert, "own certificate chain (PEM)");
    cmd_->add_option("--key", tls_.key, "own private key (PEM)");
    cmd_->add_option("--ca", tls_.ca, "trust anchors (PEM)");
    cmd_->add_option("--crl", tls_.crl, "CRLs (PEM); without it the peer's certificate is not checked for revocation");
    cmd_->add_option("--stem", stem_,
                     "party of an example PKI: --cert/--key/--ca/--crl are <pki>/<stem>.chain.pem, "
                     "<stem>.key.pem, trust.pem, crls.pem (e.g. school-25be, sbb)");
    cmd_->add_option("--pki", pki_, "directory of the example PKI (certs-example/make-pki.sh)");
    cmd_->add_option("--request", load_.request_file, "request file (JSON, see below)");
    cmd_->add_option("--contract-dir", load_.contract_dir, "WSDL/XSD directory")->capture_default_str();
    cmd_->add_option("--threads", threads_, "client (or baseline server) io_context threads")->capture_default_str();
    cmd_->add_option("--connections", load_.connections, "concurrent connections")->capture_default_str();
    cmd_->add_option("--rate", load_.rate, "offered load in requests/s (open loop); 0: closed loop")
        ->capture_default_str();
    cmd_->add_option("--duration", load_.duration_s, "measured seconds (idle: seconds to hold)")->capture_default_str();
    cmd_->add_option("--warmup", load_.warmup_s, "seconds of load before the measurement")->capture_default_str();
    cmd_->add_option("--timeout", load_.timeout_ms, "per request (connect to last byte), ms")->capture_default_str();
    cmd_->add_flag("--new-connection", load_.new_connection, "a new TLS connection (full handshake) per request");
    cmd_->add_flag("--resume", load_.resume, "a new TLS connection per request, resuming the TLS session");
    cmd_->add_flag("--sign", load_.sign,
                   "sign each request with WS-Security (the --cert/--key pair); the answer must be signed");
    cmd_->add_option("--idle", load_.idle, "hold this many idle keep-alive connections (see below)");
    cmd_->add_option("--server-pid", load_.server_pid, "report this process's CPU time and RSS");
    cmd_->add_flag("--json", json_, "print the report as one JSON object instead of the table");
    cmd_->add_flag("--baseline-server", baseline_, "run the baseline server instead of the load");
    cmd_->add_option("--address", server_.address, "baseline server: address to listen on")->capture_default_str();
    cmd_->add_option("--port", server_.port, "baseline server: port (0: any free one)")->capture_default_str();
    cmd_->add_option("--port-file", server_.port_file, "baseline server: also write the bound port to this file");
  }

  bool parsed() const override { return cmd_->parsed(); }

  int run() override {
    if (!stem_.empty() || !pki_.empty()) {
      if (stem_.empty() || pki_.empty()) throw std::runtime_error("--stem and --pki go together");
      const std::string base = pki_ + "/" + stem_;
      if (tls_.cert.empty()) tls_.cert = base + ".chain.pem";
      if (tls_.key.empty()) tls_.key = base + ".key.pem";
      if (tls_.ca.empty()) tls_.ca = pki_ + "/trust.pem";
      if (tls_.crl.empty() && std::filesystem::exists(pki_ + "/crls.pem")) tls_.crl = pki_ + "/crls.pem";
    }
    if (baseline_) {
      server_.tls = tls_;
      server_.threads = threads_;
      return run_baseline_server(server_);
    }
    load_.tls = tls_;
    load_.threads = threads_;
    auto report = run_load(load_);
    if (json_)
      std::cout << report.dump() << std::endl;
    else
      std::cout << format_report(report) << std::flush;
    return report["errors"].get<std::uint64_t>() == 0 ? 0 : 3;
  }

 private:
  CLI::App* cmd_ = nullptr;
  LoadOptions load_;
  BaselineOptions server_;
  TlsFiles tls_;
  std::string stem_, pki_;
  int threads_ = 1;
  bool json_ = false, baseline_ = false;
};

}  // namespace

std::unique_ptr<Command> add_command(CLI::App& app) { return std::make_unique<BenchCommand>(app); }

}  // namespace edugate::bench
