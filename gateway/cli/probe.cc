#include "gateway/cli/probe.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <boost/asio/ssl.hpp>
#include <boost/beast/http.hpp>
#include <libxml/tree.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "gateway/ops/config.h"
#include "gateway/soap/contract.h"
#include "gateway/soap/envelope.h"
#include "gateway/outbound/json_xml.h"
#include "gateway/ops/log.h"
#include "security/https_client.h"
#include "security/pki.h"
#include "security/xml_guard.h"
#include "core/rules.h"
#include "core/url.h"

namespace edugate::gateway::probe {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace {
// A check's id: the catalogue's rule id, with a variant where one rule has several checks.
std::string check_id(const rules::Rule& r, std::string_view variant = {}) { return std::string(r.code) + std::string(variant); }
}  // namespace
using ojson = nlohmann::ordered_json;

const char* to_string(Verdict v) {
  switch (v) {
    case Verdict::pass: return "PASS";
    case Verdict::fail: return "FAIL";
    case Verdict::skip: return "SKIP";
  }
  return "?";
}

bool Report::passed() const {
  for (const auto& c : checks)
    if (c.verdict == Verdict::fail) return false;
  return true;
}

namespace {

struct Target {
  std::string host, port, path;
};

Target parse_target(const std::string& url, const std::string& service_path) {
  if (url.rfind("https://", 0) != 0) throw std::invalid_argument("URL must start with https:// (Edukoppeling is mutual TLS): " + url);
  auto u = parse_url(url);
  if (!u) throw std::invalid_argument("URL has no usable host and port: " + url + " (" + u.error().message + ")");
  Target t{u->host, u->port, u->path()};
  while (!t.path.empty() && t.path.back() == '/') t.path.pop_back();
  if (t.path.empty()) t.path = service_path;
  return t;
}

std::string ssl_text(const beast::error_code& ec) {
  std::string m = ec.message();
  if (ec.category() == asio::error::get_ssl_category()) {
    char buf[256];
    ERR_error_string_n(static_cast<unsigned long>(ec.value()), buf, sizeof buf);
    m = buf;
  }
  return m;
}

// What a TLS client offers in one attempt.
struct Offer {
  int min_version = TLS1_2_VERSION, max_version = TLS1_3_VERSION;
  std::string tls12_ciphers;  // empty: the NCSC-good list
  std::string tls13_suites;   // empty: the NCSC-good list
  bool legacy = false;        // security level 0, so TLS 1.0/1.1 and weak suites can be offered at all
  bool client_certificate = true;
};

struct HttpAnswer {
  int status = 0;
  std::string body, content_type, error;
};

// One TLS connection to the endpoint; requests on it share the session (keep-alive).
class Connection {
 public:
  Connection(const Target& t, const Options& o, const Offer& offer)
      : t_(t), o_(o), ctx_(std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client)), conn_(security::Peer(t.host, t.port, ctx_)) {
    SSL_CTX* c = ctx_->native_handle();
    SSL_CTX_set_security_level(c, offer.legacy ? 0 : 2);
    SSL_CTX_set_min_proto_version(c, offer.min_version);
    SSL_CTX_set_max_proto_version(c, offer.max_version);
    SSL_CTX_set_options(c, SSL_OP_NO_COMPRESSION);
    if (SSL_CTX_set_cipher_list(c, offer.tls12_ciphers.empty() ? security::kTls12Ciphers : offer.tls12_ciphers.c_str()) != 1 &&
        offer.max_version <= TLS1_2_VERSION)
      local_refusal_ = "this OpenSSL cannot offer the suites " + offer.tls12_ciphers;
    ERR_clear_error();
    SSL_CTX_set_ciphersuites(c, offer.tls13_suites.empty() ? security::kTls13Suites : offer.tls13_suites.c_str());
    if (offer.client_certificate) {
      if (SSL_CTX_use_certificate_chain_file(c, o.tls.certificate.c_str()) != 1 ||
          SSL_CTX_use_PrivateKey_file(c, o.tls.private_key.c_str(), SSL_FILETYPE_PEM) != 1)
        throw std::invalid_argument("cannot load the client certificate " + o.tls.certificate + " or key " + o.tls.private_key);
    }
    if (SSL_CTX_load_verify_locations(c, o.tls.trust_anchors.c_str(), nullptr) != 1)
      throw std::invalid_argument("cannot load trust anchors " + o.tls.trust_anchors);
    X509_STORE* store = SSL_CTX_get_cert_store(c);
    if (o.tls.check_revocation) {
      for (const auto& f : security::crl_files(o.tls)) X509_STORE_load_file(store, f.c_str());
      X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL | X509_V_FLAG_X509_STRICT);
    }
    X509_STORE_set_purpose(store, X509_PURPOSE_SSL_SERVER);
    // The chain is judged by CERT-CHAIN from the verify result; the connection goes on, so the
    // other checks still say something about an endpoint with a bad certificate.
    SSL_CTX_set_verify(c, SSL_VERIFY_PEER, [](int, X509_STORE_CTX*) { return 1; });
    ERR_clear_error();
  }

