#include "security/crl_fetch.h"

#include <fcntl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <stdexcept>

#include "core/hex.h"
#include "security/tls_reload.h"
#include "security/x509_files.h"
#include "core/url.h"

namespace edugate::security {

namespace fs = std::filesystem;

namespace {

struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
using BioPtr = std::unique_ptr<BIO, BioFree>;

// URLs and names end up in JSON log lines: keep them printable and free of quotes.
std::string printable(std::string s) {
  for (char& c : s)
    if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') c = '?';
  return s;
}

std::string oneline(const X509_NAME* n) { return printable(name_line(n)); }

std::string der_of(const X509_NAME* n) {
  const unsigned char* der = nullptr;
  std::size_t len = 0;
  if (X509_NAME_get0_der(const_cast<X509_NAME*>(n), &der, &len) != 1) return {};
  return std::string(reinterpret_cast<const char*>(der), len);
}

std::string oneline_of_der(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<X509_NAME, decltype(&X509_NAME_free)> name(d2i_X509_NAME(nullptr, &p, static_cast<long>(der.size())),
                                                             &X509_NAME_free);
  return name ? oneline(name.get()) : "";
}


// DER as distribution points serve it, or PEM; nothing else, and nothing after it.
CrlPtr parse_crl(const std::string& bytes) {
  const auto start = bytes.find_first_not_of(" \t\r\n");
  if (start != std::string::npos && bytes.compare(start, 10, "-----BEGIN") == 0) {
    BioPtr bio(BIO_new_mem_buf(bytes.data(), static_cast<int>(bytes.size())));
    CrlPtr crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
    ERR_clear_error();
    return crl;
  }
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  CrlPtr crl(d2i_X509_CRL(nullptr, &p, static_cast<long>(bytes.size())));
  ERR_clear_error();
  if (crl && p != reinterpret_cast<const unsigned char*>(bytes.data()) + bytes.size()) return nullptr;
  return crl;
}

std::string crl_der(X509_CRL* crl) {
  unsigned char* der = nullptr;
  int len = i2d_X509_CRL(crl, &der);
  if (len <= 0) return {};
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

std::string crl_pem(X509_CRL* crl) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_X509_CRL(bio.get(), crl) != 1) return {};
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

// One cache file per CA, named after a digest of its DER name.
std::string cache_name(const X509_NAME* issuer) {
  const std::string der = der_of(issuer);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(der.data(), der.size(), md, &len, EVP_sha256(), nullptr);
  return to_hex(md, std::min(len, 10u)) + ".crl.pem";
}

// Newer by crlNumber when both carry one (RFC 5280 makes it monotonic), else by lastUpdate.
int compare_age(X509_CRL* a, X509_CRL* b) {
  std::unique_ptr<ASN1_INTEGER, decltype(&ASN1_INTEGER_free)> na(
      static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(a, NID_crl_number, nullptr, nullptr)), &ASN1_INTEGER_free);
  std::unique_ptr<ASN1_INTEGER, decltype(&ASN1_INTEGER_free)> nb(
      static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(b, NID_crl_number, nullptr, nullptr)), &ASN1_INTEGER_free);
  if (na && nb) {
    int c = ASN1_INTEGER_cmp(na.get(), nb.get());
    if (c != 0) return c < 0 ? -1 : 1;
  }
  int c = ASN1_TIME_compare(X509_CRL_get0_lastUpdate(a), X509_CRL_get0_lastUpdate(b));
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

std::string crl_number_text(X509_CRL* crl) {
  std::unique_ptr<ASN1_INTEGER, decltype(&ASN1_INTEGER_free)> n(
      static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(crl, NID_crl_number, nullptr, nullptr)), &ASN1_INTEGER_free);
  if (!n) return "-";
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn(ASN1_INTEGER_to_BN(n.get(), nullptr), &BN_free);
  char* dec = bn ? BN_bn2dec(bn.get()) : nullptr;
  std::string out = dec ? dec : "?";
  OPENSSL_free(dec);
  return out;
}

Status write_atomically(const std::string& dir, const std::string& name, const std::string& content) {
  std::string tmp = dir + "/." + name + ".XXXXXX";
  int fd = mkstemp(tmp.data());
  if (fd < 0) return make_error("CRL-CACHE", "cannot create a file in " + dir);
  const char* p = content.data();
  std::size_t left = content.size();
  bool ok = fchmod(fd, 0644) == 0;
  while (ok && left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0)
      ok = false;
    else {
      p += n;
      left -= static_cast<std::size_t>(n);
    }
  }
  ok = ok && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok || std::rename(tmp.c_str(), (dir + "/" + name).c_str()) != 0) {
    ::unlink(tmp.c_str());
    return make_error("CRL-CACHE", "cannot write " + dir + "/" + name);
  }
  // The rename is durable only once the directory is.
  if (int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY); dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return ok_status();
}

