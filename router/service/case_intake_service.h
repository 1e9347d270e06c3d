// CaseIntakeService: caserouter.v1.CaseIntakeService over the engine.
//
// Each handler is one UnaryCall (engine_call.h): convert the request (proto_convert.h), run one
// engine command and wait for its answer, convert the answer. Requests reach the handlers
// through the wire checks (wire_checks.h); the engine applies the domain rules. OK from
// SubmitCase means the case is stored. Customer text goes back only to the adapter that sent
// it (every answer of this service); errors never carry it.
//
// Thread safety: handlers run concurrently on gRPC threads; the service holds no state of its
// own. `engine` must outlive the service.
#ifndef CASEROUTER_ROUTER_SERVICE_CASE_INTAKE_SERVICE_H_
#define CASEROUTER_ROUTER_SERVICE_CASE_INTAKE_SERVICE_H_

#include "caserouter/v1/case_intake.pb.h"
#include "router/engine/engine.h"
#include "router/service/raw_sync_service.h"

namespace caserouter {

class CaseIntakeService final : public RawSyncService {
 public:
  explicit CaseIntakeService(Engine* engine);

  grpc::Status SubmitCase(grpc::ServerContext* context, const v1::SubmitCaseRequest& request,
                          v1::SubmitCaseResponse* response);
  grpc::Status AddMessage(grpc::ServerContext* context, const v1::AddMessageRequest& request,
                          v1::AddMessageResponse* response);
  grpc::Status CancelCase(grpc::ServerContext* context, const v1::CancelCaseRequest& request,
                          v1::CancelCaseResponse* response);
  grpc::Status GetCase(grpc::ServerContext* context, const v1::GetCaseRequest& request,
                       v1::GetCaseResponse* response);

 private:
  Engine* const engine_;
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_CASE_INTAKE_SERVICE_H_