  // Resolves, connects and completes the handshake within the timeout; false with error() set
  // when that fails.
  bool open() {
    if (!local_refusal_.empty()) {
      error_ = local_refusal_;
      return false;
    }
    auto e = conn_.open(security::deadline_in(std::chrono::milliseconds(o_.timeout_ms)));
    if (!e) return true;
    switch (e->phase) {
      case security::Phase::resolve: return fail("cannot resolve " + t_.host + ": " + e->message());
      case security::Phase::handshake: {
        std::string why = ssl_text(e->ec);
        if (why.find("no protocols available") != std::string::npos || why.find("no ciphers available") != std::string::npos)
          local_refusal_ = why;
        return fail("TLS handshake refused: " + why);
      }
      default: return fail("cannot connect: " + e->message());
    }
  }

  // Sends raw request bytes (head and body) and reads one answer. announced: a larger
  // Content-Length than what is sent (the size check); the answer must then come early.
  HttpAnswer send(const std::string& head_and_body) {
    HttpAnswer a;
    const auto timeout = std::chrono::milliseconds(o_.timeout_ms);
    auto wrote = conn_.write(head_and_body, security::deadline_in(timeout));
    security::HttpsClient::Response res;
    if (auto e = conn_.read(res, 64u << 20, security::deadline_in(timeout))) {
      a.error = e->timed_out() ? "no answer within " + std::to_string(o_.timeout_ms) + " ms"
                               : "no answer: " + ssl_text(e->ec) + (wrote ? " (writing: " + wrote->message() + ")" : "");
      return a;
    }
    a.status = static_cast<int>(res.result_int());
    a.content_type = std::string(res[http::field::content_type]);
    a.body = std::move(res.body());
    return a;
  }

  SSL* ssl() { return conn_.ssl(); }
  const std::string& error() const { return error_; }
  bool refused_locally() const { return !local_refusal_.empty(); }

 private:
  bool fail(std::string why) {
    error_ = std::move(why);
    return false;
  }
  const Target& t_;
  const Options& o_;
  std::shared_ptr<asio::ssl::context> ctx_;
  security::HttpsClient conn_;
  std::string error_, local_refusal_;
};

std::string http_request(const Target& t, const std::string& soap_action, const std::string& body,
                         const std::string& content_type = "text/xml; charset=utf-8",
                         std::optional<std::size_t> announced = std::nullopt) {
  std::ostringstream r;
  r << "POST " << t.path << " HTTP/1.1\r\nHost: " << t.host << ":" << t.port << "\r\nContent-Type: " << content_type
    << "\r\nSOAPAction: \"" << soap_action << "\"\r\nContent-Length: " << announced.value_or(body.size()) << "\r\n\r\n"
    << body;
  return r.str();
}

// The parts of an envelope a check varies; empty fields are left out.
struct Env {
  std::string to, from, action, message_id, reply_to, extra_headers, body;
  std::string soap_ns = kSoap11Ns;
  std::string prolog;  // before the root element (a DOCTYPE)
};

std::string render(const Env& e) {
  std::string h;
  if (!e.to.empty()) h += "<wsa:To>" + xml_escape(e.to) + "</wsa:To>";
  if (!e.from.empty()) h += "<wsa:From><wsa:Address>" + xml_escape(e.from) + "</wsa:Address></wsa:From>";
  if (!e.action.empty()) h += "<wsa:Action>" + xml_escape(e.action) + "</wsa:Action>";
  if (!e.message_id.empty()) h += "<wsa:MessageID>" + xml_escape(e.message_id) + "</wsa:MessageID>";
  if (!e.reply_to.empty()) h += "<wsa:ReplyTo><wsa:Address>" + xml_escape(e.reply_to) + "</wsa:Address></wsa:ReplyTo>";
  h += e.extra_headers;
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>" + e.prolog + "<soap:Envelope xmlns:soap=\"" + e.soap_ns +
         "\" xmlns:wsa=\"" + kWsaNs + "\"><soap:Header>" + h + "</soap:Header><soap:Body>" + e.body +
         "</soap:Body></soap:Envelope>";
}

// An answer as the checks see it.
struct Seen {
  HttpAnswer http;
  bool soap11 = false;
  std::string parse_error;
  WsaHeaders wsa;
  bool fault = false;
  std::string faultcode, faultstring, code, body_element;
};

Seen look(HttpAnswer a) {
  Seen s;
  s.http = std::move(a);
  if (s.http.status == 0) return s;
  auto doc = security::parse_guarded(s.http.body);
  if (!doc) {
    s.parse_error = "not a well-formed SOAP answer: " + doc.error().message;
    return s;
  }
  auto env = read_envelope(std::move(doc).value(), /*allow_wsse=*/true);
  if (!env) {
    s.parse_error = "not a SOAP 1.1 envelope: " + env.error().message;
    return s;
  }
  s.soap11 = true;
  s.wsa = env->wsa;
  const xmlNode* body = env->body_child;
  s.body_element = reinterpret_cast<const char*>(body->name);
  if (auto f = read_fault(body)) {
    s.fault = true;
    s.faultcode = std::move(f->faultcode);
    s.faultstring = std::move(f->faultstring);
    s.code = std::move(f->code);
    if (s.code.empty() && s.faultstring.size() > 7 && s.faultstring[6] == ':') s.code = s.faultstring.substr(0, 6);
  }
  return s;
}

