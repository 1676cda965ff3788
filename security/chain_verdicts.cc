#include "security/chain_verdicts.h"

#include <openssl/asn1.h>
#include <openssl/evp.h>

#include <algorithm>
#include <memory>

namespace edugate::security::wssec {

namespace {
void add_cert(EVP_MD_CTX* md, X509* cert) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (X509_digest(cert, EVP_sha256(), digest, &n) == 1) EVP_DigestUpdate(md, digest, n);
}
}  // namespace

std::string ChainVerdicts::key(int purpose, std::uint64_t trust_generation, X509* leaf, STACK_OF(X509)* untrusted) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
  if (!md || EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr) != 1) return {};
  const std::int64_t head[2] = {purpose, static_cast<std::int64_t>(trust_generation)};
  EVP_DigestUpdate(md.get(), head, sizeof head);
  add_cert(md.get(), leaf);
  const int n = untrusted ? sk_X509_num(untrusted) : 0;
  EVP_DigestUpdate(md.get(), &n, sizeof n);
  for (int i = 0; i < n; ++i) add_cert(md.get(), sk_X509_value(untrusted, i));
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(md.get(), out, &len) != 1) return {};
  return std::string(reinterpret_cast<const char*>(out), len);
}

bool ChainVerdicts::verified(const std::string& key, std::int64_t now_s) const {
  if (key.empty()) return false;
  std::lock_guard lock(mu_);
  auto it = until_.find(key);
  return it != until_.end() && now_s < it->second;
}

void ChainVerdicts::remember(const std::string& key, X509* leaf, std::int64_t now_s) {
  if (key.empty()) return;
  std::int64_t until = now_s + kTtlSeconds;
  int days = 0, secs = 0;
  if (ASN1_TIME_diff(&days, &secs, nullptr, X509_get0_notAfter(leaf)) != 1) return;  // unreadable: not kept
  until = std::min<std::int64_t>(until, now_s + std::int64_t{days} * 86400 + secs);
  if (until <= now_s) return;
  std::lock_guard lock(mu_);
  if (until_.size() >= max_) {
    std::erase_if(until_, [&](const auto& e) { return e.second <= now_s; });
    if (until_.size() >= max_) until_.clear();
  }
  until_[key] = until;
}

std::size_t ChainVerdicts::size() const {
  std::lock_guard lock(mu_);
  return until_.size();
}

}  // namespace edugate::security::wssec
