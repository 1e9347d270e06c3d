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

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_SERVER_SETTINGS_H_