std::string describe(const Seen& s) {
  if (s.http.status == 0) return s.http.error;
  std::string d = "HTTP " + std::to_string(s.http.status);
  if (!s.parse_error.empty()) return d + ", " + s.parse_error;
  if (s.fault) return d + ", soap:Fault faultcode=" + s.faultcode + " code=" + (s.code.empty() ? "(none)" : s.code) + " faultstring=\"" +
                      s.faultstring.substr(0, 120) + "\"";
  return d + ", answer <" + s.body_element + ">";
}

ojson seen_json(const Seen& s) {
  ojson j = ojson::object();
  if (s.http.status == 0) {
    j["error"] = s.http.error;
    return j;
  }
  j["http_status"] = s.http.status;
  j["content_type"] = s.http.content_type;
  if (!s.parse_error.empty()) j["parse_error"] = s.parse_error;
  if (s.fault) j["fault"] = {{"faultcode", s.faultcode}, {"code", s.code}, {"faultstring", s.faultstring}};
  else if (!s.body_element.empty()) j["body_element"] = s.body_element;
  ojson wsa = ojson::object();
  auto put = [&](const char* k, const std::optional<std::string>& v) {
    if (v) wsa[k] = *v;
  };
  put("To", s.wsa.to);
  put("From", s.wsa.from);
  put("Action", s.wsa.action);
  put("MessageID", s.wsa.message_id);
  put("RelatesTo", s.wsa.relates_to);
  if (!wsa.empty()) j["wsa"] = wsa;
  return j;
}

std::string tls_version_name(int v) {
  switch (v) {
    case TLS1_VERSION: return "TLSv1.0";
    case TLS1_1_VERSION: return "TLSv1.1";
    case TLS1_2_VERSION: return "TLSv1.2";
    case TLS1_3_VERSION: return "TLSv1.3";
  }
  return "?";
}

bool good_suite(const std::string& name) {
  auto in = [&](const char* list) {
    std::string l = std::string(":") + list + ":";
    return l.find(":" + name + ":") != std::string::npos;
  };
  return in(security::kTls12Ciphers) || in(security::kTls13Suites);
}

class Prober {
 public:
  explicit Prober(const Options& o) : o_(o) {
    if (o.contract_dir.empty()) throw std::invalid_argument("no contract directory");
    contract_ = load_contract(o.contract_dir, o.service);
    op_ = contract_.by_name(o.action);
    if (!op_) op_ = contract_.by_action(o.action);
    if (!op_) throw std::invalid_argument("service " + o.service + " has no operation " + o.action);
    target_ = parse_target(o.url, contract_.path);
    for (const char* f : {"certificate", "private_key", "trust_anchors"}) {
      const std::string& p = std::string(f) == "certificate" ? o.tls.certificate
                             : std::string(f) == "private_key" ? o.tls.private_key
                                                               : o.tls.trust_anchors;
      if (p.empty() || !std::ifstream(p)) throw std::invalid_argument(std::string("cannot read the ") + f + " file '" + p + "'");
    }
    if (o.our_oin) {
      our_oin_ = *o.our_oin;
    } else {
      auto id = security::identity_of_file(o.tls.certificate);
      if (!id) throw std::invalid_argument(o.tls.certificate + ": no OIN in the certificate (" + id.error().message + "); give --oin");
      our_oin_ = id->oin;
    }
    std::ifstream in(o.request_file, std::ios::binary);
    if (!in) throw std::invalid_argument("cannot read the request file '" + o.request_file + "'");
    std::string text((std::istreambuf_iterator<char>(in)), {});
    auto first = text.find_first_not_of(" \t\r\n");
    if (first != std::string::npos && text[first] == '{') {
      ojson j;
      try {
        j = ojson::parse(text);
      } catch (const std::exception&) {
        throw std::invalid_argument(o.request_file + ": not valid JSON");
      }
      auto x = XsdModel::load(o.contract_dir)->json_to_xml(contract_.target_ns, op_->input_element, j);
      if (!x) throw std::invalid_argument(o.request_file + ": " + x.error().message);
      body_ = *x;
    } else {
      if (first != std::string::npos && text.compare(first, 5, "<?xml") == 0) {
        auto end = text.find("?>", first);
        text = end == std::string::npos ? text : text.substr(end + 2);
      }
      body_ = text;
    }
  }

  Report run() {
    Report r;
    r.url = "https://" + target_.host + ":" + target_.port + target_.path;
    tls_checks(r);
    message_checks(r);
    return r;
  }