bool is_http(const std::string& url) {
  return url.size() >= 7 && std::equal(url.begin(), url.begin() + 7, "http://",
                                       [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
}

Result<Url> parse_http_url(const std::string& url) {
  if (!is_http(url)) return make_error("URL", "not an http:// URL");
  return parse_url(url);
}

std::string with_base(const std::string& url, const std::string& base) {
  if (base.empty()) return url;
  std::string path = url.substr(0, url.find_first_of("?#"));
  std::string last = path.substr(path.rfind('/') + 1);
  std::string b = base;
  while (!b.empty() && b.back() == '/') b.pop_back();
  return b + "/" + last;
}

}  // namespace

std::vector<std::string> crl_distribution_points(X509* cert) {
  std::vector<std::string> out;
  auto* dps = static_cast<CRL_DIST_POINTS*>(X509_get_ext_d2i(cert, NID_crl_distribution_points, nullptr, nullptr));
  if (!dps) return out;
  for (int i = 0; i < sk_DIST_POINT_num(dps); ++i) {
    DIST_POINT* dp = sk_DIST_POINT_value(dps, i);
    if (!dp->distpoint || dp->distpoint->type != 0) continue;  // only a full name is a location
    GENERAL_NAMES* names = dp->distpoint->name.fullname;
    for (int j = 0; j < sk_GENERAL_NAME_num(names); ++j) {
      GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, j);
      if (gn->type != GEN_URI) continue;
      const ASN1_IA5STRING* uri = gn->d.uniformResourceIdentifier;
      out.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(uri)),
                       static_cast<std::size_t>(ASN1_STRING_length(uri)));
    }
  }
  CRL_DIST_POINTS_free(dps);
  return out;
}

