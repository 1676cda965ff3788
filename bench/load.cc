// The load generator of `edugate bench`. Each client thread runs its own io_context with its
// share of the connections ("slots") and its own statistics, merged at the end, so the threads
// share nothing while the load runs. A slot is a small state machine: [connect → handshake] →
// write → read → check → next. Closed loop: a slot sends its next request when the answer is in.
// Open loop (--rate): send times are fixed in advance (t0 + k/rate); a due request waits in the
// thread's backlog for a free slot, and its latency runs from its scheduled time, so a slow
// answer cannot hide the requests that should have been sent meanwhile (coordinated omission).
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/ssl.h>
#include <sys/resource.h>

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cmath>
#include <deque>
#include <latch>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <thread>

#include "bench/bench.h"
#include "bench/histogram.h"
#include "bench/proc_stats.h"
#include "bench/request.h"
#include "security/pki.h"
#include "security/tls_policy.h"
#include "security/tls_session.h"
#include "security/wssec.h"

namespace edugate::bench {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using json = nlohmann::ordered_json;

namespace {

constexpr int kIdleOpenPerThread = 16;                       // idle mode: handshakes in flight per thread
constexpr auto kErrorPause = std::chrono::milliseconds(10);  // closed loop: after a failed connection
constexpr std::uint64_t kBodyLimit = 64u << 20;

std::uint64_t ns_between(Clock::time_point from, Clock::time_point to) {
  return to > from ? static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(to - from).count())
                   : 0;
}

// The fault code of an answer that is a SOAP fault: the Foutdetail Code, else the faultcode;
// nullopt when the soap:Body child is not a soap:Fault. Only called when "Fault" occurs at all.
std::optional<std::string> fault_of(const std::string& answer) {
  xmlDoc* raw = xmlReadMemory(answer.data(), static_cast<int>(answer.size()), nullptr, nullptr,
                              XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (raw == nullptr) return std::nullopt;
  std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)> doc(raw, &xmlFreeDoc);
  auto first_element = [](const xmlNode* n, const char* name) -> const xmlNode* {
    for (const xmlNode* c = n ? n->children : nullptr; c; c = c->next)
      if (c->type == XML_ELEMENT_NODE && (name == nullptr || xmlStrEqual(c->name, BAD_CAST name))) return c;
    return nullptr;
  };
  auto text = [](const xmlNode* n) {
    xmlChar* t = n ? xmlNodeGetContent(n) : nullptr;
    std::string s = t ? reinterpret_cast<const char*>(t) : "";
    xmlFree(t);
    return s;
  };
  const xmlNode* fault = first_element(first_element(xmlDocGetRootElement(doc.get()), "Body"), nullptr);
  if (fault == nullptr || !xmlStrEqual(fault->name, BAD_CAST "Fault")) return std::nullopt;
  std::string code = text(first_element(first_element(first_element(fault, "detail"), "Foutdetail"), "Code"));
  if (code.empty()) code = text(first_element(fault, "faultcode"));
  return code.empty() ? std::string("unknown") : code;
}

struct Stats {
  Histogram latency;  // ns; ok answers of measured requests
  std::uint64_t ok = 0;
  std::map<std::string, std::uint64_t> errors;  // measured requests that failed, and connections before t0
  std::uint64_t ok_in_window = 0;               // ok answers completed inside the measured interval
  std::uint64_t handshakes = 0, resumed = 0;    // begun inside the measured interval
  std::uint64_t signed_answers = 0;

  void merge(const Stats& o) {
    latency.merge(o.latency);
    ok += o.ok;
    for (const auto& [k, v] : o.errors) errors[k] += v;
    ok_in_window += o.ok_in_window;
    handshakes += o.handshakes;
    resumed += o.resumed;
    signed_answers += o.signed_answers;
  }
};

enum class Mode { closed, open, idle };

// What every thread reads. The times are written before start() is posted to the threads.
struct Run {
  const LoadOptions& opt;
  Mode mode;
  Target target;
  tcp::endpoint endpoint;
  const RequestTemplate& request;
  security::SslContextPtr tls;
  std::shared_ptr<const security::wssec::Signer> signer;
  std::atomic<std::uint64_t> seq{0};
  Clock::time_point t0{}, warm_end{}, end{};
  // idle mode
  std::atomic<int> parked{0}, failed{0}, closed_by_server{0};