 private:
  void add(Report& r, std::string rule, std::string title, Verdict v, std::string evidence, ojson details = ojson::object()) {
    r.checks.push_back({std::move(rule), std::move(title), v, std::move(evidence), std::move(details)});
  }

  Oin server_oin() const { return o_.expect_oin ? *o_.expect_oin : seen_server_oin_.value_or(our_oin_); }
  std::string to_address() const { return address_with_oin("https://" + target_.host + ":" + target_.port + target_.path, server_oin()); }

  Env good(const std::string& message_id) const {
    Env e;
    e.to = to_address();
    e.from = anonymous_with_oin(our_oin_);
    e.action = op_->input_action;
    e.message_id = message_id;
    e.body = body_;
    return e;
  }

  Seen exchange(const std::string& raw) {
    Connection c(target_, o_, Offer{});
    if (!c.open()) {
      HttpAnswer a;
      a.error = c.error();
      return look(a);
    }
    return look(c.send(raw));
  }

  // --- TLS ---
  void tls_checks(Report& r) {
    // The server's certificate, from a handshake with our normal offer.
    {
      Connection c(target_, o_, Offer{});
      if (!c.open()) {
        add(r, "CERT-CHAIN", "the server certificate chains to a trusted anchor (with CRLs)", Verdict::fail,
            "no TLS connection with the normal offer (TLS 1.2-1.3, NCSC suites): " + c.error());
        add(r, "CERT-OIN", "the server certificate carries the expected OIN in subject.serialNumber", Verdict::fail,
            "no TLS connection: " + c.error());
      } else {
        SSL* ssl = c.ssl();
        long verify = SSL_get_verify_result(ssl);
        ojson chain = ojson::array();
        if (STACK_OF(X509)* peer = SSL_get_peer_cert_chain(ssl))
          for (int i = 0; i < sk_X509_num(peer); ++i) {
            char buf[512];
            X509_NAME_oneline(X509_get_subject_name(sk_X509_value(peer, i)), buf, sizeof buf);
            chain.push_back(buf);
          }
        ojson d{{"chain", chain}, {"verify_result", X509_verify_cert_error_string(verify)},
                {"revocation_checked", o_.tls.check_revocation}};
        add(r, "CERT-CHAIN", "the server certificate chains to a trusted anchor (with CRLs)",
            verify == X509_V_OK ? Verdict::pass : Verdict::fail,
            std::string("verification: ") + X509_verify_cert_error_string(verify) + "; chain sent: " +
                std::to_string(chain.size()) + " certificate(s)" + (o_.tls.check_revocation ? "" : "; revocation not checked (no CRLs given)"),
            d);
        X509* cert = SSL_get1_peer_certificate(ssl);
        auto id = cert ? security::identity_of(cert) : Result<security::PeerIdentity>(make_error("", "no certificate"));
        if (cert) X509_free(cert);
        if (!id) {
          add(r, "CERT-OIN", "the server certificate carries the expected OIN in subject.serialNumber", Verdict::fail,
              "no OIN in the server certificate: " + id.error().message);
        } else {
          seen_server_oin_ = id->oin;
          ojson od{{"subject", id->subject}, {"oin", id->oin.str()}};
          if (!o_.expect_oin)
            add(r, "CERT-OIN", "the server certificate carries the expected OIN in subject.serialNumber", Verdict::skip,
                "no expected OIN given (--expect-oin); the certificate carries " + id->oin.str(), od);
          else
            add(r, "CERT-OIN", "the server certificate carries the expected OIN in subject.serialNumber",
                id->oin == *o_.expect_oin ? Verdict::pass : Verdict::fail,
                "expected " + o_.expect_oin->str() + ", the certificate carries " + id->oin.str() + " (" + id->subject + ")", od);
        }
      }
    }
    version_check(r, "TLS-1.0-REFUSED", "TLS 1.0 is refused", TLS1_VERSION, false);
    version_check(r, "TLS-1.1-REFUSED", "TLS 1.1 is refused", TLS1_1_VERSION, false);
    version_check(r, "TLS-1.2-ACCEPTED", "TLS 1.2 is accepted", TLS1_2_VERSION, true);
    version_check(r, "TLS-1.3-ACCEPTED", "TLS 1.3 is accepted (preferred)", TLS1_3_VERSION, true);
    suite_refused(r, "TLS-NO-STATIC-RSA", "no static RSA key exchange", "AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES128-SHA");
    suite_refused(r, "TLS-NO-CBC", "no CBC suites",
                  "ECDHE-ECDSA-AES128-SHA256:ECDHE-RSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES256-SHA384:"
                  "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA");
    suite_refused(r, "TLS-NO-DHE", "key exchange by ECDHE only (no finite-field DHE)",
                  "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305");
    {
      // Offered everything this OpenSSL has: what the server picks must be NCSC-good.
      Offer all{TLS1_2_VERSION, TLS1_2_VERSION, "ALL:@SECLEVEL=0", "", true, true};
      Connection c(target_, o_, all);
      if (!c.open()) {
        add(r, "TLS-SUITE-GOOD", "the suite chosen from a broad TLS 1.2 offer is NCSC-good", Verdict::fail,
            "offered every TLS 1.2 suite: " + c.error());
      } else {
        std::string suite = SSL_get_cipher_name(c.ssl());
        add(r, "TLS-SUITE-GOOD", "the suite chosen from a broad TLS 1.2 offer is NCSC-good",
            good_suite(suite) ? Verdict::pass : Verdict::fail, "offered every TLS 1.2 suite; the server chose " + suite,
            {{"suite", suite}});
      }
    }
    {
      Offer no_cert;
      no_cert.client_certificate = false;
      Connection c(target_, o_, no_cert);
      Env e = good(new_message_id().str());
      if (!c.open()) {
        add(r, check_id(rules::WT001), "two-way TLS: a connection without client certificate is refused", Verdict::pass,
            "without client certificate: " + c.error());
      } else {
        Seen s = look(c.send(http_request(target_, op_->input_action, render(e))));
        if (s.http.status == 0)
          add(r, check_id(rules::WT001), "two-way TLS: a connection without client certificate is refused", Verdict::pass,
              "without client certificate no answer came (TLS 1.3 refuses after the handshake): " + describe(s));
        else
          add(r, check_id(rules::WT001), "two-way TLS: a connection without client certificate is refused", Verdict::fail,
              "without client certificate the handshake completed and the request got: " + describe(s), seen_json(s));
      }
    }
  }

