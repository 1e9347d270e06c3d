// The one mapping from absl::Status (used everywhere inside caserouter) to grpc::Status (what
// clients see).
//
// absl::StatusCode and grpc::StatusCode both follow google.rpc.Code, so the code passes
// through unchanged; the message passes through as written. Engine messages never carry
// customer text (see router/engine/engine.h), so nothing here filters them. The desk stream's
// Ack carries the same numeric code (AckCode) so a desktop reads stream answers and unary
// answers alike.
#ifndef CASEROUTER_ROUTER_SERVICE_STATUS_CONVERT_H_
#define CASEROUTER_ROUTER_SERVICE_STATUS_CONVERT_H_

#include <cstdint>

#include <grpcpp/support/status.h>

#include "absl/status/status.h"

namespace caserouter {

grpc::Status ToGrpcStatus(const absl::Status& status);

// The google.rpc.Code value of `status`, as Ack.code carries it on the desk stream.
int32_t AckCode(const absl::Status& status);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_STATUS_CONVERT_H_
