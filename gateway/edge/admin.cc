#include "gateway/edge/admin.h"

#include <openssl/ssl.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>

#include "gateway/edge/http_strict.h"
#include "gateway/edge/listening.h"
#include "gateway/ops/log.h"
#include "security/pki.h"
#include "security/revocation.h"
#include "core/clock.h"

#ifndef EDUGATE_VERSION
#define EDUGATE_VERSION "unknown"
#endif

namespace edugate::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace fs = std::filesystem;
using tcp = asio::ip::tcp;

namespace {

// A file's parsed content, parsed again only when its size or mtime changes (CRLs can be
// megabytes; a scrape every few seconds must not parse them each time).
template <class T>
class FileCache {
 public:
  template <class Load>
  T get(const std::string& file, Load load) {
    std::error_code ec;
    auto mtime = fs::last_write_time(file, ec);
    auto size = ec ? 0 : fs::file_size(file, ec);
    std::lock_guard lock(mu_);
    auto& e = entries_[file];
    if (!e.loaded || e.mtime != mtime || e.size != size) {
      e.value = load(file);
      e.mtime = mtime;
      e.size = size;
      e.loaded = true;
    }
    return e.value;
  }

 private:
  struct Entry {
    bool loaded = false;
    fs::file_time_type mtime;
    std::uintmax_t size = 0;
    T value;
  };
  std::mutex mu_;
  std::map<std::string, Entry> entries_;
};

}  // namespace

struct Admin::Shared {
  asio::io_context& ioc;
  const Config& config;
  Metrics& metrics;
  store::Store& store;
  std::shared_ptr<security::TlsContexts> tls;
  asio::thread_pool pool{1};  // store queries and file reads of /readyz and /metrics
  tcp::acceptor acceptor;
  std::atomic<bool> stopped{false};
  std::atomic<bool> draining{false};
  const std::int64_t started_s = now_s();
  FileCache<std::vector<security::CrlInfo>> crl_cache;
  FileCache<std::vector<security::CertValidity>> anchor_cache;

  Shared(asio::io_context& i, const Config& c, Metrics& m, store::Store& s, std::shared_ptr<security::TlsContexts> t)
      : ioc(i), config(c), metrics(m), store(s), tls(std::move(t)), acceptor(asio::make_strand(i)) {}

  // The CRLs in force, one per issuer (the newest, as OpenSSL prefers it).
  std::vector<security::CrlInfo> crls() {
    std::map<std::string, security::CrlInfo> by_issuer;
    for (const auto& file : security::crl_files(tls->settings()))
      for (const auto& c : crl_cache.get(file, [](const std::string& f) { return security::crl_info({f}); })) {
        auto [it, fresh] = by_issuer.emplace(c.issuer, c);
        if (!fresh && c.last_update > it->second.last_update) it->second = c;
      }
    std::vector<security::CrlInfo> out;
    for (auto& [_, c] : by_issuer) out.push_back(std::move(c));
    return out;
  }

  // The CAs of the configured chains and their CRLs (security/revocation.h), read again at most
  // every few seconds or when the TLS contexts were reloaded (a CRL file changed).
  std::vector<security::CaRevocation> ca_revocation() {
    std::lock_guard lock(revocation_mu);
    const auto now = std::chrono::steady_clock::now();
    const auto generation = tls->generation();
    if (!revocation_read || generation != revocation_generation || now - revocation_at > std::chrono::seconds(5)) {
      revocation = security::ca_revocation(tls->settings(), config.crl_fetch.enabled ? &config.crl_fetch : nullptr);
      revocation_read = true;
      revocation_generation = generation;
      revocation_at = now;
    }
    return revocation;
  }
  std::mutex revocation_mu;
  std::vector<security::CaRevocation> revocation;
  bool revocation_read = false;
  int revocation_generation = 0;
  std::chrono::steady_clock::time_point revocation_at;

  security::CertValidity own_certificate() const {
    auto ctx = tls->server();
    return security::validity_of(SSL_CTX_get0_certificate(ctx->native_handle()));
  }

  std::vector<security::CertValidity> anchors() {
    std::map<std::string, security::CertValidity> by_subject;
    for (const auto& v : anchor_cache.get(tls->settings().trust_anchors, security::validity_of_file)) {
      auto [it, fresh] = by_subject.emplace(v.subject, v);
      if (!fresh && v.not_after > it->second.not_after) it->second = v;
    }
    std::vector<security::CertValidity> out;
    for (auto& [_, v] : by_subject) out.push_back(std::move(v));
    return out;
  }
};