  void version_check(Report& r, const char* rule, const char* title, int version, bool must_accept) {
    Offer offer{version, version, version < TLS1_2_VERSION ? "DEFAULT:@SECLEVEL=0" : "", "", version < TLS1_2_VERSION, true};
    Connection c(target_, o_, offer);
    const std::string offered = "offered " + tls_version_name(version) + " only";
    if (c.open()) {
      std::string got = SSL_get_version(c.ssl());
      add(r, rule, title, must_accept ? Verdict::pass : Verdict::fail, offered + ": accepted (" + got + ", " + SSL_get_cipher_name(c.ssl()) + ")",
          {{"offered", tls_version_name(version)}, {"accepted", true}, {"suite", SSL_get_cipher_name(c.ssl())}});
    } else if (c.refused_locally()) {
      add(r, rule, title, Verdict::skip, offered + ": this OpenSSL cannot offer it (" + c.error() + ")");
    } else {
      add(r, rule, title, must_accept ? Verdict::fail : Verdict::pass, offered + ": " + c.error(),
          {{"offered", tls_version_name(version)}, {"accepted", false}, {"error", c.error()}});
    }
  }

  void suite_refused(Report& r, const char* rule, const char* title, const std::string& suites) {
    Offer offer{TLS1_2_VERSION, TLS1_2_VERSION, suites, "", true, true};
    Connection c(target_, o_, offer);
    if (c.open()) {
      std::string suite = SSL_get_cipher_name(c.ssl());
      add(r, rule, title, Verdict::fail, "offered only " + suites + " (TLS 1.2): the server accepted " + suite,
          {{"offered", suites}, {"accepted", suite}});
    } else if (c.refused_locally()) {
      add(r, rule, title, Verdict::skip, "this OpenSSL cannot offer " + suites + ": " + c.error());
    } else {
      add(r, rule, title, Verdict::pass, "offered only " + suites + " (TLS 1.2): " + c.error(), {{"offered", suites}, {"accepted", false}});
    }
  }

