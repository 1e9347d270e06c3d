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

CaseIntakeService::CaseIntakeService(Engine* engine)
    : RawSyncService("caserouter.v1.CaseIntakeService"), engine_(engine) {
  AddUnary("SubmitCase", &CaseIntakeService::SubmitCase);
  AddUnary("AddMessage", &CaseIntakeService::AddMessage);
  AddUnary("CancelCase", &CaseIntakeService::CancelCase);
  AddUnary("GetCase", &CaseIntakeService::GetCase);
}

grpc::Status CaseIntakeService::SubmitCase(grpc::ServerContext* context,
                                           const v1::SubmitCaseRequest& request,
                                           v1::SubmitCaseResponse* response) {
  return UnaryCall<SubmitResult>(
      context, request, response, CaseSpecFromProto,
      [this](CaseSpec spec, Engine::Callback<SubmitResult> done) {
        engine_->SubmitCase(std::move(spec), std::move(done));
      },
      [](const SubmitResult& result, v1::SubmitCaseResponse* out) {
        ViewToResponse(result.view, out);
        out->set_deduplicated(result.deduplicated);
        out->set_joined(result.joined);
      });
}

grpc::Status CaseIntakeService::AddMessage(grpc::ServerContext* context,
                                           const v1::AddMessageRequest& request,
                                           v1::AddMessageResponse* response) {
  return UnaryCall<CaseView>(
      context, request, response,
      [](const v1::AddMessageRequest& r) -> absl::StatusOr<MessageInput> {
        if (absl::Status s = ValidateId("case_id", r.case_id()); !s.ok()) return s;
        return MessageInput{r.case_id(), r.text()};
      },
      [this](MessageInput in, Engine::Callback<CaseView> done) {
        engine_->AddMessage(std::move(in.case_id), std::move(in.text), std::move(done));
      },
      ViewToResponse<v1::AddMessageResponse>);
}

grpc::Status CaseIntakeService::CancelCase(grpc::ServerContext* context,
                                           const v1::CancelCaseRequest& request,
                                           v1::CancelCaseResponse* response) {
  return UnaryCall<CaseView>(
      context, request, response,
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

grpc::Status CaseIntakeService::GetCase(grpc::ServerContext* context,
                                        const v1::GetCaseRequest& request,
                                        v1::GetCaseResponse* response) {
  return UnaryCall<CaseView>(
      context, request, response,
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
