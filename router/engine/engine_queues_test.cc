// Queues and routing plans in the engine (issue 16), on a fake clock and the in-memory store:
// each step's timeout, the widening to the next agent set, the overflow to another queue, the
// final action, one global order across queues by queue priority, the explanation naming the
// queue and the step, and a reload that keeps waiting cases at their step with their age.
#include <string>
#include <vector>

#include "router/engine/engine_test_support.h"

namespace caserouter {
namespace {

PlanStep Wait(double seconds, std::string agents = "") {
  PlanStep s;
  s.wait = absl::Seconds(seconds);
  s.agents = std::move(agents);
  return s;
}
PlanStep Overflow(std::string queue) {
  PlanStep s;
  s.kind = PlanStep::Kind::kOverflow;
  s.overflow_queue = std::move(queue);
  return s;
}
PlanStep Final(FinalAction action) {
  PlanStep s;
  s.kind = PlanStep::Kind::kFinal;
  s.action = action;
  return s;
}

// billing (eve, joe): 30 s for proficiency >= 8, then 60 s for both, then general.
// general (gus only): 120 s, then a callback offer.
std::vector<QueueConfig> Plans() {
  QueueConfig billing;
  billing.name = "billing";
  billing.filter = "topic == billing";
  billing.members = {"eve", "joe"};
  billing.plan = {Wait(30, "skill.billing >= 8"), Wait(60), Overflow("general")};
  QueueConfig general;
  general.name = "general";
  general.members = {"gus"};
  general.plan = {Wait(120), Final(FinalAction::kCallback)};
  return {billing, general};
}

class EngineQueuesTest : public EngineTest {
 protected:
  void UseQueues(std::vector<QueueConfig> queues) {
    config_.queues = std::move(queues);
    StatusAnswer done;
    engine_->Reconfigure(config_, done.Sink());
    engine_->Tick();
    ASSERT_TRUE(done.get().ok()) << done.get();
  }
  // Advances the fake clock to `seconds` after `start_` and ticks; returns the offers.
  std::vector<std::string> At(double seconds, RecordingDesk* desk) {
    clock_.Set(start_ + absl::Seconds(seconds));
    engine_->Tick();
    return desk->TakeOffers();
  }
  Decision Explain(const std::string& id) {
    Answer<Explanation> answer;
    engine_->ExplainDecision(id, answer.Sink());
    engine_->Tick();
    EXPECT_TRUE(answer.get().ok()) << answer.get().status();
    return answer.get().ok() ? answer.get()->decision : Decision{};
  }
  absl::Time start_;
};

TEST_F(EngineQueuesTest, WaitsForItsStepThenWidensToTheNextAgentSet) {
  UseQueues(Plans());
  AddAgent("joe", /*billing=*/3);
  std::shared_ptr<RecordingDesk> joe = Connect("joe");
  start_ = clock_.Now();
  const std::string id = SubmitOk(Spec(Channel::kChat, "k1"));
  EXPECT_TRUE(joe->TakeOffers().empty());  // step 0 wants proficiency >= 8
  Decision d = Explain(id);
  EXPECT_EQ(d.queue, "billing");
  EXPECT_EQ(d.queue_step, 0);
  EXPECT_TRUE(At(29.9, joe.get()).empty());
  EXPECT_EQ(At(30, joe.get()), std::vector<std::string>{id});  // widened at its step's end
  d = Explain(id);
  EXPECT_EQ(d.queue, "billing");
  EXPECT_EQ(d.queue_step, 1);
  EXPECT_NE(d.queue_reason.find("step 0 of queue billing (wait 30s) ran out"), std::string::npos)
      << d.queue_reason;
}

TEST_F(EngineQueuesTest, OverflowsToTheNextQueueAfterItsStepsTimeout) {
  UseQueues(Plans());
  AddAgent("gus", /*billing=*/9);
  std::shared_ptr<RecordingDesk> gus = Connect("gus");
  start_ = clock_.Now();
  const std::string id = SubmitOk(Spec(Channel::kChat, "k1"));
  EXPECT_TRUE(gus->TakeOffers().empty());  // gus does not serve billing
  EXPECT_TRUE(At(89, gus.get()).empty());
  EXPECT_EQ(At(90, gus.get()), std::vector<std::string>{id});
  Decision d = Explain(id);
  EXPECT_EQ(d.queue, "general");
  EXPECT_EQ(d.queue_step, 0);
  EXPECT_NE(d.queue_reason.find("overflow from queue billing to queue general"), std::string::npos)
      << d.queue_reason;
  // Its age was kept: the wait counts from its submission, not from the overflow.
  EXPECT_EQ(Get(id).enqueued_time, start_);
}

TEST_F(EngineQueuesTest, TheFinalActionEndsThePlan) {
  UseQueues(Plans());
  start_ = clock_.Now();
  const std::string id = SubmitOk(Spec(Channel::kChat, "k1"));
  clock_.Set(start_ + absl::Seconds(209));
  engine_->Tick();
  EXPECT_EQ(Get(id).state, CaseState::kQueued);
  clock_.Set(start_ + absl::Seconds(210));
  engine_->Tick();
  Case c = Get(id);
  EXPECT_EQ(c.state, CaseState::kCancelled);
  EXPECT_EQ(c.end_reason, "callback_offered");
}

TEST_F(EngineQueuesTest, ExpireActionCountsAsExpired) {
  std::vector<QueueConfig> queues = Plans();
  queues[1].plan = {Wait(5), Final(FinalAction::kExpire)};
  UseQueues(queues);
  start_ = clock_.Now();
  const std::string id = SubmitOk(Spec(Channel::kChat, "k1"));
  clock_.Set(start_ + absl::Seconds(95));
  engine_->Tick();
  Case c = Get(id);
  EXPECT_EQ(c.state, CaseState::kExpired);
  EXPECT_EQ(c.end_reason, "plan_expired");
  EXPECT_EQ(observer_.expired, 1);
}

TEST_F(EngineQueuesTest, OneGlobalOrderAcrossQueuesByQueuePriority) {
  QueueConfig vip;
  vip.name = "vip";
  vip.filter = "customer_value >= 50";
  vip.priority = 100;
  QueueConfig rest;
  rest.name = "rest";
  UseQueues({vip, rest});
  const std::string plain = SubmitOk(Spec(Channel::kChat, "k1"));  // older
  clock_.Advance(absl::Seconds(5));
  CaseSpec valuable = Spec(Channel::kChat, "k2");
  valuable.customer_value = 60;
  const std::string first = SubmitOk(valuable);
  AddAgent("ann", 5);
  std::shared_ptr<RecordingDesk> ann = Connect("ann");
  std::vector<std::string> offers = ann->TakeOffers();
  ASSERT_FALSE(offers.empty());
  EXPECT_EQ(offers[0], first);  // the vip queue's case, though younger
  Decision d = Explain(first);
  EXPECT_EQ(d.queue, "vip");
  bool named = false;
  for (const ScoreTerm& t : d.priority.terms) named |= t.name == "queue" && t.value == 100;
  EXPECT_TRUE(named);
  (void)plain;
}

TEST_F(EngineQueuesTest, AReloadKeepsWaitingCasesAtTheirStepWithTheirAge) {
  UseQueues(Plans());
  start_ = clock_.Now();
  const std::string id = SubmitOk(Spec(Channel::kChat, "k1"));
  clock_.Set(start_ + absl::Seconds(40));  // step 1 since 30 s
  engine_->Tick();
  ASSERT_EQ(Explain(id).queue_step, 1);
  // The new plan: a longer first step (which would put a 40 s old case back in step 0 if its
  // step were found from its age) and a shorter second one.
  std::vector<QueueConfig> changed = Plans();
  changed[0].plan = {Wait(300, "skill.billing >= 8"), Wait(20), Overflow("general")};
  UseQueues(changed);
  Decision d = Explain(id);
  EXPECT_EQ(d.queue, "billing");
  EXPECT_EQ(d.queue_step, 1);
  AddAgent("gus", 9);
  std::shared_ptr<RecordingDesk> gus = Connect("gus");
  EXPECT_TRUE(At(49, gus.get()).empty());
  // Step 1 entered at 30 s lasts the new 20 s: the overflow to general comes at 50 s.
  EXPECT_EQ(At(50, gus.get()), std::vector<std::string>{id});
  EXPECT_EQ(Get(id).enqueued_time, start_);
}

TEST_F(EngineQueuesTest, ReportsByQueue) {
  std::vector<QueueConfig> queues = Plans();
  queues[1].service_level = ServiceLevel{absl::Seconds(100), 0.8};
  UseQueues(queues);
  start_ = clock_.Now();
  const std::string waits = SubmitOk(Spec(Channel::kChat, "k1"));
  clock_.Set(start_ + absl::Seconds(10));
  const std::string leaves = SubmitOk(Spec(Channel::kChat, "k2"));
  engine_->Tick();
  ASSERT_EQ(observer_.queue_figures.size(), 3u);  // billing, general, default
  EXPECT_EQ(observer_.queue_figures[0].queue, "billing");
  EXPECT_EQ(observer_.queue_figures[0].waiting, 2);
  EXPECT_EQ(observer_.queue_figures[0].oldest, start_);
  EXPECT_EQ(observer_.queue_figures[1].waiting, 0);
  EXPECT_EQ(observer_.queue_figures[1].oldest, absl::InfiniteFuture());

  Answer<CaseView> cancelled;
  engine_->CancelCase(leaves, "", cancelled.Sink());
  engine_->Tick();
  EXPECT_EQ(observer_.queue_abandoned, std::vector<std::string>{"billing"});

  AddAgent("gus", 9);
  std::shared_ptr<RecordingDesk> gus = Connect("gus");
  EXPECT_EQ(At(90, gus.get()), std::vector<std::string>{waits});  // overflowed at 90 s
  EXPECT_EQ(observer_.overflows, std::vector<std::string>{"billing>general"});
  EXPECT_EQ(observer_.queue_figures[0].waiting, 0);
  ASSERT_TRUE(Accept("gus", gus.get(), waits).ok());
  // Answered 90 s after submission, in general, whose target is 100 s.
  EXPECT_EQ(observer_.queue_answers, std::vector<std::string>{"general:within"});

  // ListQueue carries the same figures, per queue.
  Answer<QueueSnapshot> snapshot;
  engine_->ListQueuePage(0, 10, snapshot.Sink());
  engine_->Tick();
  ASSERT_TRUE(snapshot.get().ok());
  ASSERT_EQ(snapshot.get()->queues.size(), 3u);
  const QueueFiguresView& billing = snapshot.get()->queues[0];
  const QueueFiguresView& general = snapshot.get()->queues[1];
  EXPECT_EQ(billing.queue, "billing");
  EXPECT_EQ(billing.counts.abandoned, 1);
  EXPECT_EQ(billing.counts.overflowed, 1);
  EXPECT_EQ(general.counts.answered, 1);
  EXPECT_EQ(general.counts.answered_within_target, 1);
  EXPECT_EQ(general.waiting, 0);
}

TEST_F(EngineQueuesTest, NoQueuesMeansNoQueueInTheExplanation) {
  AddAgent("ann", 5);
  std::shared_ptr<RecordingDesk> ann = Connect("ann", /*available=*/false);
  const std::string id = SubmitOk(Spec(Channel::kChat, "k1"));
  Decision d = Explain(id);
  EXPECT_TRUE(d.queue.empty());
  for (const ScoreTerm& t : d.priority.terms) EXPECT_NE(t.name, "queue");
  EXPECT_TRUE(observer_.queue_figures.empty());  // no queue figures without queues
}

}  // namespace
}  // namespace caserouter