  // --- messages ---
  void message_checks(Report& r) {
    const std::string id = new_message_id().str();
    Seen s = exchange(http_request(target_, op_->input_action, render(good(id))));
    ojson sent{{"action", op_->input_action}, {"message_id", id}, {"to", to_address()}, {"from", anonymous_with_oin(our_oin_)}};
    ojson d{{"sent", sent}, {"received", seen_json(s)}};
    const bool answered = s.http.status == 200 && s.soap11 && !s.fault;
    add(r, "SAMPLE", "the sample operation gets a normal answer (HTTP 200, no fault)", answered ? Verdict::pass : Verdict::fail,
        "sent " + op_->name + " with MessageID " + id + ": " + describe(s), d);
    auto header_check = [&](const std::string& rule, const char* title, const std::optional<std::string>& got, const std::string& want) {
      if (!answered) return add(r, rule, title, Verdict::skip, "no normal answer to look at (see SAMPLE)");
      add(r, rule, title, got && *got == want ? Verdict::pass : Verdict::fail,
          "expected " + want + ", got " + (got ? *got : std::string("(absent)")), {{"expected", want}, {"got", got ? ojson(*got) : ojson()}});
    };
    header_check(check_id(rules::DK0008), "wsa:RelatesTo of the answer is the request's MessageID", s.wsa.relates_to, id);
    header_check("WSA-RESPONSE-ACTION", "wsa:Action of the answer is the operation's response action", s.wsa.action,
                 op_->output_action);
    header_check("WSA-RESPONSE-TO", "wsa:To of the answer is the anonymous URI with the requester's OIN", s.wsa.to,
                 anonymous_with_oin(our_oin_));
    header_check("WSA-RESPONSE-FROM", "wsa:From of the answer is the anonymous URI with the responder's OIN", s.wsa.from,
                 anonymous_with_oin(server_oin()));
    if (!answered) {
      add(r, "WSA-RESPONSE-MESSAGEID", "the answer has a new wsa:MessageID urn:uuid:…", Verdict::skip, "no normal answer (see SAMPLE)");
      add(r, check_id(rules::WS006), "the answer is text/xml; charset=utf-8", Verdict::skip, "no normal answer (see SAMPLE)");
    } else {
      bool fresh = s.wsa.message_id && MessageId::parse(*s.wsa.message_id) && *s.wsa.message_id != id;
      add(r, "WSA-RESPONSE-MESSAGEID", "the answer has a new wsa:MessageID urn:uuid:…", fresh ? Verdict::pass : Verdict::fail,
          "got " + s.wsa.message_id.value_or("(absent)"));
      std::string ct = s.http.content_type;
      for (auto& ch : ct) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      bool ok = ct.rfind("text/xml", 0) == 0 && ct.find("charset=utf-8") != std::string::npos;
      add(r, check_id(rules::WS006), "the answer is text/xml; charset=utf-8", ok ? Verdict::pass : Verdict::fail,
          "Content-Type: " + s.http.content_type);
    }
    keep_alive_check(r);

    // Deliberately broken requests: each must get a SOAP 1.1 Client fault with its code, HTTP 500.
    auto broken = [&](const std::string& rule, const char* title, const rules::Rule& expected, const std::string& what, Env e,
                      std::optional<std::string> soap_action = std::nullopt) {
      Seen b = exchange(http_request(target_, soap_action.value_or(op_->input_action), render(e)));
      expect_fault(r, rule, title, expected, what, b);
    };
    Env e = good(new_message_id().str());
    e.message_id.clear();
    broken(check_id(rules::DK0007), "a request without wsa:MessageID is refused", rules::DK0007, "no wsa:MessageID", e);
    e = good("uuid:2f1e5d8c-3b4a-4c5d-9e6f-7a8b9c0d1e2f");
    broken(check_id(rules::EK0023), "a wsa:MessageID that is not urn:uuid:<uuid> is refused", rules::EK0023, "MessageID uuid:… (not urn:uuid:)", e);
    e = good(new_message_id().str());
    e.to.clear();
    broken(check_id(rules::DK0005), "a request without wsa:To is refused", rules::DK0005, "no wsa:To", e);
    e = good(new_message_id().str());
    e.to = "https://" + target_.host + ":" + target_.port + target_.path;
    broken(check_id(rules::DK0005, "-NO-OIN"), "a wsa:To without ?oin= is refused", rules::DK0005, "wsa:To without ?oin=", e);
    e = good(new_message_id().str());
    e.to = address_with_oin("https://" + target_.host + ":" + target_.port + target_.path, *Oin::parse("00000099000000000001"));
    broken(check_id(rules::DK0011, "-TO"), "a wsa:To with another OIN than the receiver's is refused", rules::DK0011, "wsa:To ?oin=00000099000000000001", e);
    e = good(new_message_id().str());
    e.action.clear();
    broken(check_id(rules::DK0006), "a request without wsa:Action is refused", rules::DK0006, "no wsa:Action (SOAPAction \"\")", e, "");
    e = good(new_message_id().str());
    e.action = contract_.target_ns + ":DezeActieBestaatNiet";
    broken(check_id(rules::DK0003), "an action the endpoint does not serve is refused", rules::DK0003, "wsa:Action " + e.action, e, e.action);
    e = good(new_message_id().str());
    broken(check_id(rules::WS002), "an HTTP SOAPAction that differs from wsa:Action is refused", rules::DK0003,
           "SOAPAction urn:probe:other, wsa:Action " + op_->input_action, e, "urn:probe:other");
    e = good(new_message_id().str());
    e.from.clear();
    broken(check_id(rules::EK0020), "a request without wsa:From is refused", rules::EK0020, "no wsa:From", e);
    e = good(new_message_id().str());
    e.reply_to = "https://probe.invalid/antwoorden";
    broken(check_id(rules::DK0011, "-REPLYTO"), "a non-anonymous wsa:ReplyTo is refused (never connected to)", rules::DK0011,
           "wsa:ReplyTo https://probe.invalid/antwoorden", e);
    e = good(new_message_id().str());
    e.soap_ns = kSoap12Ns;
    broken(check_id(rules::DK0001, "-SOAP12"), "a SOAP 1.2 envelope is refused", rules::DK0001, "SOAP 1.2 envelope namespace", e);
    e = good(new_message_id().str());
    e.prolog = "<!DOCTYPE soap:Envelope [<!ENTITY probe \"probe\">]>";
    broken(check_id(rules::DK0001, "-DOCTYPE"), "a request with a DOCTYPE is refused", rules::DK0001, "a DOCTYPE with an internal entity", e);
    e = good(new_message_id().str());
    e.body += body_;
    broken(check_id(rules::WW003), "a Body with more than one child is refused", rules::DK0001, "two Body children", e);
    e = good(new_message_id().str());
    e.extra_headers = "<x:Tracking xmlns:x=\"urn:probe:tracking\">42</x:Tracking>";
    broken(check_id(rules::WS007), "a header block other than WS-Addressing is refused", rules::DK0010, "an extra header block x:Tracking", e);
    {
      // Latin-1 bytes in a document that says UTF-8.
      e = good(new_message_id().str());
      std::string doc = render(e);
      auto at = doc.find("</soap:Body>");
      doc.insert(at, "<!-- \xE9\xE9 -->");
      Seen b = exchange(http_request(target_, op_->input_action, doc));
      expect_fault(r, check_id(rules::WS006, "-UTF8"), "a request that is not UTF-8 is refused", rules::DK0009, "bytes E9 E9 (Latin-1) in a UTF-8 document", b);
    }
    size_check(r);
  }

