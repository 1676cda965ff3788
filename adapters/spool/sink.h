#pragma once
// adapters/spool: the consumer's file sink. Each received message becomes one JSON file and one
// CSV file in <dir>/<soort>/, named after its MessageID, written atomically (temp file, fsync,
// rename, fsync of the directory). A redelivery finds the file and writes nothing.
#include <string>

#include "core/sink.h"

namespace edugate::adapters::spool {

class FileSink final : public consumer::Sink {
 public:
  explicit FileSink(std::string dir);
  void monitorresultaten(const MessageId& id, const Oin& from, const consumer::Monitorresultaten& r) override;
  void erkenningmutaties(const MessageId& id, const Oin& from, const std::vector<leerbedrijf::Mutatie>& m) override;

 private:
  std::string dir_;
};

void register_factories();

}  // namespace edugate::adapters::spool
