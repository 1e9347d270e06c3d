// CaseIntakeService: caserouter.v1.CaseIntakeService over the engine.
//
// Each method is one UnaryCall (engine_call.h): a place among the calls in flight, the wire
// checks, the conversion (proto_convert.h), one engine command, and the call finished from the
// engine's answer on the engine thread. OK from SubmitCase means the case is stored.
//
// SubmitCase is admitted before it is enqueued (admission.h): a full queue, the live channels'
// reserve or a channel's rate answers RESOURCE_EXHAUSTED at once, without waiting for a tick.
// Every call passes the call gate first (call_gate.h; the roles in access_rules.h): SubmitCase,
// AddMessage and CancelCase are an adapter's. GetCase returns the case with its customer text
// to adapters and supervisors, and to an agent only for a case offered or assigned to that
// agent: any other case id (unknown ones included, so that an agent cannot probe for ids) is
// PERMISSION_DENIED for an agent. Errors never carry customer text.
//
// Thread safety: methods run concurrently on gRPC's callback threads and never block; the
// service holds no state of its own. `engine`, `gate`, `calls` and `admission` must outlive
// it.
#ifndef CASEROUTER_ROUTER_SERVICE_CASE_INTAKE_SERVICE_H_
#define CASEROUTER_ROUTER_SERVICE_CASE_INTAKE_SERVICE_H_

#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/server_callback.h>

#include "caserouter/v1/case_intake.grpc.pb.h"
#include "router/engine/engine.h"
#include "router/service/admission.h"
#include "router/service/call_gate.h"
#include "router/service/call_limiter.h"
#include "router/service/event_feed.h"

namespace caserouter {

// Every method raw and callback (raw_callback.h).
using CaseIntakeServiceBase = v1::CaseIntakeService::WithRawCallbackMethod_SubmitCase<
    v1::CaseIntakeService::WithRawCallbackMethod_AddMessage<
        v1::CaseIntakeService::WithRawCallbackMethod_CancelCase<
            v1::CaseIntakeService::WithRawCallbackMethod_GetCase<
                v1::CaseIntakeService::WithCallbackMethod_FollowCases<
                    v1::CaseIntakeService::Service>>>>>;

class CaseIntakeService final : public CaseIntakeServiceBase {
 public:
  // `feed` (issue 13) serves FollowCases; null: FAILED_PRECONDITION.
  CaseIntakeService(Engine* engine, CallGate* gate, CallLimiter* calls, Admission* admission,
                    EventFeed* feed = nullptr);

  grpc::ServerUnaryReactor* SubmitCase(grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* AddMessage(grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* CancelCase(grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* GetCase(grpc::CallbackServerContext* context,
                                    const grpc::ByteBuffer* request,
                                    grpc::ByteBuffer* response) override;
  // issue 13: the events of the calling adapter's cases (event_feed.h).
  grpc::ServerWriteReactor<v1::FollowCasesResponse>* FollowCases(
      grpc::CallbackServerContext* context, const v1::FollowCasesRequest* request) override;

 private:
  Engine* const engine_;
  CallGate* const gate_;
  CallLimiter* const calls_;
  Admission* const admission_;
  EventFeed* const feed_;
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_CASE_INTAKE_SERVICE_H_