  bool measured(Clock::time_point t) const { return t >= warm_end && t < end; }
  bool new_connection() const { return opt.new_connection || opt.resume; }
};

class Worker;

class Slot : public std::enable_shared_from_this<Slot> {
 public:
  Slot(Worker& worker, int id);
  void preconnect(std::function<void()> done);
  void send(Clock::time_point scheduled);
  void prepare();
  void finish();

 private:
  Run& run() const;
  Stats& stats() const;
  void connect();
  void on_connect(beast::error_code ec);
  void on_handshake(beast::error_code ec);
  void write();
  void on_read(beast::error_code ec);
  void fail(const std::string& kind, bool connection_failed);
  void complete(bool ok, bool connection_failed);
  void after(bool connection_failed);
  void drop();
  void park();

  Worker& worker_;
  const std::string peer_;  // the key of this slot's TLS session in ClientSessions
  std::optional<beast::ssl_stream<beast::tcp_stream>> stream_;
  bool connected_ = false;
  std::function<void()> preconnected_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> req_;
  bool prepared_ = false;
  std::optional<http::response_parser<http::string_body>> parser_;
  Clock::time_point scheduled_, handshake_started_;
  bool finished_ = false;
  char park_byte_ = 0;
};

class Worker {
 public:
  Worker(Run& run, int index, int of) : run_(run), index_(index), of_(of), guard_(ioc_.get_executor()), timer_(ioc_) {}

  void add_slot(int id) { slots_.push_back(std::make_shared<Slot>(*this, id)); }
  void run_thread() { ioc_.run(); }
  asio::io_context& ioc() { return ioc_; }
  Run& run() { return run_; }
  Stats& stats() { return stats_; }
  std::shared_ptr<security::ClientSessions>& sessions() { return sessions_; }

  // Keep-alive modes: every slot connects before the clock starts.
  void preconnect(std::latch& ready) {
    asio::post(ioc_, [this, &ready] {
      auto left = std::make_shared<std::size_t>(slots_.size());
      for (auto& s : slots_)
        s->preconnect([left, &ready] {
          if (--*left == 0) ready.count_down();
        });
    });
  }

  void start() {
    asio::post(ioc_, [this] {
      active_ = slots_.size();
      for (auto& s : slots_) s->prepare();
      switch (run_.mode) {
        case Mode::closed:
          for (auto& s : slots_) s->send(Clock::now());
          break;
        case Mode::open:
          for (auto& s : slots_) free_.push_back(s.get());
          schedule();
          break;
        case Mode::idle:
          for (std::size_t i = 0; i < std::min<std::size_t>(kIdleOpenPerThread, slots_.size()); ++i) open_next();
          break;
      }
    });
  }

  // Closed loop: whether a slot may start another request.
  bool running() const { return Clock::now() < run_.end; }

  // Open loop: a slot is free again (its next request prepared).
  void on_free(Slot* s) {
    if (!backlog_.empty()) {
      auto t = backlog_.front();
      backlog_.pop_front();
      s->send(t);
    } else if (scheduling_done_) {
      s->finish();
    } else {
      free_.push_back(s);
    }
  }

  // Idle mode: open the next connection, if any is left.
  void open_next() {
    if (!closing_ && next_open_ < slots_.size()) slots_[next_open_++]->send(Clock::now());
  }
  bool closing() const { return closing_; }

  void slot_finished() {
    if (--active_ == 0) {
      timer_.cancel();
      guard_.reset();
    }
  }

  // Idle mode, end of the hold: close every connection.
  void close_all() {
    asio::post(ioc_, [this] {
      closing_ = true;
      for (auto& s : slots_) s->finish();
      guard_.reset();
    });
  }

 private:
  // The k-th request of the whole run is due at t0 + k/rate; this thread takes every of_-th.
  Clock::time_point due(std::uint64_t n) const {
    const double k = static_cast<double>(n) * of_ + index_;
    return run_.t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(k / run_.opt.rate));
  }

