#include "router/service/supervision_service.h"

#include <utility>
#include <vector>

#include "router/service/engine_call.h"
#include "router/service/proto_convert.h"
#include "router/service/status_convert.h"
#include "router/model/validation.h"

namespace caserouter {
namespace {

constexpr int kDefaultQueueLimit = 100;
constexpr int kMaxQueueLimit = 1000;

}  // namespace

SupervisionService::SupervisionService(Engine* engine, Clock* clock, ReloadFunction reload)
    : RawSyncService("caserouter.v1.Supervision"),
      engine_(engine),
      clock_(clock),
      reload_(std::move(reload)) {
  AddUnary("CreateAgent", &SupervisionService::CreateAgent);
  AddUnary("UpdateAgent", &SupervisionService::UpdateAgent);
  AddUnary("RemoveAgent", &SupervisionService::RemoveAgent);
  AddUnary("ListQueue", &SupervisionService::ListQueue);
  AddUnary("ListAgents", &SupervisionService::ListAgents);
  AddUnary("ExplainDecision", &SupervisionService::ExplainDecision);
  AddUnary("ReloadConfiguration", &SupervisionService::ReloadConfiguration);
}

grpc::Status SupervisionService::CreateAgent(grpc::ServerContext* context,
                                             const v1::CreateAgentRequest& request,
                                             v1::CreateAgentResponse* response) {
  if (!request.has_profile()) {
    return ToGrpcStatus(absl::InvalidArgumentError("profile: required"));
  }
  absl::StatusOr<Agent> agent = AgentFromProto(request.profile(), "");
  if (!agent.ok()) return ToGrpcStatus(agent.status());
  absl::StatusOr<AgentView> view =
      AwaitEngine<AgentView>(context, [&](Engine::Callback<AgentView> done) {
        engine_->CreateAgent(*std::move(agent), std::move(done));
      });
  if (!view.ok()) return ToGrpcStatus(view.status());
  AgentViewToProto(*view, clock_->Now(), response->mutable_agent());
  return grpc::Status::OK;
}

grpc::Status SupervisionService::UpdateAgent(grpc::ServerContext* context,
                                             const v1::UpdateAgentRequest& request,
                                             v1::UpdateAgentResponse* response) {
  if (!request.has_profile()) {
    return ToGrpcStatus(absl::InvalidArgumentError("profile: required"));
  }
  absl::StatusOr<Agent> agent = AgentFromProto(request.profile(), "");
  if (!agent.ok()) return ToGrpcStatus(agent.status());
  absl::StatusOr<AgentView> view =
      AwaitEngine<AgentView>(context, [&](Engine::Callback<AgentView> done) {
        engine_->UpdateAgent(*std::move(agent), std::move(done));
      });
  if (!view.ok()) return ToGrpcStatus(view.status());
  AgentViewToProto(*view, clock_->Now(), response->mutable_agent());
  return grpc::Status::OK;
}

grpc::Status SupervisionService::RemoveAgent(grpc::ServerContext* context,
                                             const v1::RemoveAgentRequest& request,
                                             v1::RemoveAgentResponse* response) {
  if (absl::Status s = ValidateAgentId("agent_id", request.agent_id()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  return ToGrpcStatus(AwaitEngineStatus(context, [&](Engine::StatusCallback done) {
    engine_->RemoveAgent(request.agent_id(), std::move(done));
  }));
}

grpc::Status SupervisionService::ListQueue(grpc::ServerContext* context,
                                           const v1::ListQueueRequest& request,
                                           v1::ListQueueResponse* response) {
  int limit = request.limit();
  if (limit < 0 || limit > kMaxQueueLimit) {
    return ToGrpcStatus(absl::InvalidArgumentError("limit: must be 0-1000"));
  }
  if (limit == 0) limit = kDefaultQueueLimit;
  absl::StatusOr<QueueSnapshot> snapshot =
      AwaitEngine<QueueSnapshot>(context, [&](Engine::Callback<QueueSnapshot> done) {
        engine_->ListQueue(limit, std::move(done));
      });
  if (!snapshot.ok()) return ToGrpcStatus(snapshot.status());
  for (const CaseView& view : snapshot->cases) {
    CaseViewToProto(view, CaseText::kOmit, response->add_cases());
  }
  for (Channel ch : kAllChannels) {
    response->add_depth_by_channel(snapshot->depth[ChannelIndex(ch)]);
  }
  return grpc::Status::OK;
}

grpc::Status SupervisionService::ListAgents(grpc::ServerContext* context,
                                            const v1::ListAgentsRequest& request,
                                            v1::ListAgentsResponse* response) {
  absl::StatusOr<std::vector<AgentView>> agents = AwaitEngine<std::vector<AgentView>>(
      context, [&](Engine::Callback<std::vector<AgentView>> done) {
        engine_->ListAgents(std::move(done));
      });
  if (!agents.ok()) return ToGrpcStatus(agents.status());
  absl::Time now = clock_->Now();
  for (const AgentView& view : *agents) AgentViewToProto(view, now, response->add_agents());
  return grpc::Status::OK;
}

grpc::Status SupervisionService::ExplainDecision(grpc::ServerContext* context,
                                                 const v1::ExplainDecisionRequest& request,
                                                 v1::ExplainDecisionResponse* response) {
  if (absl::Status s = ValidateId("case_id", request.case_id()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::StatusOr<Explanation> explanation =
      AwaitEngine<Explanation>(context, [&](Engine::Callback<Explanation> done) {
        engine_->ExplainDecision(request.case_id(), std::move(done));
      });
  if (!explanation.ok()) return ToGrpcStatus(explanation.status());
  ExplanationToProto(*explanation, response);
  return grpc::Status::OK;
}

grpc::Status SupervisionService::ReloadConfiguration(
    grpc::ServerContext* context, const v1::ReloadConfigurationRequest& request,
    v1::ReloadConfigurationResponse* response) {
  if (!reload_) {
    return ToGrpcStatus(absl::FailedPreconditionError("no configuration file to reload"));
  }
  absl::StatusOr<ReloadResult> result = reload_();
  if (!result.ok()) return ToGrpcStatus(result.status());
  response->set_path(result->path);
  response->set_domain(result->domain);
  return grpc::Status::OK;
}

}  // namespace caserouter