std::vector<std::string> crl_distribution_points_of_file(const std::string& pem_path) {
  std::unique_ptr<FILE, decltype(&fclose)> f(std::fopen(pem_path.c_str(), "r"), &fclose);
  if (!f) return {};
  X509Ptr cert(PEM_read_X509(f.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();
  return cert ? crl_distribution_points(cert.get()) : std::vector<std::string>{};
}

namespace {

// One HTTP/1.1 exchange (GET, or POST with a body), the one deadline and body limit of http_get.
Result<std::string> http_exchange(const std::string& url, const std::string* post_body, const char* content_type,
                                  const char* accept, int timeout_ms, std::size_t max_bytes) {
  namespace asio = boost::asio;
  namespace beast = boost::beast;
  namespace http = beast::http;
  using tcp = asio::ip::tcp;
  auto u = parse_http_url(url);
  if (!u) return u.error();

  // Everything runs on a private io_context with one deadline for the whole exchange, so a
  // slow resolver, a silent server or a trickled answer all end at the same time.
  asio::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  beast::flat_buffer buffer;
  http::request<http::string_body> req{post_body ? http::verb::post : http::verb::get, u->target, 11};
  req.set(http::field::host, u->host);
  req.set(http::field::user_agent, "edugate");
  req.set(http::field::accept, accept);
  if (post_body) {
    req.set(http::field::content_type, content_type);
    req.body() = *post_body;
  }
  req.keep_alive(false);
  req.prepare_payload();
  http::response_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(max_bytes);
  beast::error_code result;
  std::string step = "resolve";
  bool done = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  auto finish = [&](beast::error_code ec) {
    result = ec;
    done = true;
  };

  resolver.async_resolve(u->host, u->port, [&](beast::error_code ec, tcp::resolver::results_type results) {
    if (ec || done) return finish(ec);
    step = "connect";
    stream.expires_at(deadline);
    stream.async_connect(results, [&](beast::error_code ec, const tcp::endpoint&) {
      if (ec || done) return finish(ec);
      step = "request";
      http::async_write(stream, req, [&](beast::error_code ec, std::size_t) {
        if (ec || done) return finish(ec);
        step = "answer";
        // The header first: Beast 1.74 checks Content-Length against the body limit there, but
        // drops that error when an eager read already holds body bytes.
        http::async_read_header(stream, buffer, parser, [&](beast::error_code ec, std::size_t) {
          if (ec || done) return finish(ec);
          http::async_read(stream, buffer, parser, [&](beast::error_code ec, std::size_t) { finish(ec); });
        });
      });
    });
  });
  ioc.run_until(deadline);
  if (!done) {
    done = true;  // handlers that still run now only end
    resolver.cancel();
    beast::error_code ignored;
    stream.socket().close(ignored);
    ioc.restart();
    ioc.run();
    return make_error("CRL-FETCH", "timed out after " + std::to_string(timeout_ms) + " ms (" + step + ")");
  }
  if (result == http::error::body_limit)
    return make_error("CRL-FETCH", "answer larger than " + std::to_string(max_bytes) + " bytes");
  if (result == beast::error::timeout)
    return make_error("CRL-FETCH", "timed out after " + std::to_string(timeout_ms) + " ms (" + step + ")");
  if (result) return make_error("CRL-FETCH", step + ": " + result.message());
  if (parser.get().body().size() > max_bytes)
    return make_error("CRL-FETCH", "answer larger than " + std::to_string(max_bytes) + " bytes");
  const auto status = parser.get().result_int();
  if (status != 200) return make_error("CRL-FETCH", "HTTP " + std::to_string(status));
  return std::move(parser.get().body());
}

}  // namespace

Result<std::string> http_get(const std::string& url, int timeout_ms, std::size_t max_bytes) {
  return http_exchange(url, nullptr, "", "application/pkix-crl, application/x-pkcs7-crl, */*", timeout_ms, max_bytes);
}

Result<std::string> http_post(const std::string& url, const std::string& content_type, const std::string& body,
                              const std::string& accept, int timeout_ms, std::size_t max_bytes) {
  return http_exchange(url, &body, content_type.c_str(), accept.c_str(), timeout_ms, max_bytes);
}

bool CrlRefresh::all_ok() const {
  return std::none_of(outcomes.begin(), outcomes.end(),
                      [](const auto& o) { return o.kind == CrlFetchOutcome::Kind::failed; });
}

// The certificates we know, read fresh for each refresh.
struct CrlFetcher::Known {
  std::vector<X509Ptr> anchors;
  std::vector<X509Ptr> intermediates;  // configured intermediates and our own chain
  // Distribution point -> the DER names of the CAs whose CRL it must serve.
  std::map<std::string, std::vector<std::string>> points;

  // A certificate of the CRL's issuer that signed it and chains to a trust anchor.
  X509* signer_of(X509_CRL* crl) const {
    std::unique_ptr<AUTHORITY_KEYID, decltype(&AUTHORITY_KEYID_free)> akid(
        static_cast<AUTHORITY_KEYID*>(X509_CRL_get_ext_d2i(crl, NID_authority_key_identifier, nullptr, nullptr)),
        &AUTHORITY_KEYID_free);
    auto fits = [&](X509* c) {
      if (X509_NAME_cmp(X509_get_subject_name(c), X509_CRL_get_issuer(crl)) != 0 || X509_check_ca(c) == 0) return false;
      if (akid && X509_check_akid(c, akid.get()) != X509_V_OK) return false;
      if ((X509_get_extension_flags(c) & EXFLAG_KUSAGE) && !(X509_get_key_usage(c) & KU_CRL_SIGN)) return false;
      EVP_PKEY* key = X509_get0_pubkey(c);
      bool ok = key && X509_CRL_verify(crl, key) == 1;
      ERR_clear_error();
      return ok;
    };
    for (const auto& a : anchors)
      if (fits(a.get())) return a.get();
    for (const auto& i : intermediates)
      if (fits(i.get()) && chains_to_anchor(i.get())) return i.get();
    return nullptr;
  }

  bool chains_to_anchor(X509* cert) const {
    std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), &X509_STORE_free);
    for (const auto& a : anchors) X509_STORE_add_cert(store.get(), a.get());
    X509_STORE_set_flags(store.get(), X509_V_FLAG_X509_STRICT);
    std::unique_ptr<STACK_OF(X509), void (*)(STACK_OF(X509)*)> untrusted(sk_X509_new_null(),
                                                                         [](STACK_OF(X509) * s) { sk_X509_free(s); });
    for (const auto& i : intermediates) sk_X509_push(untrusted.get(), i.get());
    std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(), &X509_STORE_CTX_free);
    X509_STORE_CTX_init(ctx.get(), store.get(), cert, untrusted.get());
    bool ok = X509_verify_cert(ctx.get()) == 1;
    ERR_clear_error();
    return ok;
  }
};

