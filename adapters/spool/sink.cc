#include "adapters/spool/sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <cstdio>
#include <sstream>

#include "adapters/registry.h"
#include "core/backend_error.h"

namespace edugate::adapters::spool {
namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

void write_durably(const fs::path& target, const std::string& content) {
  fs::path tmp = target;
  tmp += ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
  if (fd < 0) throw BackendUnavailable("spool: cannot write " + tmp.string());
  std::size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd, content.data() + off, content.size() - off);
    if (n <= 0) {
      ::close(fd);
      throw BackendUnavailable("spool: write failed for " + tmp.string());
    }
    off += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) throw BackendUnavailable("spool: fsync failed for " + tmp.string());
  fs::rename(tmp, target);
  int dfd = ::open(target.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string one_decimal(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string stem(const MessageId& id) { return id.str().substr(9); }  // the uuid

// Writes <soort>/<uuid>.json and .csv once; the JSON file (written last) marks completion.
template <class Fill>
void deliver(const std::string& dir, const char* soort, const MessageId& id, Fill fill) {
  fs::path d = fs::path(dir) / soort;
  fs::path json_file = d / (stem(id) + ".json");
  std::error_code ec;
  if (fs::exists(json_file, ec)) return;
  fs::create_directories(d, ec);
  if (ec) throw BackendUnavailable("spool: cannot create " + d.string());
  std::string j, csv;
  fill(j, csv);
  write_durably(d / (stem(id) + ".csv"), csv);
  write_durably(json_file, j);
}

}  // namespace

FileSink::FileSink(std::string dir) : dir_(std::move(dir)) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) throw std::runtime_error("adapters.spool: cannot create directory " + dir_);
}

void FileSink::monitorresultaten(const MessageId& id, const Oin& from, const consumer::Monitorresultaten& r) {
  deliver(dir_, "monitorresultaten", id, [&](std::string& j, std::string& csv) {
    json doc{{"message_id", id.str()}, {"afzender_oin", from.str()}, {"brin", r.brin.str()},
             {"periode", r.periode.str()}, {"minimale_respons", r.minimale_respons}, {"themaresultaten", json::array()}};
    csv = "brin,periode,thema,respondentgroep,aantal,onderdrukt,gemiddelde,landelijk_gemiddelde\n";
    for (const auto& c : r.cellen) {
      json cell{{"thema", c.thema}, {"respondentgroep", c.groep}, {"aantal", c.aantal}, {"onderdrukt", c.onderdrukt}};
      if (c.gemiddelde) cell["gemiddelde"] = *c.gemiddelde;
      if (c.landelijk) cell["landelijk_gemiddelde"] = *c.landelijk;
      doc["themaresultaten"].push_back(cell);
      std::ostringstream line;
      line << r.brin.str() << "," << r.periode.str() << "," << c.thema << "," << c.groep << "," << c.aantal << ","
           << (c.onderdrukt ? "ja" : "nee") << "," << (c.gemiddelde ? one_decimal(*c.gemiddelde) : "") << ","
           << (c.landelijk ? one_decimal(*c.landelijk) : "") << "\n";
      csv += line.str();
    }
    j = doc.dump(2) + "\n";
  });
}

void FileSink::erkenningmutaties(const MessageId& id, const Oin& from, const std::vector<leerbedrijf::Mutatie>& ms) {
  deliver(dir_, "erkenningmutaties", id, [&](std::string& j, std::string& csv) {
    json doc{{"message_id", id.str()}, {"afzender_oin", from.str()}, {"mutaties", json::array()}};
    csv = "volgnummer,soort,tijdstip,leerbedrijf_id,nieuw_leerbedrijf_id,crebo,leerweg,begindatum,einddatum,naam\n";
    for (const auto& m : ms) {
      json x{{"volgnummer", m.volgnummer}, {"soort", m.soort}, {"tijdstip", m.tijdstip}, {"leerbedrijf_id", m.leerbedrijf.str()}};
      if (m.nieuw_leerbedrijf) x["nieuw_leerbedrijf_id"] = m.nieuw_leerbedrijf->str();
      if (m.crebo) x["crebo"] = m.crebo->str();
      if (m.leerweg) x["leerweg"] = to_string(*m.leerweg);
      if (m.begindatum) x["begindatum"] = m.begindatum->str();
      if (m.einddatum) x["einddatum"] = m.einddatum->str();
      if (m.naam) x["naam"] = *m.naam;
      doc["mutaties"].push_back(x);
      csv += std::to_string(m.volgnummer) + "," + m.soort + "," + std::to_string(m.tijdstip) + "," + m.leerbedrijf.str() +
             "," + (m.nieuw_leerbedrijf ? m.nieuw_leerbedrijf->str() : "") + "," + (m.crebo ? m.crebo->str() : "") + "," +
             (m.leerweg ? to_string(*m.leerweg) : "") + "," + (m.begindatum ? m.begindatum->str() : "") + "," +
             (m.einddatum ? m.einddatum->str() : "") + "," + csv_field(m.naam.value_or("")) + "\n";
    }
    j = doc.dump(2) + "\n";
  });
}

void register_factories() {
  register_adapter<consumer::Sink>("spool", [](const AdapterContext& ctx) -> std::unique_ptr<consumer::Sink> {
    for (const auto& kv : ctx.settings)
      if (kv.first.as<std::string>() != "dir")
        throw std::runtime_error("adapters.spool: unknown key '" + kv.first.as<std::string>() + "'");
    if (!ctx.settings["dir"] || !ctx.settings["dir"].IsScalar())
      throw std::runtime_error("adapters.spool: key 'dir' (a directory) is required");
    return std::make_unique<FileSink>(resolve(ctx.base_dir, ctx.settings["dir"].as<std::string>()));
  });
}

}  // namespace edugate::adapters::spool
