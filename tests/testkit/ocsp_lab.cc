#include "ocsp_lab.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

extern char** environ;

namespace edugate::testkit {

namespace {

const std::string kPki = EDUGATE_TEST_PKI_DIR;

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

OcspResponder::OcspResponder(int next_update_min, const std::string& signer) {
  char tmpl[] = "/tmp/edugate-ocsp-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("cannot make a directory for the OCSP responder");
  dir_ = tmpl;
  const std::string log = dir_ + "/ocsp.log";
  std::vector<std::string> args{"openssl", "ocsp", "-index", kPki + "/ocsp/index.txt", "-CA", kPki + "/ocsp/issuing.cert.pem",
                                "-rsigner", kPki + "/" + signer + ".cert.pem", "-rkey", kPki + "/" + signer + ".key.pem",
                                "-port", "0", "-nmin", std::to_string(next_update_min)};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  const int rc = posix_spawnp(&pid_, "openssl", &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) throw std::runtime_error("cannot start openssl ocsp");
  // It binds port 0 and says which port it got: "ACCEPT [::]:<port> PID=<pid>".
  const std::regex accept(R"(ACCEPT \S*:(\d+) )");
  for (int i = 0; i < 200 && port_ == 0; ++i) {
    std::smatch m;
    const std::string text = slurp(log);
    if (std::regex_search(text, m, accept)) port_ = static_cast<unsigned short>(std::stoi(m[1]));
    else std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  if (port_ == 0) {
    stop();
    throw std::runtime_error("openssl ocsp did not start: " + slurp(log));
  }
}

OcspResponder::~OcspResponder() {
  stop();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string OcspResponder::url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/"; }

int OcspResponder::requests() const {
  const std::string text = slurp(dir_ + "/ocsp.log");
  int n = 0;
  for (std::size_t at = text.find("Received request"); at != std::string::npos; at = text.find("Received request", at + 1)) ++n;
  return n;
}

void OcspResponder::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace edugate::testkit
