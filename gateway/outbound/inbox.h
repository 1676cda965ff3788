#pragma once
// The consumer's inbox: the SIS drops student data as CSV or JSON files into a directory; each
// file becomes one LeverStudentgegevensAan message. A file is first moved to processing/ under
// a name that carries its MessageID, so a crash or restart resends the *same* message (the
// provider answers a repeat from its message store). Answered: the file goes to done/ with the
// answer beside it; refused for good (bad file, client fault): to error/ with the reasons.
// Transport problems and DK0051 leave it in processing/ for the next round.
//
// Files whose name starts with '.' or ends in .tmp are ignored: write elsewhere, then rename in.
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "gateway/outbound/client.h"
#include "gateway/ops/config.h"
#include "gateway/soap/contract.h"
#include "gateway/outbound/json_xml.h"

namespace edugate::gateway {

struct InboxRound {
  int sent = 0, failed = 0, refused = 0, waiting = 0;
};

class Inbox {
 public:
  Inbox(const Config& config, ServiceContract bpvmonitor, std::shared_ptr<const XsdModel> model,
        std::shared_ptr<security::TlsContexts> tls);
  ~Inbox();
  void start();
  void stop();
  InboxRound run_once();

  // Student data file (CSV with a header row of XSD element names, or JSON: an array of
  // records or {"Studentgegeven": [...]}) as the request JSON. Errors name the line or field.
  static Result<nlohmann::ordered_json> read_records(const std::string& path);
  static Result<nlohmann::ordered_json> parse_records(std::string_view text, bool is_json);

 private:
  InboxRound process(const std::string& processing_path, const std::string& original_name, const MessageId& id);

  const Config& config_;
  ServiceContract contract_;
  std::shared_ptr<const XsdModel> model_;
  Client client_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool running_ = false;
  std::atomic<bool> stopping_{false};  // stop(): no further file is started in the current round
  std::thread thread_;
};

}  // namespace edugate::gateway
