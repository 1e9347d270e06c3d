#include "router/service/engine_call.h"

namespace caserouter {

grpc::ServerUnaryReactor* RefuseCall(grpc::CallbackServerContext* context,
                                     const absl::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(ToGrpcStatus(status));
  return reactor;
}

}  // namespace caserouter
