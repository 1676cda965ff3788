#pragma once
// The consumer's table sink: what SBB pushes, in plain SQLite tables a BI tool can read.
#include <string>

#include "core/sink.h"
#include "store/sql.h"

namespace edugate::adapters::db {

class TableSink final : public consumer::Sink {
 public:
  explicit TableSink(std::string path);
  void monitorresultaten(const MessageId& id, const Oin& from, const consumer::Monitorresultaten& r) override;
  void erkenningmutaties(const MessageId& id, const Oin& from, const std::vector<leerbedrijf::Mutatie>& m) override;

 private:
  sql::Pool pool_;
};

}  // namespace edugate::adapters::db