namespace {

std::string days_text(std::int64_t seconds) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(seconds) / 86400.0);
  return buf;
}

std::vector<Admin::Check> readiness_of(Admin::Shared& shared) {
  auto* shared_ = &shared;
  const Config& cfg = shared_->config;
  std::vector<Admin::Check> out;
  if (shared_->draining) out.push_back({"shutting_down", false, "graceful shutdown in progress"});

  try {
    shared_->store.ping();
    out.push_back({"store", true, "reachable"});
  } catch (const std::exception& e) {
    out.push_back({"store", false, e.what()});
  }

  const auto now = now_s();
  auto own = shared_->own_certificate();
  const std::int64_t left = own.not_after - now;
  out.push_back({"certificate", own.not_after != 0 && left > std::int64_t{cfg.admin_min_cert_days} * 86400,
                 own.not_after == 0 ? "no certificate loaded"
                                    : "expires in " + days_text(left) + " days; admin.min_cert_days is " +
                                          std::to_string(cfg.admin_min_cert_days)});

  if (!cfg.tls.check_revocation) {
    out.push_back({"crls", true, "revocation checks are off (tls.check_revocation: false)"});
  } else if (!cfg.admin_ready_requires_fresh_crls) {
    out.push_back({"crls", true, "not checked (admin.ready_requires_fresh_crls: false)"});
  } else {
    auto crls = shared_->crls();
    std::string stale, old;
    for (const auto& c : crls) {
      if (c.next_update <= now) stale += (stale.empty() ? "" : "; ") + c.issuer;
      else if (cfg.admin_max_crl_age_s > 0 && now - c.last_update > cfg.admin_max_crl_age_s)
        old += (old.empty() ? "" : "; ") + c.issuer;
    }
    // Every CA of the configured chains needs a CRL in force (or all its certificates are refused).
    std::string uncovered;
    try {
      for (const auto& p : security::revocation_problems(shared_->ca_revocation(), now, /*require_in_force=*/true))
        uncovered += (uncovered.empty() ? "" : "; ") + p;
    } catch (const std::exception& e) {
      uncovered = e.what();
    }
    if (crls.empty()) out.push_back({"crls", false, "no CRL loaded: every peer certificate is refused"});
    else if (!uncovered.empty()) out.push_back({"crls", false, uncovered});
    else if (!stale.empty())
      out.push_back({"crls", false, "past nextUpdate (certificates of these issuers are refused): " + stale});
    else if (!old.empty())
      out.push_back({"crls", false, "older than admin.max_crl_age_s: " + old});
    else out.push_back({"crls", true, std::to_string(crls.size()) + " CRL(s) in force"});
  }
  return out;
}

