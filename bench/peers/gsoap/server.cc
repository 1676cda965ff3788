// Benchmark peer: the stock gSOAP multi-threaded SSL server for the Leerbedrijf WSDL.
//
// It stands for "what people would otherwise use": wsdl2h + soapcpp2 -S on wsdl/leerbedrijf.wsdl
// (its own generated copy, see CMakeLists.txt) and the accept loop of the gSOAP user guide's
// "secure SSL server" example: soap_ssl_server_context(SOAP_SSL_REQUIRE_CLIENT_AUTHENTICATION),
// soap_bind, soap_accept, soap_copy, one detached thread per connection doing soap_ssl_accept +
// soap_serve, SOAP_IO_KEEPALIVE so one connection carries many requests.
// VerifieerErkenning answers from an in-memory table loaded from bench/peers/erkenningen.tsv
// (the demo erkenningen of edugate's SQLite fixtures), with the same rules as
// adapters/db/leerbedrijf_backend.cc.
//
// It does far less per request than edugate, on purpose: WS-Addressing headers
// (wsa:To/From/Action/MessageID) are parsed past and IGNORED (gSOAP skips unknown header
// elements without mustUnderstand): no OIN check against the certificate, no wsa:Action check,
// no RelatesTo in the answer, no duplicate-MessageID check. No CRL check, no identifier
// validation, no audit log. The body is read with SOAP_XML_STRICT, as edugate does.
//
// Usage: bench_gsoap_server --key K --cert C --ca CA [--port N] [--host H] [--data FILE]
// Port 0 (the default) picks a free port. When listening it prints ONE line on stdout:
//   {"event":"listening","peer":"gsoap","address":"127.0.0.1","port":43210,"erkenningen":N}
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <unordered_map>
#include <vector>

#include <openssl/ssl.h>

#include "soapH.h"
#include "LeerbedrijfBinding.nsmap"

#ifndef BENCH_PEERS_DIR
#define BENCH_PEERS_DIR "."
#endif

namespace {

struct Erkenning {
  std::string begin;
  std::optional<std::string> eind, intrek;
};
struct Leerbedrijf {
  std::optional<std::string> samengevoegd_in;
  std::map<std::string, std::vector<Erkenning>> erkenningen;  // "crebo|leerweg" -> newest first
};
// Read-only after load: shared by all connection threads without locking.
std::unordered_map<std::string, Leerbedrijf> g_table;
int g_rows = 0;

std::vector<std::string> split_tabs(const std::string& line) {
  std::vector<std::string> f;
  std::string::size_type start = 0;
  for (;;) {
    auto tab = line.find('\t', start);
    f.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return f;
    start = tab + 1;
  }
}

// erkenningen.tsv: leerbedrijf_id, samengevoegd_in, crebo, leerweg, begindatum, einddatum,
// intrekdatum; empty field = none; a row without crebo: a leerbedrijf without erkenningen.
bool load_table(const std::string& file) {
  std::ifstream in(file);
  if (!in) return false;
  std::string line;
  auto opt = [](const std::string& s) { return s.empty() ? std::nullopt : std::optional<std::string>(s); };
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto f = split_tabs(line);
    f.resize(7);
    auto& lb = g_table[f[0]];
    if (!f[1].empty()) lb.samengevoegd_in = f[1];
    if (f[2].empty()) continue;
    lb.erkenningen[f[2] + "|" + f[3]].push_back({f[4], opt(f[5]), opt(f[6])});
    ++g_rows;
  }
  for (auto& [id, lb] : g_table)
    for (auto& [k, list] : lb.erkenningen)
      std::stable_sort(list.begin(), list.end(), [](const Erkenning& a, const Erkenning& b) { return a.begin > b.begin; });
  return true;
}

std::string today_utc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

enum class Status { erkend, toekomstig, ingetrokken, verlopen };
Status status_on(const Erkenning& e, const std::string& peil) {
  if (e.intrek && *e.intrek <= peil) return Status::ingetrokken;
  if (e.eind && *e.eind < peil) return Status::verlopen;
  if (e.begin > peil) return Status::toekomstig;
  return Status::erkend;
}
int rank(Status s) { return s == Status::erkend ? 0 : s == Status::toekomstig ? 1 : 2; }

std::string* str(struct soap* soap, const std::string& s) {
  auto* p = soap_new_std__string(soap);
  *p = s;
  return p;
}

int not_offered(struct soap* soap) { return soap_receiver_fault(soap, "not offered by this benchmark peer", nullptr); }

// Called by soap_serve after each answer on a keep-alive connection: without it, every
// request's data would stay allocated until the connection closes.
int free_after_request(struct soap* soap) {
  soap_destroy(soap);
  soap_end(soap);
  return SOAP_OK;
}

