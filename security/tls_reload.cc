#include "security/tls_reload.h"

#include <stdexcept>

namespace edugate::security {

namespace {
std::shared_ptr<TicketKeyRing> ring_for(const TlsSettings& s, std::shared_ptr<TicketKeyRing> given) {
  if (given || !s.session_tickets) return given;
  return std::make_shared<TicketKeyRing>(std::chrono::seconds(s.ticket_key_rotation_s));
}

TlsRuntime runtime_for(const TlsSettings& s, std::shared_ptr<LearnedDistributionPoints> learned) {
  TlsRuntime rt;
  if (s.check_revocation && s.ocsp.peers != OcspPolicy::off) rt.ocsp = std::make_shared<OcspResponses>(s.ocsp);
  if (s.ocsp.staple) rt.staple = std::make_shared<OcspStaple>(s.certificate, s.trust_anchors, s.ocsp);
  rt.learned = std::move(learned);
  return rt;
}
}  // namespace

TlsContexts::TlsContexts(TlsSettings settings, std::shared_ptr<TicketKeyRing> tickets,
                         std::shared_ptr<LearnedDistributionPoints> learned)
    : settings_(std::move(settings)),
      tickets_(ring_for(settings_, std::move(tickets))),
      runtime_(runtime_for(settings_, std::move(learned))),
      server_(make_server_context(settings_, tickets_, runtime_)),
      client_(make_client_context(settings_, runtime_)),
      stamps_(stamps()) {
  check_signing_material(settings_);
}

SslContextPtr TlsContexts::server() const {
  std::lock_guard lock(mu_);
  return server_;
}

SslContextPtr TlsContexts::client() const {
  std::lock_guard lock(mu_);
  return client_;
}

int TlsContexts::generation() const {
  std::lock_guard lock(mu_);
  return generation_;
}

std::vector<std::filesystem::file_time_type> TlsContexts::stamps() const {
  std::vector<std::string> files{settings_.certificate, settings_.private_key, settings_.trust_anchors,
                                 settings_.signing_certificate, settings_.signing_private_key};
  files.insert(files.end(), settings_.crls.begin(), settings_.crls.end());
  std::vector<std::filesystem::file_time_type> out;
  for (const auto& f : files) {
    std::error_code ec;
    out.push_back(std::filesystem::last_write_time(f, ec));
  }
  return out;
}

Status TlsContexts::reload() {
  std::lock_guard serial(reload_mu_);
  auto seen = stamps();
  try {
    auto server = make_server_context(settings_, tickets_, runtime_);
    auto client = make_client_context(settings_, runtime_);
    check_signing_material(settings_);
    std::lock_guard lock(mu_);
    server_ = std::move(server);
    client_ = std::move(client);
    stamps_ = std::move(seen);
    ++generation_;
    return ok_status();
  } catch (const std::exception& e) {
    std::lock_guard lock(mu_);
    stamps_ = std::move(seen);  // do not retry the same broken files on every poll
    return make_error("TLS-RELOAD", e.what());
  }
}

bool TlsContexts::reload_if_changed(Status& outcome) {
  {
    std::lock_guard lock(mu_);
    if (stamps() == stamps_) return false;
  }
  outcome = reload();
  return true;
}

}  // namespace edugate::security