  void schedule() {
    const auto now = Clock::now();
    for (auto t = due(next_); t <= now && t < run_.end; t = due(++next_)) backlog_.push_back(t);
    while (!free_.empty() && !backlog_.empty()) {
      Slot* s = free_.back();
      free_.pop_back();
      auto t = backlog_.front();
      backlog_.pop_front();
      s->send(t);
    }
    const auto next = due(next_);
    if (next < run_.end) {
      timer_.expires_at(next);
      timer_.async_wait([this](beast::error_code ec) {
        if (!ec) schedule();
      });
      return;
    }
    // Nothing more to schedule. What is still waiting gets one request timeout to be sent.
    scheduling_done_ = true;
    timer_.expires_at(run_.end + std::chrono::milliseconds(run_.opt.timeout_ms));
    timer_.async_wait([this](beast::error_code ec) {
      if (ec) return;
      for (auto t : backlog_)
        if (run_.measured(t)) ++stats_.errors["not_sent"];
      backlog_.clear();
    });
    // Free connections are done; when none is busy either, this cancels the wait above.
    auto idle = std::move(free_);
    for (Slot* s : idle) s->finish();
  }

  Run& run_;
  const int index_, of_;
  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  asio::steady_timer timer_;
  Stats stats_;
  std::shared_ptr<security::ClientSessions> sessions_ = std::make_shared<security::ClientSessions>();
  std::vector<std::shared_ptr<Slot>> slots_;
  std::size_t active_ = 0;
  // open loop
  std::uint64_t next_ = 0;
  std::deque<Clock::time_point> backlog_;
  std::vector<Slot*> free_;
  bool scheduling_done_ = false;
  // idle mode
  std::size_t next_open_ = 0;
  bool closing_ = false;
};

Slot::Slot(Worker& worker, int id)
    : worker_(worker), peer_(worker.run().target.host + ":" + worker.run().target.port + "#" + std::to_string(id)) {}

Run& Slot::run() const { return worker_.run(); }
Stats& Slot::stats() const { return worker_.stats(); }

void Slot::prepare() {
  std::string envelope = run().request.envelope(run().seq.fetch_add(1, std::memory_order_relaxed));
  prepared_ = true;
  if (run().signer) {
    auto s = run().signer->sign(envelope);
    if (!s) {
      prepared_ = false;  // send() counts it
      return;
    }
    envelope = std::move(*s);
  }
  req_ = {};
  req_.method(http::verb::post);
  req_.target(run().request.path());
  req_.version(11);
  req_.set(http::field::host, run().target.host);
  req_.set(http::field::content_type, "text/xml; charset=utf-8");
  req_.set("SOAPAction", "\"" + run().request.action() + "\"");
  req_.keep_alive(!run().new_connection());
  req_.body() = std::move(envelope);
  req_.prepare_payload();
}

void Slot::preconnect(std::function<void()> done) {
  preconnected_ = std::move(done);
  scheduled_ = Clock::now();
  beast::get_lowest_layer(stream_.emplace(worker_.ioc(), *run().tls))
      .expires_after(std::chrono::milliseconds(run().opt.timeout_ms));
  connect();
}

void Slot::send(Clock::time_point scheduled) {
  scheduled_ = scheduled;
  if (!prepared_) return fail("sign", false);
  prepared_ = false;
  if (connected_ && !run().new_connection()) {
    beast::get_lowest_layer(*stream_).expires_after(std::chrono::milliseconds(run().opt.timeout_ms));
    return write();
  }
  stream_.emplace(worker_.ioc(), *run().tls);
  beast::get_lowest_layer(*stream_).expires_after(std::chrono::milliseconds(run().opt.timeout_ms));
  connect();
}

void Slot::connect() {
  buffer_.clear();  // nothing read on an earlier connection belongs to this one
  SSL* ssl = stream_->native_handle();
  if (run().opt.resume) worker_.sessions()->prepare(ssl, peer_);
  SSL_set_tlsext_host_name(ssl, run().target.host.c_str());
  handshake_started_ = Clock::now();
  beast::get_lowest_layer(*stream_).async_connect(
      run().endpoint, [self = shared_from_this()](beast::error_code ec) { self->on_connect(ec); });
}

void Slot::on_connect(beast::error_code ec) {
  if (ec) return fail(ec == beast::error::timeout ? "timeout" : "connect", true);
  beast::error_code ignored;
  beast::get_lowest_layer(*stream_).socket().set_option(tcp::no_delay(true), ignored);
  stream_->async_handshake(ssl::stream_base::client,
                           [self = shared_from_this()](beast::error_code ec) { self->on_handshake(ec); });
}

