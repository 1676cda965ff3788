#pragma once
#include <stdexcept>

namespace edugate {
// Thrown by an adapter or store when it cannot do its work now (database locked, down, full).
// The gateway answers with the retryable fault DK0051; the client may retry with the same MessageID.
class BackendUnavailable : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
}  // namespace edugate
