#include "router/service/case_intake_service.h"

#include <optional>
#include <string>
#include <utility>

#include "router/model/validation.h"
#include "router/service/engine_call.h"
#include "router/service/proto_convert.h"

namespace caserouter {
namespace {

// Every CaseIntakeService answer carries the case with its text: the adapter sent it.
template <typename Response>
void ViewToResponse(const CaseView& view, Response* response) {
  CaseViewToProto(view, CaseText::kInclude, response->mutable_case_());
}

struct MessageInput {
  std::string case_id;
  std::string text;
};

// A GetCase: the case, and the agent asking when an agent asks.
struct CaseRead {
  std::string case_id;
  std::optional<Identity> agent;
  std::string peer;
};

struct CancelInput {
  std::string case_id;
  std::string reason;  // "" = the engine's default
};

}  // namespace

CaseIntakeService::CaseIntakeService(Engine* engine, CallGate* gate, CallLimiter* calls,
                                     Admission* admission, EventFeed* feed)
    : engine_(engine), gate_(gate), calls_(calls), admission_(admission), feed_(feed) {}

grpc::ServerWriteReactor<v1::FollowCasesResponse>* CaseIntakeService::FollowCases(
    grpc::CallbackServerContext* context, const v1::FollowCasesRequest* request) {
  if (feed_ == nullptr) return EventFeed::NoAdapterFeed();
  return feed_->OpenAdapterFeed(context, *request);
}

grpc::ServerUnaryReactor* CaseIntakeService::SubmitCase(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request,
                                                        grpc::ByteBuffer* response) {
  return UnaryCall<SubmitResult, v1::SubmitCaseRequest, v1::SubmitCaseResponse>(
      context, request, response, gate_, Rpc::kSubmitCase, calls_,
      [this](const v1::SubmitCaseRequest& r, const Identity& caller) -> absl::StatusOr<CaseSpec> {
        absl::StatusOr<CaseSpec> spec = CaseSpecFromProto(r);
        if (!spec.ok()) return spec;
        // Whose event feed (FollowCases) the case's events go to: the credential's name.
        spec->submitted_by = caller.name;
        // The engine's own rule, checked here too so that a request it would refuse as
        // INVALID_ARGUMENT is told so, and takes no place in the queue or a bucket.
        if (absl::Status valid = ValidateCaseSpec(*spec); !valid.ok()) return valid;
        // Last before the command is enqueued: a refusal costs no engine work.
        if (absl::Status admitted = admission_->Admit(spec->channel); !admitted.ok()) {
          return admitted;
        }
        return spec;
      },
      [this](CaseSpec spec, Engine::Callback<SubmitResult> done) {
        const Channel channel = spec.channel;
        engine_->SubmitCase(std::move(spec), [this, channel, done = std::move(done)](
                                                 absl::StatusOr<SubmitResult> result) {
          admission_->Answered(channel, result.ok() && !result->deduplicated && !result->joined);
          done(std::move(result));
        });
      },
      [](const SubmitResult& result, v1::SubmitCaseResponse* out) {
        ViewToResponse(result.view, out);
        out->set_deduplicated(result.deduplicated);
        out->set_joined(result.joined);
      });
}

grpc::ServerUnaryReactor* CaseIntakeService::AddMessage(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request,
                                                        grpc::ByteBuffer* response) {
  return UnaryCall<CaseView, v1::AddMessageRequest, v1::AddMessageResponse>(
      context, request, response, gate_, Rpc::kAddMessage, calls_,
      [](const v1::AddMessageRequest& r) -> absl::StatusOr<MessageInput> {
        if (absl::Status s = ValidateId("case_id", r.case_id()); !s.ok()) return s;
        return MessageInput{r.case_id(), r.text()};
      },
      [this](MessageInput in, Engine::Callback<CaseView> done) {
        engine_->AddMessage(std::move(in.case_id), std::move(in.text), std::move(done));
      },
      ViewToResponse<v1::AddMessageResponse>);
}

grpc::ServerUnaryReactor* CaseIntakeService::CancelCase(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request,
                                                        grpc::ByteBuffer* response) {
  return UnaryCall<CaseView, v1::CancelCaseRequest, v1::CancelCaseResponse>(
      context, request, response, gate_, Rpc::kCancelCase, calls_,
      [](const v1::CancelCaseRequest& r) -> absl::StatusOr<CancelInput> {
        if (absl::Status s = ValidateId("case_id", r.case_id()); !s.ok()) return s;
        absl::StatusOr<std::string> reason = CancelReasonFromProto(r.reason(), "reason");
        if (!reason.ok()) return reason.status();
        return CancelInput{r.case_id(), *std::move(reason)};
      },
      [this](CancelInput in, Engine::Callback<CaseView> done) {
        engine_->CancelCase(std::move(in.case_id), std::move(in.reason), std::move(done));
      },
      ViewToResponse<v1::CancelCaseResponse>);
}

grpc::ServerUnaryReactor* CaseIntakeService::GetCase(grpc::CallbackServerContext* context,
                                                     const grpc::ByteBuffer* request,
                                                     grpc::ByteBuffer* response) {
  return UnaryCall<CaseView, v1::GetCaseRequest, v1::GetCaseResponse>(
      context, request, response, gate_, Rpc::kGetCase, calls_,
      [context](const v1::GetCaseRequest& r, const Identity& caller) -> absl::StatusOr<CaseRead> {
        if (absl::Status s = ValidateId("case_id", r.case_id()); !s.ok()) return s;
        CaseRead read{r.case_id(), std::nullopt, ""};
        if (caller.role == Role::kAgent) {
          read.agent = caller;
          read.peer = context->peer();
        }
        return read;
      },
      [this](CaseRead read, Engine::Callback<CaseView> done) {
        if (!read.agent.has_value()) {
          engine_->GetCase(std::move(read.case_id), std::move(done));
          return;
        }
        // An agent reads only a case offered or assigned to it, decided on the engine's view.
        engine_->GetCase(
            read.case_id, [this, read, done = std::move(done)](absl::StatusOr<CaseView> view) {
              const bool held = view.ok() && view->record.agent_id == read.agent->name &&
                                (view->record.state == CaseState::kOffered ||
                                 view->record.state == CaseState::kAssigned);
              if (held || (!view.ok() && !absl::IsNotFound(view.status()))) {
                done(std::move(view));
                return;
              }
              gate_->Denied(*read.agent, Rpc::kGetCase, read.peer);
              done(absl::PermissionDeniedError(
                  "case_id: an agent may read only a case offered or assigned to it"));
            });
      },
      ViewToResponse<v1::GetCaseResponse>);
}

}  // namespace caserouter