LearnedDistributionPoints::LearnedDistributionPoints(std::string dir, std::size_t max) : dir_(std::move(dir)), max_(max) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir_, ec)) {
    const std::string name = e.path().filename().string();
    if (!e.is_regular_file(ec) || name[0] == '.' || !name.ends_with(".pem")) continue;
    std::vector<X509Ptr> certs;
    try {
      certs = read_certs(e.path().string());
    } catch (const std::exception&) {
      continue;
    }
    std::ifstream in(e.path());
    for (std::string line; std::getline(in, line) && line.rfind("-----", 0) != 0;)
      if (line.rfind("url: ", 0) == 0 && points_.size() < max_)
        points_.emplace_back(line.substr(5), X509Ptr(X509_dup(certs[0].get())));
  }
}

void LearnedDistributionPoints::already_known(const std::vector<std::string>& urls) {
  std::lock_guard lock(mu_);
  for (const auto& url : urls)
    if (std::none_of(points_.begin(), points_.end(), [&](const auto& p) { return p.first == url; })) known_.push_back(url);
}

void LearnedDistributionPoints::note(STACK_OF(X509)* chain, bool verified) {
  const int n = sk_X509_num(chain);
  for (int i = 0; i + 1 < n; ++i) {
    X509* cert = sk_X509_value(chain, i);
    X509* issuer = sk_X509_value(chain, i + 1);
    for (const auto& raw : crl_distribution_points(cert)) {
      const std::string url = printable(raw);
      std::lock_guard lock(mu_);
      if (std::find(known_.begin(), known_.end(), url) != known_.end() ||
          std::any_of(points_.begin(), points_.end(), [&](const auto& p) { return p.first == url; }))
        continue;
      if (points_.size() >= max_) {
        ++refused_;
        continue;
      }
      if (!verified) {
        // Every link, up to the anchor: a forged certificate must not choose what we fetch.
        for (int j = 0; j + 1 < n; ++j) {
          EVP_PKEY* key = X509_get0_pubkey(sk_X509_value(chain, j + 1));
          if (!key || X509_verify(sk_X509_value(chain, j), key) != 1) {
            ERR_clear_error();
            return;
          }
        }
        verified = true;
      }
      points_.emplace_back(url, X509Ptr(X509_dup(issuer)));
      news_.push_back(points_.back().first);
    }
  }
}

std::vector<std::string> LearnedDistributionPoints::take_news(std::size_t* refused) {
  std::lock_guard lock(mu_);
  if (refused) *refused = std::exchange(refused_, 0);
  return std::exchange(news_, {});
}

std::vector<std::pair<std::string, X509Ptr>> LearnedDistributionPoints::points() const {
  std::lock_guard lock(mu_);
  std::vector<std::pair<std::string, X509Ptr>> out;
  for (const auto& [url, ca] : points_) out.emplace_back(url, X509Ptr(X509_dup(ca.get())));
  return out;
}

Status LearnedDistributionPoints::save() const {
  const auto learned = points();
  std::map<std::string, std::pair<std::string, X509*>> files;  // file name -> (url lines, CA)
  for (const auto& [url, ca] : learned) {
    auto& f = files[cache_name(X509_get_subject_name(ca.get())) + ".pem"];
    f.first += "url: " + url + "\n";
    f.second = ca.get();
  }
  {
    std::error_code ec;
    fs::create_directories(dir_, ec);
    for (const auto& [name, f] : files) {
      BioPtr bio(BIO_new(BIO_s_mem()));
      if (PEM_write_bio_X509(bio.get(), f.second) != 1) continue;
      char* data = nullptr;
      const long len = BIO_get_mem_data(bio.get(), &data);
      std::string content = f.first + std::string(data, static_cast<std::size_t>(len));
      if (std::ifstream in(dir_ + "/" + name); in) {
        std::string old((std::istreambuf_iterator<char>(in)), {});
        if (old == content) continue;
      }
      if (auto st = write_atomically(dir_, name, content); !st) return st;
    }
  }
  return ok_status();
}

CrlFetcher::CrlFetcher(TlsSettings tls, CrlFetchSettings settings, std::shared_ptr<LearnedDistributionPoints> learned)
    : tls_(std::move(tls)), settings_(std::move(settings)), learned_(std::move(learned)) {
  if (settings_.cache_dir.empty()) throw std::runtime_error("crl_fetch: no cache directory");
  std::error_code ec;
  fs::create_directories(settings_.cache_dir, ec);
  if (!fs::is_directory(settings_.cache_dir))
    throw std::runtime_error("cannot create CRL cache directory " + settings_.cache_dir);
  const auto points = urls();  // unreadable certificate files are a start-up error
  if (learned_) learned_->already_known(points);
}

