#pragma once
// The consumer side: where a school's gateway delivers what SBB pushes (monitor results,
// erkenning mutations). Implemented by adapters (sqlite tables, spool files).
#include <optional>
#include <vector>

#include "core/bpvmonitor.h"
#include "core/ids.h"
#include "core/leerbedrijf.h"

namespace edugate::consumer {

struct Monitorresultaten {
  Brin brin;
  Periode periode;
  int minimale_respons = 10;
  std::vector<bpvmonitor::Themaresultaat> cellen;
};

// Thread-safe. Each call is idempotent per MessageID (a redelivery changes nothing) and durable
// when it returns; BackendUnavailable when the sink cannot write now (the sender retries).
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void monitorresultaten(const MessageId& id, const Oin& from, const Monitorresultaten& r) = 0;
  virtual void erkenningmutaties(const MessageId& id, const Oin& from, const std::vector<leerbedrijf::Mutatie>& m) = 0;
};

}  // namespace edugate::consumer
