#include "router/service/case_intake_service.h"

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

struct CancelInput {
  std::string case_id;
  std::string reason;  // "" = the engine's default
};

}  // namespace

CaseIntakeService::CaseIntakeService(Engine* engine, CallLimiter* calls, Admission* admission)
    : engine_(engine), calls_(calls), admission_(admission) {}

grpc::ServerUnaryReactor* CaseIntakeService::SubmitCase(grpc::CallbackServerContext* context,
                                                        const grpc::ByteBuffer* request,
                                                        grpc::ByteBuffer* response) {
  return UnaryCall<SubmitResult, v1::SubmitCaseRequest, v1::SubmitCaseResponse>(
      context, request, response, calls_,
      [this](const v1::SubmitCaseRequest& r) -> absl::StatusOr<CaseSpec> {
        absl::StatusOr<CaseSpec> spec = CaseSpecFromProto(r);
        if (!spec.ok()) return spec;
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
      context, request, response, calls_,
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
      context, request, response, calls_,
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
      context, request, response, calls_,
      [](const v1::GetCaseRequest& r) -> absl::StatusOr<std::string> {
        if (absl::Status s = ValidateId("case_id", r.case_id()); !s.ok()) return s;
        return r.case_id();
      },
      [this](std::string case_id, Engine::Callback<CaseView> done) {
        engine_->GetCase(std::move(case_id), std::move(done));
      },
      ViewToResponse<v1::GetCaseResponse>);
}

}  // namespace caserouter