  void expect_fault(Report& r, const std::string& rule, const char* title, const rules::Rule& fault, const std::string& what,
                    const Seen& b) {
    const std::string expected(fault.code);
    const bool ok = b.http.status == 500 && b.soap11 && b.fault && b.code == expected &&
                    b.faultcode.size() >= 6 && b.faultcode.compare(b.faultcode.size() - 6, 6, "Client") == 0;
    add(r, rule, title, ok ? Verdict::pass : Verdict::fail,
        "sent " + what + "; expected HTTP 500 Client fault " + expected + "; got " + describe(b),
        {{"sent", what}, {"expected", {{"http_status", 500}, {"faultcode", "Client"}, {"code", expected}}}, {"received", seen_json(b)}});
  }

  void keep_alive_check(Report& r) {
    Connection c(target_, o_, Offer{});
    if (!c.open()) return add(r, check_id(rules::WT007), "several messages share one TLS connection", Verdict::fail, c.error());
    std::vector<int> statuses;
    for (int i = 0; i < 2; ++i) statuses.push_back(look(c.send(http_request(target_, op_->input_action,
                                                                             render(good(new_message_id().str()))))).http.status);
    const bool ok = statuses[0] == 200 && statuses[1] == 200;
    add(r, check_id(rules::WT007), "several messages share one TLS connection", ok ? Verdict::pass : Verdict::fail,
        "two requests on one connection: HTTP " + std::to_string(statuses[0]) + ", HTTP " + std::to_string(statuses[1]) +
            (statuses[1] == 0 ? " (no answer: the connection was not kept)" : ""));
  }

  void size_check(Report& r) {
    // The head announces one byte over the limit; only the first bytes follow (more could make
    // the server's close a reset that eats the answer). The answer must be 413 without the
    // server waiting for the rest.
    const std::size_t announced = o_.max_body_bytes + 1;
    std::string start = render(good(new_message_id().str())).substr(0, 256);
    Connection c(target_, o_, Offer{});
    if (!c.open()) return add(r, "SIZE-413", "a body over 20 MiB is refused early with HTTP 413", Verdict::fail, c.error());
    auto started = std::chrono::steady_clock::now();
    HttpAnswer a = c.send(http_request(target_, op_->input_action, start, "text/xml; charset=utf-8", announced));
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
    const std::string sent = "Content-Length " + std::to_string(announced) + ", first 256 bytes sent";
    add(r, "SIZE-413", "a body over 20 MiB is refused early with HTTP 413", a.status == 413 ? Verdict::pass : Verdict::fail,
        sent + "; got " + (a.status ? "HTTP " + std::to_string(a.status) : a.error) + " after " + std::to_string(ms) + " ms",
        {{"sent", sent}, {"http_status", a.status}, {"ms", ms}});
  }

  const Options& o_;
  ServiceContract contract_;
  const Operation* op_ = nullptr;
  Target target_;
  Oin our_oin_ = *Oin::parse("00000099000000000000");
  std::optional<Oin> seen_server_oin_;
  std::string body_;
};

}  // namespace

Report run(const Options& options) { return Prober(options).run(); }

std::string render_table(const Report& report) {
  std::size_t w = 4;
  for (const auto& c : report.checks) w = std::max(w, c.rule.size());
  std::ostringstream out;
  out << "edugate probe " << report.url << "\n\n";
  out << std::left;
  out << "RULE" << std::string(w - 4 + 2, ' ') << "RESULT  CHECK / EVIDENCE\n";
  int pass = 0, fail = 0, skip = 0;
  for (const auto& c : report.checks) {
    out << c.rule << std::string(w - c.rule.size() + 2, ' ') << to_string(c.verdict) << "    " << c.title << "\n"
        << std::string(w + 2 + 8, ' ') << c.evidence << "\n";
    (c.verdict == Verdict::pass ? pass : c.verdict == Verdict::fail ? fail : skip)++;
  }
  out << "\n" << pass << " passed, " << fail << " failed, " << skip << " skipped: " << (fail ? "FAIL" : "PASS") << "\n";
  return out.str();
}