std::string metrics_of(Admin::Shared& s) {
  using namespace prom;
  const auto now = now_s();
  std::string out;
  out.reserve(16 * 1024);
  s.metrics.render(out);

  family(out, "edugate_build_info", "gauge", "Version and role of this gateway (always 1).");
  sample(out, "edugate_build_info",
         {{"version", EDUGATE_VERSION}, {"role", s.config.role == Role::provider ? "provider" : "consumer"},
          {"oin", s.config.oin.str()}},
         1);
  family(out, "edugate_start_time_seconds", "gauge", "Unix time the process started.");
  sample(out, "edugate_start_time_seconds", {}, static_cast<double>(s.started_s));
  family(out, "edugate_uptime_seconds", "gauge", "Seconds since the process started.");
  sample(out, "edugate_uptime_seconds", {}, static_cast<double>(now - s.started_s));
  {
    std::ifstream statm("/proc/self/statm");
    long pages_total = 0, pages_resident = 0;
    if (statm >> pages_total >> pages_resident) {
      family(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
      sample(out, "process_resident_memory_bytes", {}, static_cast<double>(pages_resident) * static_cast<double>(sysconf(_SC_PAGESIZE)));
    }
    std::error_code ec;
    std::size_t fds = 0;
    for (auto it = fs::directory_iterator("/proc/self/fd", ec); !ec && it != fs::directory_iterator(); it.increment(ec)) ++fds;
    family(out, "process_open_fds", "gauge", "Open file descriptors.");
    sample(out, "process_open_fds", {}, static_cast<double>(fds));
  }
  family(out, "edugate_shutting_down", "gauge", "1 once a graceful shutdown (SIGTERM) has begun.");
  sample(out, "edugate_shutting_down", {}, s.draining ? 1 : 0);

  // The outbox, per destination, read from the store on each scrape (one aggregate query).
  std::vector<store::OutboxStats> outbox;
  bool store_up = true;
  try {
    outbox = s.store.outbox_stats();
  } catch (const std::exception& e) {
    store_up = false;
    jlog::warn("metrics_store_unavailable", {{"error", e.what()}});
  }
  family(out, "edugate_store_up", "gauge", "1 when the store answered this scrape's queries.");
  sample(out, "edugate_store_up", {}, store_up ? 1 : 0);
  family(out, "edugate_outbox_depth", "gauge", "Pushes waiting to be sent, by destination OIN.");
  for (const auto& o : outbox)
    if (o.pending > 0) sample(out, "edugate_outbox_depth", {{"destination", o.destination_oin}}, static_cast<double>(o.pending));
  family(out, "edugate_outbox_oldest_age_seconds", "gauge", "Age of the oldest waiting push, by destination OIN.");
  for (const auto& o : outbox)
    if (o.pending > 0)
      sample(out, "edugate_outbox_oldest_age_seconds", {{"destination", o.destination_oin}},
             std::max(0.0, static_cast<double>(now) - static_cast<double>(o.oldest_pending_created_ms) / 1000.0));
  family(out, "edugate_outbox_dead", "gauge", "Pushes given up after outbox.max_attempts (edugate outbox retry ID), by destination.");
  for (const auto& o : outbox)
    if (o.dead > 0) sample(out, "edugate_outbox_dead", {{"destination", o.destination_oin}}, static_cast<double>(o.dead));

  family(out, "edugate_certificate_expiry_seconds", "gauge",
         "Seconds until notAfter (negative: expired): the own certificate in force and the trust anchors.");
  auto own = s.own_certificate();
  if (own.not_after != 0)
    sample(out, "edugate_certificate_expiry_seconds", {{"certificate", "own"}, {"subject", own.subject}},
           static_cast<double>(own.not_after - now));
  for (const auto& a : s.anchors())
    sample(out, "edugate_certificate_expiry_seconds", {{"certificate", "trust_anchor"}, {"subject", a.subject}},
           static_cast<double>(a.not_after - now));

  auto crls = s.tls->settings().check_revocation ? s.crls() : std::vector<security::CrlInfo>{};
  family(out, "edugate_crl_age_seconds", "gauge", "Seconds since the CRL in force was issued (thisUpdate), by issuer.");
  for (const auto& c : crls)
    sample(out, "edugate_crl_age_seconds", {{"issuer", c.issuer}}, static_cast<double>(now - c.last_update));
  family(out, "edugate_crl_next_update_seconds", "gauge",
         "Seconds until the CRL's nextUpdate, by issuer; negative: expired, that issuer's certificates are refused.");
  for (const auto& c : crls)
    sample(out, "edugate_crl_next_update_seconds", {{"issuer", c.issuer}}, static_cast<double>(c.next_update - now));
  family(out, "edugate_tls_generation", "gauge", "Generation of the TLS material in force (1 at start, +1 per successful reload).");
  sample(out, "edugate_tls_generation", {}, static_cast<double>(s.tls->generation()));
  return out;
}

class AdminSession : public std::enable_shared_from_this<AdminSession> {
 public:
  AdminSession(tcp::socket socket, std::shared_ptr<Admin::Shared> shared)
      : shared_(std::move(shared)), stream_(std::move(socket)) {}

  void run() {
    parser_.header_limit(8 * 1024);
    parser_.body_limit(kBodyLimit);
    stream_.expires_after(kTimeout);
    http::async_read(stream_, buffer_, parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      self->on_read(ec);
    });
  }

 private:
  void on_read(beast::error_code ec) {
    if (ec) {
      if (auto r = strict::refusal_of(ec, parser_.get(), kBodyLimit)) return refuse(*r);
      return close();
    }
    const auto& req = parser_.get();
    if (auto r = strict::refusal_of(req)) return refuse(*r);
    std::string_view target(req.target().data(), req.target().size());
    target = target.substr(0, target.find('?'));
    if (req.method() != http::verb::get && req.method() != http::verb::head)
      return reply(http::status::method_not_allowed, "text/plain; charset=utf-8", "only GET\n");
    if (target == "/healthz") return reply(http::status::ok, "text/plain; charset=utf-8", "ok\n");
    if (target == "/readyz") {
      return off_loop([this] {
        auto checks = readiness_of(*shared_);
        nlohmann::ordered_json j{{"ready", true}, {"checks", nlohmann::ordered_json::array()}};
        for (const auto& c : checks) {
          j["checks"].push_back({{"name", c.name}, {"ok", c.ok}, {"detail", c.detail}});
          if (!c.ok) j["ready"] = false;
        }
        return std::pair{j["ready"].get<bool>() ? http::status::ok : http::status::service_unavailable,
                         j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"};
      }, "application/json");
    }
    if (target == "/metrics")
      return off_loop([this] { return std::pair{http::status::ok, metrics_of(*shared_)}; },
                      "text/plain; version=0.0.4; charset=utf-8");
    reply(http::status::not_found, "text/plain; charset=utf-8", "not found: /healthz, /readyz, /metrics\n");
  }

  // Store queries and file reads run on the admin's thread; the answer is written from the session's strand.
  template <class Work>
  void off_loop(Work work, const char* content_type) {
    asio::post(shared_->pool, [self = shared_from_this(), work = std::move(work), content_type]() mutable {
      std::pair<http::status, std::string> r;
      try {
        r = work();
      } catch (const std::exception& e) {
        r = {http::status::internal_server_error, std::string("error: ") + e.what() + "\n"};
      }
      asio::post(self->stream_.get_executor(), [self, r = std::move(r), content_type]() mutable {
        self->reply(r.first, content_type, std::move(r.second));
      });
    });
  }

  void reply(http::status status, const char* content_type, std::string body) {
    auto res = std::make_shared<http::response<http::string_body>>(status, parser_.get().version());
    res->set(http::field::content_type, content_type);
    res->set(http::field::cache_control, "no-store");
    res->keep_alive(false);
    const bool head = parser_.get().method() == http::verb::head;
    res->body() = std::move(body);
    res->prepare_payload();
    if (head) res->body().clear();
    stream_.expires_after(kTimeout);
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code, std::size_t) { self->close(); });
  }

  void close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
  }

  // Not counted in edugate_http_refused_total: that metric is the service listener's.
  void refuse(const strict::Refusal& r) { strict::refuse(stream_, shared_from_this(), r, "admin", nullptr, kTimeout); }

  static constexpr std::uint64_t kBodyLimit = 1024;
  static constexpr std::chrono::seconds kTimeout{10};

  std::shared_ptr<Admin::Shared> shared_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request_parser<http::string_body> parser_;
};

}  // namespace

