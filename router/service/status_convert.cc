#include "router/service/status_convert.h"

#include <string>

namespace caserouter {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  int code = static_cast<int>(status.code());
  // A code outside google.rpc.Code can only come from a bug; UNKNOWN is what Abseil itself
  // maps such values to.
  if (code <= 0 || code > static_cast<int>(grpc::StatusCode::UNAUTHENTICATED)) {
    code = static_cast<int>(grpc::StatusCode::UNKNOWN);
  }
  return grpc::Status(static_cast<grpc::StatusCode>(code), std::string(status.message()));
}

int32_t AckCode(const absl::Status& status) {
  return static_cast<int32_t>(ToGrpcStatus(status).error_code());
}

}  // namespace caserouter
