#include "router/service/case_intake_service.h"

#include <string>
#include <utility>

#include "absl/strings/string_view.h"
#include "router/service/engine_call.h"
#include "router/service/proto_convert.h"
#include "router/service/status_convert.h"
#include "router/model/validation.h"

namespace caserouter {
namespace {

// CancelCaseRequest.reason: a closed set, because it ends up in events and metrics.
bool IsCancelReason(absl::string_view reason) {
  return reason == "customer_left" || reason == "post_deleted" || reason == "duplicate" ||
         reason == "other";
}

}  // namespace

CaseIntakeService::CaseIntakeService(Engine* engine)
    : RawSyncService("caserouter.v1.CaseIntake"), engine_(engine) {
  AddUnary("SubmitCase", &CaseIntakeService::SubmitCase);
  AddUnary("AddMessage", &CaseIntakeService::AddMessage);
  AddUnary("CancelCase", &CaseIntakeService::CancelCase);
  AddUnary("GetCase", &CaseIntakeService::GetCase);
}

grpc::Status CaseIntakeService::SubmitCase(grpc::ServerContext* context,
                                           const v1::SubmitCaseRequest& request,
                                           v1::SubmitCaseResponse* response) {
  absl::StatusOr<CaseSpec> spec = CaseSpecFromProto(request);
  if (!spec.ok()) return ToGrpcStatus(spec.status());
  absl::StatusOr<SubmitResult> result =
      AwaitEngine<SubmitResult>(context, [&](Engine::Callback<SubmitResult> done) {
        engine_->SubmitCase(*std::move(spec), std::move(done));
      });
  if (!result.ok()) return ToGrpcStatus(result.status());
  // The submitter sent the text itself, so it may have it back.
  CaseViewToProto(result->view, CaseText::kInclude, response->mutable_case_());
  response->set_deduplicated(result->deduplicated);
  response->set_joined(result->joined);
  return grpc::Status::OK;
}

grpc::Status CaseIntakeService::AddMessage(grpc::ServerContext* context,
                                           const v1::AddMessageRequest& request,
                                           v1::AddMessageResponse* response) {
  if (absl::Status s = ValidateId("case_id", request.case_id()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  if (absl::Status s = CheckText("text", request.text()); !s.ok()) return ToGrpcStatus(s);
  absl::StatusOr<CaseView> view =
      AwaitEngine<CaseView>(context, [&](Engine::Callback<CaseView> done) {
        engine_->AddMessage(request.case_id(), request.text(), std::move(done));
      });
  if (!view.ok()) return ToGrpcStatus(view.status());
  CaseViewToProto(*view, CaseText::kInclude, response->mutable_case_());
  return grpc::Status::OK;
}

grpc::Status CaseIntakeService::CancelCase(grpc::ServerContext* context,
                                           const v1::CancelCaseRequest& request,
                                           v1::CancelCaseResponse* response) {
  if (absl::Status s = ValidateId("case_id", request.case_id()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  std::string reason = request.reason().empty() ? "customer_left" : request.reason();
  if (!IsCancelReason(reason)) {
    return ToGrpcStatus(absl::InvalidArgumentError(
        "reason: must be one of customer_left, post_deleted, duplicate, other"));
  }
  absl::StatusOr<CaseView> view =
      AwaitEngine<CaseView>(context, [&](Engine::Callback<CaseView> done) {
        engine_->CancelCase(request.case_id(), reason, std::move(done));
      });
  if (!view.ok()) return ToGrpcStatus(view.status());
  CaseViewToProto(*view, CaseText::kInclude, response->mutable_case_());
  return grpc::Status::OK;
}

grpc::Status CaseIntakeService::GetCase(grpc::ServerContext* context,
                                        const v1::GetCaseRequest& request,
                                        v1::GetCaseResponse* response) {
  if (absl::Status s = ValidateId("case_id", request.case_id()); !s.ok()) {
    return ToGrpcStatus(s);
  }
  absl::StatusOr<CaseView> view =
      AwaitEngine<CaseView>(context, [&](Engine::Callback<CaseView> done) {
        engine_->GetCase(request.case_id(), std::move(done));
      });
  if (!view.ok()) return ToGrpcStatus(view.status());
  CaseViewToProto(*view, CaseText::kInclude, response->mutable_case_());
  return grpc::Status::OK;
}

}  // namespace caserouter