CrlFetcher::Known CrlFetcher::known() const {
  Known k;
  k.anchors = read_certs(tls_.trust_anchors);
  for (const auto& f : settings_.intermediates)
    for (auto& c : read_certs(f)) k.intermediates.push_back(std::move(c));
  for (auto& c : read_certs(tls_.certificate)) k.intermediates.push_back(std::move(c));
  auto collect = [&](X509* c) {
    const std::string issuer = der_of(X509_get_issuer_name(c));
    for (const auto& url : crl_distribution_points(c)) {
      auto& issuers = k.points[url];
      if (std::find(issuers.begin(), issuers.end(), issuer) == issuers.end()) issuers.push_back(issuer);
    }
  };
  for (const auto& c : k.anchors) collect(c.get());
  for (const auto& c : k.intermediates) collect(c.get());
  for (const auto& url : settings_.urls) k.points.try_emplace(url);  // no expected issuer: any CA we know
  // A learned CA is a candidate signer like a configured intermediate: signer_of still wants it
  // to chain to an anchor.
  if (learned_)
    for (auto& [url, ca] : learned_->points()) {
      const std::string issuer = der_of(X509_get_subject_name(ca.get()));
      auto& issuers = k.points[url];
      if (std::find(issuers.begin(), issuers.end(), issuer) == issuers.end()) issuers.push_back(issuer);
      k.intermediates.push_back(std::move(ca));
    }
  return k;
}

std::vector<std::string> CrlFetcher::urls() const {
  std::vector<std::string> out;
  for (const auto& [url, issuers] : known().points) out.push_back(url);
  return out;
}

std::vector<CrlFetchOutcome> CrlFetcher::check_cache() {
  std::lock_guard lock(mu_);
  std::vector<CrlFetchOutcome> out;
  Known k;
  try {
    k = known();
  } catch (const std::exception& e) {
    out.push_back({CrlFetchOutcome::Kind::failed, "", "", e.what(), 0});
    return out;
  }
  // Leftovers of a write that did not finish (a crash between mkstemp and rename).
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(settings_.cache_dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name[0] == '.' && name.find(".crl.pem.") != std::string::npos) fs::remove(e.path(), ec);
  }
  TlsSettings cache_only;
  cache_only.crl_cache_dir = settings_.cache_dir;
  for (const auto& file : crl_files(cache_only)) {
    auto crls = read_crls(file);
    std::string reason;
    if (crls.size() != 1)
      reason = "not one PEM CRL";
    else if (cache_name(X509_CRL_get_issuer(crls[0].get())) != fs::path(file).filename().string())
      reason = "file name does not match the CRL's issuer";
    else if (!k.signer_of(crls[0].get()))
      reason = "signature does not verify with a CA certificate chaining to a trust anchor";
    if (reason.empty()) continue;
    fs::rename(file, file + ".invalid", ec);
    out.push_back({CrlFetchOutcome::Kind::failed, printable(file),
                   crls.empty() ? "" : oneline(X509_CRL_get_issuer(crls[0].get())), reason + "; set aside as .invalid",
                   0});
  }
  return out;
}

CrlRefresh CrlFetcher::refresh(TlsContexts& tls) {
  std::lock_guard lock(mu_);
  CrlRefresh r;
  Known k;
  try {
    k = known();
  } catch (const std::exception& e) {
    r.outcomes.push_back({CrlFetchOutcome::Kind::failed, "", "", e.what(), 0});
    return r;
  }
  for (const auto& [url, issuers] : k.points) {
    r.outcomes.push_back(fetch_one(k, url, issuers));
    r.changed |= r.outcomes.back().kind == CrlFetchOutcome::Kind::updated;
  }
  if (learned_)
    if (auto st = learned_->save(); !st) r.outcomes.push_back({CrlFetchOutcome::Kind::failed, "", "", st.error().message, 0});
  if (r.changed) r.reload = tls.reload();
  return r;
}