void* serve_connection(void* arg) {
  auto* soap = static_cast<struct soap*>(arg);
  pthread_detach(pthread_self());
  if (soap_ssl_accept(soap) == SOAP_OK) soap_serve(soap);  // loops while the client keeps the connection alive
  soap_destroy(soap);
  soap_end(soap);
  soap_free(soap);
  return nullptr;
}

[[noreturn]] void usage(const char* msg) {
  std::fprintf(stderr, "bench_gsoap_server: %s\nusage: bench_gsoap_server --key K --cert C --ca CA [--port N] "
                       "[--host H] [--data FILE]\n", msg);
  std::exit(2);
}

}  // namespace

// ---- the operations soapcpp2 -S asks for -------------------------------------------------

int __lb__VerifieerErkenning(struct soap* soap, _lb__VerifieerErkenningVerzoek* req, _lb__VerifieerErkenningAntwoord& a) {
  soap->header = nullptr;  // WS-Addressing ignored: nothing is echoed, no RelatesTo.
  const std::string& id = req->LeerbedrijfID;
  const std::string peil = req->Peildatum ? req->Peildatum->substr(0, 10) : today_utc();
  a.Erkend = false;
  a.Peildatum = str(soap, peil);
  auto it = g_table.find(id);
  if (it == g_table.end()) {
    a.SignaalCode = str(soap, "ONBEKEND");
    a.SignaalOmschrijving = str(soap, "LeerbedrijfID " + id + " is niet bekend bij SBB");
    auto* m = soap_new_gem__Melding(soap);
    m->Code = "LB-ONBEKEND";
    m->Ernst = gem__Ernst__fout;
    m->Tekst = "LeerbedrijfID is niet bekend";
    m->Veld = str(soap, "LeerbedrijfID");
    a.Melding.push_back(m);
    return SOAP_OK;
  }
  const Leerbedrijf& lb = it->second;
  if (lb.samengevoegd_in) {
    a.SignaalCode = str(soap, "SAMENGEVOEGD");
    a.SignaalOmschrijving = str(soap, "leerbedrijf " + id + " is samengevoegd met " + *lb.samengevoegd_in + "; gebruik " +
                                          *lb.samengevoegd_in);
    return SOAP_OK;
  }
  auto e = lb.erkenningen.find(req->Crebo + "|" + req->Leerweg);
  if (e == lb.erkenningen.end()) {
    a.SignaalCode = str(soap, "GEEN_ERKENNING");
    a.SignaalOmschrijving = str(soap, "geen erkenning voor crebo " + req->Crebo + " en leerweg " + req->Leerweg);
    return SOAP_OK;
  }
  const Erkenning* best = nullptr;
  Status best_status = Status::verlopen;
  for (const auto& x : e->second) {
    Status s = status_on(x, peil);
    if (!best || rank(s) < rank(best_status)) best = &x, best_status = s;
  }
  switch (best_status) {
    case Status::erkend:
      a.Erkend = true;
      a.SignaalCode = str(soap, "ERKEND");
      a.SignaalOmschrijving = str(soap, "erkend op " + peil);
      break;
    case Status::toekomstig:
      a.SignaalCode = str(soap, "NOG_NIET_GELDIG");
      a.SignaalOmschrijving = str(soap, "erkenning gaat in op " + best->begin);
      break;
    case Status::ingetrokken:
      a.SignaalCode = str(soap, "INGETROKKEN");
      a.SignaalOmschrijving = str(soap, "erkenning ingetrokken per " + *best->intrek);
      break;
    case Status::verlopen:
      a.SignaalCode = str(soap, "VERLOPEN");
      a.SignaalOmschrijving = str(soap, "erkenning verlopen op " + best->eind.value_or(""));
      break;
  }
  a.Begindatum = str(soap, best->begin);
  if (best->intrek) a.Einddatum = str(soap, *best->intrek);
  else if (best->eind) a.Einddatum = str(soap, *best->eind);
  return SOAP_OK;
}

int __lb__IdentificeerLeerbedrijf(struct soap* soap, _lb__IdentificeerLeerbedrijfVerzoek*, _lb__IdentificeerLeerbedrijfAntwoord&) {
  return not_offered(soap);
}
int __lb__GeefLeerbedrijfDetails(struct soap* soap, _lb__GeefLeerbedrijfDetailsVerzoek*, _lb__GeefLeerbedrijfDetailsAntwoord&) {
  return not_offered(soap);
}
int __lb__ZoekLeerbedrijven(struct soap* soap, _lb__ZoekLeerbedrijvenVerzoek*, _lb__ZoekLeerbedrijvenAntwoord&) {
  return not_offered(soap);
}
int __lb__VoordragenErkenning(struct soap* soap, _lb__VoordragenErkenningVerzoek*, _lb__VoordragenErkenningAntwoord&) {
  return not_offered(soap);
}
int __lb__HaalMutatiesOp(struct soap* soap, _lb__HaalMutatiesOpVerzoek*, _lb__HaalMutatiesOpAntwoord&) {
  return not_offered(soap);
}

