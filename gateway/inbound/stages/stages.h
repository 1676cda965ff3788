#pragma once
// The stages of the inbound chain, one file each; chain.cc puts them in order.
#include <memory>

#include "gateway/inbound/stage.h"

namespace edugate::gateway::stages {

std::unique_ptr<Stage> identity(const ChainDeps&);
std::unique_ptr<Stage> endpoint(const ChainDeps&);
std::unique_ptr<Stage> content_type(const ChainDeps&);
std::unique_ptr<Stage> xml_guard(const ChainDeps&);
std::unique_ptr<Stage> envelope(const ChainDeps&);
std::unique_ptr<Stage> addressing(const ChainDeps&);
std::unique_ptr<Stage> operation(const ChainDeps&);
std::unique_ptr<Stage> signature(const ChainDeps&);
std::unique_ptr<Stage> authorization(const ChainDeps&);
std::unique_ptr<Stage> canonical_body(const ChainDeps&);
std::unique_ptr<Stage> idempotency(const ChainDeps&);
std::unique_ptr<Stage> service(const ChainDeps&);
std::unique_ptr<Stage> commit(const ChainDeps&);

}  // namespace edugate::gateway::stages
