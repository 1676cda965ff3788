#pragma once
// The TLS material in force (own certificate and key, trust anchors, CRLs) as immutable SSL
// contexts behind a lock. reload() builds new contexts from the files; a broken file is refused
// with the reason and the old contexts keep serving. A connection keeps the context it started
// with, so a reload drops nothing in flight. The session ticket key ring is made once and
// shared by every server context built here, so resumption survives a reload (a ticket only
// resumes under unchanged anchors and CRLs, see tls_session.h).
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.h"
#include "security/tls_policy.h"
#include "security/tls_session.h"

namespace edugate::security {

class TlsContexts {
 public:
  // Throws on unusable files at start-up (a configuration error). tickets: the ring to seal
  // session tickets with; none given and settings.session_tickets on: a ring of its own.
  // learned: where peers' distribution points go (CRL fetching on); the OCSP answers about peers
  // and our stapled response are made here from settings.ocsp.
  explicit TlsContexts(TlsSettings settings, std::shared_ptr<TicketKeyRing> tickets = nullptr,
                       std::shared_ptr<LearnedDistributionPoints> learned = nullptr);

  SslContextPtr server() const;
  SslContextPtr client() const;

  // Rebuilds both contexts from the files. On error nothing changes.
  Status reload();
  // Reloads if any of the files changed since the last (re)load; returns whether it tried.
  bool reload_if_changed(Status& outcome);
  int generation() const;
  const TlsSettings& settings() const { return settings_; }
  std::shared_ptr<TicketKeyRing> tickets() const { return tickets_; }
  // Null when settings.ocsp turns them off.
  std::shared_ptr<OcspStaple> staple() const { return runtime_.staple; }
  std::shared_ptr<OcspResponses> ocsp() const { return runtime_.ocsp; }

 private:
  std::vector<std::filesystem::file_time_type> stamps() const;

  TlsSettings settings_;
  std::shared_ptr<TicketKeyRing> tickets_;
  TlsRuntime runtime_;
  std::mutex reload_mu_;  // one reload at a time: the last one to finish read the newest files
  mutable std::mutex mu_;
  SslContextPtr server_, client_;
  std::vector<std::filesystem::file_time_type> stamps_;
  int generation_ = 1;
};

}  // namespace edugate::security
