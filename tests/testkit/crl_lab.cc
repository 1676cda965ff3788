#include "crl_lab.h"

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace edugate::testkit {

namespace fs = std::filesystem;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

const std::string kPki = EDUGATE_TEST_PKI_DIR;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void sh(const std::string& command) {
  if (std::system((command + " >/dev/null 2>&1").c_str()) != 0) throw std::runtime_error("failed: " + command);
}

struct Session : std::enable_shared_from_this<Session> {
  Session(tcp::socket s, const std::string& dir, int delay_ms)
      : stream(std::move(s)), timer(stream.get_executor()), dir(dir), delay_ms(delay_ms) {}

  void run() {
    stream.expires_after(std::chrono::seconds(30));
    http::async_read(stream, buffer, request, [self = shared_from_this()](beast::error_code ec, std::size_t) {
      if (ec) return;
      self->timer.expires_after(std::chrono::milliseconds(self->delay_ms));
      self->timer.async_wait([self](beast::error_code) { self->answer(); });
    });
  }

  void answer() {
    std::string target(request.target());
    const std::string prefix = "/crl/";
    response.version(11);
    response.keep_alive(false);
    const std::string name = target.rfind(prefix, 0) == 0 ? target.substr(prefix.size()) : "";
    if (!name.empty() && name.find('/') == std::string::npos && fs::is_regular_file(dir + "/" + name)) {
      response.result(http::status::ok);
      response.set(http::field::content_type, "application/pkix-crl");
      response.body() = slurp(dir + "/" + name);
    } else {
      response.result(http::status::not_found);
      response.body() = "not found\n";
    }
    response.prepare_payload();
    http::async_write(stream, response, [self = shared_from_this()](beast::error_code, std::size_t) {
      beast::error_code ignored;
      self->stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    });
  }

  beast::tcp_stream stream;
  asio::steady_timer timer;
  beast::flat_buffer buffer;
  http::request<http::empty_body> request;
  http::response<http::string_body> response;
  std::string dir;
  int delay_ms;
};

}  // namespace

struct CrlServer::Impl {
  std::string dir;
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::thread thread;
  std::atomic<int> requests{0};
  std::atomic<int> delay_ms{0};

  void accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) return;
      ++requests;
      std::make_shared<Session>(std::move(socket), dir, delay_ms.load())->run();
      accept();
    });
  }
};

CrlServer::CrlServer(std::string dir, unsigned short port) : impl_(std::make_unique<Impl>()) {
  impl_->dir = std::move(dir);
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), port);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  beast::error_code ec;
  impl_->acceptor.bind(ep, ec);
  if (ec)
    throw std::runtime_error("CRL test server cannot bind 127.0.0.1:" + std::to_string(port) + ": " + ec.message());
  impl_->acceptor.listen();
  impl_->accept();
  impl_->thread = std::thread([this] { impl_->ioc.run(); });
}

CrlServer::~CrlServer() { stop(); }

void CrlServer::stop() {
  if (!impl_->thread.joinable()) return;
  impl_->ioc.stop();
  impl_->thread.join();
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
}

unsigned short CrlServer::port() const { return impl_->acceptor.local_endpoint().port(); }
int CrlServer::requests() const { return impl_->requests; }
void CrlServer::set_delay_ms(int ms) { impl_->delay_ms = ms; }

void copy_pki_crls(const std::string& dir) {
  fs::create_directories(dir);
  for (const auto& e : fs::directory_iterator(kPki + "/crl"))
    if (e.path().extension() == ".crl")
      fs::copy_file(e.path(), dir + "/" + e.path().filename().string(), fs::copy_options::overwrite_existing);
}

