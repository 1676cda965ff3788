// `edugate serve`: the gateway. In order: the store and the services, the listeners, the
// background work (outbox, mutation pump, inbox), the maintenance timers (retention, CRLs,
// reloads), then the graceful shutdown on SIGTERM/SIGINT.
#include <fcntl.h>
#include <sys/file.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <stop_token>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <thread>

#include "gateway/cli/common.h"
#include "gateway/edge/admin.h"
#include "gateway/edge/internal.h"
#include "gateway/edge/listener.h"
#include "gateway/edge/sd_notify.h"
#include "gateway/inbound/committer.h"
#include "gateway/inbound/pipeline.h"
#include "gateway/ops/log.h"
#include "gateway/ops/metrics.h"
#include "gateway/outbound/bridge.h"
#include "gateway/outbound/inbox.h"
#include "gateway/outbound/json_xml.h"
#include "gateway/outbound/openapi.h"
#include "gateway/outbound/outbox.h"
#include "gateway/outbound/publish.h"
#include "gateway/outbound/relay.h"
#include "security/crl_fetch.h"
#include "security/pki.h"
#include "security/tls_policy.h"
#include "core/clock.h"

namespace edugate::gateway::cli {
namespace {

namespace asio = boost::asio;
using boost::system::error_code;

// One serving process per SQLite store: claims of messages in progress live in its memory
// (store/sql_store.h). A second `serve` on the same store is refused; the lock goes with the
// process, however it ends. Several instances share a PostgreSQL store instead.
int hold_serve_lock(const std::string& store_path) {
  std::string lock_path = store_path + ".serve-lock";
  std::filesystem::create_directories(std::filesystem::path(store_path).parent_path());
  int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot open " + lock_path + ": " + std::strerror(errno));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0)
    throw std::runtime_error("another edugate serves the store " + store_path +
                             " (" + lock_path + " is locked); one process per SQLite store");
  return fd;  // held until exit
}

// One log line per distribution point. A failure is an error when the issuer is left without a
// CRL in force (its certificates are refused), a warning while the CRL we hold still runs.
void log_crl_outcomes(const std::vector<security::CrlFetchOutcome>& outcomes) {
  using Kind = security::CrlFetchOutcome::Kind;
  const auto now = edugate::now_s();
  for (const auto& o : outcomes) {
    switch (o.kind) {
      case Kind::updated:
        jlog::info("crl_fetched", {{"url", o.url}, {"issuer", o.issuer}, {"next_update", o.next_update}});
        break;
      case Kind::unchanged:
        jlog::debug("crl_unchanged", {{"url", o.url}, {"issuer", o.issuer}, {"next_update", o.next_update}});
        break;
      case Kind::skipped:
        jlog::warn("crl_fetch_skipped", {{"url", o.url}, {"issuer", o.issuer}, {"reason", o.reason}});
        break;
      case Kind::failed:
        if (o.next_update <= now && !o.issuer.empty())
          jlog::error("crl_fetch_failed", {{"url", o.url}, {"issuer", o.issuer}, {"reason", o.reason},
                                           {"held_next_update", o.next_update},
                                           {"effect", "no CRL in force: certificates of this issuer are refused"}});
        else
          jlog::warn("crl_fetch_failed", {{"url", o.url}, {"issuer", o.issuer}, {"reason", o.reason},
                                          {"held_next_update", o.next_update}});
        break;
    }
  }
}

// The hard stop of a shutdown: armed by the first SIGTERM/SIGINT, it ends the process at
// shutdown_grace_ms + kCutOffAfterGrace whatever is still running (a worker waiting for a backend
// that does not answer, the committer waiting for a locked store, a destructor). Cutting off is
// safe for the same reasons a SIGKILL is: an answer is sent only once it is durable, so what was
// not committed was not answered and the client resends it with the same MessageID; every store
// and backend write is one transaction, so nothing stays half-written. Process-wide, so that the
// watchdog thread never reads a Server that is being destroyed.
constexpr auto kCutOffAfterGrace = std::chrono::milliseconds(900);
std::atomic<std::int64_t> g_cut_off_at_ns{0};  // steady clock; 0: not armed
std::atomic<bool> g_exiting{false};             // the normal exit has begun: stand down

std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Arms (or brings forward) the cut-off; the first call starts the watchdog.
void arm_cut_off(std::chrono::steady_clock::time_point at) {
  const std::int64_t ns = std::chrono::duration_cast<std::chrono::nanoseconds>(at.time_since_epoch()).count();
  std::int64_t cur = 0;
  if (g_cut_off_at_ns.compare_exchange_strong(cur, ns)) {
    const std::int64_t armed_at = steady_ns();
    std::thread([armed_at] {
      for (;;) {
        const std::int64_t left = g_cut_off_at_ns.load() - steady_ns();
        if (left <= 0) break;
        std::this_thread::sleep_for(std::chrono::nanoseconds(std::min<std::int64_t>(left, 20'000'000)));
      }
      if (g_exiting.load()) return;
      jlog::warn("cut_off", {{"ms", (steady_ns() - armed_at) / 1'000'000},
                             {"effect", "work still in hand ends unanswered and uncommitted; clients resend it"}});
      jlog::info("stopped", {{"exit_code", 0}, {"cut_off", true}});
      spdlog::default_logger()->flush();
      std::_Exit(0);
    }).detach();
    return;
  }
  while (ns < cur && !g_cut_off_at_ns.compare_exchange_weak(cur, ns)) {
  }
}

// The serving process. Members are declared in the order they must outlive each other (they
// are destroyed in reverse): the metrics and the committer outlive the io_context, whose
// sessions count into the one and hand answers to the other.
class Server {
 public:
  Server(Config config, std::string config_file, std::string port_file)
      : config_(std::move(config)), config_file_(std::move(config_file)), port_file_(std::move(port_file)),
        workers_(static_cast<std::size_t>(config_.worker_threads)) {}

