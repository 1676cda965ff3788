#include "gateway/ops/log.h"

#include <spdlog/formatter.h>
#include <spdlog/sinks/sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cctype>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <thread>

namespace edugate::gateway::jlog {
namespace {

bool alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }
bool digit(char c) { return c >= '0' && c <= '9'; }
bool email_char(char c) { return alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-'; }

// Digits at [i, i+n) with no letter or digit right before or after.
bool digits_at(std::string_view s, std::size_t i, std::size_t n) {
  if (i + n > s.size()) return false;
  for (std::size_t k = i; k < i + n; ++k)
    if (!digit(s[k])) return false;
  return true;
}

bool bounded(std::string_view s, std::size_t i, std::size_t n) {
  return (i == 0 || !alnum(s[i - 1])) && (i + n >= s.size() || !alnum(s[i + n]));
}

bool elfproef(std::string_view nine) {
  int sum = 0;
  for (int k = 0; k < 8; ++k) sum += (9 - k) * (nine[static_cast<std::size_t>(k)] - '0');
  sum -= nine[8] - '0';
  return sum % 11 == 0 && nine != "000000000";
}

// A date at i: YYYY-MM-DD, DD-MM-YYYY or DD/MM/YYYY (also with '.'); returns its length or 0.
std::size_t date_at(std::string_view s, std::size_t i) {
  auto sep = [&](std::size_t k) { return k < s.size() && (s[k] == '-' || s[k] == '/' || s[k] == '.'); };
  if (digits_at(s, i, 4) && sep(i + 4) && digits_at(s, i + 5, 2) && s[i + 7] == s[i + 4] && digits_at(s, i + 8, 2) &&
      bounded(s, i, 10))
    return 10;
  if (digits_at(s, i, 2) && sep(i + 2) && digits_at(s, i + 3, 2) && s[i + 5] == s[i + 2] && digits_at(s, i + 6, 4) &&
      bounded(s, i, 10))
    return 10;
  return 0;
}

void scrub_values(Fields& j) {
  if (j.is_string()) {
    const auto& s = j.get_ref<const std::string&>();
    std::string clean = scrub(s);
    if (clean != s) j = std::move(clean);
  } else if (j.is_structured()) {
    for (auto& v : j) scrub_values(v);
  }
}

std::string_view level_name(spdlog::level::level_enum l) {
  switch (l) {
    case spdlog::level::trace: return "trace";
    case spdlog::level::debug: return "debug";
    case spdlog::level::info: return "info";
    case spdlog::level::warn: return "warn";
    case spdlog::level::err: return "error";
    case spdlog::level::critical: return "critical";
    default: return "off";
  }
}

// {"time":…,"level":…, then the object the message carries (jlog::write), or, for a line that
// did not come through jlog, "event":"message","text":… with the text escaped and scrubbed.
class JsonLineFormatter final : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    using namespace std::chrono;
    const auto t = msg.time.time_since_epoch();
    const std::time_t secs = duration_cast<seconds>(t).count();
    const auto ms = duration_cast<milliseconds>(t).count() % 1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char stamp[64];
    std::snprintf(stamp, sizeof stamp, "{\"time\":\"%04d-%02d-%02dT%02d:%02d:%02d.%03dZ\",\"level\":\"", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
    dest.append(std::string_view(stamp));
    dest.append(level_name(msg.level));
    dest.append(std::string_view("\","));
    std::string_view payload(msg.payload.data(), msg.payload.size());
    if (payload.size() >= 2 && payload.front() == '{' && payload.back() == '}') {
      dest.append(payload.substr(1));
    } else {
      Fields j = Fields::object();
      j["event"] = "message";
      j["text"] = scrub(payload);
      std::string s = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      dest.append(std::string_view(s).substr(1));
    }
    dest.append(std::string_view("\n"));
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonLineFormatter>(); }
};

// stderr without a system call per line (issue 17). With a linger (log.batch_ms), lines gather
// in a buffer that a thread of its own writes one linger after the first of them came, so under
// load one write carries the lines of a linger and a request pays a copy into memory, not a
// write(2); the producer wakes that thread only when the buffer was empty. A line at warn or
// above, a full buffer, flush() and the end of the process write at once, in order (every line
// passes the one buffer). A process that is killed loses at most a linger of info lines; the
// audit record of every message is in the store, durable, whatever the log. Without a linger
// every line is written as it is made.
class BatchedStderrSink final : public spdlog::sinks::sink {
 public:
  static constexpr std::size_t kMaxBuffered = 64 * 1024;

  explicit BatchedStderrSink(int fd = STDERR_FILENO) : fd_(fd), formatter_(std::make_unique<JsonLineFormatter>()) {}
  ~BatchedStderrSink() override {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
    drain();
  }

  void set_linger(std::chrono::milliseconds linger) {
    {
      std::lock_guard lock(mu_);
      linger_ = linger;
    }
    if (linger.count() > 0 && !thread_.joinable()) thread_ = std::thread([this] { run(); });
    if (linger.count() == 0) drain();
  }

