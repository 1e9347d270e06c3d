// SupervisionService: caserouter.v1.SupervisionService over the engine.
//
// Each engine-backed handler is one UnaryCall (engine_call.h); CreateAgent and UpdateAgent are
// one handler with two engine commands. Agent profiles are converted only (proto_convert.h);
// the engine validates them and answers ALREADY_EXISTS, NOT_FOUND and FAILED_PRECONDITION.
// ListQueue pages through the routing order (page_token.h) and, like ExplainDecision, never
// returns customer text.
//
// ReloadConfiguration runs the server's reload (the same as SIGHUP): FAILED_PRECONDITION when
// the server was started without a configuration file, the loader's INVALID_ARGUMENT naming
// the key when the file is bad (the running configuration stays).
//
// Thread safety: handlers run concurrently on gRPC threads; no state of its own. `engine` and
// `clock` must outlive the service; `reload` must be callable from any thread.
#ifndef CASEROUTER_ROUTER_SERVICE_SUPERVISION_SERVICE_H_
#define CASEROUTER_ROUTER_SERVICE_SUPERVISION_SERVICE_H_

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "caserouter/v1/supervision.pb.h"
#include "router/model/clock.h"
#include "router/engine/engine.h"
#include "router/service/raw_sync_service.h"

namespace caserouter {

// What a configuration reload loaded.
struct ReloadResult {
  std::string path;
  std::string domain;
};
using ReloadFunction = std::function<absl::StatusOr<ReloadResult>()>;

class SupervisionService final : public RawSyncService {
 public:
  // `clock` dates the agents' idle time in ListAgents.
  SupervisionService(Engine* engine, Clock* clock, ReloadFunction reload);

  grpc::Status CreateAgent(grpc::ServerContext* context, const v1::CreateAgentRequest& request,
                           v1::CreateAgentResponse* response);
  grpc::Status UpdateAgent(grpc::ServerContext* context, const v1::UpdateAgentRequest& request,
                           v1::UpdateAgentResponse* response);
  grpc::Status DeleteAgent(grpc::ServerContext* context, const v1::DeleteAgentRequest& request,
                           v1::DeleteAgentResponse* response);
  grpc::Status ListQueue(grpc::ServerContext* context, const v1::ListQueueRequest& request,
                         v1::ListQueueResponse* response);
  grpc::Status ListAgents(grpc::ServerContext* context, const v1::ListAgentsRequest& request,
                          v1::ListAgentsResponse* response);
  grpc::Status ExplainDecision(grpc::ServerContext* context,
                               const v1::ExplainDecisionRequest& request,
                               v1::ExplainDecisionResponse* response);
  grpc::Status ReloadConfiguration(grpc::ServerContext* context,
                                   const v1::ReloadConfigurationRequest& request,
                                   v1::ReloadConfigurationResponse* response);

 private:
  using UpsertCommand = void (Engine::*)(Agent, Engine::Callback<AgentView>);
  template <typename Request, typename Response>
  grpc::Status UpsertAgent(grpc::ServerContext* context, const Request& request,
                           Response* response, UpsertCommand command);

  Engine* const engine_;
  Clock* const clock_;
  const ReloadFunction reload_;
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_SUPERVISION_SERVICE_H_
