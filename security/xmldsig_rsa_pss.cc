#include "security/xmldsig_rsa_pss.h"

#include <openssl/core_names.h>
#include <openssl/rsa.h>
#include <xmlsec/errors.h>
#include <xmlsec/keys.h>
#include <xmlsec/openssl/crypto.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/xmlsec.h>

#include <cstring>
#include <string_view>
#include <vector>

namespace edugate::security::xmldsig_rsa_pss {
namespace {

// Lives right after the xmlSecTransform, as in libxmlsec1's own signature klasses.
struct PssCtx {
  const EVP_MD* md;
  EVP_MD_CTX* md_ctx;
  EVP_PKEY* key;
};
constexpr xmlSecSize kObjSize = sizeof(xmlSecTransform) + sizeof(PssCtx);

PssCtx* ctx_of(xmlSecTransformPtr t) {
  return reinterpret_cast<PssCtx*>(reinterpret_cast<xmlSecByte*>(t) + sizeof(xmlSecTransform));
}

const EVP_MD* md_of(xmlSecTransformId id) {
  if (id == sha256()) return EVP_sha256();
  if (id == sha384()) return EVP_sha384();
  if (id == sha512()) return EVP_sha512();
  return nullptr;
}

int initialize(xmlSecTransformPtr t) {
  if (!xmlSecTransformCheckSize(t, kObjSize)) return -1;
  PssCtx* c = ctx_of(t);
  std::memset(c, 0, sizeof *c);
  c->md = md_of(t->id);
  c->md_ctx = EVP_MD_CTX_new();
  return c->md != nullptr && c->md_ctx != nullptr ? 0 : -1;
}

void finalize(xmlSecTransformPtr t) {
  if (!xmlSecTransformCheckSize(t, kObjSize)) return;
  PssCtx* c = ctx_of(t);
  EVP_MD_CTX_free(c->md_ctx);
  EVP_PKEY_free(c->key);
  std::memset(c, 0, sizeof *c);
}

int set_key_req(xmlSecTransformPtr t, xmlSecKeyReqPtr req) {
  req->keyId = xmlSecOpenSSLKeyDataRsaId;
  if (t->operation == xmlSecTransformOperationSign) {
    req->keyType = xmlSecKeyDataTypePrivate;
    req->keyUsage = xmlSecKeyUsageSign;
  } else {
    req->keyType = xmlSecKeyDataTypePublic;
    req->keyUsage = xmlSecKeyUsageVerify;
  }
  return 0;
}

int set_key(xmlSecTransformPtr t, xmlSecKeyPtr key) {
  xmlSecKeyDataPtr value = xmlSecKeyGetValue(key);
  EVP_PKEY* k = value ? xmlSecOpenSSLKeyDataRsaGetEvp(value) : nullptr;
  if (k == nullptr || EVP_PKEY_up_ref(k) != 1) return -1;
  PssCtx* c = ctx_of(t);
  EVP_PKEY_free(c->key);
  c->key = k;
  return 0;
}

// PSS padding, MGF1 with the same digest, salt length = digest length (RFC 6931 §2.3.10).
bool start(PssCtx* c, bool sign) {
  EVP_PKEY_CTX* pctx = nullptr;
  const int ok = sign ? EVP_DigestSignInit(c->md_ctx, &pctx, c->md, nullptr, c->key)
                      : EVP_DigestVerifyInit(c->md_ctx, &pctx, c->md, nullptr, c->key);
  return ok == 1 && EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1 &&
         EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, c->md) == 1;
}

int execute(xmlSecTransformPtr t, int last, xmlSecTransformCtxPtr) {
  PssCtx* c = ctx_of(t);
  const bool sign = t->operation == xmlSecTransformOperationSign;
  if (c->key == nullptr || (!sign && t->operation != xmlSecTransformOperationVerify)) return -1;
  xmlSecBufferPtr in = &t->inBuf;
  xmlSecBufferPtr out = &t->outBuf;
  if (t->status == xmlSecTransformStatusNone) {
    if (!start(c, sign)) return -1;
    t->status = xmlSecTransformStatusWorking;
  }
  if (t->status == xmlSecTransformStatusWorking) {
    const xmlSecSize n = xmlSecBufferGetSize(in);
    if (n > 0) {
      const int ok = sign ? EVP_DigestSignUpdate(c->md_ctx, xmlSecBufferGetData(in), n)
                          : EVP_DigestVerifyUpdate(c->md_ctx, xmlSecBufferGetData(in), n);
      if (ok != 1 || xmlSecBufferRemoveHead(in, n) < 0) return -1;
    }
    if (last != 0) {
      if (sign) {
        size_t len = 0;
        if (EVP_DigestSignFinal(c->md_ctx, nullptr, &len) != 1 ||
            xmlSecBufferSetMaxSize(out, static_cast<xmlSecSize>(len)) < 0 ||
            EVP_DigestSignFinal(c->md_ctx, xmlSecBufferGetData(out), &len) != 1 ||
            xmlSecBufferSetSize(out, static_cast<xmlSecSize>(len)) < 0)
          return -1;
      }
      t->status = xmlSecTransformStatusFinished;
    }
    return 0;
  }
  return t->status == xmlSecTransformStatusFinished && xmlSecBufferGetSize(in) == 0 ? 0 : -1;
}

int verify(xmlSecTransformPtr t, const xmlSecByte* data, xmlSecSize size, xmlSecTransformCtxPtr) {
  if (t->operation != xmlSecTransformOperationVerify || t->status != xmlSecTransformStatusFinished) return -1;
  PssCtx* c = ctx_of(t);
  t->status = EVP_DigestVerifyFinal(c->md_ctx, data, size) == 1 ? xmlSecTransformStatusOk : xmlSecTransformStatusFail;
  return 0;
}

xmlSecTransformKlass klass(const char* name, const char* href) {
  return {sizeof(xmlSecTransformKlass),
          kObjSize,
          reinterpret_cast<const xmlChar*>(name),
          reinterpret_cast<const xmlChar*>(href),
          xmlSecTransformUsageSignatureMethod,
          initialize,
          finalize,
          nullptr,
          nullptr,
          set_key_req,
          set_key,
          verify,
          xmlSecTransformDefaultGetDataType,
          xmlSecTransformDefaultPushBin,
          xmlSecTransformDefaultPopBin,
          nullptr,
          nullptr,
          execute,
          nullptr,
          nullptr};
}

const xmlSecTransformKlass kPssSha256 = klass("rsa-pss-sha256", kSha256);
const xmlSecTransformKlass kPssSha384 = klass("rsa-pss-sha384", kSha384);
const xmlSecTransformKlass kPssSha512 = klass("rsa-pss-sha512", kSha512);

}  // namespace

