// edugate: one binary, provider or consumer by configuration.
#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <sys/file.h>

#include <cstring>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <atomic>
#include <filesystem>
#include <fstream>

#include <openssl/evp.h>
#include <iostream>
#include <sstream>
#include <thread>

#include "adapters/registry.h"
#include "bench/cli.h"
#include "gateway/outbound/client.h"
#include "gateway/ops/config.h"
#include "gateway/soap/contract.h"
#include "gateway/outbound/json_xml.h"
#include "gateway/services/bpvmonitor_service.h"
#include "gateway/services/praktijkloket_service.h"
#include "gateway/outbound/inbox.h"
#include "gateway/services/leerbedrijf_service.h"
#include "gateway/outbound/outbox.h"
#include "gateway/outbound/publish.h"
#include "gateway/services/schoolontvangst_service.h"
#include "gateway/edge/sd_notify.h"
#include "gateway/edge/admin.h"
#include "gateway/outbound/bridge.h"
#include "gateway/edge/internal.h"
#include "gateway/outbound/openapi.h"
#include "gateway/outbound/relay.h"
#include "gateway/edge/listener.h"
#include "gateway/ops/log.h"
#include "gateway/ops/metrics.h"
#include "gateway/inbound/pipeline.h"
#include "gateway/cli/probe.h"
#include "gateway/ops/registry_file.h"
#include "security/crl_fetch.h"
#include "security/pki.h"
#include "security/tls_policy.h"
#include "security/xml_guard.h"
#include "core/bpvmonitor.h"
#include "core/praktijkloket.h"
#include "core/leerbedrijf.h"
#include "core/sink.h"
#include "store/sql_store.h"

namespace eg = edugate::gateway;
using edugate::Oin;
using json = nlohmann::ordered_json;