ojson render_json(const Report& report) {
  ojson checks = ojson::array();
  int pass = 0, fail = 0, skip = 0;
  for (const auto& c : report.checks) {
    checks.push_back({{"rule", c.rule}, {"title", c.title}, {"result", to_string(c.verdict)}, {"evidence", c.evidence},
                      {"details", c.details}});
    (c.verdict == Verdict::pass ? pass : c.verdict == Verdict::fail ? fail : skip)++;
  }
  return {{"url", report.url},
          {"result", report.passed() ? "PASS" : "FAIL"},
          {"summary", {{"passed", pass}, {"failed", fail}, {"skipped", skip}}},
          {"checks", checks}};
}

namespace {

class ProbeCommand final : public Command {
 public:
  explicit ProbeCommand(CLI::App& app) {
    cmd_ = app.add_subcommand("probe", "check an Edukoppeling endpoint against the observable rules (exit 0 all pass, 1 a rule fails, 2 usage)");
    cmd_->add_option("url", url_, "the endpoint, https://host:port[/path] (without a path: the service's path)");
    cmd_->add_option("--config,-c", config_, "take certificate, key, trust anchors, CRLs, own OIN and remote.oin from this configuration");
    cmd_->add_option("--cert", cert_, "client certificate chain (PEM)");
    cmd_->add_option("--key", key_, "client private key (PEM)");
    cmd_->add_option("--ca", ca_, "trust anchors for the server certificate (PEM)");
    cmd_->add_option("--crl", crls_, "CRL file (PEM), repeatable; without any, revocation is not checked");
    cmd_->add_option("--oin", oin_, "our OIN for wsa:From (default: from the certificate)");
    cmd_->add_option("--expect-oin", expect_oin_, "the OIN the server's certificate must carry");
    cmd_->add_option("--service", service_, "service (WSDL name), default leerbedrijf");
    cmd_->add_option("--action", action_, "sample operation name or action URI");
    cmd_->add_option("--request", request_, "the sample request element: a JSON file (mirrors the XSD) or an XML file");
    cmd_->add_option("--timeout-ms", timeout_ms_, "per connection and answer (default 10000)");
    cmd_->add_flag("--json", json_, "print the report as JSON");
  }
  bool parsed() const override { return cmd_->parsed(); }

  int run() override {
    Options o;
    try {
      if (url_.empty()) throw std::invalid_argument("the endpoint URL is required");
      if (action_.empty() || request_.empty()) throw std::invalid_argument("--action and --request (a sample operation) are required");
      o.url = url_;
      o.service = service_;
      o.action = action_;
      o.request_file = request_;
      o.timeout_ms = timeout_ms_;
      o.contract_dir = EDUGATE_CONTRACT_DIR;
      if (!config_.empty()) {
        Config c;
        try {
          c = load_config(config_);
        } catch (const std::exception& e) {
          throw std::invalid_argument(std::string("--config: ") + e.what());
        }
        o.tls = c.tls;
        o.our_oin = c.oin;
        o.expect_oin = c.remote_oin;
        o.contract_dir = c.contract_dir;
        o.max_body_bytes = c.max_body_bytes;
      }
      if (!cert_.empty()) o.tls.certificate = cert_;
      if (!key_.empty()) o.tls.private_key = key_;
      if (!ca_.empty()) o.tls.trust_anchors = ca_;
      if (!crls_.empty()) o.tls.crls = crls_;
      if (config_.empty()) o.tls.check_revocation = !crls_.empty();
      if (o.tls.certificate.empty() || o.tls.private_key.empty() || o.tls.trust_anchors.empty())
        throw std::invalid_argument("give --config, or --cert, --key and --ca");
      auto oin = [](const std::string& text, const char* flag) {
        auto p = Oin::parse(text);
        if (!p) throw std::invalid_argument(std::string(flag) + ": " + p.error().message);
        return *p;
      };
      if (!oin_.empty()) o.our_oin = oin(oin_, "--oin");
      if (!expect_oin_.empty()) o.expect_oin = oin(expect_oin_, "--expect-oin");
      jlog::setup("off");
      Report report = probe::run(o);
      if (json_) std::cout << render_json(report).dump(2) << std::endl;
      else std::cout << render_table(report);
      return report.passed() ? 0 : 1;
    } catch (const std::invalid_argument& e) {
      std::cerr << "edugate probe: " << e.what() << std::endl;
      return 2;
    } catch (const std::runtime_error& e) {  // contract or model loading
      std::cerr << "edugate probe: " << e.what() << std::endl;
      return 2;
    }
  }

 private:
  CLI::App* cmd_;
  std::string url_, config_, cert_, key_, ca_, oin_, expect_oin_, service_ = "leerbedrijf", action_, request_;
  std::vector<std::string> crls_;
  int timeout_ms_ = 10000;
  bool json_ = false;
};

}  // namespace

std::unique_ptr<Command> add_command(CLI::App& app) { return std::make_unique<ProbeCommand>(app); }

}  // namespace edugate::gateway::probe
