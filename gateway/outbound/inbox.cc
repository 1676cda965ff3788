#include "gateway/outbound/inbox.h"

#include "core/rules.h"
#include "gateway/ops/log.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace edugate::gateway {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

void sync_dir(const fs::path& d) {
  int fd = ::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
}

void write_file(const fs::path& p, const std::string& content) {
  fs::path tmp = p;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
  }
  int fd = ::open(tmp.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);
    ::close(fd);
  }
  fs::rename(tmp, p);
  sync_dir(p.parent_path());
}

// Moves a file and makes the move durable.
void move(const fs::path& from, const fs::path& to) {
  fs::rename(from, to);
  sync_dir(to.parent_path());
  sync_dir(from.parent_path());
}

std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') { cur += '"'; ++i; }
      else if (c == '"') quoted = false;
      else cur += c;
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',' || c == ';') {
      out.push_back(cur);
      cur.clear();
    } else if (c != '\r') {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

constexpr const char* kSep = "__";

}  // namespace

Inbox::Inbox(const Config& config, ServiceContract bpvmonitor, std::shared_ptr<const XsdModel> model,
             std::shared_ptr<security::TlsContexts> tls)
    : config_(config), contract_(std::move(bpvmonitor)), model_(std::move(model)), client_(config, std::move(tls)) {
  for (const char* d : {"", "processing", "done", "error"}) fs::create_directories(fs::path(config_.inbox_dir) / d);
}

Inbox::~Inbox() { stop(); }

Result<json> Inbox::read_records(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error("INBOX", "bestand kan niet gelezen worden");
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_records(ss.str(), fs::path(path).extension() == ".json");
}

Result<json> Inbox::parse_records(std::string_view text_view, bool is_json) {
  const std::string text(text_view);
  json records = json::array();
  if (is_json) {
    auto j = json::parse(text, nullptr, false);
    if (j.is_discarded()) return make_error("INBOX", "bestand is geen geldige JSON");
    if (j.is_object() && j.contains("Studentgegeven")) j = j["Studentgegeven"];
    if (!j.is_array()) return make_error("INBOX", "verwacht een lijst studentgegevens of {\"Studentgegeven\": [...]}");
    records = j;
  } else {
    std::istringstream lines(text);
    std::string line;
    std::vector<std::string> header;
    int n = 0;
    while (std::getline(lines, line)) {
      ++n;
      if (line.find_first_not_of(" \r\t") == std::string::npos) continue;
      auto cells = split_csv_line(line);
      if (header.empty()) {
        header = cells;
        continue;
      }
      if (cells.size() != header.size())
        return make_error("INBOX", "regel " + std::to_string(n) + ": " + std::to_string(cells.size()) +
                                       " kolommen, de kopregel heeft er " + std::to_string(header.size()));
      json rec = json::object();
      for (std::size_t i = 0; i < header.size(); ++i) rec[header[i]] = cells[i];
      records.push_back(rec);
    }
    if (header.empty()) return make_error("INBOX", "leeg bestand: geen kopregel");
  }
  if (records.empty()) return make_error("INBOX", "bestand bevat geen studentgegevens");
  return json{{"Studentgegeven", records}};
}

InboxRound Inbox::process(const std::string& path, const std::string& original, const MessageId& id) {
  InboxRound round;
  const fs::path dir(config_.inbox_dir);
  auto refuse = [&](const json& reasons) {
    write_file(dir / "error" / (original + ".fout.json"), reasons.dump(2) + "\n");
    move(path, dir / "error" / original);
    ++round.refused;
    jlog::warn("inbox_refused", {{"message_id", id.str()}, {"file", original}});
    return round;
  };
  auto records = read_records(path);
  if (!records) return refuse(json{{"fout", records.error().message}});
  const Operation* op = contract_.by_name("LeverStudentgegevensAan");
  auto body = model_->json_to_xml(contract_.target_ns, op->input_element, *records);
  if (!body) return refuse(json{{"fout", body.error().message}, {"veld", body.error().field}});
  SendOptions o;
  o.message_id = id;
  auto ex = client_.send(contract_, *op, *body, o);
  if (!ex || (ex->is_fault && (ex->fault_code == rules::DK0051.code || ex->faultcode == "soap:Server"))) {
    ++round.failed;  // try again next round with the same MessageID
    jlog::warn("inbox_retry", {{"message_id", id.str()}, {"file", original}, {"error", ex ? ex->fault_code : ex.error().message}});
    return round;
  }
  if (ex->is_fault)
    return refuse(json{{"fault", {{"faultcode", ex->faultcode}, {"code", ex->fault_code}, {"faultstring", ex->faultstring},
                                  {"veld", ex->fault_field}}}});
  auto answer = model_->xml_text_to_json(ex->body_xml);
  json out{{"message_id", id.str()}, {"bestand", original}, {"antwoord", answer ? *answer : json(ex->body_xml)}};
  write_file(dir / "done" / (original + ".antwoord.json"), out.dump(2) + "\n");
  move(path, dir / "done" / original);
  ++round.sent;
  jlog::info("inbox_sent", {{"message_id", id.str()}, {"file", original}});
  return round;
}

InboxRound Inbox::run_once() {
  InboxRound total;
  const fs::path dir(config_.inbox_dir);
  auto add = [&](const InboxRound& r) {
    total.sent += r.sent;
    total.failed += r.failed;
    total.refused += r.refused;
  };
  // First what a previous round (or a previous process) left in processing/: same MessageID.
  std::vector<fs::path> pending;
  for (const auto& e : fs::directory_iterator(dir / "processing"))
    if (e.is_regular_file() && e.path().extension() != ".tmp") pending.push_back(e.path());
  // Then new files, oldest name first; each gets its MessageID by the atomic move.
  std::vector<fs::path> fresh;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (!e.is_regular_file() || name.empty() || name[0] == '.' || e.path().extension() == ".tmp") continue;
    fresh.push_back(e.path());
  }
  std::sort(fresh.begin(), fresh.end());
  for (const auto& f : fresh) {
    auto id = new_message_id();
    fs::path target = dir / "processing" / (id.str().substr(9) + kSep + f.filename().string());
    move(f, target);
    pending.push_back(target);
  }
  for (const auto& p : pending) {
    if (stopping_) break;  // shutting down: the rest waits in processing/ with its MessageID
    std::string name = p.filename().string();
    auto sep = name.find(kSep);
    auto id = sep == std::string::npos ? Result<MessageId>(make_error("", "")) : MessageId::parse("urn:uuid:" + name.substr(0, sep));
    if (!id) {
      move(p, dir / "error" / name);
      ++total.refused;
      continue;
    }
    add(process(p.string(), name.substr(sep + 2), *id));
  }
  total.waiting = total.failed;
  return total;
}

void Inbox::start() {
  std::lock_guard lock(mu_);
  if (running_) return;
  running_ = true;
  thread_ = std::thread([this] {
    std::unique_lock lock(mu_);
    while (running_) {
      lock.unlock();
      try {
        run_once();
      } catch (const std::exception& e) {
        jlog::warn("inbox_error", {{"error", e.what()}});
      }
      lock.lock();
      cv_.wait_for(lock, std::chrono::milliseconds(config_.inbox_poll_ms), [&] { return !running_; });
    }
  });
}

void Inbox::stop() {
  stopping_ = true;
  {
    std::lock_guard lock(mu_);
    if (!running_) return;
    running_ = false;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace edugate::gateway
