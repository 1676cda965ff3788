// Schoolontvangst: what SBB pushes to a school. A push that does not parse is refused with
// DK0004 and stored nowhere; a redelivery (same MessageID) is answered from the message store
// by the pipeline, and the sink itself ignores a MessageID it has seen.
#include "gateway/services/schoolontvangst_service.h"

#include "gateway/services/mappings.h"
#include "gateway/services/service_support.h"

namespace edugate::gateway {
namespace {

using namespace support;

class SchoolontvangstService final : public HandlerService {
 public:
  SchoolontvangstService(ServiceContract c, std::unique_ptr<consumer::Sink> sink)
      : HandlerService(std::move(c)), sink_(std::move(sink)) {
    set_handlers({
        {"OntvangMonitorresultaten", [this](SoapScope& s, const CallContext& c) { return monitorresultaten(s, c); }},
        {"OntvangErkenningmutaties", [this](SoapScope& s, const CallContext& c) { return mutaties(s, c); }},
    });
  }

 private:
  Result<Outcome> monitorresultaten(SoapScope& s, const CallContext& ctx) {
    _so__OntvangMonitorresultatenVerzoek req;
    if (soap_read__so__OntvangMonitorresultatenVerzoek(s.get(), &req) != SOAP_OK) return invalid_body(s);
    auto brin = Brin::parse(req.Brin);
    if (!brin) return make_error(rules::DK0004, "Brin is geen BRIN", "Brin");
    auto periode = Periode::parse(req.Periode);
    if (!periode) return make_error(rules::DK0004, "Periode is geen periode JJJJ-Kn", "Periode");
    consumer::Monitorresultaten r{*brin, *periode, req.MinimaleRespons, {}};
    for (const auto* t : req.Themaresultaat) r.cellen.push_back(mapping::themaresultaat_from(*t));
    sink_->monitorresultaten(ctx.message_id, ctx.auth.caller, r);
    _so__OntvangMonitorresultatenAntwoord resp;
    resp.Ontvangen = true;
    return write(s, resp, &soap_write__so__OntvangMonitorresultatenAntwoord, "ok");
  }

  Result<Outcome> mutaties(SoapScope& s, const CallContext& ctx) {
    _so__OntvangErkenningmutatiesVerzoek req;
    if (soap_read__so__OntvangErkenningmutatiesVerzoek(s.get(), &req) != SOAP_OK) return invalid_body(s);
    std::vector<leerbedrijf::Mutatie> ms;
    std::int64_t last = 0;
    for (const auto* g : req.Mutatie) {
      auto m = mapping::mutatie_from(*g);
      if (!m) return m.error();
      last = std::max(last, m->volgnummer);
      ms.push_back(std::move(*m));
    }
    sink_->erkenningmutaties(ctx.message_id, ctx.auth.caller, ms);
    _so__OntvangErkenningmutatiesAntwoord resp;
    resp.Ontvangen = true;
    resp.LaatsteVolgnummer = last;
    return write(s, resp, &soap_write__so__OntvangErkenningmutatiesAntwoord, "ok");
  }

  std::unique_ptr<consumer::Sink> sink_;
};

}  // namespace

std::unique_ptr<Service> make_schoolontvangst_service(ServiceContract contract, std::unique_ptr<consumer::Sink> sink) {
  return std::make_unique<SchoolontvangstService>(std::move(contract), std::move(sink));
}

}  // namespace edugate::gateway