namespace {

namespace jlog = eg::jlog;

void setup_logging(const std::string& level) { jlog::setup(level); }

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// migrate: apply missing PostgreSQL schema migrations (`db migrate`, or store.migrate: auto).
std::unique_ptr<edugate::store::SqlStore> open_store(const eg::Config& c, bool migrate = false) {
  if (c.store_kind == "postgres") {
    edugate::sql::Target t;
    t.dialect = edugate::sql::Dialect::postgres;
    t.dsn = c.store_dsn;
    t.schema = edugate::store::kPostgresSchema;
    return std::make_unique<edugate::store::SqlStore>(t, migrate || c.store_migrate_auto);
  }
  std::filesystem::create_directories(std::filesystem::path(c.store_path).parent_path());
  return std::make_unique<edugate::store::SqliteStore>(c.store_path);
}

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

// The backends and services this configuration asks for. The Leerbedrijf backend is made
// first: the BPV Monitor backend reads its leerbedrijven.
struct Services {
  std::shared_ptr<edugate::leerbedrijf::Backend> leerbedrijf;
  std::shared_ptr<edugate::bpvmonitor::Backend> bpvmonitor;
  std::shared_ptr<edugate::praktijkloket::Backend> praktijkloket;
  std::vector<std::unique_ptr<eg::Service>> list;
  std::vector<eg::ServiceContract> contracts;  // also of services we only call (outbox, inbox)
};

Services make_services(const eg::Config& c, bool migrate = false) {
  namespace ad = edugate::adapters;
  Services out;
  auto settings = [&](const std::string& name) {
    const auto& sc = c.services.at(name);
    return std::pair{sc.adapter, ad::AdapterContext{sc.settings, c.base_dir, migrate || c.store_migrate_auto}};
  };
  auto enabled = [&](const char* name) { return c.services.count(name) && c.services.at(name).enabled; };
  auto contract = [&](const char* name) { return eg::load_contract(c.contract_dir, name); };
  for (const char* name : {"leerbedrijf", "bpvmonitor", "schoolontvangst", "praktijkloket"})
    out.contracts.push_back(contract(name));
  if (c.role == eg::Role::provider) {
    if (enabled("schoolontvangst")) throw eg::ConfigError(c.file + ": services.schoolontvangst: only for role consumer");
    if (enabled("leerbedrijf")) {
      auto [adapter, ctx] = settings("leerbedrijf");
      out.leerbedrijf = ad::make_adapter<edugate::leerbedrijf::Backend>(adapter, ctx);
      out.list.push_back(eg::make_leerbedrijf_service(contract("leerbedrijf"), out.leerbedrijf));
    }
    if (enabled("bpvmonitor")) {
      auto [adapter, ctx] = settings("bpvmonitor");
      out.bpvmonitor = ad::make_adapter<edugate::bpvmonitor::Backend>(adapter, ctx);
      out.list.push_back(eg::make_bpvmonitor_service(contract("bpvmonitor"), out.bpvmonitor));
    }
    if (enabled("praktijkloket")) {
      auto [adapter, ctx] = settings("praktijkloket");
      out.praktijkloket = ad::make_adapter<edugate::praktijkloket::Backend>(adapter, ctx);
      out.list.push_back(eg::make_praktijkloket_service(contract("praktijkloket"), out.praktijkloket));
    }
  } else {
    for (const char* other : {"leerbedrijf", "bpvmonitor", "praktijkloket"})
      if (enabled(other)) throw eg::ConfigError(c.file + ": services." + other + ": only for role provider");
    if (enabled("schoolontvangst")) {
      auto [adapter, ctx] = settings("schoolontvangst");
      out.list.push_back(eg::make_schoolontvangst_service(contract("schoolontvangst"),
                                                          ad::make_adapter<edugate::consumer::Sink>(adapter, ctx)));
    }
  }
  return out;
}

// One log line per distribution point. A failure is an error when the issuer is left without a
// CRL in force (its certificates are refused), a warning while the CRL we hold still runs.
void log_crl_outcomes(const std::vector<edugate::security::CrlFetchOutcome>& outcomes) {
  using Kind = edugate::security::CrlFetchOutcome::Kind;
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
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

int cmd_serve(const std::string& config_file, const std::string& port_file) {
  auto config = eg::load_config(config_file);
  setup_logging(config.log_level);
  if (!config.tls.check_revocation) jlog::warn("revocation_checks_disabled");
  if (config.store_kind != "postgres") hold_serve_lock(config.store_path);
  auto store = open_store(config);
  auto services = make_services(config);
  if (services.list.empty() && config.inbox_dir.empty() && !config.internal_enabled)
    throw std::runtime_error("nothing to do: no service enabled, no inbox and no internal listener in " + config_file);
  auto contracts = services.contracts;
  auto lb_backend = services.leerbedrijf;
  const bool serves = !services.list.empty();
  // CRLs fetched from the distribution points: the cache is checked before the TLS contexts
  // load it, and the first fetch runs before we listen or send.
  std::unique_ptr<edugate::security::CrlFetcher> crl_fetcher;
  if (config.crl_fetch.enabled) {
    crl_fetcher = std::make_unique<edugate::security::CrlFetcher>(config.tls, config.crl_fetch);
    for (const auto& o : crl_fetcher->check_cache())
      jlog::error("crl_cache_invalid", {{"file", o.url}, {"issuer", o.issuer}, {"reason", o.reason}});
  }
  auto tls = std::make_shared<edugate::security::TlsContexts>(config.tls);
  auto wss = std::make_shared<eg::WsSecurity>(config, tls);
  std::vector<eg::ServiceContract> served;
  for (const auto& svc : services.list) served.push_back(svc->contract());
  eg::Metrics metrics(served);  // outlives the io_context: sessions count into it until they die
  eg::Pipeline pipeline(config, *store, std::move(services.list), wss, &metrics);
  // Answers are made durable in groups (one commit for all that queued meanwhile); declared
  // before the workers and io threads that hand it work, so it outlives them.
  eg::Committer committer(*store);

  boost::asio::io_context ioc;
  boost::asio::thread_pool workers(static_cast<std::size_t>(config.worker_threads));
  auto log_reload = [&](const edugate::Status& st, const char* why) {
    if (st) jlog::info("tls_reloaded", {{"trigger", why}, {"generation", tls->generation()}});
    else jlog::error("tls_reload_failed", {{"trigger", why}, {"error", st.error().message}});
  };
  auto fetch_crls = [&] {
    auto r = crl_fetcher->refresh(*tls);
    log_crl_outcomes(r.outcomes);
    if (r.changed) log_reload(r.reload, "crl-fetch");
    return r.all_ok();
  };
  bool crls_fetched = true;
  if (crl_fetcher) crls_fetched = fetch_crls();
  std::unique_ptr<eg::Listener> listener;
  if (serves) {
    listener = std::make_unique<eg::Listener>(ioc, config, tls, pipeline, workers, &committer, &metrics);
    listener->start();
    jlog::info("listening", {{"address", config.listen_address}, {"port", listener->port()}, {"oin", config.oin.str()},
                             {"role", config.role == eg::Role::provider ? "provider" : "consumer"}});
  }
  // The admin listener: probes and metrics, plain HTTP on its own port.
  std::unique_ptr<eg::Admin> admin;
  if (config.admin_enabled) {
    admin = std::make_unique<eg::Admin>(ioc, config, metrics, *store, tls);
    admin->start();
    jlog::info("admin_listening", {{"address", config.admin_address}, {"port", admin->port()}});
  }
  // The internal listener (consumer): the SOAP relay and the JSON bridge for the school's or
  // vendor's own systems, plain HTTP (or TLS: internal.tls) on its own port.
  std::unique_ptr<eg::Relay> relay;
  std::unique_ptr<eg::Bridge> bridge;
  std::unique_ptr<eg::Internal> internal;
  if (config.internal_enabled) {
    relay = std::make_unique<eg::Relay>(config, *store, contracts, tls);
    bridge = std::make_unique<eg::Bridge>(config, *store, contracts, eg::XsdModel::load(config.contract_dir), tls);
    internal = std::make_unique<eg::Internal>(ioc, config, *relay, *bridge, eg::embedded_openapi_json());
    internal->start();
    jlog::info("internal_listening",
               {{"address", config.internal_address}, {"port", internal->port()}, {"tls", internal->tls()},
                {"client_certificates", internal->tls() && !config.internal_tls_client_ca.empty()}});
  }
  // Provider: the outbox sender, and the pump that turns recorded mutations into pushes.
  // Consumer: the inbox of student data files.
  std::unique_ptr<eg::OutboxSender> outbox;
  std::unique_ptr<eg::Inbox> inbox;
  boost::asio::steady_timer pump_timer(ioc);
  std::function<void()> pump;
  std::atomic<bool> pump_busy{false};
  if (config.role == eg::Role::provider) {
    outbox = std::make_unique<eg::OutboxSender>(config, *store, contracts, tls);
    outbox->start();
    if (lb_backend) {
      pump = [&] {
        if (pump_busy.exchange(true)) {  // the previous run is still going
          pump_timer.expires_after(std::chrono::milliseconds(config.mutation_poll_ms));
          pump_timer.async_wait([&](boost::system::error_code ec) {
            if (!ec) pump();
          });
          return;
        }
        boost::asio::post(workers, [&] {
          try {
            if (int n = eg::pump_mutations(config, *store, *lb_backend); n > 0)
              jlog::info("mutations_enqueued", {{"messages", n}});
          } catch (const std::exception& e) {
            jlog::warn("mutation_pump_failed", {{"error", e.what()}});
          }
          pump_busy = false;
        });
        pump_timer.expires_after(std::chrono::milliseconds(config.mutation_poll_ms));
        pump_timer.async_wait([&](boost::system::error_code ec) {
          if (!ec) pump();
        });
      };
      pump();
    }
  } else if (!config.inbox_dir.empty()) {
    inbox = std::make_unique<eg::Inbox>(config, contracts[1], eg::XsdModel::load(config.contract_dir), tls);
    inbox->start();
    jlog::info("inbox_watching", {{"dir", config.inbox_dir}});
  }

  // The port file says "ready": written once everything above has started.
  if (!port_file.empty()) {
    std::ofstream(port_file + ".tmp") << (listener ? listener->port() : 0) << "\n";
    std::filesystem::rename(port_file + ".tmp", port_file);
  }
  eg::sd_notify("READY=1\nSTATUS=serving");  // systemd Type=notify

  // Retention of the message store: purge at start and every hour.
  const std::int64_t retention_ms = std::int64_t{config.message_retention_days} * 86400 * 1000;
  boost::asio::steady_timer purge_timer(ioc);
  std::function<void()> purge = [&] {
    boost::asio::post(workers, [&] {
      try {
        auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
        int n = store->purge_messages(now - retention_ms);
        if (n > 0) jlog::info("messages_purged", {{"count", n}});
      } catch (const std::exception& e) {
        jlog::warn("purge_failed", {{"error", e.what()}});
      }
    });
    purge_timer.expires_after(std::chrono::hours(1));
    purge_timer.async_wait([&](boost::system::error_code ec) { if (!ec) purge(); });
  };
  purge();

  // CRLs: warn a day before one runs out; past its nextUpdate that issuer's certificates are
  // refused (fail closed) until a fresh CRL is in place.
  auto check_crls = [&] {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    for (const auto& crl : edugate::security::crl_info(edugate::security::crl_files(config.tls))) {
      if (crl.next_update < now)
        jlog::error("crl_expired", {{"issuer", crl.issuer}, {"file", crl.file}, {"effect", "certificates of this issuer are refused"}});
      else if (crl.next_update < now + 86400)
        jlog::warn("crl_expiring", {{"issuer", crl.issuer}, {"file", crl.file}, {"seconds_left", crl.next_update - now}});
    }
  };
  check_crls();
  // CRL fetching: every refresh_interval_s (at most 4 hours), sooner (5 minutes) after a
  // failure. The fetch blocks, so it runs on a worker.
  boost::asio::steady_timer crl_timer(ioc);
  std::function<void(std::chrono::seconds)> schedule_crl_fetch = [&](std::chrono::seconds after) {
    crl_timer.expires_after(after);
    crl_timer.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      boost::asio::post(workers, [&] {
        const bool ok = fetch_crls();
        check_crls();
        boost::asio::post(ioc, [&, ok] {
          const auto interval = std::chrono::seconds(config.crl_fetch.refresh_interval_s);
          schedule_crl_fetch(ok ? interval : std::min(interval, std::chrono::seconds(300)));
        });
      });
    });
  };
  if (crl_fetcher) {
    const auto interval = std::chrono::seconds(config.crl_fetch.refresh_interval_s);
    schedule_crl_fetch(crls_fetched ? interval : std::min(interval, std::chrono::seconds(300)));
  }
  // Hot reload of certificates, keys, trust anchors and CRLs: on SIGHUP and when a file
  // changes. A broken new file is refused with a log line; the old material keeps serving.
  // The configuration on SIGHUP: a file that does not load is refused (the running one stays);
  // log.level and the wssecurity requirements take effect at once; other changed keys are named
  // in the log as needing a restart (listeners, stores and backends are not rebuilt live).
  std::atomic<int> grace_ms{config.shutdown_grace_ms};
  auto reload_config = [&] {
    try {
      auto fresh = eg::load_config(config_file);
      spdlog::set_level(spdlog::level::from_str(fresh.log_level));
      wss->set_policy({fresh.wss_require_signed, fresh.wss_skew_seconds});
      grace_ms = fresh.shutdown_grace_ms;
      auto restart = eg::keys_needing_restart(config, fresh);
      jlog::info("config_reloaded",
                 {{"applied", {"log.level", "wssecurity.require_signed", "wssecurity.skew_seconds", "shutdown_grace_ms"}},
                  {"restart_needed", restart}});
      if (!restart.empty()) jlog::warn("config_change_needs_restart", {{"keys", restart}});
    } catch (const std::exception& e) {
      jlog::error("config_reload_failed", {{"error", e.what()}, {"effect", "the running configuration stays"}});
    }
  };
  boost::asio::signal_set hup(ioc, SIGHUP);
  std::function<void()> on_hup = [&] {
    hup.async_wait([&](boost::system::error_code ec, int) {
      if (ec) return;
      log_reload(tls->reload(), "SIGHUP");
      reload_config();
      check_crls();
      on_hup();
    });
  };
  on_hup();
  boost::asio::steady_timer reload_timer(ioc);
  int polls = 0;
  std::function<void()> watch = [&] {
    reload_timer.expires_after(std::chrono::milliseconds(config.tls_reload_poll_ms));
    reload_timer.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      edugate::Status st = edugate::ok_status();
      if (tls->reload_if_changed(st)) {
        log_reload(st, "file-change");
        check_crls();
      } else if (++polls * config.tls_reload_poll_ms >= 3600000) {
        polls = 0;
        check_crls();
      }
      watch();
    });
  };
  watch();

  // Graceful shutdown (SIGTERM, SIGINT). At once: /readyz answers 503, the service and internal
  // ports are closed (new connections are refused), connections waiting for a next request are closed,
  // and no new background work starts. Requests in flight are answered (with Connection: close)
  // within shutdown_grace_ms; the outbox sender and the inbox finish the attempt in hand, whose
  // outcome is one store transaction (or the message stays pending with its MessageID). Then the
  // event loop stops; whatever is still running at the deadline is cut off, which the store's
  // durability makes safe (a client retries with the same MessageID). A second signal cuts the
  // wait short.
  auto shutdown_strand = boost::asio::make_strand(ioc);  // the signal and drain handlers never run at once
  boost::asio::signal_set signals(shutdown_strand, SIGINT, SIGTERM);
  boost::asio::steady_timer drain_timer(shutdown_strand);
  std::thread background_stop;
  std::atomic<bool> background_stopped{false};
  bool draining = false, finished = false;
  std::chrono::steady_clock::time_point drain_started, drain_deadline;
  auto finish = [&](const char* how) {
    if (finished) return;
    finished = true;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - drain_started);
    jlog::info("drained", {{"how", how},
                           {"ms", ms.count()},
                           {"connections_left", listener ? listener->open_connections() : 0},
                           {"internal_connections_left", internal ? internal->open_connections() : 0},
                           {"requests_in_flight", metrics.requests_in_flight.load()}});
    for (auto* t : {&purge_timer, &pump_timer, &reload_timer, &crl_timer, &drain_timer}) t->cancel();
    hup.cancel();
    signals.cancel();
    if (admin) admin->stop();
    if (internal) internal->stop();
    ioc.stop();
  };
  std::function<void()> drain_tick = [&] {
    if (finished) return;
    if (listener) listener->drain();
    if (internal) internal->drain();
    if ((!listener || listener->open_connections() == 0) && (!internal || internal->open_connections() == 0) &&
        background_stopped)
      return finish("complete");
    if (std::chrono::steady_clock::now() >= drain_deadline) return finish("deadline");
    drain_timer.expires_after(std::chrono::milliseconds(25));
    drain_timer.async_wait([&](boost::system::error_code ec) {
      if (!ec) drain_tick();
    });
  };
  std::function<void()> on_signal = [&] {
    signals.async_wait([&](boost::system::error_code ec, int sig) {
      if (ec) return;
      if (draining) {
        jlog::warn("stopping_now", {{"signal", sig}});
        return finish("second signal");
      }
      draining = true;
      eg::sd_notify("STOPPING=1\nSTATUS=draining");
      drain_started = std::chrono::steady_clock::now();
      drain_deadline = drain_started + std::chrono::milliseconds(grace_ms.load());
      jlog::info("stopping", {{"signal", sig},
                              {"grace_ms", grace_ms.load()},
                              {"connections", listener ? listener->open_connections() : 0},
                              {"internal_connections", internal ? internal->open_connections() : 0},
                              {"requests_in_flight", metrics.requests_in_flight.load()}});
      if (admin) admin->set_draining();
      // The internal port closes too (new connections are refused); idle keep-alive connections
      // are closed, requests in hand (also those waiting for their receiver) are answered.
      if (internal) internal->drain();
      for (auto* t : {&purge_timer, &pump_timer, &crl_timer}) t->cancel();
      background_stop = std::thread([&] {
        if (outbox) outbox->stop();
        if (inbox) inbox->stop();
        background_stopped = true;
      });
      drain_tick();
      on_signal();
    });
  };
  on_signal();

  unsigned n = config.io_threads > 0 ? static_cast<unsigned>(config.io_threads) : std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> threads;
  for (unsigned i = 1; i < n; ++i) threads.emplace_back([&] { ioc.run(); });
  ioc.run();
  for (auto& t : threads) t.join();
  // Past the deadline the attempt in hand may still be running: wait for its outcome.
  if (background_stop.joinable()) background_stop.join();
  if (outbox) outbox->stop();
  if (inbox) inbox->stop();
  workers.join();
  // Answers the workers handed over are committed now, while the io_context that their
  // callbacks post to still exists; its destructor then frees every connection left.
  committer.stop();
  jlog::info("stopped", {{"exit_code", 0}});
  return 0;
}