CrlFetchOutcome CrlFetcher::fetch_one(const Known& k, const std::string& url, const std::vector<std::string>& issuers) {
  CrlFetchOutcome o;
  o.url = printable(url);
  if (!is_http(url)) {
    o.kind = CrlFetchOutcome::Kind::skipped;
    o.reason = "only http:// distribution points are fetched";
    if (!issuers.empty()) o.issuer = oneline_of_der(issuers.front());
    return o;
  }
  const std::string fetch_url = with_base(url, settings_.url_base);
  o.url = printable(fetch_url);
  return judge(k, issuers, http_get(fetch_url, settings_.timeout_ms, settings_.max_bytes), std::move(o));
}

CrlFetchOutcome CrlFetcher::accept_answer(const std::string& url, const std::string& body) {
  std::lock_guard lock(mu_);
  CrlFetchOutcome o;
  o.url = printable(url);
  Known k;
  try {
    k = known();
  } catch (const std::exception& e) {
    o.reason = e.what();
    return o;
  }
  auto it = k.points.find(url);
  if (it == k.points.end()) {
    o.reason = "not a distribution point of a certificate we know";
    return o;
  }
  return judge(k, it->second, body, std::move(o));
}

CrlFetchOutcome CrlFetcher::judge(const Known& k, const std::vector<std::string>& issuers,
                                  const Result<std::string>& body, CrlFetchOutcome o) {
  // The CA whose CRL this is: the one the distribution point belongs to (none for a
  // configured URL until the CRL names it).
  std::unique_ptr<X509_NAME, decltype(&X509_NAME_free)> expected(nullptr, &X509_NAME_free);
  auto expect = [&](const X509_NAME* name) {
    expected.reset(X509_NAME_dup(name));
    o.issuer = oneline(name);
  };
  if (!issuers.empty()) {
    const auto* p = reinterpret_cast<const unsigned char*>(issuers.front().data());
    std::unique_ptr<X509_NAME, decltype(&X509_NAME_free)> name(
        d2i_X509_NAME(nullptr, &p, static_cast<long>(issuers.front().size())), &X509_NAME_free);
    if (name) expect(name.get());
  }
  // What we hold for this CA now (configured files and cache): its nextUpdate goes in the log.
  auto held_next_update = [&]() {
    std::int64_t best = 0;
    if (!expected) return best;
    TlsSettings held = tls_;
    held.crl_cache_dir = settings_.cache_dir;
    for (const auto& file : crl_files(held))
      for (const auto& crl : read_crls(file))
        if (X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), expected.get()) == 0)
          best = std::max(best, unix_time(X509_CRL_get0_nextUpdate(crl.get())));
    return best;
  };
  auto fail = [&](std::string reason) {
    o.kind = CrlFetchOutcome::Kind::failed;
    o.reason = std::move(reason);
    o.next_update = held_next_update();
    return o;
  };

  if (!body) return fail(body.error().message);
  CrlPtr crl = parse_crl(*body);
  if (!crl) return fail("the answer is not a CRL (DER or PEM)");
  const X509_NAME* issuer = X509_CRL_get_issuer(crl.get());
  if (issuers.empty())
    expect(issuer);
  else if (std::find(issuers.begin(), issuers.end(), der_of(issuer)) == issuers.end())
    return fail("CRL of " + oneline(issuer) + ", not of the CA this distribution point belongs to");
  if (X509_CRL_get_ext_by_NID(crl.get(), NID_delta_crl, -1) >= 0) return fail("a delta CRL (not used)");
  if (!k.signer_of(crl.get()))
    return fail("signature does not verify with a certificate of " + oneline(issuer) + " chaining to a trust anchor");
  const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
  if (unix_time(X509_CRL_get0_lastUpdate(crl.get())) > now + 300) return fail("its lastUpdate lies in the future");

  const std::string name = cache_name(issuer);
  const std::string path = settings_.cache_dir + "/" + name;
  auto cached = read_crls(path);
  if (!cached.empty()) {
    if (crl_der(cached[0].get()) == crl_der(crl.get())) {
      o.kind = CrlFetchOutcome::Kind::unchanged;
      o.next_update = held_next_update();
      return o;
    }
    if (compare_age(crl.get(), cached[0].get()) < 0)
      return fail("older than the CRL held (crlNumber " + crl_number_text(crl.get()) + " < " +
                  crl_number_text(cached[0].get()) + ")");
  }
  if (auto st = write_atomically(settings_.cache_dir, name, crl_pem(crl.get())); !st) return fail(st.error().message);
  o.kind = CrlFetchOutcome::Kind::updated;
  o.next_update = held_next_update();
  return o;
}

}  // namespace edugate::security
