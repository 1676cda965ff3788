#include "gateway/outgoing.h"

#include <openssl/evp.h>

namespace edugate::gateway {

namespace {
std::int64_t content_key(std::string_view content) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(content.data(), content.size(), md, &n, EVP_sha256(), nullptr);
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | md[i];
  return static_cast<std::int64_t>(v >> 1);  // 63 bits: a non-negative counter value
}
}  // namespace

SentRecord record_sent(store::Store& store, const Oin& sender, const MessageId& id, std::string_view content) {
  const std::string name = "sent:" + sender.str() + ":" + id.str();
  const std::int64_t key = content_key(content);
  if (store.outbox_enqueue_with_counter({}, name, std::nullopt, key)) return SentRecord::fresh;
  auto held = store.counter(name);
  return held && *held == key ? SentRecord::same : SentRecord::conflict;
}

}  // namespace edugate::gateway
