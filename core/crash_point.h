#pragma once
// Crash points for the exactly-once tests (tests/integration/exactly_once_test.cc): at a named
// point on the way from the backend's commit to the answer, the process kills itself with
// SIGKILL when the file that the environment variable EDUGATE_CRASH_POINT_FILE names holds the
// point's name and the operation, as "<point> <Operation>" (read at every point reached, so a
// test arms and disarms the next crash in a running gateway). Compiled in only where the tests
// are built (BUILD_TESTING, the default); a build without tests (the container image:
// -DBUILD_TESTING=OFF) has none, and the call does nothing.
//   backend_before_commit  the write and its key are in the backend's transaction, not committed
//   backend_committed      the backend committed; the gateway's answer is not yet durable
//   gateway_committed      the answer and its audit record are durable; nothing sent yet
#include <string_view>

namespace edugate {

void crash_point(const char* name, std::string_view operation);

}  // namespace edugate
