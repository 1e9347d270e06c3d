// SupervisionService's supervisor controls (issue 14): each method one UnaryCall over an
// engine command of router/engine/supervisor_controls.h. Conversion checks only here (ids,
// enum values, the priority's range); the engine checks the rest. Case answers and lists
// leave customer text out. The caller's identity names the supervisor in the decisions
// AssignCase and TakeOverCase record.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "router/model/validation.h"
#include "router/service/engine_call.h"
#include "router/service/proto_convert.h"
#include "router/service/supervision_service.h"

namespace caserouter {
namespace {

struct NoInput {};

// An agent and a presence.
struct PresenceInput {
  std::string agent_id;
  Presence presence = Presence::kOffline;
};

// A case, an agent, and who chose.
struct ChoiceInput {
  std::string case_id;
  std::string agent_id;
  std::string supervisor;
};

struct ChangeInput {
  std::string case_id;
  WaitingCaseChange change;
};

template <typename Request>
absl::StatusOr<ChoiceInput> ChoiceOf(const Request& r, const Identity& caller) {
  if (absl::Status s = ValidateId("case_id", r.case_id()); !s.ok()) return s;
  if (absl::Status s = ValidateAgentId("agent_id", r.agent_id()); !s.ok()) return s;
  return ChoiceInput{r.case_id(), r.agent_id(), caller.Label()};
}

template <typename Response>
void CaseOut(const CaseView& view, Response* out) {
  CaseViewToProto(view, CaseText::kOmit, out->mutable_case_());
}

template <typename Response>
void CasesOut(const std::vector<CaseView>& views, Response* out) {
  for (const CaseView& view : views) CaseViewToProto(view, CaseText::kOmit, out->add_cases());
}

absl::StatusOr<std::string> AgentIdOf(const std::string& agent_id) {
  if (absl::Status s = ValidateAgentId("agent_id", agent_id); !s.ok()) return s;
  return agent_id;
}

}  // namespace

grpc::ServerUnaryReactor* SupervisionService::SetAgentPresence(grpc::CallbackServerContext* context,
                                                               const grpc::ByteBuffer* request,
                                                               grpc::ByteBuffer* response) {
  return UnaryCall<AgentView, v1::SetAgentPresenceRequest, v1::SetAgentPresenceResponse>(
      context, request, response, gate_, Rpc::kSetAgentPresence, calls_,
      [](const v1::SetAgentPresenceRequest& r) -> absl::StatusOr<PresenceInput> {
        if (absl::Status s = ValidateAgentId("agent_id", r.agent_id()); !s.ok()) return s;
        absl::StatusOr<Presence> presence = PresenceFromProto(r.presence(), "presence");
        if (!presence.ok()) return presence.status();
        return PresenceInput{r.agent_id(), *presence};
      },
      [this](PresenceInput in, Engine::Callback<AgentView> done) {
        engine_->SupervisorSetPresence(std::move(in.agent_id), in.presence, std::move(done));
      },
      [this](const AgentView& view, v1::SetAgentPresenceResponse* out) {
        AgentViewToProto(view, clock_->Now(), out->mutable_agent());
      });
}

grpc::ServerUnaryReactor* SupervisionService::EndAgentSession(grpc::CallbackServerContext* context,
                                                              const grpc::ByteBuffer* request,
                                                              grpc::ByteBuffer* response) {
  return UnaryCall<void, v1::EndAgentSessionRequest, v1::EndAgentSessionResponse>(
      context, request, response, gate_, Rpc::kEndAgentSession, calls_,
      [](const v1::EndAgentSessionRequest& r) { return AgentIdOf(r.agent_id()); },
      [this](std::string agent_id, Engine::StatusCallback done) {
        engine_->EndAgentSession(std::move(agent_id), std::move(done));
      },
      [](v1::EndAgentSessionResponse*) {});
}

grpc::ServerUnaryReactor* SupervisionService::AssignCase(grpc::CallbackServerContext* context,
                                                         const grpc::ByteBuffer* request,
                                                         grpc::ByteBuffer* response) {
  return UnaryCall<CaseView, v1::AssignCaseRequest, v1::AssignCaseResponse>(
      context, request, response, gate_, Rpc::kAssignCase, calls_, ChoiceOf<v1::AssignCaseRequest>,
      [this](ChoiceInput in, Engine::Callback<CaseView> done) {
        engine_->AssignCase(std::move(in.case_id), std::move(in.agent_id), std::move(in.supervisor),
                            std::move(done));
      },
      CaseOut<v1::AssignCaseResponse>);
}

grpc::ServerUnaryReactor* SupervisionService::UpdateWaitingCase(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return UnaryCall<CaseView, v1::UpdateWaitingCaseRequest, v1::UpdateWaitingCaseResponse>(
      context, request, response, gate_, Rpc::kUpdateWaitingCase, calls_,
      [](const v1::UpdateWaitingCaseRequest& r) -> absl::StatusOr<ChangeInput> {
        if (absl::Status s = ValidateId("case_id", r.case_id()); !s.ok()) return s;
        ChangeInput in{r.case_id(), {}};
        if (r.has_explicit_priority()) {
          if (r.explicit_priority() < 0 || r.explicit_priority() > 100) {
            return absl::InvalidArgumentError("explicit_priority: must be 0-100");
          }
          in.change.explicit_priority = r.explicit_priority();
        }
        if (r.has_requirements()) {
          WaitingCaseChange::Requirements req;
          for (const v1::SkillRequirement& skill : r.requirements().required_skills()) {
            req.required_skills.push_back(SkillRequirement{skill.skill(), skill.min_proficiency()});
          }
          req.language = r.requirements().language();
          req.topic = r.requirements().topic();
          in.change.requirements = std::move(req);
        }
        if (!in.change.explicit_priority.has_value() && !in.change.requirements.has_value()) {
          return absl::InvalidArgumentError(
              "explicit_priority: nothing to change (set explicit_priority or requirements)");
        }
        return in;
      },
      [this](ChangeInput in, Engine::Callback<CaseView> done) {
        engine_->UpdateWaitingCase(std::move(in.case_id), std::move(in.change), std::move(done));
      },
      CaseOut<v1::UpdateWaitingCaseResponse>);
}

grpc::ServerUnaryReactor* SupervisionService::ListCasesNeedingSupervisor(
    grpc::CallbackServerContext* context, const grpc::ByteBuffer* request,
    grpc::ByteBuffer* response) {
  return UnaryCall<std::vector<CaseView>, v1::ListCasesNeedingSupervisorRequest,
                   v1::ListCasesNeedingSupervisorResponse>(
      context, request, response, gate_, Rpc::kListCasesNeedingSupervisor, calls_,
      [](const v1::ListCasesNeedingSupervisorRequest&) -> absl::StatusOr<NoInput> {
        return NoInput{};
      },
      [this](NoInput, Engine::Callback<std::vector<CaseView>> done) {
        engine_->ListCasesNeedingSupervisor(std::move(done));
      },
      CasesOut<v1::ListCasesNeedingSupervisorResponse>);
}

grpc::ServerUnaryReactor* SupervisionService::TakeOverCase(grpc::CallbackServerContext* context,
                                                           const grpc::ByteBuffer* request,
                                                           grpc::ByteBuffer* response) {
  return UnaryCall<CaseView, v1::TakeOverCaseRequest, v1::TakeOverCaseResponse>(
      context, request, response, gate_, Rpc::kTakeOverCase, calls_,
      ChoiceOf<v1::TakeOverCaseRequest>,
      [this](ChoiceInput in, Engine::Callback<CaseView> done) {
        engine_->TakeOverCase(std::move(in.case_id), std::move(in.agent_id),
                              std::move(in.supervisor), std::move(done));
      },
      CaseOut<v1::TakeOverCaseResponse>);
}

grpc::ServerUnaryReactor* SupervisionService::ListAgentCases(grpc::CallbackServerContext* context,
                                                             const grpc::ByteBuffer* request,
                                                             grpc::ByteBuffer* response) {
  return UnaryCall<std::vector<CaseView>, v1::ListAgentCasesRequest, v1::ListAgentCasesResponse>(
      context, request, response, gate_, Rpc::kListAgentCases, calls_,
      [](const v1::ListAgentCasesRequest& r) { return AgentIdOf(r.agent_id()); },
      [this](std::string agent_id, Engine::Callback<std::vector<CaseView>> done) {
        engine_->ListAgentCases(std::move(agent_id), std::move(done));
      },
      CasesOut<v1::ListAgentCasesResponse>);
}

}  // namespace caserouter