// ---- the stock SSL server ----------------------------------------------------------------

int main(int argc, char** argv) {
  std::string key, cert, ca, host = "127.0.0.1", data = BENCH_PEERS_DIR "/erkenningen.tsv";
  int port = 0;
  if (const char* p = std::getenv("PEER_PORT")) port = std::atoi(p);
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage(("missing value for " + a).c_str());
      return argv[++i];
    };
    if (a == "--key") key = value();
    else if (a == "--cert") cert = value();
    else if (a == "--ca") ca = value();
    else if (a == "--port") port = std::atoi(value().c_str());
    else if (a == "--host") host = value();
    else if (a == "--data") data = value();
    else usage(("unknown argument " + a).c_str());
  }
  if (key.empty() || cert.empty() || ca.empty()) usage("--key, --cert and --ca are required");
  if (!load_table(data)) usage(("cannot read " + data).c_str());

  signal(SIGPIPE, SIG_IGN);
  soap_ssl_init();
  struct soap soap;
  soap_init2(&soap, SOAP_IO_KEEPALIVE | SOAP_XML_STRICT, SOAP_IO_KEEPALIVE);
  soap.bind_flags = SO_REUSEADDR;
  soap.send_timeout = 60;  // seconds; an idle keep-alive connection is closed after recv_timeout
  soap.recv_timeout = 60;
  soap.max_keep_alive = 1000000;  // requests per connection; gSOAP's default is 100
  soap.fserveloop = free_after_request;
  // The gSOAP example passes one PEM file holding key and certificate as `keyfile`; the example
  // PKI keeps them apart, so the context is made without a keyfile and the two files are put
  // on gSOAP's SSL_CTX directly (the same OpenSSL calls gSOAP makes for a keyfile). The sid
  // (session id context) is what lets clients resume TLS sessions: without one gSOAP turns
  // OpenSSL's session cache off. gSOAP disables session tickets (SSL_OP_NO_TICKET), so
  // resumption goes through the server's session cache.
  if (soap_ssl_server_context(&soap,
                              SOAP_SSL_REQUIRE_CLIENT_AUTHENTICATION | SOAP_SSL_NO_DEFAULT_CA_PATH | SOAP_TLSv1_2 |
                                  SOAP_TLSv1_3,
                              nullptr, nullptr, ca.c_str(), nullptr, nullptr, nullptr, "bench_gsoap_server")) {
    soap_print_fault(&soap, stderr);
    return 1;
  }
  if (SSL_CTX_use_certificate_chain_file(soap.ctx, cert.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(soap.ctx, key.c_str(), SSL_FILETYPE_PEM) != 1 ||
      SSL_CTX_check_private_key(soap.ctx) != 1) {
    std::fprintf(stderr, "bench_gsoap_server: cannot use %s with %s\n", cert.c_str(), key.c_str());
    return 1;
  }
  if (!soap_valid_socket(soap_bind(&soap, host.c_str(), port, 128))) {
    soap_print_fault(&soap, stderr);
    return 1;
  }
  sockaddr_storage sa{};
  socklen_t len = sizeof sa;
  getsockname(soap.master, reinterpret_cast<sockaddr*>(&sa), &len);
  int bound = sa.ss_family == AF_INET6 ? ntohs(reinterpret_cast<sockaddr_in6*>(&sa)->sin6_port)
                                       : ntohs(reinterpret_cast<sockaddr_in*>(&sa)->sin_port);
  std::printf("{\"event\":\"listening\",\"peer\":\"gsoap\",\"address\":\"%s\",\"port\":%d,\"erkenningen\":%d}\n",
              host.c_str(), bound, g_rows);
  std::fflush(stdout);

  for (;;) {
    if (!soap_valid_socket(soap_accept(&soap))) {
      soap_print_fault(&soap, stderr);  // e.g. out of file descriptors: go on serving the others
      usleep(10000);
      continue;
    }
    struct soap* tsoap = soap_copy(&soap);
    if (!tsoap) {
      soap_force_closesock(&soap);
      continue;
    }
    pthread_t tid;
    if (pthread_create(&tid, nullptr, serve_connection, tsoap) != 0) {
      soap_force_closesock(tsoap);
      soap_free(tsoap);
    }
  }
}
