#pragma once
// What every service's gSOAP mapping shares: an arena for response structs, Meldingen for
// fields that fail to parse, and serialising an answer. Included only by service .cc files.
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/melding.h"
#include "core/rules.h"
#include "core/result.h"
#include "gateway/services/service.h"
#include "gateway/soap/soap_context.h"
#include "soapH.h"

namespace edugate::gateway::support {

// Owns everything a response struct points at until it has been serialized.
class Arena {
 public:
  template <class T>
  T* make(T v = T{}) {
    auto* p = new T(std::move(v));
    owned_.emplace_back(p, [](void* q) { delete static_cast<T*>(q); });
    return p;
  }
  template <class T>
  T* opt(const std::optional<T>& v) {
    return v ? make<T>(*v) : nullptr;
  }
  std::string* str(const std::string& s) { return s.empty() ? nullptr : make<std::string>(s); }

 private:
  std::deque<std::unique_ptr<void, void (*)(void*)>> owned_;
};

// Parses a field with its type's parser; on failure adds a Melding naming the field.
template <class T>
std::optional<T> field(Result<T> r, const std::string& veld, Meldingen& out) {
  if (r) return std::move(r).value();
  // ONGELDIG-<the parser's tag> (core/ids.cc); every tag a service parses has its entry (tests/unit/core/rules_test.cc).
  const rules::Rule* invalid = rules::invalid_field(r.error().code);
  out.push_back(invalid ? fout(*invalid, r.error().message, veld)
                        : Melding{std::string(rules::kInvalidPrefix) + r.error().code, Ernst::fout, r.error().message, veld});
  return std::nullopt;
}

inline std::optional<Datum> datum_field(const std::string& text, const std::string& veld, Meldingen& out) {
  auto d = Datum::parse(text);
  if (d) return *d;
  out.push_back(fout(rules::ONGELDIG_DATUM, veld + ": " + d.error().message, veld));
  return std::nullopt;
}

// A required text field that is empty (or only spaces) gets a Melding.
inline void required(const std::string& v, const std::string& veld, Meldingen& out) {
  if (v.find_first_not_of(" \t") == std::string::npos) out.push_back(fout(rules::VERPLICHT, veld + " is leeg", veld));
}

// An e-mail address that is plausible (one @, a dot in the domain, no spaces or separators).
inline bool plausible_email(const std::string& e) {
  auto at = e.find('@');
  if (at == std::string::npos || at == 0 || e.find('@', at + 1) != std::string::npos || e.size() > 254) return false;
  auto dot = e.find('.', at);
  if (dot == std::string::npos || dot == at + 1 || dot + 1 >= e.size() || e.back() == '.') return false;
  for (char c : e)
    if (c == ' ' || c == ',' || c == ';' || c == '<' || c == '>' || static_cast<unsigned char>(c) < 0x21) return false;
  return true;
}

inline std::optional<std::string> nonempty(const std::string* s) {
  if (s == nullptr || s->find_first_not_of(' ') == std::string::npos) return std::nullopt;
  return *s;
}

inline gem__Ernst to_gsoap(Ernst e) {
  switch (e) {
    case Ernst::fout: return gem__Ernst__fout;
    case Ernst::waarschuwing: return gem__Ernst__waarschuwing;
    case Ernst::informatie: return gem__Ernst__informatie;
  }
  return gem__Ernst__fout;
}

inline void put_meldingen(Arena& a, const Meldingen& in, std::vector<gem__Melding*>& out) {
  for (const auto& m : in) {
    auto* g = a.make<gem__Melding>();
    g->Code = m.code;
    g->Ernst = to_gsoap(m.ernst);
    g->Tekst = m.tekst;
    g->Veld = a.str(m.veld);
    out.push_back(g);
  }
}

// For the audit: ok, or melding:<code> of the first fout.
inline std::string audit_result(const Meldingen& m) {
  for (const auto& x : m)
    if (x.ernst == Ernst::fout) return "melding:" + x.code;
  return "ok";
}

inline Error invalid_body(SoapScope& s) {
  return make_error(rules::DK0004, "body voldoet niet aan het XSD: " + s.error_text(), s.error_element());
}

template <class T>
Outcome write(SoapScope& s, T& resp, int (*writer)(soap*, const T*), const std::string& result) {
  s.begin_output();
  writer(s.get(), &resp);
  return Outcome{s.take_output(), result};
}

// A service whose operations are handlers taking the thread's gSOAP context with the body as
// input. Every WSDL operation must have a handler (a start-up error otherwise).
class HandlerService : public Service {
 public:
  using Handler = std::function<Result<Outcome>(SoapScope&, const CallContext&)>;

  const ServiceContract& contract() const override { return contract_; }

  Result<Outcome> handle(const Operation& op, std::string_view body_xml, const CallContext& ctx) override {
    auto it = handlers_.find(op.name);
    if (it == handlers_.end()) return make_error(rules::DK0003, "actie wordt door deze dienst niet ondersteund", "wsa:Action");
    auto run = [&]() -> Result<Outcome> {
      SoapScope scope;
      scope.set_input(body_xml);
      return it->second(scope, ctx);
    };
    if (!ctx.key || !keyed_ || !writes_.count(op.name)) return run();
    // A write: its backend records the message's key and this answer in the write's own
    // transaction (core/keyed_writes.h); a resend after a crash gets the recorded answer.
    auto answer = keyed_->keyed(*ctx.key, op.name, [&]() -> Result<KeyedAnswer> {
      auto outcome = run();
      if (!outcome) return outcome.error();
      return KeyedAnswer{std::move(outcome->body_xml), std::move(outcome->result)};
    });
    if (!answer) return answer.error();
    return Outcome{std::move(answer->body_xml), std::move(answer->result)};
  }

 protected:
  explicit HandlerService(ServiceContract c) : contract_(std::move(c)) {}

  // The operations that write, and the backend that records their keys (every other operation
  // reads and runs as it is). `keyed` may be null where a service is built without a backend
  // (its contract and agreements only).
  void set_writes(KeyedWrites* keyed, std::set<std::string> writes) {
    for (const auto& w : writes)
      if (!handlers_.count(w)) throw std::runtime_error(contract_.name + ": write " + w + " has no handler");
    keyed_ = keyed;
    writes_ = std::move(writes);
  }

  void set_handlers(std::map<std::string, Handler> handlers) {
    handlers_ = std::move(handlers);
    for (const auto& op : contract_.operations)
      if (!handlers_.count(op.name))
        throw std::runtime_error(contract_.name + ": WSDL operation " + op.name + " has no handler");
  }

  ServiceContract contract_;

 private:
  std::map<std::string, Handler> handlers_;
  std::set<std::string> writes_;
  KeyedWrites* keyed_ = nullptr;
};

}  // namespace edugate::gateway::support
