#include "gateway/soap/soap_context.h"

#include <sstream>

#include "soapH.h"

namespace edugate::gateway {

struct SoapScope::Streams {
  std::istringstream in;
  std::ostringstream out;
};

namespace {
struct ThreadSoap {
  soap* s;
  SoapScope::Streams* streams;
  ThreadSoap() : s(soap_new1(SOAP_XML_STRICT | SOAP_XML_TREE | SOAP_XML_NOTYPE | SOAP_C_UTFSTRING)) {
    s->recv_maxlength = 20u << 20;  // belt and braces: the HTTP layer already capped the body
    s->maxlevel = 64;
    s->maxoccurs = 100000;
    // xs:double with the precision the data has: a double read from a decimal of at most 15
    // significant digits (DBL_DIG) prints back as that decimal, 7.8, where gSOAP's default
    // %.17lG prints the binary value's tail, 7.7999999999999998. NaN and INF are gSOAP's own
    // (the XSD's spellings); exponents (1E-07) are xs:double lexical forms too.
    s->double_format = "%.15lG";
    streams = new SoapScope::Streams;
  }
  ~ThreadSoap() {
    soap_destroy(s);
    soap_end(s);
    soap_free(s);
    delete streams;
  }
};
thread_local ThreadSoap t_soap;
}  // namespace

SoapScope::SoapScope() : soap_(t_soap.s), streams_(t_soap.streams) {}

SoapScope::~SoapScope() {
  // soap_end would also run soap_free_temp, which clears gSOAP's fixed hash tables (a 32 KiB
  // memset and a walk of 1999 buckets: a sixth of a request's instructions). Every generated
  // soap_read_X/soap_write_X starts with it anyway, so here only the data is freed.
  soap_destroy(soap_);
  soap_dealloc(soap_, nullptr);
  soap_->is = nullptr;
  soap_->os = nullptr;
  streams_->in.str(std::string());
  streams_->in.clear();
  streams_->out.str(std::string());
  streams_->out.clear();
}

void SoapScope::set_input(std::string_view xml) {
  streams_->in.str(std::string(xml));
  streams_->in.clear();
  soap_->is = &streams_->in;
}

void SoapScope::begin_output() {
  streams_->out.str(std::string());
  streams_->out.clear();
  soap_->os = &streams_->out;
}

std::string SoapScope::take_output() {
  std::string s = streams_->out.str();
  soap_->os = nullptr;
  if (s.rfind("<?xml", 0) == 0) {
    auto end = s.find("?>");
    if (end != std::string::npos) {
      end += 2;
      while (end < s.size() && (s[end] == '\n' || s[end] == '\r')) ++end;
      s.erase(0, end);
    }
  }
  return s;
}

std::string SoapScope::error_text() const {
  const char** fs = soap_faultstring(soap_);
  return fs && *fs ? *fs : "ongeldig bericht";
}

std::string SoapScope::error_element() const { return soap_->tag; }

}  // namespace edugate::gateway
