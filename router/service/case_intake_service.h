// CaseIntakeService: caserouter.v1.CaseIntake over the engine.
//
// Each handler converts the request (proto-level checks, proto_convert.h), enqueues one engine
// command and waits for its answer (engine_call.h). OK from SubmitCase means the case is
// stored. Customer text goes back only from GetCase and to the submitter; errors never carry
// it.
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
