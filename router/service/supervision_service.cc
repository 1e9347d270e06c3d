#include "router/service/supervision_service.h"

#include <string>
#include <utility>
#include <vector>

#include "router/model/validation.h"
#include "router/service/engine_call.h"
#include "router/service/page_token.h"
#include "router/service/proto_convert.h"
#include "router/service/status_convert.h"

namespace caserouter {
namespace {

// One page of the queue with the position it was asked from.
struct QueuePageResult {
  QueuePage page;
  QueueSnapshot snapshot;
};

struct NoInput {};

}  // namespace

SupervisionService::SupervisionService(Engine* engine, Clock* clock, ReloadFunction reload)
    : RawSyncService("caserouter.v1.SupervisionService"),
      engine_(engine),
      clock_(clock),
      reload_(std::move(reload)) {
  AddUnary("CreateAgent", &SupervisionService::CreateAgent);
  AddUnary("UpdateAgent", &SupervisionService::UpdateAgent);
  AddUnary("DeleteAgent", &SupervisionService::DeleteAgent);
  AddUnary("ListQueue", &SupervisionService::ListQueue);
  AddUnary("ListAgents", &SupervisionService::ListAgents);
  AddUnary("ExplainDecision", &SupervisionService::ExplainDecision);
  AddUnary("ReloadConfiguration", &SupervisionService::ReloadConfiguration);
}

template <typename Request, typename Response>
grpc::Status SupervisionService::UpsertAgent(grpc::ServerContext* context, const Request& request,
                                             Response* response, UpsertCommand command) {
  return UnaryCall<AgentView>(
      context, request, response, AgentFromRequest<Request>,
      [this, command](Agent agent, Engine::Callback<AgentView> done) {
        (engine_->*command)(std::move(agent), std::move(done));
      },
      [this](const AgentView& view, Response* out) {
        AgentViewToProto(view, clock_->Now(), out->mutable_agent());
      });
}

grpc::Status SupervisionService::CreateAgent(grpc::ServerContext* context,
                                             const v1::CreateAgentRequest& request,
                                             v1::CreateAgentResponse* response) {
  return UpsertAgent(context, request, response, &Engine::CreateAgent);
}

grpc::Status SupervisionService::UpdateAgent(grpc::ServerContext* context,
                                             const v1::UpdateAgentRequest& request,
                                             v1::UpdateAgentResponse* response) {
  return UpsertAgent(context, request, response, &Engine::UpdateAgent);
}

grpc::Status SupervisionService::DeleteAgent(grpc::ServerContext* context,
                                             const v1::DeleteAgentRequest& request,
                                             v1::DeleteAgentResponse* response) {
  return UnaryCall<void>(
      context, request, response,
      [](const v1::DeleteAgentRequest& r) -> absl::StatusOr<std::string> {
        if (absl::Status s = ValidateAgentId("agent_id", r.agent_id()); !s.ok()) return s;
        return r.agent_id();
      },
      [this](std::string agent_id, Engine::StatusCallback done) {
        engine_->RemoveAgent(std::move(agent_id), std::move(done));
      },
      [](v1::DeleteAgentResponse*) {});
}

grpc::Status SupervisionService::ListQueue(grpc::ServerContext* context,
                                           const v1::ListQueueRequest& request,
                                           v1::ListQueueResponse* response) {
  return UnaryCall<QueuePageResult>(
      context, request, response,
      [](const v1::ListQueueRequest& r) { return QueuePageOf(r.page_size(), r.page_token()); },
      [this](QueuePage page, Engine::Callback<QueuePageResult> done) {
        engine_->ListQueuePage(
            page.offset, page.size,
            [page, done = std::move(done)](absl::StatusOr<QueueSnapshot> snapshot) {
              if (!snapshot.ok()) return done(snapshot.status());
              done(QueuePageResult{page, *std::move(snapshot)});
            });
      },
      [](const QueuePageResult& result, v1::ListQueueResponse* out) {
        const QueueSnapshot& snapshot = result.snapshot;
        for (const CaseView& view : snapshot.cases) {
          CaseViewToProto(view, CaseText::kOmit, out->add_cases());
        }
        for (Channel ch : kAllChannels) out->add_depth_by_channel(snapshot.depth[ChannelIndex(ch)]);
        out->set_next_page_token(
            NextPageToken(result.page, static_cast<int>(snapshot.cases.size()), snapshot.total));
        out->set_total_size(snapshot.total);
      });
}

grpc::Status SupervisionService::ListAgents(grpc::ServerContext* context,
                                            const v1::ListAgentsRequest& request,
                                            v1::ListAgentsResponse* response) {
  return UnaryCall<std::vector<AgentView>>(
      context, request, response,
      [](const v1::ListAgentsRequest&) -> absl::StatusOr<NoInput> { return NoInput{}; },
      [this](NoInput, Engine::Callback<std::vector<AgentView>> done) {
        engine_->ListAgents(std::move(done));
      },
      [this](const std::vector<AgentView>& agents, v1::ListAgentsResponse* out) {
        const absl::Time now = clock_->Now();
        for (const AgentView& view : agents) AgentViewToProto(view, now, out->add_agents());
      });
}

grpc::Status SupervisionService::ExplainDecision(grpc::ServerContext* context,
                                                 const v1::ExplainDecisionRequest& request,
                                                 v1::ExplainDecisionResponse* response) {
  return UnaryCall<Explanation>(
      context, request, response,
      [](const v1::ExplainDecisionRequest& r) -> absl::StatusOr<std::string> {
        if (absl::Status s = ValidateId("case_id", r.case_id()); !s.ok()) return s;
        return r.case_id();
      },
      [this](std::string case_id, Engine::Callback<Explanation> done) {
        engine_->ExplainDecision(std::move(case_id), std::move(done));
      },
      ExplanationToProto);
}

grpc::Status SupervisionService::ReloadConfiguration(grpc::ServerContext* context,
                                                     const v1::ReloadConfigurationRequest& request,
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
