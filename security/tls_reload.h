#pragma once
// The TLS material in force (own certificate and key, trust anchors, CRLs) as immutable SSL
// contexts behind a lock. reload() builds new contexts from the files; a broken file is refused
// with the reason and the old contexts keep serving. A connection keeps the context it started
// with, so a reload drops nothing in flight.
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.h"
#include "security/tls_policy.h"

namespace edugate::security {

class TlsContexts {
 public:
  // Throws on unusable files at start-up (a configuration error).
  explicit TlsContexts(TlsSettings settings);

  SslContextPtr server() const;
  SslContextPtr client() const;

  // Rebuilds both contexts from the files. On error nothing changes.
  Status reload();
  // Reloads if any of the files changed since the last (re)load; returns whether it tried.
  bool reload_if_changed(Status& outcome);
  int generation() const;

 private:
  std::vector<std::filesystem::file_time_type> stamps() const;

  TlsSettings settings_;
  mutable std::mutex mu_;
  SslContextPtr server_, client_;
  std::vector<std::filesystem::file_time_type> stamps_;
  int generation_ = 1;
};

}  // namespace edugate::security
