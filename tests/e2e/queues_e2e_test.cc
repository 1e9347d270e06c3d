// End to end (issue 16): over real gRPC, with a real redis-server, a case waits in its queue
// for its step's time, then overflows to a second queue whose agent gets it; ExplainDecision
// names the queue, the step and why, and the event stream in Redis has the overflow.
#include <memory>
#include <string>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

namespace caserouter::e2e {
namespace {

// "first" takes billing cases and nobody serves it; after 2 s they overflow to "second",
// which bea serves.
constexpr char kQueues[] = R"(queues:
  - name: first
    filter: "topic == billing"
    members: [nobody]
    plan: [{wait_seconds: 2}, {overflow: second}]
  - name: second
    members: [bea]
)";

class QueuesE2eTest : public RouterTest {
 protected:
  QueuesE2eTest() : RouterTest(TestConfigYaml() + kQueues, "queues-e2e") {}

  absl::StatusOr<v1::ExplainDecisionResponse> Explain(const std::string& id) {
    grpc::ClientContext context;
    v1::ExplainDecisionRequest request;
    request.set_case_id(id);
    v1::ExplainDecisionResponse response;
    grpc::Status status = c().supervision->ExplainDecision(&context, request, &response);
    if (!status.ok()) return absl::UnknownError(status.error_message());
    return response;
  }
};

TEST_F(QueuesE2eTest, ACaseOverflowsToTheSecondQueueAfterItsStepsTimeout) {
  grpc::Status created = c().CreateAgent("bea", {{"billing", 8}});
  ASSERT_TRUE(created.ok()) << created.error_message();
  absl::StatusOr<std::unique_ptr<DeskClient>> bea = DeskClient::Connect(c().desk.get(), "bea");
  ASSERT_TRUE(bea.ok()) << bea.status();
  absl::StatusOr<v1::Ack> ack = (*bea)->SetPresence(v1::PRESENCE_AVAILABLE);
  ASSERT_TRUE(ack.ok() && ack->code() == 0);

  const absl::Time submitted = absl::Now();
  v1::SubmitCaseResponse response;
  grpc::Status status = c().Submit(SampleSubmission("overflow-1"), &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const std::string id = response.case_().case_id();

  // bea serves only "second": the offer comes after the first queue's 2 s step, not before.
  std::optional<v1::Offer> offer = (*bea)->WaitForOffer();
  ASSERT_TRUE(offer.has_value());
  EXPECT_GE(absl::Now() - submitted, absl::Seconds(2));
  EXPECT_EQ(offer->case_().case_id(), id);

  absl::StatusOr<v1::ExplainDecisionResponse> explained = Explain(id);
  ASSERT_TRUE(explained.ok()) << explained.status();
  EXPECT_EQ(explained->queue(), "second");
  EXPECT_EQ(explained->queue_step(), 0);
  EXPECT_TRUE(absl::StrContains(explained->queue_reason(),
                                "step 0 of queue first (wait 2s) ran out; overflow from queue "
                                "first to queue second"))
      << explained->queue_reason();
  EXPECT_EQ(explained->winner().agent_id(), "bea");

  // ListQueue reports it by queue (issue 13's queue statistics RPC is not there yet).
  v1::ListQueueResponse queue;
  ASSERT_TRUE(c().ListQueue(&queue).ok());
  bool reported = false;
  for (const v1::QueueFigures& f : queue.queues()) {
    if (f.queue() == "first") reported = f.overflowed() == 1 && f.waiting() == 0;
  }
  EXPECT_TRUE(reported) << queue.DebugString();

  // The overflow is on the domain's event stream in Redis.
  absl::StatusOr<std::string> events =
      RedisCli(redis_->port(), {"XRANGE", "cr:{e2e}:events", "-", "+"});
  ASSERT_TRUE(events.ok()) << events.status();
  EXPECT_TRUE(absl::StrContains(*events, "queue_overflow")) << *events;
  EXPECT_TRUE(absl::StrContains(*events, "from=first to=second")) << *events;
}

}  // namespace
}  // namespace caserouter::e2e
