#include "router/service/raw_callback.h"

#include <string>

#include <grpcpp/support/slice.h>

#include "absl/strings/match.h"
#include "caserouter/v1/case_intake.pb.h"
#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "router/engine/engine.h"
#include "router/service/admission.h"
#include "router/service/agent_desk_service.h"
#include "router/service/audit_log.h"
#include "router/service/call_gate.h"
#include "router/service/call_limiter.h"
#include "router/service/caller_limits.h"
#include "router/service/case_intake_service.h"
#include "router/service/supervision_service.h"
#include "router/store/memory_state_store.h"

namespace caserouter {
namespace {

grpc::ByteBuffer BufferOf(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

std::string BytesOf(const grpc::ByteBuffer& buffer) {
  grpc::Slice slice;
  EXPECT_TRUE(buffer.DumpToSingleSlice(&slice).ok());
  return std::string(reinterpret_cast<const char*>(slice.begin()), slice.size());
}

// No method may fall back to the synchronous API: each would hold a thread per open call.
TEST(RawCallbackTest, EveryServiceServesOnlyCallbackMethods) {
  EngineConfig config;
  MemoryStateStore store;
  FakeClock clock;
  Engine engine(config, &store, &clock, nullptr, "test");
  CallLimiter calls(8, ServerLimit::kCallsInFlight, nullptr);
  Admission admission(
      config, 8, [] { return OpenCases{}; }, &clock, nullptr);
  prometheus::Registry registry;
  AuditLog audit(&registry, &clock, [](std::string, std::string, std::string, std::string) {});
  CallerLimits limits({}, nullptr);
  CallGate gate(config.domain, &clock, &audit, &limits, nullptr);
  CaseIntakeService intake(&engine, &gate, &calls, &admission);
  SupervisionService supervision(&engine, &clock, &gate, &calls, nullptr);
  AgentDeskService desk(&engine, &clock, &gate, AgentDeskService::Options{8}, nullptr);
  EXPECT_TRUE(ServesOnlyCallbacks(intake));
  EXPECT_TRUE(ServesOnlyCallbacks(supervision));
  EXPECT_TRUE(ServesOnlyCallbacks(desk));
}

TEST(RawCallbackTest, ARequestWithBrokenUtf8IsRefusedNamingTheField) {
  v1::SubmitCaseRequest request;
  request.set_customer_id("cust-1");
  // What a client that does not check UTF-8 puts on the wire (field 13: subject).
  std::string bytes = request.SerializeAsString();
  bytes += std::string("\x6a\x03", 2) +
           "a\xff"
           "b";
  v1::SubmitCaseRequest parsed;
  absl::Status status = ParseRequest(BufferOf(bytes), &parsed);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(status.message(), "subject")) << status;
}

TEST(RawCallbackTest, AResponseIsSerializedIntoAReusedBuffer) {
  v1::SubmitCaseResponse first;
  first.set_deduplicated(true);
  v1::SubmitCaseResponse second;
  second.set_joined(true);
  grpc::ByteBuffer buffer;
  SerializeResponse(first, &buffer);
  SerializeResponse(second, &buffer);  // a desk stream reuses its write buffer
  v1::SubmitCaseResponse read;
  ASSERT_TRUE(read.ParseFromString(BytesOf(buffer)));
  EXPECT_TRUE(read.joined());
  EXPECT_FALSE(read.deduplicated());
}

}  // namespace
}  // namespace caserouter