void Slot::on_handshake(beast::error_code ec) {
  if (ec) return fail(ec == beast::error::timeout ? "timeout" : "tls_handshake", true);
  connected_ = true;
  if (run().measured(handshake_started_)) {
    ++stats().handshakes;
    if (SSL_session_reused(stream_->native_handle()) == 1) ++stats().resumed;
  }
  if (preconnected_) {
    auto done = std::move(preconnected_);
    preconnected_ = nullptr;
    beast::get_lowest_layer(*stream_).expires_never();
    return done();
  }
  write();
}

void Slot::write() {
  http::async_write(*stream_, req_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
    if (ec) return self->fail(ec == beast::error::timeout ? "timeout" : "write", true);
    self->parser_.emplace();
    self->parser_->body_limit(kBodyLimit);
    http::async_read(*self->stream_, self->buffer_, *self->parser_,
                     [self](beast::error_code ec, std::size_t) { self->on_read(ec); });
  });
}

void Slot::on_read(beast::error_code ec) {
  if (ec) {
    const bool closed =
        ec == http::error::end_of_stream || ec == asio::error::eof || ec == ssl::error::stream_truncated;
    return fail(ec == beast::error::timeout ? "timeout" : closed ? "connection_closed" : "read", true);
  }
  const auto& res = parser_->get();
  const std::string& body = res.body();
  const int status = static_cast<int>(res.result_int());
  if (!res.keep_alive() || run().new_connection()) connected_ = false;  // closed (or shut down) below
  if (body.find("Fault") != std::string::npos) {
    if (auto code = fault_of(body)) return fail("soap_fault:" + *code, false);
  }
  if (status != 200) return fail("http_status_" + std::to_string(status), false);
  if (run().signer) {
    // A signed request needs a signed answer confirming its signature [WB014]; verifying it is
    // the gateway client's job, the benchmark only checks it is there.
    if (body.find("SignatureConfirmation") == std::string::npos) return fail("unsigned_answer", false);
    if (run().measured(scheduled_)) ++stats().signed_answers;
  }
  complete(true, false);
}

void Slot::fail(const std::string& kind, bool connection_failed) {
  if (preconnected_) {  // before the clock: no request was lost, but the run should say so
    ++stats().errors[kind];
    drop();
    auto done = std::move(preconnected_);
    preconnected_ = nullptr;
    return done();
  }
  if (run().measured(scheduled_)) ++stats().errors[kind];
  if (connection_failed) connected_ = false;
  complete(false, connection_failed);
}

void Slot::complete(bool ok, bool connection_failed) {
  const auto now = Clock::now();
  if (ok) {
    if (run().measured(scheduled_)) {
      ++stats().ok;
      stats().latency.record(ns_between(scheduled_, now));
    }
    if (now >= run().warm_end && now < run().end) ++stats().ok_in_window;
  }
  if (run().mode == Mode::idle) {
    if (ok && connected_) return park();
    ++run().failed;
    drop();
    finished_ = true;
    return worker_.open_next();
  }
  if (connected_) return after(false);
  // Done with this connection: a clean TLS shutdown after an answer, so the session stays
  // resumable (OpenSSL drops the session of a connection freed without one).
  if (connection_failed || !stream_) {
    drop();
    return after(connection_failed);
  }
  beast::get_lowest_layer(*stream_).expires_after(std::chrono::seconds(1));
  stream_->async_shutdown([self = shared_from_this()](beast::error_code) {
    self->drop();
    self->after(false);
  });
}

// The next step, posted: the stream of the last one may be replaced and the stack stays flat.
void Slot::after(bool connection_failed) {
  asio::post(worker_.ioc(), [self = shared_from_this(), connection_failed] {
    if (self->run().mode == Mode::open) {
      self->prepare();
      return self->worker_.on_free(self.get());
    }
    if (!self->worker_.running()) return self->finish();
    self->prepare();
    if (!connection_failed) return self->send(Clock::now());
    auto pause = std::make_shared<asio::steady_timer>(self->worker_.ioc(), kErrorPause);
    pause->async_wait([self, pause](beast::error_code) { self->send(Clock::now()); });
  });
}

void Slot::drop() {
  connected_ = false;
  if (!stream_) return;
  beast::error_code ignored;
  beast::get_lowest_layer(*stream_).socket().shutdown(tcp::socket::shutdown_both, ignored);
  beast::get_lowest_layer(*stream_).close();
}