int cmd_send(const std::string& config_file, const std::string& service, const std::string& action,
             const std::string& json_file, const std::string& xml_file, const std::string& message_id,
             const std::string& act_for, const std::string& save_pdf) {
  auto config = eg::load_config(config_file);
  setup_logging("warn");
  auto contract = eg::load_contract(config.contract_dir, service);
  const eg::Operation* op = contract.by_name(action);
  if (!op) op = contract.by_action(action);
  if (!op) throw std::runtime_error("service " + service + " has no operation " + action);

  std::string body;
  auto model = eg::XsdModel::load(config.contract_dir);
  if (!json_file.empty()) {
    auto j = json::parse(read_file(json_file));
    auto x = model->json_to_xml(contract.target_ns, op->input_element, j);
    if (!x) throw std::runtime_error("request JSON: " + x.error().message + (x.error().field.empty() ? "" : " (" + x.error().field + ")"));
    body = *x;
  } else {
    body = read_file(xml_file);
  }
  eg::SendOptions opts;
  if (!message_id.empty()) {
    auto m = edugate::MessageId::parse(message_id);
    if (!m) throw std::runtime_error("--message-id: " + m.error().message);
    opts.message_id = *m;
  }
  if (!act_for.empty()) {
    auto o = Oin::parse(act_for);
    if (!o) throw std::runtime_error("--act-for: " + o.error().message);
    opts.act_for = *o;
  }
  eg::Client client(config);
  auto ex = client.send(contract, *op, body, opts);
  if (!ex) {
    json err{{"error", {{"code", ex.error().code}, {"message", ex.error().message}, {"field", ex.error().field}}}};
    std::cout << err.dump(2) << std::endl;
    return 2;
  }
  json out;
  out["http_status"] = ex->http_status;
  out["message_id"] = ex->sent.str();
  out["relates_to"] = ex->relates_to;
  out["action"] = ex->action;
  if (ex->is_fault) {
    out["fault"] = {{"faultcode", ex->faultcode}, {"faultstring", ex->faultstring}, {"code", ex->fault_code},
                    {"field", ex->fault_field}};
  } else {
    auto body_json = model->xml_text_to_json(ex->body_xml);
    out["body"] = body_json ? *body_json : json(ex->body_xml);
    // A document's PDF (base64 in the answer) goes to the named file instead of the terminal.
    if (!save_pdf.empty() && out["body"].is_object() && out["body"].contains("Pdf") && out["body"]["Pdf"].is_string()) {
      std::string b64 = out["body"]["Pdf"];
      std::string pdf(b64.size() / 4 * 3 + 3, '\0');
      int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(pdf.data()), reinterpret_cast<const unsigned char*>(b64.data()),
                              static_cast<int>(b64.size()));
      if (n < 0) throw std::runtime_error("the answer's Pdf is not base64");
      pdf.resize(static_cast<std::size_t>(n) - (b64.ends_with("==") ? 2 : b64.ends_with("=") ? 1 : 0));
      std::ofstream(save_pdf, std::ios::binary) << pdf;
      out["body"]["Pdf"] = "(" + std::to_string(pdf.size()) + " bytes written to " + save_pdf + ")";
    }
  }
  std::cout << out.dump(2) << std::endl;
  return ex->is_fault ? 1 : 0;
}

