#include "router/service/status_convert.h"

#include "gtest/gtest.h"

namespace caserouter {
namespace {

TEST(StatusConvertTest, OkIsOk) {
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_EQ(AckCode(absl::OkStatus()), 0);
}

TEST(StatusConvertTest, EveryCanonicalCodeKeepsItsValueAndMessage) {
  const struct {
    absl::Status in;
    grpc::StatusCode want;
  } rows[] = {
      {absl::InvalidArgumentError("topic: required"), grpc::StatusCode::INVALID_ARGUMENT},
      {absl::NotFoundError("case_id: unknown case"), grpc::StatusCode::NOT_FOUND},
      {absl::AlreadyExistsError("agent_id: taken"), grpc::StatusCode::ALREADY_EXISTS},
      {absl::FailedPreconditionError("fenced"), grpc::StatusCode::FAILED_PRECONDITION},
      {absl::AbortedError("replaced"), grpc::StatusCode::ABORTED},
      {absl::UnavailableError("store down"), grpc::StatusCode::UNAVAILABLE},
      {absl::ResourceExhaustedError("queue full"), grpc::StatusCode::RESOURCE_EXHAUSTED},
      {absl::DeadlineExceededError("slow"), grpc::StatusCode::DEADLINE_EXCEEDED},
      {absl::CancelledError("gone"), grpc::StatusCode::CANCELLED},
      {absl::DataLossError("bad record"), grpc::StatusCode::DATA_LOSS},
      {absl::InternalError("bug"), grpc::StatusCode::INTERNAL},
      {absl::UnauthenticatedError("who"), grpc::StatusCode::UNAUTHENTICATED},
      {absl::PermissionDeniedError("no"), grpc::StatusCode::PERMISSION_DENIED},
      {absl::OutOfRangeError("far"), grpc::StatusCode::OUT_OF_RANGE},
      {absl::UnimplementedError("later"), grpc::StatusCode::UNIMPLEMENTED},
      {absl::UnknownError("?"), grpc::StatusCode::UNKNOWN},
  };
  for (const auto& row : rows) {
    grpc::Status out = ToGrpcStatus(row.in);
    EXPECT_EQ(out.error_code(), row.want) << row.in;
    EXPECT_EQ(out.error_message(), std::string(row.in.message()));
    EXPECT_EQ(AckCode(row.in), static_cast<int>(row.want));
  }
}

TEST(StatusConvertTest, NonCanonicalCodeBecomesUnknown) {
  absl::Status odd(static_cast<absl::StatusCode>(99), "odd");
  EXPECT_EQ(ToGrpcStatus(odd).error_code(), grpc::StatusCode::UNKNOWN);
}

}  // namespace
}  // namespace caserouter
