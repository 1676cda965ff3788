#pragma once
// A small HTTP/1.1 JSON server for the http_json adapter's tests: it stands in for SBB's real
// systems. Each request goes to a handler the test sets (and may change while it runs); every
// request is recorded, so a test can count what reached the backend. Keep-alive, one thread per
// connection; a delayed answer ends early when the server stops.
#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace edugate::testkit {

class JsonBackend {
 public:
  struct Request {
    std::string target, body;
    std::map<std::string, std::string> headers;  // names in lower case
  };
  struct Reply {
    int status = 200;
    std::string body = "{}";
    std::string content_type = "application/json";
    int delay_ms = 0;
  };
  using Handler = std::function<Reply(const Request&)>;

  explicit JsonBackend(Handler handler);
  ~JsonBackend();
  JsonBackend(const JsonBackend&) = delete;
  JsonBackend& operator=(const JsonBackend&) = delete;

  unsigned short port() const { return port_; }
  std::string url() const;  // http://127.0.0.1:<port>
  void set_handler(Handler handler);
  // Requests received whose target ends with `suffix` (all when empty).
  int hits(const std::string& suffix = "") const;
  std::vector<Request> requests() const;
  int connections() const;  // TCP connections accepted so far
  void stop();

 private:
  void serve(int fd);
  Reply handle(const Request& r);

  struct Impl;
  std::unique_ptr<Impl> impl_;
  unsigned short port_ = 0;
};

}  // namespace edugate::testkit