// Idle mode: the connection stays open, a read pending to notice when the server closes it.
void Slot::park() {
  if (worker_.closing()) {
    ++run().failed;
    return drop();
  }
  ++run().parked;
  beast::get_lowest_layer(*stream_).expires_never();
  stream_->async_read_some(asio::buffer(&park_byte_, 1),
                           [self = shared_from_this()](beast::error_code ec, std::size_t) {
                             if (!self->finished_ && ec) ++self->run().closed_by_server;
                           });
  worker_.open_next();
}

void Slot::finish() {
  if (!finished_) {
    finished_ = true;
    if (run().mode != Mode::idle) worker_.slot_finished();
  }
  drop();
}

json latency_ms(const Histogram& h) {
  auto ms = [](std::uint64_t ns) { return std::round(static_cast<double>(ns) / 1e3) / 1e3; };
  return json{{"count", h.count()},
              {"min", ms(h.min())},
              {"mean", ms(static_cast<std::uint64_t>(h.mean()))},
              {"p50", ms(h.percentile(50))},
              {"p90", ms(h.percentile(90))},
              {"p99", ms(h.percentile(99))},
              {"p99_9", ms(h.percentile(99.9))},
              {"max", ms(h.max())}};
}

// Rounded to `digits` decimals; divided (not multiplied) back, so the JSON shows no binary noise.
double round_to(double v, int digits) {
  const double scale = std::pow(10.0, digits);
  return std::round(v * scale) / scale;
}

}  // namespace