xmlSecTransformId sha256() { return &kPssSha256; }
xmlSecTransformId sha384() { return &kPssSha384; }
xmlSecTransformId sha512() { return &kPssSha512; }

bool register_transforms() {
  return xmlSecTransformIdsRegister(sha256()) >= 0 && xmlSecTransformIdsRegister(sha384()) >= 0 &&
         xmlSecTransformIdsRegister(sha512()) >= 0;
}

const EVP_MD* digest_of(const char* uri) {
  if (uri == nullptr) return nullptr;
  if (std::strcmp(uri, kSha256) == 0) return EVP_sha256();
  if (std::strcmp(uri, kSha384) == 0) return EVP_sha384();
  if (std::strcmp(uri, kSha512) == 0) return EVP_sha512();
  return nullptr;
}

EVP_PKEY* rsa_encryption_twin(EVP_PKEY* key, bool with_private) {
  if (key == nullptr || (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA && EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA_PSS))
    return nullptr;
  const int selection = with_private ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY;
  OSSL_PARAM* params = nullptr;
  if (EVP_PKEY_todata(key, selection, &params) != 1) return nullptr;
  // The numbers only: the RSA key manager refuses an RSA-PSS key's restrictions (digest, salt).
  std::vector<OSSL_PARAM> numbers;
  for (const OSSL_PARAM* p = params; p->key != nullptr; ++p) {
    const std::string_view k = p->key;
    if (k == OSSL_PKEY_PARAM_RSA_N || k == OSSL_PKEY_PARAM_RSA_E || k == OSSL_PKEY_PARAM_RSA_D ||
        k.starts_with("rsa-factor") || k.starts_with("rsa-exponent") || k.starts_with("rsa-coefficient"))
      numbers.push_back(*p);
  }
  numbers.push_back(OSSL_PARAM_construct_end());
  EVP_PKEY* twin = nullptr;
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
  if (ctx == nullptr || EVP_PKEY_fromdata_init(ctx) != 1 ||
      EVP_PKEY_fromdata(ctx, &twin, selection, numbers.data()) != 1) {
    EVP_PKEY_free(twin);
    twin = nullptr;
  }
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  return twin;
}

}  // namespace edugate::security::xmldsig_rsa_pss
