#include "gateway/outbound/outgoing.h"

#include <openssl/evp.h>

#include <chrono>

#include "core/hex.h"
#include "core/clock.h"

namespace edugate::gateway {

namespace {
std::string sha256_hex(std::string_view content) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(content.data(), content.size(), md, &n, EVP_sha256(), nullptr);
  return to_hex(md, n);
}
}  // namespace

SentRecord record_sent(store::Store& store, const Oin& sender, const MessageId& id, std::string_view content) {
  return store.record_sent(sender, id, sha256_hex(content), now_ms());
}

}  // namespace edugate::gateway
