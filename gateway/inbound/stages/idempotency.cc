// Stage idempotency: edukoppeling.md §6, a MessageID is an idempotency key per sender OIN. The
// same MessageID with the same canonical content gets the stored answer again, unprocessed; with
// other content it is refused (DK0011); while the first is still in progress, DK0051 (retry).
// A fresh MessageID is claimed here; the commit stage (or the fault path) ends the claim.
#include <openssl/evp.h>

#include "core/clock.h"
#include "core/hex.h"
#include "core/rules.h"
#include "gateway/inbound/stages/stages.h"

namespace edugate::gateway::stages {
namespace {

std::string sha256_hex(std::string_view a, std::string_view b) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_MD_CTX* c = EVP_MD_CTX_new();
  EVP_DigestInit_ex(c, EVP_sha256(), nullptr);
  EVP_DigestUpdate(c, a.data(), a.size());
  EVP_DigestUpdate(c, "\n", 1);
  EVP_DigestUpdate(c, b.data(), b.size());
  EVP_DigestFinal_ex(c, md, &n);
  EVP_MD_CTX_free(c);
  return to_hex(md, n);
}

class Idempotency final : public Stage {
 public:
  explicit Idempotency(const ChainDeps& d) : d_(d) {}
  Status run(InboundExchange& ex) override {
    ex.hash = sha256_hex(ex.hdr->action, ex.body);
    auto claim = d_.store.claim_message(ex.peer->oin, ex.hdr->message_id, ex.hash, now_ms(), d_.config.claim_lease_ms);
    switch (claim.kind) {
      case store::ClaimKind::replay:
        ex.audit.result = "replay";
        ex.audit.duration_us = ex.elapsed_us();
        d_.store.append_audit(ex.audit);
        ex.answer = OutboundResponse{claim.stored.http_status, claim.stored.body};
        return ok_status();
      case store::ClaimKind::conflict:
        return make_error(rules::DK0011, "wsa:MessageID is eerder gebruikt voor een ander bericht", "wsa:MessageID");
      case store::ClaimKind::in_progress:
        return make_error(rules::DK0051, "bericht met dit MessageID wordt nog verwerkt; probeer later opnieuw");
      case store::ClaimKind::fresh:
        ex.claimed = true;
        break;
    }
    return ok_status();
  }

 private:
  const ChainDeps& d_;
};

}  // namespace

std::unique_ptr<Stage> idempotency(const ChainDeps& d) { return std::make_unique<Idempotency>(d); }

}  // namespace edugate::gateway::stages
