// SupervisionService: caserouter.v1.SupervisionService over the engine.
//
// Each method is one UnaryCall (engine_call.h), finished from the engine's answer; CreateAgent
// and UpdateAgent are one handler with two engine commands. Agent profiles are converted only
// (proto_convert.h); the engine validates them and answers ALREADY_EXISTS, NOT_FOUND and
// FAILED_PRECONDITION. ListQueue pages through the routing order (page_token.h) and, like
// ExplainDecision, never returns customer text.
//
// ReloadConfiguration runs the server's reload (the same as SIGHUP): FAILED_PRECONDITION when
// the server was started without a configuration file, the loader's INVALID_ARGUMENT naming
// the key when the file is bad (the running configuration stays). The reload answers through
// a callback, like the engine, once the engine took the new configuration.
//
// Every call passes the call gate first (call_gate.h): changes (agents, reload) are a
// supervisor's; ListQueue, ListAgents and ExplainDecision are a supervisor's or a viewer's
// (dashboards). Each call a supervisor makes is audited with what it was about.
//
// The supervisor controls (issue 14: presence, session, assignment, waiting-case changes,
// take-over, an agent's cases) are a supervisor's only; they are in their own file,
// supervisor_controls_service.cc, over router/engine/supervisor_controls.h. Case lists and
// answers leave customer text out.
//
// Thread safety: methods run concurrently on gRPC's callback threads and never block; no
// state of its own. `engine`, `clock`, `gate` and `calls` must outlive the service; `reload`
// must be callable from any thread and must not block.
#ifndef CASEROUTER_ROUTER_SERVICE_SUPERVISION_SERVICE_H_
#define CASEROUTER_ROUTER_SERVICE_SUPERVISION_SERVICE_H_

#include <functional>
#include <string>

#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/server_callback.h>

#include "absl/status/statusor.h"
#include "caserouter/v1/supervision.grpc.pb.h"
#include "router/engine/engine.h"
#include "router/model/clock.h"
#include "router/service/call_gate.h"
#include "router/service/call_limiter.h"
#include "router/service/event_feed.h"

namespace caserouter {

// What a configuration reload loaded.
struct ReloadResult {
  std::string path;
  std::string domain;
};
// Starts a reload; `done` gets its result, on any thread.
using ReloadFunction = std::function<void(std::function<void(absl::StatusOr<ReloadResult>)> done)>;

// Every method raw and callback (raw_callback.h).
// The supervisor controls of issue 14 (supervisor_controls_service.cc), innermost.
using SupervisorControlsBase = v1::SupervisionService::WithRawCallbackMethod_SetAgentPresence<
    v1::SupervisionService::WithRawCallbackMethod_EndAgentSession<
        v1::SupervisionService::WithRawCallbackMethod_AssignCase<
            v1::SupervisionService::WithRawCallbackMethod_UpdateWaitingCase<
                v1::SupervisionService::WithRawCallbackMethod_ListCasesNeedingSupervisor<
                    v1::SupervisionService::WithRawCallbackMethod_TakeOverCase<
                        v1::SupervisionService::WithRawCallbackMethod_ListAgentCases<
                            v1::SupervisionService::WithRawCallbackMethod_GetBenchmarkReport<
                                v1::SupervisionService::WithCallbackMethod_WatchDomainEvents<
                                    v1::SupervisionService::Service>>>>>>>>>;
using SupervisionServiceBase = v1::SupervisionService::WithRawCallbackMethod_CreateAgent<
    v1::SupervisionService::WithRawCallbackMethod_UpdateAgent<
        v1::SupervisionService::WithRawCallbackMethod_DeleteAgent<
            v1::SupervisionService::WithRawCallbackMethod_ListQueue<
                v1::SupervisionService::WithRawCallbackMethod_ListAgents<
                    v1::SupervisionService::WithRawCallbackMethod_ExplainDecision<
                        v1::SupervisionService::WithRawCallbackMethod_ReloadConfiguration<
                            SupervisorControlsBase>>>>>>>;

class SupervisionService final : public SupervisionServiceBase {
 public:
  // `clock` dates the agents' idle time in ListAgents.
  // `feed` (issue 13) serves WatchDomainEvents; null: FAILED_PRECONDITION.
  SupervisionService(Engine* engine, Clock* clock, CallGate* gate, CallLimiter* calls,
                     ReloadFunction reload, EventFeed* feed = nullptr);

  grpc::ServerUnaryReactor* CreateAgent(grpc::CallbackServerContext* context,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* UpdateAgent(grpc::CallbackServerContext* context,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* DeleteAgent(grpc::CallbackServerContext* context,
                                        const grpc::ByteBuffer* request,
                                        grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ListQueue(grpc::CallbackServerContext* context,
                                      const grpc::ByteBuffer* request,
                                      grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ListAgents(grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ExplainDecision(grpc::CallbackServerContext* context,
                                            const grpc::ByteBuffer* request,
                                            grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ReloadConfiguration(grpc::CallbackServerContext* context,
                                                const grpc::ByteBuffer* request,
                                                grpc::ByteBuffer* response) override;
  // Issue 17 (benchmark_report_convert.h).
  grpc::ServerUnaryReactor* GetBenchmarkReport(grpc::CallbackServerContext* context,
                                               const grpc::ByteBuffer* request,
                                               grpc::ByteBuffer* response) override;

  // --- Supervisor controls (issue 14; supervisor_controls_service.cc) ---
  grpc::ServerUnaryReactor* SetAgentPresence(grpc::CallbackServerContext* context,
                                             const grpc::ByteBuffer* request,
                                             grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* EndAgentSession(grpc::CallbackServerContext* context,
                                            const grpc::ByteBuffer* request,
                                            grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* AssignCase(grpc::CallbackServerContext* context,
                                       const grpc::ByteBuffer* request,
                                       grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* UpdateWaitingCase(grpc::CallbackServerContext* context,
                                              const grpc::ByteBuffer* request,
                                              grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ListCasesNeedingSupervisor(grpc::CallbackServerContext* context,
                                                       const grpc::ByteBuffer* request,
                                                       grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* TakeOverCase(grpc::CallbackServerContext* context,
                                         const grpc::ByteBuffer* request,
                                         grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* ListAgentCases(grpc::CallbackServerContext* context,
                                           const grpc::ByteBuffer* request,
                                           grpc::ByteBuffer* response) override;
  // issue 13: every event of the domain (event_feed.h).
  grpc::ServerWriteReactor<v1::WatchDomainEventsResponse>* WatchDomainEvents(
      grpc::CallbackServerContext* context, const v1::WatchDomainEventsRequest* request) override;

 private:
  using UpsertCommand = void (Engine::*)(Agent, Engine::Callback<AgentView>);
  template <typename Request, typename Response>
  grpc::ServerUnaryReactor* UpsertAgent(grpc::CallbackServerContext* context,
                                        const grpc::ByteBuffer* request, grpc::ByteBuffer* response,
                                        Rpc rpc, UpsertCommand command);

  Engine* const engine_;
  Clock* const clock_;
  CallGate* const gate_;
  CallLimiter* const calls_;
  const ReloadFunction reload_;
  EventFeed* const feed_;
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_SUPERVISION_SERVICE_H_