  void log(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t line;
    {
      std::lock_guard lock(formatter_mu_);
      formatter_->format(msg, line);
    }
    bool now = msg.level >= spdlog::level::warn, wake = false;
    {
      std::lock_guard lock(mu_);
      wake = buffer_.empty();
      buffer_.append(line.data(), line.size());
      now = now || linger_.count() == 0 || buffer_.size() >= kMaxBuffered;
    }
    if (now) drain();
    else if (wake) cv_.notify_one();  // a system call only when the writer sleeps: once per linger at most
  }
  void flush() override { drain(); }
  void set_pattern(const std::string&) override {}
  void set_formatter(std::unique_ptr<spdlog::formatter> f) override {
    std::lock_guard lock(formatter_mu_);
    formatter_ = std::move(f);
  }
  std::uint64_t writes() const { return writes_.load(); }

 private:
  void run() {
    for (;;) {
      std::chrono::milliseconds linger;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || !buffer_.empty(); });
        if (stopping_) return;
        linger = linger_;
      }
      std::this_thread::sleep_for(linger);
      drain();
    }
  }
  // Writes what is buffered; one writer at a time, so lines leave in the order they came.
  void drain() {
    std::lock_guard write_lock(write_mu_);
    {
      std::lock_guard lock(mu_);
      if (buffer_.empty()) return;
      writing_.swap(buffer_);
    }
    std::size_t done = 0;
    while (done < writing_.size()) {
      ssize_t n = ::write(fd_, writing_.data() + done, writing_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // a log that cannot be written must not stop the gateway
      done += static_cast<std::size_t>(n);
      writes_.fetch_add(1, std::memory_order_relaxed);
    }
    writing_.clear();
    if (writing_.capacity() > 4 * kMaxBuffered) writing_.shrink_to_fit();
  }

  const int fd_;
  std::mutex formatter_mu_;
  std::unique_ptr<spdlog::formatter> formatter_;
  std::mutex mu_;  // buffer_, linger_, stopping_
  std::condition_variable cv_;
  std::string buffer_;
  std::chrono::milliseconds linger_{0};
  bool stopping_ = false;
  std::mutex write_mu_;  // writing_, and the order of writes
  std::string writing_;
  std::atomic<std::uint64_t> writes_{0};
  std::thread thread_;
};

std::shared_ptr<BatchedStderrSink>& process_sink() {
  static std::shared_ptr<BatchedStderrSink> sink;
  return sink;
}

}  // namespace

std::string scrub(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    // E-mail: local@domain.tld; the local part is what we already copied.
    if (s[i] == '@' && i > 0 && email_char(s[i - 1])) {
      std::size_t end = i + 1;
      bool dot = false;
      while (end < s.size() && email_char(s[end])) {
        dot = dot || s[end] == '.';
        ++end;
      }
      if (dot && end > i + 2) {
        std::size_t keep = out.size();
        while (keep > 0 && email_char(out[keep - 1])) --keep;
        out.resize(keep);
        out += "<e-mail>";
        i = end;
        continue;
      }
    }
    if (digit(s[i]) && (i == 0 || !alnum(s[i - 1]))) {
      if (std::size_t n = date_at(s, i)) {
        out += "<datum>";
        i += n;
        continue;
      }
      if (digits_at(s, i, 9) && bounded(s, i, 9) && elfproef(s.substr(i, 9))) {
        out += "<bsn>";
        i += 9;
        continue;
      }
    }
    out += s[i++];
  }
  return out;
}

void setup(const std::string& level, int batch_ms) {
  auto logger = spdlog::get("edugate");
  if (!logger) {
    process_sink() = std::make_shared<BatchedStderrSink>();
    logger = std::make_shared<spdlog::logger>("edugate", process_sink());
    spdlog::register_logger(logger);
  }
  set_batch_ms(batch_ms);
  logger->set_formatter(std::make_unique<JsonLineFormatter>());
  logger->set_level(spdlog::level::from_str(level));
  // Errors of the logger itself (a failed write) must not end the process.
  logger->set_error_handler([](const std::string&) {});
  spdlog::set_default_logger(logger);
}

void set_batch_ms(int batch_ms) {
  if (auto& sink = process_sink()) sink->set_linger(std::chrono::milliseconds(batch_ms < 0 ? 0 : batch_ms));
}

std::uint64_t stderr_writes() {
  auto& sink = process_sink();
  return sink ? sink->writes() : 0;
}

bool on(spdlog::level::level_enum level) { return spdlog::should_log(level); }

void write(spdlog::level::level_enum level, std::string_view event, const Fields& fields) {
  if (!spdlog::should_log(level)) return;
  Fields j = Fields::object();
  j["event"] = event;
  if (fields.is_object())
    for (auto it = fields.begin(); it != fields.end(); ++it) j[it.key()] = it.value();
  scrub_values(j);
  // Invalid UTF-8 (an OpenSSL or OS message) is replaced, never a reason to lose the line.
  spdlog::log(level, "{}", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace edugate::gateway::jlog