CaCopy::CaCopy(const std::string& ca, const std::string& dir) : dir_(dir) {
  fs::create_directories(fs::path(dir_).parent_path());
  fs::copy(kPki + "/ca-db/" + ca, dir_, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  std::string cnf = slurp(dir_ + "/ca.cnf");
  cnf = std::regex_replace(cnf, std::regex("(^|\n)dir = [^\n]*"), "$1dir = " + dir_);
  std::ofstream(dir_ + "/ca.cnf") << cnf;
}

void CaCopy::revoke(const std::string& cert_pem) {
  sh("openssl ca -batch -config " + dir_ + "/ca.cnf -revoke " + cert_pem + " -crl_reason keyCompromise");
}

void CaCopy::write_crl_der(const std::string& out_path) {
  sh("openssl ca -batch -config " + dir_ + "/ca.cnf -gencrl -out " + dir_ + "/next.crl.pem");
  sh("openssl crl -in " + dir_ + "/next.crl.pem -outform DER -out " + out_path);
}

namespace {
X509* read_cert(const std::string& path) {
  std::unique_ptr<FILE, decltype(&fclose)> f(std::fopen(path.c_str(), "r"), &fclose);
  if (!f) throw std::runtime_error("cannot read " + path);
  X509* c = PEM_read_X509(f.get(), nullptr, nullptr, nullptr);
  if (!c) throw std::runtime_error("no certificate in " + path);
  return c;
}
EVP_PKEY* read_key(const std::string& path) {
  std::unique_ptr<FILE, decltype(&fclose)> f(std::fopen(path.c_str(), "r"), &fclose);
  if (!f) throw std::runtime_error("cannot read " + path);
  EVP_PKEY* k = PEM_read_PrivateKey(f.get(), nullptr, nullptr, nullptr);
  if (!k) throw std::runtime_error("no key in " + path);
  return k;
}
}  // namespace

void forge_crl(const std::string& issuer_cert_pem, const std::string& key_pem, const std::string& out_path) {
  std::unique_ptr<X509, decltype(&X509_free)> issuer(read_cert(issuer_cert_pem), &X509_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(read_key(key_pem), &EVP_PKEY_free);
  std::unique_ptr<X509_CRL, decltype(&X509_CRL_free)> crl(X509_CRL_new(), &X509_CRL_free);
  X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2);
  X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer.get()));
  std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)> last(X509_gmtime_adj(nullptr, 0), &ASN1_TIME_free);
  std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)> next(X509_gmtime_adj(nullptr, 30L * 86400), &ASN1_TIME_free);
  X509_CRL_set1_lastUpdate(crl.get(), last.get());
  X509_CRL_set1_nextUpdate(crl.get(), next.get());
  std::unique_ptr<ASN1_INTEGER, decltype(&ASN1_INTEGER_free)> number(ASN1_INTEGER_new(), &ASN1_INTEGER_free);
  ASN1_INTEGER_set(number.get(), 999999);
  X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, number.get(), 0, 0);
  if (X509_CRL_sign(crl.get(), key.get(), EVP_sha256()) <= 0) throw std::runtime_error("cannot sign the forged CRL");
  std::unique_ptr<BIO, decltype(&BIO_free)> out(BIO_new_file(out_path.c_str(), "wb"), &BIO_free);
  if (!out || i2d_X509_CRL_bio(out.get(), crl.get()) != 1) throw std::runtime_error("cannot write " + out_path);
}

void ca_with_distribution_points(const std::vector<std::string>& uris, const std::string& out_path) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), &X509_free);
  X509_set_version(cert.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 4242);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("edugate TEST odd CDP CA"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 86400);
  X509_set_pubkey(cert.get(), key.get());
  std::string value;
  for (const auto& u : uris) value += (value.empty() ? "URI:" : ",URI:") + u;
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, NID_crl_distribution_points, value.c_str());
  if (!ext) throw std::runtime_error("bad distribution points " + value);
  X509_add_ext(cert.get(), ext, -1);
  X509_EXTENSION_free(ext);
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) throw std::runtime_error("cannot sign the test certificate");
  std::unique_ptr<FILE, decltype(&fclose)> f(std::fopen(out_path.c_str(), "w"), &fclose);
  if (!f || PEM_write_X509(f.get(), cert.get()) != 1) throw std::runtime_error("cannot write " + out_path);
}

}  // namespace edugate::testkit