  int run() {
    open_store_and_services();
    start_listeners();
    start_background();
    write_ready();
    start_maintenance();
    start_reloads();
    handle_shutdown();
    run_until_stopped();
    return 0;
  }

 private:
  void open_store_and_services();
  void start_listeners();
  void start_background();
  void write_ready();
  void start_maintenance();
  void start_reloads();
  void handle_shutdown();
  void run_until_stopped();

  void log_reload(const Status& st, const char* why) {
    if (st) jlog::info("tls_reloaded", {{"trigger", why}, {"generation", tls_->generation()}});
    else jlog::error("tls_reload_failed", {{"trigger", why}, {"error", st.error().message}});
  }
  bool fetch_crls() {
    auto r = crl_fetcher_->refresh(*tls_);
    log_crl_outcomes(r.outcomes);
    if (r.changed) log_reload(r.reload, "crl-fetch");
    return r.all_ok();
  }
  void check_crls();
  void pump();
  void purge();
  void watch_registry();
  void schedule_crl_fetch(std::chrono::seconds after);
  void schedule_staple(std::chrono::seconds after);
  void fetch_learned_points();
  void reload_config();
  void on_hup();
  void watch();
  void finish(const char* how);
  void drain_tick();
  void on_signal();

  // store and services
  Config config_;
  std::string config_file_, port_file_;
  std::unique_ptr<store::SqlStore> store_;
  // Follows the registry's change counter (watch_registry); declared after the store it reads, so
  // it stops (jthread: asked to stop, joined) before the store goes.
  std::jthread registry_watch_;
  std::vector<ServiceContract> contracts_;
  std::shared_ptr<leerbedrijf::Backend> lb_backend_;
  std::shared_ptr<security::LearnedDistributionPoints> learned_;  // peers' distribution points (crl_fetch.learn_from_peers)
  std::unique_ptr<security::CrlFetcher> crl_fetcher_;
  std::shared_ptr<security::TlsContexts> tls_;
  std::shared_ptr<WsSecurity> wss_;
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<Pipeline> pipeline_;
  // Answers are made durable in groups (one commit for all that queued meanwhile); declared
  // before the workers and io threads that hand it work, so it outlives them.
  std::unique_ptr<Committer> committer_;
  asio::io_context ioc_;
  asio::thread_pool workers_;
  bool crls_fetched_ = true;
  bool serves_ = false;
  // listeners
  std::unique_ptr<Listener> listener_;
  std::unique_ptr<Admin> admin_;
  std::unique_ptr<Relay> relay_;
  std::unique_ptr<Bridge> bridge_;
  std::unique_ptr<Internal> internal_;
  // background work
  std::unique_ptr<OutboxSender> outbox_;
  std::unique_ptr<Inbox> inbox_;
  asio::steady_timer pump_timer_{ioc_};
  std::atomic<bool> pump_busy_{false};
  // maintenance and reloads
  std::int64_t retention_ms_ = 0;
  asio::steady_timer purge_timer_{ioc_};
  asio::steady_timer crl_timer_{ioc_};
  // The staple is refreshed on its timer, and at once after a TLS reload (from other handlers).
  asio::strand<asio::io_context::executor_type> staple_strand_ = asio::make_strand(ioc_);
  asio::steady_timer staple_timer_{staple_strand_};
  std::atomic<bool> learned_fetch_busy_{false};
  std::atomic<int> grace_ms_{0};
  std::optional<asio::signal_set> hup_;
  asio::steady_timer reload_timer_{ioc_};
  int polls_ = 0;
  // shutdown: the signal and drain handlers never run at once
  asio::strand<asio::io_context::executor_type> shutdown_strand_ = asio::make_strand(ioc_);
  std::optional<asio::signal_set> signals_;
  asio::steady_timer drain_timer_{shutdown_strand_};
  std::thread background_stop_;
  std::atomic<bool> background_stopped_{false};
  bool draining_ = false, finished_ = false;
  std::chrono::steady_clock::time_point drain_started_, drain_deadline_;
};

void Server::open_store_and_services() {
  store_ = open_store(config_);
  watch_registry();  // requests read the registry from memory, kept current from here on
  auto services = make_services(config_);
  if (services.list.empty() && config_.inbox_dir.empty() && !config_.internal_enabled)
    throw std::runtime_error("nothing to do: no service enabled, no inbox and no internal listener in " + config_file_);
  contracts_ = services.contracts;
  lb_backend_ = services.leerbedrijf;
  serves_ = !services.list.empty();
  // CRLs fetched from the distribution points: the cache is checked before the TLS contexts
  // load it, and the first fetch runs before we listen or send.
  if (config_.crl_fetch.enabled) {
    if (config_.crl_fetch.learn_from_peers)
      learned_ = std::make_shared<security::LearnedDistributionPoints>(config_.crl_fetch.cache_dir + "/learned",
                                                                        config_.crl_fetch.max_learned);
    crl_fetcher_ = std::make_unique<security::CrlFetcher>(config_.tls, config_.crl_fetch, learned_);
    for (const auto& o : crl_fetcher_->check_cache())
      jlog::error("crl_cache_invalid", {{"file", o.url}, {"issuer", o.issuer}, {"reason", o.reason}});
  }
  tls_ = std::make_shared<security::TlsContexts>(config_.tls, nullptr, learned_);
  wss_ = std::make_shared<WsSecurity>(config_, tls_);
  std::vector<ServiceContract> served;
  for (const auto& svc : services.list) served.push_back(svc->contract());
  metrics_ = std::make_unique<Metrics>(served);
  pipeline_ = std::make_unique<Pipeline>(config_, *store_, std::move(services.list), wss_, metrics_.get());
  jlog::info("inbound_chain", {{"stages", describe_chain()}});
  committer_ = std::make_unique<Committer>(*store_);
  if (crl_fetcher_) crls_fetched_ = fetch_crls();
}

void Server::start_listeners() {
  if (serves_) {
    listener_ = std::make_unique<Listener>(ioc_, config_, tls_, *pipeline_, workers_, committer_.get(), metrics_.get());
    listener_->start();
    jlog::info("listening", {{"address", config_.listen_address}, {"port", listener_->port()}, {"oin", config_.oin.str()},
                             {"role", config_.role == Role::provider ? "provider" : "consumer"}});
  }
  // The admin listener: probes and metrics, plain HTTP on its own port.
  if (config_.admin_enabled) {
    admin_ = std::make_unique<Admin>(ioc_, config_, *metrics_, *store_, tls_);
    admin_->start();
    jlog::info("admin_listening", {{"address", config_.admin_address}, {"port", admin_->port()}});
  }
  // The internal listener (consumer): the SOAP relay and the JSON bridge for the school's or
  // vendor's own systems, plain HTTP (or TLS: internal.tls) on its own port.
  if (config_.internal_enabled) {
    relay_ = std::make_unique<Relay>(config_, *store_, contracts_, tls_);
    bridge_ = std::make_unique<Bridge>(config_, *store_, contracts_, XsdModel::load(config_.contract_dir), tls_);
    internal_ = std::make_unique<Internal>(ioc_, config_, *relay_, *bridge_, embedded_openapi_json());
    internal_->start();
    jlog::info("internal_listening",
               {{"address", config_.internal_address}, {"port", internal_->port()}, {"tls", internal_->tls()},
                {"client_certificates", internal_->tls() && !config_.internal_tls_client_ca.empty()}});
  }
}

// Provider: the outbox sender, and the pump that turns recorded mutations into pushes.
// Consumer: the inbox of student data files.
void Server::start_background() {
  if (config_.role == Role::provider) {
    outbox_ = std::make_unique<OutboxSender>(config_, *store_, contracts_, tls_);
    outbox_->start();
    if (lb_backend_) pump();
  } else if (!config_.inbox_dir.empty()) {
    inbox_ = std::make_unique<Inbox>(config_, contracts_[1], XsdModel::load(config_.contract_dir), tls_);
    inbox_->start();
    jlog::info("inbox_watching", {{"dir", config_.inbox_dir}});
  }
}

void Server::pump() {
  if (pump_busy_.exchange(true)) {  // the previous run is still going
    pump_timer_.expires_after(std::chrono::milliseconds(config_.mutation_poll_ms));
    pump_timer_.async_wait([this](error_code ec) {
      if (!ec) pump();
    });
    return;
  }
  asio::post(workers_, [this] {
    try {
      if (int n = pump_mutations(config_, *store_, *lb_backend_); n > 0) jlog::info("mutations_enqueued", {{"messages", n}});
    } catch (const std::exception& e) {
      jlog::warn("mutation_pump_failed", {{"error", e.what()}});
    }
    pump_busy_ = false;
  });
  pump_timer_.expires_after(std::chrono::milliseconds(config_.mutation_poll_ms));
  pump_timer_.async_wait([this](error_code ec) {
    if (!ec) pump();
  });
}

// The port file says "ready": written once everything above has started.
void Server::write_ready() {
  spdlog::default_logger()->flush();  // ready: what was logged on the way is on stderr
  if (!port_file_.empty()) {
    std::ofstream(port_file_ + ".tmp") << (listener_ ? listener_->port() : 0) << "\n";
    std::filesystem::rename(port_file_ + ".tmp", port_file_);
  }
  sd_notify("READY=1\nSTATUS=serving");  // systemd Type=notify
}

// Retention of the message store (purge at start and every hour) and the CRLs (checked now,
// fetched every refresh_interval_s).
void Server::start_maintenance() {
  retention_ms_ = std::int64_t{config_.message_retention_days} * 86400 * 1000;
  purge();
  check_crls();
  if (crl_fetcher_) {
    const auto interval = std::chrono::seconds(config_.crl_fetch.refresh_interval_s);
    schedule_crl_fetch(crls_fetched_ ? interval : std::min(interval, std::chrono::seconds(300)));
  }
  if (tls_->staple()) schedule_staple(std::chrono::seconds(0));
}

void Server::purge() {
  asio::post(workers_, [this] {
    try {
      auto now = edugate::now_ms();
      int n = store_->purge_messages(now - retention_ms_);
      if (n > 0) jlog::info("messages_purged", {{"count", n}});
    } catch (const std::exception& e) {
      jlog::warn("purge_failed", {{"error", e.what()}});
    }
  });
  purge_timer_.expires_after(std::chrono::hours(1));
  purge_timer_.async_wait([this](error_code ec) { if (!ec) purge(); });
}

// The registry cache follows the store's change counter: a party, agreement or mandate changed by
// the CLI, another instance or an operator's SQL takes effect here within kRegistryPollMs (plus
// one read). One thread of its own does the reads (on PostgreSQL each is a round trip), with one
// connection of the store, opened before serve goes on: the reads never wait for a busy worker,
// and they open no connection on every worker thread in turn.
void Server::watch_registry() {
  auto started = std::make_shared<std::promise<void>>();
  auto cached = started->get_future();
  registry_watch_ = std::jthread([this, started](std::stop_token stop) {
    try {
      store_->cache_registry();  // the first reading, on this thread's connection
      started->set_value();
    } catch (...) {
      started->set_exception(std::current_exception());
      return;
    }
    std::mutex mu;
    std::condition_variable_any cv;
    std::unique_lock lock(mu);
    while (!stop.stop_requested()) {
      cv.wait_for(lock, stop, std::chrono::milliseconds(store::kRegistryPollMs), [] { return false; });
      if (stop.stop_requested()) break;
      try {
        if (auto moved = store_->refresh_registry()) jlog::info("registry_changed", {{"registry_version", *moved}});
      } catch (const std::exception& e) {
        jlog::warn("registry_check_failed", {{"error", e.what()}});
      }
    }
  });
  cached.get();  // a store that cannot be read is a start-up error, as before
}

// CRLs: warn a day before one runs out; past its nextUpdate that issuer's certificates are
// refused (fail closed) until a fresh CRL is in place.
void Server::check_crls() {
  const auto now = edugate::now_s();
  for (const auto& crl : security::crl_info(security::crl_files(config_.tls))) {
    if (crl.next_update < now)
      jlog::error("crl_expired", {{"issuer", crl.issuer}, {"file", crl.file}, {"effect", "certificates of this issuer are refused"}});
    else if (crl.next_update < now + 86400)
      jlog::warn("crl_expiring", {{"issuer", crl.issuer}, {"file", crl.file}, {"seconds_left", crl.next_update - now}});
  }
}

// CRL fetching: every refresh_interval_s (at most 4 hours), sooner (5 minutes) after a
// failure. The fetch blocks, so it runs on a worker.
void Server::schedule_crl_fetch(std::chrono::seconds after) {
  crl_timer_.expires_after(after);
  crl_timer_.async_wait([this](error_code ec) {
    if (ec) return;
    asio::post(workers_, [this] {
      const bool ok = fetch_crls();
      check_crls();
      asio::post(ioc_, [this, ok] {
        const auto interval = std::chrono::seconds(config_.crl_fetch.refresh_interval_s);
        schedule_crl_fetch(ok ? interval : std::min(interval, std::chrono::seconds(300)));
      });
    });
  });
}

// Our own certificate's OCSP response for stapling: fetched in the background when the one held
// is past half its life (a minute after a failure; the one held is stapled until it runs out),
// never on the handshake path. Without a responder for our certificate it looks again hourly.
void Server::schedule_staple(std::chrono::seconds after) {
  asio::dispatch(staple_strand_, [this, after] {
    staple_timer_.expires_after(after);
    staple_timer_.async_wait([this](error_code ec) {
      if (ec) return;
      asio::post(workers_, [this] {
        const auto r = tls_->staple()->refresh();
        if (r.attempted && r.answer.status == security::OcspAnswer::Status::no_answer)
          jlog::warn("ocsp_staple_failed", {{"url", r.answer.url}, {"reason", r.answer.reason}});
        else if (r.attempted)
          jlog::info("ocsp_staple_fetched", {{"url", r.answer.url},
                                             {"status", security::status_name(r.answer.status)},
                                             {"next_update", r.answer.next_update}});
        schedule_staple(r.next);
      });
    });
  });
}

// Distribution points learned from peers' chains since the last look: fetched now (on a worker),
// not at the next refresh, since a peer of that CA is refused until its CRL is held.
void Server::fetch_learned_points() {
  std::size_t refused = 0;
  const auto news = learned_->take_news(&refused);
  for (const auto& url : news) jlog::info("crl_point_learned", {{"url", url}});
  if (refused > 0)
    jlog::warn("crl_points_not_learned", {{"count", refused}, {"max_learned", config_.crl_fetch.max_learned}});
  if (news.empty() || learned_fetch_busy_.exchange(true)) return;
  asio::post(workers_, [this] {
    fetch_crls();
    check_crls();
    learned_fetch_busy_ = false;
  });
}

// Hot reload of certificates, keys, trust anchors and CRLs: on SIGHUP and when a file
// changes. A broken new file is refused with a log line; the old material keeps serving.
// The configuration on SIGHUP: a file that does not load is refused (the running one stays);
// log.level and the wssecurity requirements take effect at once; other changed keys are named
// in the log as needing a restart (listeners, stores and backends are not rebuilt live).
void Server::start_reloads() {
  grace_ms_ = config_.shutdown_grace_ms;
  hup_.emplace(ioc_, SIGHUP);
  on_hup();
  watch();
}

void Server::reload_config() {
  try {
    auto fresh = load_config(config_file_);
    spdlog::set_level(spdlog::level::from_str(fresh.log_level));
    jlog::set_batch_ms(fresh.log_batch_ms);
    wss_->set_policy({fresh.wss_require_signed, fresh.wss_skew_seconds});
    grace_ms_ = fresh.shutdown_grace_ms;
    auto restart = keys_needing_restart(config_, fresh);
    jlog::info("config_reloaded",
               {{"applied", {"log.level", "log.batch_ms", "wssecurity.require_signed", "wssecurity.skew_seconds", "shutdown_grace_ms"}},
                {"restart_needed", restart}});
    if (!restart.empty()) jlog::warn("config_change_needs_restart", {{"keys", restart}});
  } catch (const std::exception& e) {
    jlog::error("config_reload_failed", {{"error", e.what()}, {"effect", "the running configuration stays"}});
  }
}

void Server::on_hup() {
  hup_->async_wait([this](error_code ec, int) {
    if (ec) return;
    log_reload(tls_->reload(), "SIGHUP");
    if (tls_->staple()) schedule_staple(std::chrono::seconds(0));  // a renewed certificate needs its own response
    reload_config();
    check_crls();
    on_hup();
  });
}

void Server::watch() {
  reload_timer_.expires_after(std::chrono::milliseconds(config_.tls_reload_poll_ms));
  reload_timer_.async_wait([this](error_code ec) {
    if (ec) return;
    Status st = ok_status();
    if (learned_) fetch_learned_points();
    if (tls_->reload_if_changed(st)) {
      log_reload(st, "file-change");
      if (tls_->staple()) schedule_staple(std::chrono::seconds(0));
      check_crls();
    } else if (++polls_ * config_.tls_reload_poll_ms >= 3600000) {
      polls_ = 0;
      check_crls();
    }
    watch();
  });
}

// Graceful shutdown (SIGTERM, SIGINT). At once: /readyz answers 503, the service and internal
// ports are closed (new connections are refused), connections waiting for a next request are closed,
// and no new background work starts. Requests in flight are answered (with Connection: close)
// within shutdown_grace_ms; the outbox sender and the inbox finish the attempt in hand, whose
// outcome is one store transaction (or the message stays pending with its MessageID). Then the
// event loop stops. Whatever still runs at the deadline + kCutOffAfterGrace (a worker in a backend
// that does not answer, a store that is locked) is cut off by ending the process (arm_cut_off),
// which the store's durability makes safe (a client retries with the same MessageID). A second
// signal cuts the wait short.
void Server::handle_shutdown() {
  signals_.emplace(shutdown_strand_, SIGINT, SIGTERM);
  on_signal();
}

void Server::finish(const char* how) {
  if (finished_) return;
  finished_ = true;
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - drain_started_);
  jlog::info("drained", {{"how", how},
                         {"ms", ms.count()},
                         {"connections_left", listener_ ? listener_->open_connections() : 0},
                         {"internal_connections_left", internal_ ? internal_->open_connections() : 0},
                         {"requests_in_flight", metrics_->requests_in_flight.load()}});
  for (auto* t : {&purge_timer_, &pump_timer_, &reload_timer_, &crl_timer_, &staple_timer_, &drain_timer_}) t->cancel();
  hup_->cancel();
  signals_->cancel();
  if (admin_) admin_->stop();
  if (internal_) internal_->stop();
  ioc_.stop();
}

void Server::drain_tick() {
  if (finished_) return;
  if (listener_) listener_->drain();
  if (internal_) internal_->drain();
  if ((!listener_ || listener_->open_connections() == 0) && (!internal_ || internal_->open_connections() == 0) &&
      background_stopped_)
    return finish("complete");
  if (std::chrono::steady_clock::now() >= drain_deadline_) return finish("deadline");
  drain_timer_.expires_after(std::chrono::milliseconds(25));
  drain_timer_.async_wait([this](error_code ec) {
    if (!ec) drain_tick();
  });
}

void Server::on_signal() {
  signals_->async_wait([this](error_code ec, int sig) {
    if (ec) return;
    if (draining_) {
      jlog::warn("stopping_now", {{"signal", sig}});
      arm_cut_off(std::chrono::steady_clock::now() + kCutOffAfterGrace);
      return finish("second signal");
    }
    draining_ = true;
    sd_notify("STOPPING=1\nSTATUS=draining");
    drain_started_ = std::chrono::steady_clock::now();
    drain_deadline_ = drain_started_ + std::chrono::milliseconds(grace_ms_.load());
    arm_cut_off(drain_deadline_ + kCutOffAfterGrace);
    jlog::info("stopping", {{"signal", sig},
                            {"grace_ms", grace_ms_.load()},
                            {"connections", listener_ ? listener_->open_connections() : 0},
                            {"internal_connections", internal_ ? internal_->open_connections() : 0},
                            {"requests_in_flight", metrics_->requests_in_flight.load()}});
    if (admin_) admin_->set_draining();
    // The internal port closes too (new connections are refused); idle keep-alive connections
    // are closed, requests in hand (also those waiting for their receiver) are answered.
    if (internal_) internal_->drain();
    for (auto* t : {&purge_timer_, &pump_timer_, &crl_timer_, &staple_timer_}) t->cancel();
    background_stop_ = std::thread([this] {
      if (outbox_) outbox_->stop();
      if (inbox_) inbox_->stop();
      background_stopped_ = true;
    });
    drain_tick();
    on_signal();
  });
}

void Server::run_until_stopped() {
  unsigned n = config_.io_threads > 0 ? static_cast<unsigned>(config_.io_threads) : std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < n; ++i) threads.emplace_back([this] { ioc_.run(); });
  ioc_.run();
  for (auto& t : threads) t.join();
  // Past the deadline the attempt in hand may still be running: wait for its outcome.
  if (background_stop_.joinable()) background_stop_.join();
  if (outbox_) outbox_->stop();
  if (inbox_) inbox_->stop();
  workers_.join();
  registry_watch_ = {};  // stopped and joined: nothing reads the registry any more
  // Answers the workers handed over are committed now, while the io_context that their
  // callbacks post to still exists; its destructor then frees every connection left.
  committer_->stop();
  jlog::info("stopped", {{"exit_code", 0}});
}

class Serve : public Command {
 public:
  explicit Serve(CLI::App& app) {
    cmd_ = app.add_subcommand("serve", "run the gateway");
    cmd_->add_option("--config,-c", config_file_, "configuration file")->required();
    cmd_->add_option("--port-file", port_file_, "write the bound port to this file (for tests and scripts)");
  }
  bool parsed() const override { return cmd_->parsed(); }
  bool logs_json() const override { return true; }
  int run() override {
    auto config = load_config(config_file_);
    setup_logging(config.log_level, config.log_batch_ms);
    if (!config.tls.check_revocation) jlog::warn("revocation_checks_disabled");
    if (config.store_kind != "postgres") hold_serve_lock(config.store_path);
    // The server lives on the heap: its io_context, sessions and timers are large.
    auto server = std::make_unique<Server>(std::move(config), config_file_, port_file_);
    const int code = server->run();
    server.reset();
    g_exiting = true;
    return code;
  }

 private:
  CLI::App* cmd_;
  std::string config_file_, port_file_;
};

}  // namespace

std::unique_ptr<Command> add_serve(CLI::App& app) { return std::make_unique<Serve>(app); }

}  // namespace edugate::gateway::cli
