#pragma once
// What query_ocsp (security/ocsp.h) does with a responder's answer, on its own for the fuzz
// target: parsed as DER (nothing after it), a successful basic response, our nonce when it
// carries one (request: the one sent; nullptr: no nonce asked for), signed by the CA or a
// responder it authorised and chaining to an anchor in `store`, naming `cert`, current.
#include <string>

#include "security/ocsp.h"

namespace edugate::security {

OcspAnswer judge_ocsp_answer(const std::string& body, OCSP_REQUEST* request, X509* cert, X509* issuer,
                             STACK_OF(X509)* untrusted, X509_STORE* store);

}  // namespace edugate::security
