#pragma once
// gSOAP contexts are not thread-safe: one per thread, strict, reused across messages and
// cleaned (soap_destroy + soap_end) when a SoapScope ends. gSOAP never owns a socket here: it
// reads from and writes to in-memory streams only.
#include <string>
#include <string_view>

struct soap;

namespace edugate::gateway {

class SoapScope {
 public:
  SoapScope();
  ~SoapScope();
  SoapScope(const SoapScope&) = delete;
  SoapScope& operator=(const SoapScope&) = delete;
  soap* get() const { return soap_; }

  // Sets the input to the given XML (kept alive by the scope).
  void set_input(std::string_view xml);
  // Collects output written by soap_write_* into a string without XML declaration.
  void begin_output();
  std::string take_output();
  // gSOAP's description of the last error, e.g. which element violated the schema.
  std::string error_text() const;
  std::string error_element() const;

  struct Streams;

 private:
  soap* soap_;
  Streams* streams_;
};

}  // namespace edugate::gateway