Oin oin_or_cert(const std::string& oin, const std::string& cert) {
  if (!cert.empty()) {
    auto id = edugate::security::identity_of_file(cert);
    if (!id) throw std::runtime_error(cert + ": " + id.error().message);
    return id->oin;
  }
  auto o = Oin::parse(oin);
  if (!o) throw std::runtime_error("OIN '" + oin + "': " + o.error().message);
  return *o;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"edugate: Edukoppeling gateway (provider at SBB, consumer at a school or SIS vendor)"};
  app.require_subcommand(1);
  std::string config_file, port_file;

  auto* serve = app.add_subcommand("serve", "run the gateway");
  serve->add_option("--config,-c", config_file, "configuration file")->required();
  serve->add_option("--port-file", port_file, "write the bound port to this file (for tests and scripts)");

  std::string service = "leerbedrijf", action, json_file, xml_file, message_id, act_for;
  auto* send = app.add_subcommand("send", "send one message over mutual TLS and print the answer as JSON");
  send->add_option("--config,-c", config_file, "configuration file")->required();
  send->add_option("--service", service, "service (WSDL name)");
  send->add_option("--action", action, "operation name or action URI")->required();
  auto* jopt = send->add_option("--json", json_file, "request as JSON (mirrors the XSD)");
  auto* xopt = send->add_option("--xml", xml_file, "request element as XML");
  jopt->excludes(xopt);
  send->add_option("--message-id", message_id, "reuse a MessageID (retry)");
  send->add_option("--act-for", act_for, "school OIN to act for (vendor with mandate)");
  std::string save_pdf;
  send->add_option("--save-pdf", save_pdf, "write a document's PDF from the answer to this file");

  auto* onboard = app.add_subcommand("onboard", "manage parties, agreements and mandates");
  onboard->add_option("--config,-c", config_file, "configuration file")->required();
  onboard->require_subcommand(1);
  std::string oin, cert, name, kind = "school", status = "actief", endpoint, vendor, school, svc;
  bool remove = false;
  auto* party = onboard->add_subcommand("party", "add or change a party");
  party->add_option("--oin", oin, "OIN");
  party->add_option("--cert", cert, "read the OIN from this certificate (PEM)");
  party->add_option("--name", name, "name")->required();
  party->add_option("--kind", kind, "school | vendor | sbb");
  party->add_option("--status", status, "actief | geschorst");
  party->add_option("--endpoint", endpoint, "https endpoint for pushes to this party");
  std::string signing;
  party->add_option("--signing", signing, "WS-Security: required (its requests must be signed, pushes to it are signed) | optional")
      ->check(CLI::IsMember({"required", "optional"}));
  auto* agreement = onboard->add_subcommand("agreement", "give or take a party's agreement for a service");
  agreement->add_option("--oin", oin, "OIN");
  agreement->add_option("--cert", cert, "read the OIN from this certificate (PEM)");
  agreement->add_option("--service", svc, "service")->required();
  agreement->add_flag("--remove", remove, "remove instead of add");
  auto* mandate = onboard->add_subcommand("mandate", "let a vendor act for a school on a service");
  mandate->add_option("--vendor", vendor, "vendor OIN")->required();
  mandate->add_option("--school", school, "school OIN")->required();
  mandate->add_option("--service", svc, "service")->required();
  mandate->add_flag("--remove", remove, "remove instead of add");
  auto* list = onboard->add_subcommand("list", "print the registry as JSON");
  std::string registry_file;
  auto* apply = onboard->add_subcommand(
      "apply", "save the parties, agreements and mandates of a file (YAML, or the JSON of onboard list) in one transaction");
  apply->add_option("file", registry_file, "registry file")->required();

  auto* config_cmd = app.add_subcommand("config", "configuration tools");
  config_cmd->require_subcommand(1);
  auto* check = config_cmd->add_subcommand("check", "validate a configuration file without starting");
  check->add_option("file", config_file, "configuration file")->required();

  auto* certs = app.add_subcommand("certs", "certificate tools");
  certs->require_subcommand(1);
  auto* inspect = certs->add_subcommand(
      "inspect", "show the OIN, CRL distribution points, chain, expiry and revocation status of a certificate");
  inspect->add_option("file", cert, "certificate (PEM; further certificates in the file are its intermediates)")->required();
  inspect->add_option("--config,-c", config_file, "check the chain and revocation against this configuration's trust anchors and CRLs");

  std::string periode_text;
  auto* refdata = app.add_subcommand("refdata", "reference data of the Praktijkloket");
  refdata->add_option("--config,-c", config_file, "configuration file")->required();
  refdata->require_subcommand(1);
  refdata->fallthrough();  // --config also after the subcommand
  auto* refdata_load = refdata->add_subcommand("load", "replace the kwalificatiestructuur with an XML catalogue (docs/REFDATA.md)");
  std::string refdata_file;
  refdata_load->add_option("file", refdata_file, "kwalificatiestructuur XML file")->required();
  auto* publish = app.add_subcommand("publish-results", "put a BPV Monitor period's results in the outbox for every school");
  publish->add_option("--config,-c", config_file, "configuration file")->required();
  publish->add_option("--period", periode_text, "period, e.g. 2026-K3")->required();

  std::string state;
  std::int64_t outbox_id = 0;
  int limit = 100;
  auto* db_cmd = app.add_subcommand("db", "the databases of the store and the backends");
  db_cmd->add_option("--config,-c", config_file, "configuration file")->required();
  db_cmd->require_subcommand(1);
  db_cmd->fallthrough();
  auto* db_migrate = db_cmd->add_subcommand(
      "migrate", "apply missing schema migrations (PostgreSQL store and postgres backends; SQLite makes its schema on open)");
  auto* outbox_cmd = app.add_subcommand("outbox", "inspect and retry pushes to schools");
  outbox_cmd->add_option("--config,-c", config_file, "configuration file")->required();
  outbox_cmd->require_subcommand(1);
  auto* outbox_list = outbox_cmd->add_subcommand("list", "list messages (newest last)");
  outbox_list->add_option("--state", state, "pending | sent | dead");
  outbox_list->add_option("--limit", limit, "at most this many");
  auto* outbox_show = outbox_cmd->add_subcommand("show", "show one message, with its body");
  outbox_show->add_option("id", outbox_id, "outbox id")->required();
  auto* outbox_retry = outbox_cmd->add_subcommand("retry", "send a dead message again (fresh retry budget)");
  outbox_retry->add_option("id", outbox_id, "outbox id")->required();

  auto bench = edugate::bench::add_command(app);
  auto probe = eg::probe::add_command(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    const bool probing = probe->parsed() || (argc > 1 && std::string_view(argv[1]) == "probe");
    return probing && rc != 0 ? 2 : rc;  // probe: 2 is a usage error
  }
  try {
    edugate::security::init_xml();
    edugate::adapters::register_builtin();
    if (bench->parsed()) {
      setup_logging("warn");
      return bench->run();
    }
    if (probe->parsed()) return probe->run();
    if (serve->parsed()) return cmd_serve(config_file, port_file);
    if (send->parsed()) return cmd_send(config_file, service, action, json_file, xml_file, message_id, act_for, save_pdf);
    if (check->parsed()) {
      auto c = eg::load_config(config_file);
      namespace ad = edugate::adapters;
      for (const auto& [n, sc] : c.services) {
        eg::load_contract(c.contract_dir, n);
        // The adapter must exist; its settings are checked when it starts (it may create files).
        auto names = n == "leerbedrijf"  ? ad::adapter_names<edugate::leerbedrijf::Backend>()
                     : n == "bpvmonitor" ? ad::adapter_names<edugate::bpvmonitor::Backend>()
                     : n == "praktijkloket" ? ad::adapter_names<edugate::praktijkloket::Backend>()
                                            : ad::adapter_names<edugate::consumer::Sink>();
        if (std::find(names.begin(), names.end(), sc.adapter) == names.end())
          throw eg::ConfigError(config_file + ": services." + n + ".adapter: unknown adapter '" + sc.adapter + "'");
      }
      std::cout << config_file << ": ok\n";
      return 0;
    }
    if (publish->parsed()) {
      auto c = eg::load_config(config_file);
      setup_logging("warn");
      auto p = edugate::Periode::parse(periode_text);
      if (!p) throw std::runtime_error("--period: " + p.error().message);
      auto store = open_store(c);
      auto services = make_services(c);
      if (!services.bpvmonitor) throw std::runtime_error("services.bpvmonitor is not enabled in " + config_file);
      int n = eg::publish_results(c, *store, *services.bpvmonitor, *p);
      std::cout << n << " message(s) with the results of " << p->str() << " in the outbox\n";
      return 0;
    }
    if (db_migrate->parsed()) {
      auto c = eg::load_config(config_file);
      setup_logging("warn");
      // Opening with migrate applies what is missing, under an advisory lock (idempotent; several
      // instances may run it at once). The Leerbedrijf backend goes first: the others read schema lb.
      auto store = open_store(c, true);
      auto services = make_services(c, true);
      json out{{"store", {{"kind", c.store_kind}}}};
      if (c.store_kind == "postgres") {
        auto conn = edugate::sql::open({edugate::sql::Dialect::postgres, "", true, c.store_dsn, "", 0});
        for (const char* schema : {edugate::store::kPostgresSchema, "lb", "bpv", "pl"})
          if (int v = edugate::sql::schema_version(*conn, schema); v > 0) out["schemas"][schema] = v;
      }
      std::cout << out.dump(2) << std::endl;
      return 0;
    }
    if (outbox_cmd->parsed()) {
      auto c = eg::load_config(config_file);
      auto store = open_store(c);
      auto to_json = [](const edugate::store::OutboxMessage& m, bool body) {
        json j{{"id", m.id}, {"destination_oin", m.destination_oin}, {"endpoint", m.endpoint}, {"service", m.service},
               {"operation", m.operation}, {"message_id", m.message_id}, {"state", m.state}, {"attempts", m.attempts},
               {"created_ms", m.created_ms}, {"next_attempt_ms", m.next_attempt_ms}, {"sent_ms", m.sent_ms},
               {"last_error", m.last_error}};
        if (body) j["body"] = m.body;
        return j;
      };
      if (outbox_list->parsed()) {
        json out = json::array();
        for (const auto& m : store->outbox_list(state, limit)) out.push_back(to_json(m, false));
        std::cout << out.dump(2) << std::endl;
        return 0;
      }
      auto m = store->outbox_get(outbox_id);
      if (!m) throw std::runtime_error("no outbox message " + std::to_string(outbox_id));
      if (outbox_show->parsed()) {
        std::cout << to_json(*m, true).dump(2) << std::endl;
        return 0;
      }
      auto now = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
      if (!store->outbox_retry(outbox_id, now)) throw std::runtime_error("message " + std::to_string(outbox_id) + " was already sent");
      std::cout << "message " << outbox_id << " will be sent again\n";
      return 0;
    }
    if (inspect->parsed()) {
      auto id = edugate::security::identity_of_file(cert);
      json out;
      if (id) {
        out = {{"oin", id->oin.str()}, {"subject", id->subject}, {"serial", id->serial_hex}, {"not_after", id->not_after}};
      } else {
        out = {{"error", id.error().message}};
      }
      out["crl_distribution_points"] = edugate::security::crl_distribution_points_of_file(cert);
      bool valid = true;
      if (!config_file.empty()) {
        auto c = eg::load_config(config_file);
        auto check = edugate::security::verify_chain_file(cert, c.tls);
        valid = check.valid;
        out["chain_valid"] = check.valid;
        if (!check.valid) out["reason"] = check.reason;
        out["chain"] = check.chain;
        json crls = json::array();
        for (const auto& crl : edugate::security::crl_info(edugate::security::crl_files(c.tls)))
          crls.push_back({{"issuer", crl.issuer}, {"next_update", crl.next_update}, {"file", crl.file}});
        out["crls"] = crls;
      }
      std::cout << out.dump(2) << std::endl;
      return id && valid ? 0 : 1;
    }
    if (refdata_load->parsed()) {
      auto c = eg::load_config(config_file);
      setup_logging(c.log_level);
      auto services = make_services(c);
      if (!services.praktijkloket) throw std::runtime_error("services.praktijkloket is not enabled in " + config_file);
      std::ifstream in(refdata_file, std::ios::binary);
      if (!in) throw std::runtime_error("cannot read " + refdata_file);
      std::string xml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      std::string summary;
      auto st = services.praktijkloket->load_kwalificatiestructuur(xml, summary);
      if (!st) {
        std::cerr << "refdata: " << refdata_file << " refused, nothing changed: " << st.error().message << std::endl;
        return 1;
      }
      std::cout << "kwalificatiestructuur loaded: " << summary << std::endl;
      return 0;
    }
    if (onboard->parsed()) {
      auto c = eg::load_config(config_file);
      auto store = open_store(c);
      namespace st = edugate::store;
      if (party->parsed()) {
        auto k = st::parse_party_kind(kind);
        auto s = st::parse_party_status(status);
        if (!k) throw std::runtime_error("--kind: " + k.error().message);
        if (!s) throw std::runtime_error("--status: " + s.error().message);
        st::Party p{oin_or_cert(oin, cert), name, *k, *s, endpoint};
        auto existing = store->find_party(p.oin);
        p.require_signature = signing.empty() ? (existing && existing->require_signature) : signing == "required";
        store->upsert_party(p);
        std::cout << "party " << p.oin.str() << " (" << st::to_string(p.kind) << ", " << st::to_string(p.status) << ") saved\n";
      } else if (agreement->parsed()) {
        Oin o = oin_or_cert(oin, cert);
        if (!store->find_party(o)) throw std::runtime_error("party " + o.str() + " is not onboarded; add it first");
        store->set_agreement(o, svc, !remove);
        std::cout << "agreement " << o.str() << " " << svc << (remove ? " removed\n" : " saved\n");
      } else if (mandate->parsed()) {
        Oin v = oin_or_cert(vendor, ""), s = oin_or_cert(school, "");
        if (!store->find_party(v) || !store->find_party(s)) throw std::runtime_error("both parties must be onboarded first");
        store->set_mandate(v, s, svc, !remove);
        std::cout << "mandate " << v.str() << " for " << s.str() << " on " << svc << (remove ? " removed\n" : " saved\n");
      } else if (apply->parsed()) {
        auto file = eg::read_registry_file(registry_file, [&](const Oin& o) { return store->find_party(o).has_value(); });
        if (!file) {
          std::cerr << "onboard apply: " << file.error().message << "; nothing saved" << std::endl;
          return 1;
        }
        store->apply_registry(file->parties, file->agreements, file->mandates);
        std::cout << "registry: " << file->parties.size() << " parties, " << file->agreements.size() << " agreements, "
                  << file->mandates.size() << " mandates saved\n";
      } else if (list->parsed()) {
        json out{{"parties", json::array()}, {"agreements", json::array()}, {"mandates", json::array()}};
        for (const auto& p : store->parties())
          out["parties"].push_back({{"oin", p.oin.str()}, {"naam", p.naam}, {"kind", st::to_string(p.kind)},
                                    {"status", st::to_string(p.status)}, {"endpoint", p.endpoint},
                                    {"signing", p.require_signature ? "required" : "optional"}});
        for (const auto& a : store->agreements()) out["agreements"].push_back({{"oin", a.party.str()}, {"service", a.service}});
        for (const auto& m : store->mandates())
          out["mandates"].push_back({{"vendor", m.vendor.str()}, {"school", m.school.str()}, {"service", m.service}});
        std::cout << out.dump(2) << std::endl;
      }
      return 0;
    }
  } catch (const eg::ConfigError& e) {
    if (serve->parsed()) {  // serve speaks JSON lines only, also when it cannot start
      jlog::setup("info");
      jlog::error("start_failed", {{"error", std::string("configuration error: ") + e.what()}, {"exit_code", 78}});
    } else {
      std::cerr << "configuration error: " << e.what() << std::endl;
    }
    return 78;  // EX_CONFIG
  } catch (const std::exception& e) {
    if (serve->parsed()) {
      jlog::setup("info");
      jlog::error("start_failed", {{"error", e.what()}, {"exit_code", 1}});
    } else {
      std::cerr << "edugate: " << e.what() << std::endl;
    }
    return 1;
  }
  return 0;
}
