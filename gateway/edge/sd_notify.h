#pragma once
// systemd's readiness protocol (sd_notify(3)) without libsystemd: a datagram to the socket in
// $NOTIFY_SOCKET. With Type=notify, `systemctl start` returns once the gateway listens, and
// systemd sees reloads and the graceful stop. Without $NOTIFY_SOCKET it does nothing.
#include <string_view>

namespace edugate::gateway {

// state: "READY=1", "RELOADING=1", "STOPPING=1", "STATUS=…" (newline-separated). Returns
// whether a message was sent.
bool sd_notify(std::string_view state);

}  // namespace edugate::gateway
