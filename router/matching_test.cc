#include "router/matching.h"

#include "gtest/gtest.h"

namespace caserouter {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

Agent MakeAgent(const std::string& id, int billing, absl::Duration idle) {
  Agent a;
  a.id = id;
  a.presence = Presence::kAvailable;
  a.skills = {{"billing", billing}};
  a.idle_since = kNow - idle;
  return a;
}

Case BillingChat() {
  Case c;
  c.id = "c1";
  c.spec.channel = Channel::kChat;
  c.spec.required_skills = {{"billing", 3}};
  return c;
}

std::vector<AgentCandidate> Connected(const std::vector<Agent>& agents) {
  std::vector<AgentCandidate> out;
  for (const Agent& a : agents) out.push_back({&a, true});
  return out;
}

TEST(MatchingTest, HigherProficiencyWins) {
  std::vector<Agent> agents = {MakeAgent("idle-long", 4, absl::Hours(1)),
                               MakeAgent("expert", 9, absl::Seconds(1))};
  Decision d = ChooseAgent(BillingChat(), Connected(agents), EngineConfig(), kNow);
  ASSERT_TRUE(d.winner.has_value());
  EXPECT_EQ(d.winner->agent_id, "expert");
  ASSERT_TRUE(d.runner_up.has_value());
  EXPECT_EQ(d.runner_up->agent_id, "idle-long");
}

TEST(MatchingTest, EqualProficiencyGoesToTheLongestIdle) {
  std::vector<Agent> agents = {MakeAgent("a", 7, absl::Minutes(1)),
                               MakeAgent("b", 7, absl::Minutes(9)),
                               MakeAgent("c", 7, absl::Minutes(5))};
  Decision d = ChooseAgent(BillingChat(), Connected(agents), EngineConfig(), kNow);
  ASSERT_TRUE(d.winner.has_value());
  EXPECT_EQ(d.winner->agent_id, "b");
  EXPECT_EQ(d.runner_up->agent_id, "c");
  EXPECT_EQ(d.winner->score.terms[0].name, "proficiency");
  EXPECT_EQ(d.winner->score.terms[1].name, "idle_seconds");
  EXPECT_DOUBLE_EQ(d.winner->score.terms[1].value, 540);
}

TEST(MatchingTest, RecordsExclusionsByReasonAndNoWinnerIsNormal) {
  std::vector<Agent> agents = {MakeAgent("novice", 1, absl::Hours(1)),
                               MakeAgent("away", 9, absl::Hours(1))};
  agents[1].presence = Presence::kAway;
  Decision d = ChooseAgent(BillingChat(), Connected(agents), EngineConfig(), kNow);
  EXPECT_FALSE(d.winner.has_value());
  EXPECT_EQ(d.considered, 2);
  EXPECT_EQ(d.excluded_by[static_cast<int>(Exclusion::kSkill)], 1);
  EXPECT_EQ(d.excluded_by[static_cast<int>(Exclusion::kPresence)], 1);
  ASSERT_EQ(d.excluded.size(), 2u);
  EXPECT_EQ(d.excluded[0].first, "novice");
}

}  // namespace
}  // namespace caserouter
