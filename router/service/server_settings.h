// ApplyServerSettings: how every caserouter gRPC server is built — message size limit,
// keepalive, connection timeouts and thread quota, each with its reason.
//
// The router's server uses it, and so does the load generator's echo service, so that the
// echo's figures are the ceiling of a server built exactly like the router's.
//
// Thread safety: call while building, before BuildAndStart. Errors: none.
#ifndef CASEROUTER_ROUTER_SERVICE_SERVER_SETTINGS_H_
#define CASEROUTER_ROUTER_SERVICE_SERVER_SETTINGS_H_

#include <grpcpp/server_builder.h>

#include "absl/time/time.h"

namespace caserouter {

// How long a connection may stay without doing its part. gRPC 1.51 has no limit on the
// connections a server accepts, so a connection that never finishes its TLS handshake, or
// that carries no call, is closed after these: a client cannot hold connections open for
// free. A real client reconnects when it next calls.
struct ConnectionTimeouts {
  absl::Duration handshake = absl::Seconds(10);  // TCP accept to the end of the handshake
  absl::Duration idle = absl::Seconds(60);       // without any open call or stream
};

void ApplyServerSettings(grpc::ServerBuilder& builder, ConnectionTimeouts timeouts = {});

// Process-wide settings of a server binary (the router's main, the echo's): call first in
// main. Abseil's mutex deadlock detection is turned off: Debian builds Abseil without NDEBUG,
// so every lock records lock-order edges in a graph (GraphCycles, 3–5 % of the router's CPU
// under load). Tests keep it.
void ApplyProcessSettings();

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_SERVER_SETTINGS_H_