json run_load(const LoadOptions& o) {
  if (o.url.empty()) throw std::runtime_error("--url is required");
  if (o.request_file.empty()) throw std::runtime_error("--request is required");
  if (o.tls.cert.empty() || o.tls.key.empty() || o.tls.ca.empty())
    throw std::runtime_error("--cert, --key and --ca (or --stem with --pki) are required");
  if (o.threads < 1 || o.connections < 1 || o.timeout_ms < 1 || o.duration_s < 0 || o.warmup_s < 0 || o.rate < 0 ||
      o.idle < 0)
    throw std::runtime_error(
        "--threads, --connections and --timeout must be positive; --duration, --warmup, --rate, --idle not negative");
  if (o.idle > 0 && (o.rate > 0 || o.new_connection || o.resume))
    throw std::runtime_error("--idle holds keep-alive connections: not with --rate, --new-connection or --resume");

  // Idle mode holds many connections: as many descriptors as we may have.
  rlimit nofile{};
  if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
    nofile.rlim_cur = nofile.rlim_max;
    setrlimit(RLIMIT_NOFILE, &nofile);
  }

  const Target target = parse_target(o.url);
  asio::io_context resolver_ioc;
  tcp::resolver resolver(resolver_ioc);
  beast::error_code ec;
  auto endpoints = resolver.resolve(target.host, target.port, ec);
  if (ec || endpoints.empty()) throw std::runtime_error("cannot resolve " + target.host + ": " + ec.message());

  std::optional<Oin> own_oin;
  if (auto id = security::identity_of_file(o.tls.cert)) own_oin = id->oin;
  const RequestTemplate request = RequestTemplate::load(o.request_file, o.contract_dir, target, own_oin);

  const security::TlsSettings settings = o.tls.settings();
  const Mode mode = o.idle > 0 ? Mode::idle : o.rate > 0 ? Mode::open : Mode::closed;
  Run run{o, mode, target, endpoints.begin()->endpoint(), request, security::make_client_context(settings), nullptr};
  if (o.sign) {
    security::wssec::init();
    run.signer = std::make_shared<const security::wssec::Signer>(o.tls.cert, o.tls.key);
    if (auto s = run.signer->sign(request.envelope(0)); !s)
      throw std::runtime_error("cannot sign the request: " + s.error().message);
  }

  const int slots = mode == Mode::idle ? o.idle : o.connections;
  const int nthreads = std::min(o.threads, slots);
  std::vector<std::unique_ptr<Worker>> workers;
  for (int i = 0; i < nthreads; ++i) workers.push_back(std::make_unique<Worker>(run, i, nthreads));
  for (int i = 0; i < slots; ++i) workers[static_cast<std::size_t>(i % nthreads)]->add_slot(i);
  std::vector<std::thread> threads;
  for (auto& w : workers) threads.emplace_back([&w] { w->run_thread(); });

  const auto server_start = o.server_pid > 0 ? sample_process(o.server_pid) : std::nullopt;
  std::uint64_t preconnect_errors = 0;
  if (mode != Mode::idle && !run.new_connection()) {
    std::latch ready(nthreads);
    for (auto& w : workers) w->preconnect(ready);
    ready.wait();
    for (auto& w : workers)
      for (const auto& [k, v] : w->stats().errors) preconnect_errors += v;
  }

  json report;
  const auto start = Clock::now();
  run.t0 = start;
  run.warm_end = mode == Mode::idle
                     ? start
                     : start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.warmup_s));
  run.end =
      mode == Mode::idle
          ? Clock::time_point::max()
          : run.warm_end + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.duration_s));
  for (auto& w : workers) w->start();

  std::optional<ProcSample> server_before, server_after;
  double client_cpu = 0, window_s = 0, open_s = 0;
  if (mode != Mode::idle) {
    std::this_thread::sleep_until(run.warm_end);
    server_before = o.server_pid > 0 ? sample_process(o.server_pid) : std::nullopt;
    client_cpu = own_cpu_seconds();
    std::this_thread::sleep_until(run.end);
    server_after = o.server_pid > 0 ? sample_process(o.server_pid) : std::nullopt;
    client_cpu = own_cpu_seconds() - client_cpu;
    window_s = std::chrono::duration<double>(run.end - run.warm_end).count();
    for (auto& t : threads) t.join();
  } else {
    // Every connection opened (or failed) within the request timeout per wave of handshakes.
    const auto deadline =
        start + std::chrono::milliseconds(o.timeout_ms) * (1 + o.idle / (kIdleOpenPerThread * nthreads));
    while (run.parked + run.failed < o.idle && Clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    open_s = std::chrono::duration<double>(Clock::now() - start).count();
    server_before = server_start;
    std::this_thread::sleep_for(std::chrono::duration<double>(o.duration_s));
    server_after = o.server_pid > 0 ? sample_process(o.server_pid) : std::nullopt;
    for (auto& w : workers) w->close_all();
    for (auto& t : threads) t.join();
  }

  Stats total;
  for (auto& w : workers) total.merge(w->stats());
  std::uint64_t errors = 0;
  for (const auto& [k, v] : total.errors) errors += v;

  report["url"] = o.url;
  report["service"] = request.service();
  report["operation"] = request.operation();
  report["mode"] = mode == Mode::closed ? "closed_loop" : mode == Mode::open ? "fixed_rate" : "idle";
  report["connections"] = slots;
  report["threads"] = nthreads;
  report["rate"] = mode == Mode::open ? json(o.rate) : json(nullptr);
  report["duration_s"] = o.duration_s;
  report["warmup_s"] = mode == Mode::idle ? 0.0 : o.warmup_s;
  report["new_connection"] = run.new_connection();
  report["resume"] = o.resume;
  report["sign"] = o.sign;
  report["requests"] = total.ok + errors - preconnect_errors;
  report["ok"] = total.ok;
  report["errors"] = errors;
  report["errors_by_kind"] = json::object();
  for (const auto& [k, v] : total.errors) report["errors_by_kind"][k] = v;
  report["elapsed_s"] = round_to(window_s, 3);
  report["throughput_rps"] = window_s > 0 ? round_to(static_cast<double>(total.ok_in_window) / window_s, 1) : 0.0;
  report["latency_ms"] = latency_ms(total.latency);
  report["handshakes"] = total.handshakes;
  report["resumed"] = total.resumed;
  report["resumed_fraction"] =
      total.handshakes ? round_to(static_cast<double>(total.resumed) / static_cast<double>(total.handshakes), 4) : 0.0;
  if (o.sign) report["signed_answers"] = total.signed_answers;
  report["client_cpu_s"] = round_to(client_cpu, 3);
  if (mode == Mode::idle) {
    const int open = run.parked - run.closed_by_server;
    json idle{{"connections", o.idle},       {"established", run.parked.load()},
              {"failed", run.failed.load()}, {"closed_by_server", run.closed_by_server.load()},
              {"open_at_end", open},         {"open_s", round_to(open_s, 3)},
              {"held_s", o.duration_s}};
    report["idle"] = idle;
  }
  if (o.server_pid > 0) {
    json server{{"pid", o.server_pid}};
    if (server_before && server_after) {
      if (mode != Mode::idle) {
        const double cpu = server_after->cpu_s - server_before->cpu_s;
        server["cpu_s"] = round_to(cpu, 3);
        server["cpu_cores"] = window_s > 0 ? round_to(cpu / window_s, 3) : 0.0;
        server["cpu_ms_per_request"] =
            total.ok_in_window ? round_to(cpu * 1e3 / static_cast<double>(total.ok_in_window), 4) : 0.0;
      }
      server["rss_kb_before"] = server_before->rss_kb;
      server["rss_kb_after"] = server_after->rss_kb;
      server["rss_peak_kb"] = server_after->rss_peak_kb;
      if (mode == Mode::idle) {
        const int open = run.parked - run.closed_by_server;
        server["rss_delta_kb_per_connection"] =
            open > 0 ? round_to(static_cast<double>(server_after->rss_kb - server_before->rss_kb) / open, 2) : 0.0;
      }
    } else {
      server["error"] = "cannot read /proc/" + std::to_string(o.server_pid);
    }
    report["server"] = server;
  }
  return report;
}

