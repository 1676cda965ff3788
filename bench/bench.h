#pragma once
// `edugate bench`: a mutual-TLS load generator for Edukoppeling endpoints, and the minimal
// Asio/Beast mutual-TLS server the gateway is measured against (--baseline-server).
// A benchmark prints numbers; it never decides what is fast enough (../shared/docs/performance.md).
#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <string>

#include "security/tls_policy.h"

namespace edugate::bench {

struct TlsFiles {
  std::string cert;  // PEM: own certificate followed by its intermediates
  std::string key;   // PEM: own private key
  std::string ca;    // PEM: trust anchors
  std::string crl;   // PEM: CRLs of every CA; empty: no revocation check

  // The TLS settings these files make (revocation checked when CRLs are given).
  security::TlsSettings settings() const {
    security::TlsSettings s;
    s.certificate = cert;
    s.private_key = key;
    s.trust_anchors = ca;
    if (!crl.empty()) s.crls = {crl};
    s.check_revocation = !crl.empty();
    return s;
  }
};

struct LoadOptions {
  std::string url;  // https://host:port/path
  TlsFiles tls;
  std::string request_file;  // see request.h
  std::string contract_dir;
  int threads = 1;              // client io_context threads
  int connections = 1;          // concurrent connections (closed loop: each one request at a time)
  double rate = 0;              // offered requests/s over all connections (open loop); 0: closed loop
  double duration_s = 10;       // measured interval (idle: how long the connections are held)
  double warmup_s = 1;          // before the measured interval; its requests are not counted
  int timeout_ms = 10000;       // per request, from connect to the last byte of the answer
  bool new_connection = false;  // a new TLS connection (full handshake) per request
  bool resume = false;          // new connection per request, resuming the previous TLS session
  bool sign = false;            // WS-Security signature on every request (the --cert/--key pair)
  int idle = 0;                 // idle mode: hold this many keep-alive connections
  pid_t server_pid = 0;         // report this process's CPU time and RSS
};

// Runs the load and returns the report (fields in docs/DESIGN.md, "edugate bench").
// Throws std::runtime_error when the run cannot start (files, URL, request).
nlohmann::ordered_json run_load(const LoadOptions& options);
// The report as a table for people.
std::string format_report(const nlohmann::ordered_json& report);

struct BaselineOptions {
  std::string address = "127.0.0.1";
  unsigned short port = 0;  // 0: any free port
  TlsFiles tls;
  int threads = 1;
  std::string port_file;  // also write the bound port here (for scripts and tests)
};

// Serves until SIGINT/SIGTERM; prints {"event":"listening","port":N} on stdout once bound.
int run_baseline_server(const BaselineOptions& options);

}  // namespace edugate::bench
