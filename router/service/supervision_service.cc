#include "router/service/supervision_service.h"

#include <string>
#include <utility>
#include <vector>

#include "router/model/validation.h"
#include "router/service/benchmark_report_convert.h"
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

SupervisionService::SupervisionService(Engine* engine, Clock* clock, CallGate* gate,
                                       CallLimiter* calls, ReloadFunction reload, EventFeed* feed)
    : engine_(engine),
      clock_(clock),
      gate_(gate),
      calls_(calls),
      reload_(std::move(reload)),
      feed_(feed) {}

grpc::ServerWriteReactor<v1::WatchDomainEventsResponse>* SupervisionService::WatchDomainEvents(
    grpc::CallbackServerContext* context, const v1::WatchDomainEventsRequest* request) {
  if (feed_ == nullptr) return EventFeed::NoDomainFeed();
  return feed_->OpenDomainFeed(context, *request);
}

template <typename Request, typename Response>
grpc::ServerUnaryReactor* SupervisionService::UpsertAgent(grpc::CallbackServerContext* context,
                                                          const grpc::ByteBuffer* request,
                                                          grpc::ByteBuffer* response, Rpc rpc,
                                                          UpsertCommand command) {
  return UnaryCall<AgentView, Request, Response>(
      context, request, response, gate_, rpc, calls_, AgentFromRequest<Request>,
      [this, command](Agent agent, Engine::Callback<AgentView> done) {
        (engine_->*command)(std::move(agent), std::move(done));
      },
      [this](const AgentView& view, Response* out) {
        AgentViewToProto(view, clock_->Now(), out->mutable_agent());
      });
}

grpc::ServerUnaryReactor* SupervisionService::CreateAgent(grpc::CallbackServerContext* context,
                                                          const grpc::ByteBuffer* request,
                                                          grpc::ByteBuffer* response) {
  return UpsertAgent<v1::CreateAgentRequest, v1::CreateAgentResponse>(
      context, request, response, Rpc::kCreateAgent, &Engine::CreateAgent);
}

grpc::ServerUnaryReactor* SupervisionService::UpdateAgent(grpc::CallbackServerContext* context,
                                                          const grpc::ByteBuffer* request,
                                                          grpc::ByteBuffer* response) {
  return UpsertAgent<v1::UpdateAgentRequest, v1::UpdateAgentResponse>(
      context, request, response, Rpc::kUpdateAgent, &Engine::UpdateAgent);
}

grpc::ServerUnaryReactor* SupervisionService::DeleteAgent(grpc::CallbackServerContext* context,
                                                          const grpc::ByteBuffer* request,
                                                          grpc::ByteBuffer* response) {
  return UnaryCall<void, v1::DeleteAgentRequest, v1::DeleteAgentResponse>(
      context, request, response, gate_, Rpc::kDeleteAgent, calls_,
      [](const v1::DeleteAgentRequest& r) -> absl::StatusOr<std::string> {
        if (absl::Status s = ValidateAgentId("agent_id", r.agent_id()); !s.ok()) return s;
        return r.agent_id();
      },
      [this](std::string agent_id, Engine::StatusCallback done) {
        engine_->RemoveAgent(std::move(agent_id), std::move(done));
      },
      [](v1::DeleteAgentResponse*) {});
}

grpc::ServerUnaryReactor* SupervisionService::ListQueue(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request,
                                                        grpc::ByteBuffer* response) {
  return UnaryCall<QueuePageResult, v1::ListQueueRequest, v1::ListQueueResponse>(
      context, request, response, gate_, Rpc::kListQueue, calls_,
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
        for (const QueueFiguresView& q : snapshot.queues) {  // issue 16
          v1::QueueFigures* f = out->add_queues();
          f->set_queue(q.queue);
          f->set_waiting(q.waiting);
          DurationToProto(q.longest_wait, f->mutable_longest_wait_duration());
          f->set_answered(q.counts.answered);
          f->set_answered_within_target(q.counts.answered_within_target);
          f->set_abandoned(q.counts.abandoned);
          f->set_overflowed(q.counts.overflowed);
        }
      });
}

grpc::ServerUnaryReactor* SupervisionService::ListAgents(grpc::CallbackServerContext* context,
                                                         const grpc::ByteBuffer* request,
                                                         grpc::ByteBuffer* response) {
  return UnaryCall<std::vector<AgentView>, v1::ListAgentsRequest, v1::ListAgentsResponse>(
      context, request, response, gate_, Rpc::kListAgents, calls_,
      [](const v1::ListAgentsRequest&) -> absl::StatusOr<NoInput> { return NoInput{}; },
      [this](NoInput, Engine::Callback<std::vector<AgentView>> done) {
        engine_->ListAgents(std::move(done));
      },
      [this](const std::vector<AgentView>& agents, v1::ListAgentsResponse* out) {
        const absl::Time now = clock_->Now();
        for (const AgentView& view : agents) AgentViewToProto(view, now, out->add_agents());
      });
}

grpc::ServerUnaryReactor* SupervisionService::ExplainDecision(grpc::CallbackServerContext* context,
                                                              const grpc::ByteBuffer* request,
                                                              grpc::ByteBuffer* response) {
  return UnaryCall<Explanation, v1::ExplainDecisionRequest, v1::ExplainDecisionResponse>(
      context, request, response, gate_, Rpc::kExplainDecision, calls_,
      [](const v1::ExplainDecisionRequest& r) -> absl::StatusOr<std::string> {
        if (absl::Status s = ValidateId("case_id", r.case_id()); !s.ok()) return s;
        return r.case_id();
      },
      [this](std::string case_id, Engine::Callback<Explanation> done) {
        engine_->ExplainDecision(std::move(case_id), std::move(done));
      },
      ExplanationToProto);
}

grpc::ServerUnaryReactor* SupervisionService::ReloadConfiguration(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return UnaryCall<ReloadResult, v1::ReloadConfigurationRequest, v1::ReloadConfigurationResponse>(
      context, request, response, gate_, Rpc::kReloadConfiguration, calls_,
      [this](const v1::ReloadConfigurationRequest&) -> absl::StatusOr<NoInput> {
        if (!reload_) return absl::FailedPreconditionError("no configuration file to reload");
        return NoInput{};
      },
      [this](NoInput, Engine::Callback<ReloadResult> done) { reload_(std::move(done)); },
      [](const ReloadResult& result, v1::ReloadConfigurationResponse* out) {
        out->set_path(result.path);
        out->set_domain(result.domain);
      });
}

grpc::ServerUnaryReactor* SupervisionService::GetBenchmarkReport(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return UnaryCall<BenchmarkReport, v1::GetBenchmarkReportRequest, v1::GetBenchmarkReportResponse>(
      context, request, response, gate_, Rpc::kGetBenchmarkReport, calls_, PrecisionFromProto,
      [this](BenchmarkPrecision precision, Engine::Callback<BenchmarkReport> done) {
        engine_->GetBenchmarkReport(precision, std::move(done));
      },
      BenchmarkReportToProto);
}

}  // namespace caserouter