std::string format_report(const json& r) {
  std::string out;
  auto line = [&](const std::string& label, const std::string& value) {
    out += label;
    out.append(label.size() < 24 ? 24 - label.size() : 1, ' ');
    out += value + "\n";
  };
  auto num = [](const json& v) {
    if (v.is_number_float()) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.3f", v.get<double>());
      std::string s = buf;
      while (s.back() == '0') s.pop_back();
      if (s.back() == '.') s.pop_back();
      return s;
    }
    return v.dump();
  };
  line("target", r["url"].get<std::string>() + " (" + r["service"].get<std::string>() + " " +
                     r["operation"].get<std::string>() + ")");
  std::string how = r["mode"].get<std::string>() + ", " + num(r["connections"]) + " connection(s), " +
                    num(r["threads"]) + " thread(s)";
  if (r["rate"].is_number()) how += ", offered " + num(r["rate"]) + " req/s";
  if (r["new_connection"].get<bool>())
    how += r["resume"].get<bool>() ? ", new connection per request (resuming)" : ", new connection per request";
  if (r["sign"].get<bool>()) how += ", signed";
  line("scenario", how);
  if (r["mode"] != "idle") line("measured", num(r["elapsed_s"]) + " s after " + num(r["warmup_s"]) + " s warm-up");
  line("requests", num(r["requests"]) + " (ok " + num(r["ok"]) + ", errors " + num(r["errors"]) + ")");
  for (const auto& [kind, n] : r["errors_by_kind"].items()) line("  " + kind, num(n));
  if (r["mode"] != "idle") line("throughput", num(r["throughput_rps"]) + " req/s");
  const auto& l = r["latency_ms"];
  line("latency ms", "p50 " + num(l["p50"]) + "  p90 " + num(l["p90"]) + "  p99 " + num(l["p99"]) + "  p99.9 " +
                         num(l["p99_9"]) + "  max " + num(l["max"]) + "  (mean " + num(l["mean"]) + ")");
  line("handshakes",
       num(r["handshakes"]) + " (resumed " + num(r["resumed"]) + ", fraction " + num(r["resumed_fraction"]) + ")");
  if (r.contains("signed_answers")) line("signed answers", num(r["signed_answers"]));
  if (r["mode"] != "idle") line("client cpu", num(r["client_cpu_s"]) + " s");
  if (r.contains("idle")) {
    const auto& i = r["idle"];
    line("idle connections", num(i["established"]) + " of " + num(i["connections"]) + " established in " +
                                 num(i["open_s"]) + " s, " + num(i["open_at_end"]) + " open after " + num(i["held_s"]) +
                                 " s");
  }
  if (r.contains("server")) {
    const auto& s = r["server"];
    if (s.contains("error")) {
      line("server", s["error"].get<std::string>());
    } else {
      if (s.contains("cpu_s"))
        line("server cpu", num(s["cpu_s"]) + " s (" + num(s["cpu_cores"]) + " cores, " + num(s["cpu_ms_per_request"]) +
                               " ms per request)");
      line("server rss", num(s["rss_kb_before"]) + " kB -> " + num(s["rss_kb_after"]) + " kB (peak " +
                             num(s["rss_peak_kb"]) + " kB)");
      if (s.contains("rss_delta_kb_per_connection"))
        line("rss per connection", num(s["rss_delta_kb_per_connection"]) + " kB");
    }
  }
  return out;
}

}  // namespace edugate::bench
