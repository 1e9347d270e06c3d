#include "router/policy/routing_plan.h"

#include "gtest/gtest.h"
#include "router/model/engine_config.h"

namespace caserouter {
namespace {

const absl::Time kStart = absl::FromUnixSeconds(1'700'000'000);

PlanStep Wait(double seconds, std::string agents = "") {
  PlanStep s;
  s.wait = absl::Seconds(seconds);
  s.agents = std::move(agents);
  return s;
}
PlanStep Overflow(std::string queue, std::string domain = "") {
  PlanStep s;
  s.kind = PlanStep::Kind::kOverflow;
  s.overflow_queue = std::move(queue);
  s.overflow_domain = std::move(domain);
  return s;
}
PlanStep Final(FinalAction action) {
  PlanStep s;
  s.kind = PlanStep::Kind::kFinal;
  s.action = action;
  return s;
}

// billing: 30 s for proficiency >= 8, then 60 s for every billing agent, then general.
// general: 120 s for its agents, then a callback offer.
std::vector<QueueConfig> TwoQueues() {
  QueueConfig billing;
  billing.name = "billing";
  billing.filter = "topic == billing";
  billing.agents = "skill.billing >= 1";
  billing.plan = {Wait(30, "skill.billing >= 8"), Wait(60), Overflow("general")};
  QueueConfig general;
  general.name = "general";
  general.members = {"gus"};
  general.plan = {Wait(120), Final(FinalAction::kCallback)};
  return {billing, general};
}

Case CaseOn(const std::string& topic) {
  Case c;
  c.id = "c1";
  c.spec.topic = topic;
  c.enqueued_time = kStart;
  return c;
}

Agent AgentWith(const std::string& id, int billing) {
  Agent a;
  a.id = id;
  if (billing > 0) a.skills = {{"billing", billing}};
  return a;
}

TEST(RoutingPlanTest, DefaultBookIsOneUnboundedStepForEveryAgent) {
  QueueBook book;
  EXPECT_TRUE(book.is_default());
  Case c = CaseOn("billing");
  QueueBook::Position p = book.PositionAt(c, kStart + absl::Hours(100));
  EXPECT_EQ(book.queues()[p.at.queue].config.name, kDefaultQueue);
  EXPECT_EQ(p.at.step, 0);
  EXPECT_EQ(p.step_ends, absl::InfiniteFuture());
  EXPECT_EQ(p.final, FinalAction::kNone);
  EXPECT_TRUE(book.Serves(p.at, AgentWith("anyone", 0)));
}

TEST(RoutingPlanTest, EachStepLastsItsWaitThenWidensThenOverflows) {
  absl::StatusOr<QueueBook> book = QueueBook::Compile(TwoQueues());
  ASSERT_TRUE(book.ok()) << book.status();
  Case c = CaseOn("billing");
  const Agent expert = AgentWith("eve", 9), junior = AgentWith("joe", 3), gus = AgentWith("gus", 0);

  QueueBook::Position p = book->PositionAt(c, kStart + absl::Seconds(29));
  EXPECT_EQ(p.at.queue, book->IndexOf("billing"));
  EXPECT_EQ(p.at.step, 0);
  EXPECT_EQ(p.step_ends, kStart + absl::Seconds(30));
  EXPECT_TRUE(book->Serves(p.at, expert));
  EXPECT_FALSE(book->Serves(p.at, junior));
  EXPECT_FALSE(book->Serves(p.at, gus));

  p = book->PositionAt(c, kStart + absl::Seconds(30));  // widened
  EXPECT_EQ(p.at.step, 1);
  EXPECT_EQ(p.at.since, kStart + absl::Seconds(30));
  EXPECT_EQ(p.step_ends, kStart + absl::Seconds(90));
  EXPECT_TRUE(book->Serves(p.at, junior));
  EXPECT_NE(p.why.find("step 0 of queue billing (wait 30s) ran out"), std::string::npos) << p.why;

  p = book->PositionAt(c, kStart + absl::Seconds(90));  // overflowed
  EXPECT_EQ(p.at.queue, book->IndexOf("general"));
  EXPECT_EQ(p.at.step, 0);
  EXPECT_EQ(p.at.since, kStart + absl::Seconds(90));
  EXPECT_EQ(p.step_ends, kStart + absl::Seconds(210));
  EXPECT_EQ(p.moved_through, std::vector<std::string>{"billing"});
  EXPECT_NE(p.why.find("overflow from queue billing to queue general"), std::string::npos) << p.why;
  EXPECT_TRUE(book->Serves(p.at, gus));
  EXPECT_FALSE(book->Serves(p.at, expert));

  p = book->PositionAt(c, kStart + absl::Seconds(210));  // the final action
  EXPECT_EQ(p.final, FinalAction::kCallback);
  EXPECT_EQ(p.at.since, kStart + absl::Seconds(210));
  EXPECT_NE(p.why.find("final action callback"), std::string::npos) << p.why;
}

TEST(RoutingPlanTest, CasesNoFilterTakesGoToTheDefaultQueue) {
  absl::StatusOr<QueueBook> book = QueueBook::Compile(TwoQueues());
  ASSERT_TRUE(book.ok());
  // "general" has no filter: it takes every case billing does not.
  EXPECT_EQ(book->QueueOf(CaseOn("sales")), book->IndexOf("general"));
  std::vector<QueueConfig> only_billing = {TwoQueues()[0]};
  only_billing[0].plan = {Wait(10)};
  book = QueueBook::Compile(only_billing);
  ASSERT_TRUE(book.ok());
  EXPECT_EQ(book->QueueOf(CaseOn("sales")), book->IndexOf(kDefaultQueue));
  // The last wait step holds the case without limit.
  EXPECT_EQ(book->PositionAt(CaseOn("billing"), kStart + absl::Hours(1)).step_ends,
            absl::InfiniteFuture());
}

TEST(RoutingPlanTest, FinalActionsAndRemoteOverflow) {
  for (FinalAction action : {FinalAction::kTicket, FinalAction::kExpire, FinalAction::kCallback}) {
    QueueConfig q;
    q.name = "q";
    q.plan = {Wait(5), Final(action)};
    absl::StatusOr<QueueBook> book = QueueBook::Compile({q});
    ASSERT_TRUE(book.ok());
    EXPECT_EQ(book->PositionAt(CaseOn("x"), kStart + absl::Seconds(4)).final, FinalAction::kNone);
    EXPECT_EQ(book->PositionAt(CaseOn("x"), kStart + absl::Seconds(5)).final, action);
  }
  QueueConfig q;
  q.name = "q";
  q.plan = {Wait(5), Overflow("spill", "paris")};
  absl::StatusOr<QueueBook> book = QueueBook::Compile({q});
  ASSERT_TRUE(book.ok()) << book.status();
  QueueBook::Position p = book->PositionAt(CaseOn("x"), kStart + absl::Seconds(6));
  EXPECT_EQ(p.remote_domain, "paris");
  EXPECT_EQ(p.remote_queue, "spill");
}

TEST(RoutingPlanTest, ReloadKeepsTheStepAndTheTimeItWasEntered) {
  absl::StatusOr<QueueBook> old_book = QueueBook::Compile(TwoQueues());
  ASSERT_TRUE(old_book.ok());
  Case c = CaseOn("billing");
  QueueBook::Position before = old_book->PositionAt(c, kStart + absl::Seconds(40));
  ASSERT_EQ(before.at.step, 1);
  std::vector<QueueConfig> changed = TwoQueues();
  changed[0].plan = {Wait(300, "skill.billing >= 8"), Wait(20), Overflow("general")};
  absl::StatusOr<QueueBook> new_book = QueueBook::Compile(changed);
  ASSERT_TRUE(new_book.ok());
  QueueBook::Anchor carried = new_book->Carry(*old_book, before.at, c);
  // At its current step (not sent back to the new, longer first step), age kept.
  EXPECT_EQ(carried.step, 1);
  EXPECT_EQ(carried.since, kStart + absl::Seconds(30));
  QueueBook::Position after = new_book->PositionFrom(carried, kStart + absl::Seconds(49));
  EXPECT_EQ(after.at.step, 1);
  EXPECT_EQ(after.step_ends, kStart + absl::Seconds(50));  // the new step's 20 s
  after = new_book->PositionFrom(carried, kStart + absl::Seconds(50));
  EXPECT_EQ(after.at.queue, new_book->IndexOf("general"));
}

struct BadBook {
  std::vector<QueueConfig> queues;
  const char* error;
};

TEST(RoutingPlanTest, BadBooksAreRefusedNamingTheKey) {
  std::vector<BadBook> rows;
  {
    auto q = TwoQueues();
    q[0].filter = "topic = billing";
    rows.push_back({q, "'queues[0].filter': at position 7"});
  }
  {
    auto q = TwoQueues();
    q[1].plan[0].agents = "skill.x >=";
    rows.push_back({q, "'queues[1].plan[0].agents': at position 11"});
  }
  {
    auto q = TwoQueues();
    q[0].agents = "topic == billing";
    rows.push_back({q, "'queues[0].agents': at position 1: unknown attribute 'topic'"});
  }
  {
    auto q = TwoQueues();
    q[0].plan[2].overflow_queue = "nowhere";
    rows.push_back({q, "'queues[0].plan[2].overflow': no queue named \"nowhere\""});
  }
  {
    auto q = TwoQueues();
    q[1].name = "billing";
    rows.push_back({q, "'queues[1].name': a queue of that name exists"});
  }
  {
    auto q = TwoQueues();
    q[1].name = "default";
    rows.push_back({q, "'queues[1].name'"});
  }
  {
    auto q = TwoQueues();
    q[0].plan = {Overflow("general")};
    q[1].plan = {Overflow("billing")};
    rows.push_back({q, "its overflows form a cycle"});
  }
  {
    auto q = TwoQueues();
    q[0].plan = {Overflow("general"), Wait(10)};
    rows.push_back(
        {q, "'queues[0].plan[0]': an overflow or a final action must be the plan's last"});
  }
  for (const BadBook& row : rows) {
    absl::StatusOr<QueueBook> book = QueueBook::Compile(row.queues);
    ASSERT_FALSE(book.ok()) << row.error;
    EXPECT_EQ(book.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(book.status().message().find(row.error), absl::string_view::npos)
        << book.status().message();
  }
}

}  // namespace
}  // namespace caserouter