Admin::Admin(asio::io_context& ioc, const Config& config, Metrics& metrics, store::Store& store,
             std::shared_ptr<security::TlsContexts> tls)
    : shared_(std::make_shared<Shared>(ioc, config, metrics, store, std::move(tls))) {}

// The admin's thread ends here, while this object still holds Shared (it must never drop the
// last reference itself: Shared owns it).
Admin::~Admin() {
  stop();
  shared_->pool.join();
}

namespace {
void admin_accept(std::shared_ptr<Admin::Shared> shared) {
  shared->acceptor.async_accept(asio::make_strand(shared->ioc), [shared](beast::error_code ec, tcp::socket socket) {
    if (shared->stopped) return;
    if (!ec) std::make_shared<AdminSession>(std::move(socket), shared)->run();
    admin_accept(shared);
  });
}
}  // namespace

void Admin::start() {
  listen_on(shared_->acceptor, "admin", shared_->config.admin_address, shared_->config.admin_port);
  admin_accept(shared_);
}

void Admin::stop() { stop_accepting(shared_); }

unsigned short Admin::port() const { return shared_->acceptor.local_endpoint().port(); }

void Admin::set_draining() { shared_->draining = true; }

std::vector<Admin::Check> Admin::readiness() const { return readiness_of(*shared_); }

std::string Admin::metrics_text() const { return metrics_of(*shared_); }

}  // namespace edugate::gateway
