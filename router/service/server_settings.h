// ApplyServerSettings: how every caserouter gRPC server is built — message size limit,
// keepalive and thread quota, each with its reason.
//
// The router's server uses it, and so does the load generator's echo service, so that the
// echo's figures are the ceiling of a server built exactly like the router's.
//
// Thread safety: call while building, before BuildAndStart. Errors: none.
#ifndef CASEROUTER_ROUTER_SERVICE_SERVER_SETTINGS_H_
#define CASEROUTER_ROUTER_SERVICE_SERVER_SETTINGS_H_

#include <grpcpp/server_builder.h>

namespace caserouter {

void ApplyServerSettings(grpc::ServerBuilder& builder);

// Process-wide settings of a server binary (the router's main, the echo's): call first in
// main. Abseil's mutex deadlock detection is turned off: Debian builds Abseil without NDEBUG,
// so every lock records lock-order edges in a graph (GraphCycles, 3–5 % of the router's CPU
// under load). Tests keep it.
void ApplyProcessSettings();

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_SERVER_SETTINGS_H_
