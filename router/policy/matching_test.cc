// The routing rules, as tables: each row is agents (with their record and their history with
// the customer), a case, how long it has waited → the expected decision.
#include "router/policy/matching.h"

#include <memory>
#include <optional>

#include "gtest/gtest.h"

namespace caserouter {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

struct AgentRow {
  std::string id;
  int proficiency = 5;  // on "billing"
  int chats_in_hand = 0;
  int idle_minutes = 0;
  // Record on the topic: completed, first-contact resolutions, mean CSAT (0 = none), mean
  // handle seconds.
  int completed = 0, fcr = 0;
  double csat = 0;
  int handle_seconds = 300;
  int64_t authority = 0;
  Presence presence = Presence::kAvailable;
  // Relationship with the customer: cases, resolved, last CSAT, days since.
  int rel_cases = 0, rel_resolved = 0, rel_last_csat = 0, rel_days = 0;
  int last_offer_minutes = -1;   // -1 = never
  int wrap_up_seconds_left = 0;  // with presence kWrapUp
};

struct CaseRow {
  Channel channel = Channel::kChat;
  int waited_seconds = 0;
  int64_t authority_needed = 0;
  std::string preferred_agent;
  Strategy strategy = Strategy::kOutcome;
};

struct Rule {
  const char* rule;
  std::vector<AgentRow> agents;
  CaseRow c;
  std::string winner;  // "" = nobody now
  bool waiting_for_preferred = false;
  bool authority_waived = false;
};

struct World {
  std::vector<Agent> agents;
  std::vector<QualityRecord> quality;
  std::vector<Relationship> relationships;
  std::vector<AgentCandidate> candidates;
};

World Build(const Rule& rule) {
  World w;
  w.agents.reserve(rule.agents.size());
  w.quality.reserve(rule.agents.size());
  w.relationships.reserve(rule.agents.size());
  for (const AgentRow& row : rule.agents) {
    Agent a;
    a.id = row.id;
    a.presence = row.presence;
    a.skills = {{"billing", row.proficiency}};
    a.authority_limit = row.authority;
    a.active_cases[ChannelIndex(Channel::kChat)] = row.chats_in_hand;
    a.idle_since = kNow - absl::Minutes(row.idle_minutes);
    if (row.last_offer_minutes >= 0)
      a.last_offer_time = kNow - absl::Minutes(row.last_offer_minutes);
    a.wrap_up_until = kNow + absl::Seconds(row.wrap_up_seconds_left);
    w.agents.push_back(a);
    QualityRecord q;
    q.agent_id = row.id;
    q.topic = "billing";
    q.completed = row.completed;
    q.resolved = row.fcr;
    q.first_contact_resolutions = row.fcr;
    q.evidence_resolutions = row.fcr;
    q.csat_count = row.csat > 0 ? row.completed : 0;
    q.csat_sum = static_cast<int64_t>(row.csat * q.csat_count);
    q.handle_seconds_sum = static_cast<int64_t>(row.handle_seconds) * row.completed;
    w.quality.push_back(q);
    Relationship r;
    r.customer_id = "cust";
    r.agent_id = row.id;
    r.cases = row.rel_cases;
    r.resolved = row.rel_resolved;
    r.last_csat = row.rel_last_csat;
    r.last_contact = kNow - absl::Hours(24 * row.rel_days);
    w.relationships.push_back(r);
  }
  for (size_t i = 0; i < w.agents.size(); ++i) {
    w.candidates.push_back(AgentCandidate{&w.agents[i], true, &w.quality[i], &w.relationships[i]});
  }
  return w;
}

Case BuildCase(const CaseRow& row) {
  Case c;
  c.id = "c1";
  c.spec.channel = row.channel;
  c.spec.customer_id = "cust";
  c.spec.topic = "billing";
  c.spec.required_skills = {{"billing", 1}};
  c.spec.authority_needed = row.authority_needed;
  c.preferred_agent = row.preferred_agent;
  c.enqueued_time = kNow - absl::Seconds(row.waited_seconds);
  return c;
}

class RoutingRules : public testing::TestWithParam<Rule> {};

TEST_P(RoutingRules, Decide) {
  const Rule& rule = GetParam();
  World world = Build(rule);
  EngineConfig config;
  config.strategy = rule.c.strategy;
  TeamRecord team;
  team.fcr_rate = 0.6;
  team.csat_mean = 3.8;
  team.resolution_rate = 0.6;
  Decision d = ChooseAgent(BuildCase(rule.c), world.candidates, team, config, kNow);
  EXPECT_EQ(d.winner ? d.winner->agent_id : "", rule.winner) << rule.rule;
  EXPECT_EQ(d.waiting_for_preferred, rule.waiting_for_preferred) << rule.rule;
  EXPECT_EQ(d.authority_waived, rule.authority_waived) << rule.rule;
  EXPECT_EQ(d.strategy, rule.c.strategy);
}

// Fresh chat (waited 0 s, SLA 60 s): bullseye bound is 30 s. Past it: waited 45 s.
INSTANTIATE_TEST_SUITE_P(
    Outcome, RoutingRules,
    testing::Values(
        Rule{"a proven resolver beats a fast, sloppy agent",
             {{.id = "fast", .completed = 200, .fcr = 80, .csat = 3.0, .handle_seconds = 90},
              {.id = "solid", .completed = 200, .fcr = 170, .csat = 4.6, .handle_seconds = 400}},
             {.waited_seconds = 45},
             "solid"},
        Rule{"the customer's good history with an agent wins over a slightly better record",
             {{.id = "stranger", .completed = 100, .fcr = 80, .csat = 4.5},
              {.id = "known",
               .completed = 100,
               .fcr = 76,
               .csat = 4.2,
               .rel_cases = 3,
               .rel_resolved = 3,
               .rel_last_csat = 5,
               .rel_days = 2}},
             {.waited_seconds = 45},
             "known"},
        Rule{"a low CSAT with an agent removes the preference",
             {{.id = "stranger", .completed = 100, .fcr = 80, .csat = 4.5},
              {.id = "known",
               .completed = 100,
               .fcr = 70,
               .csat = 4.2,
               .rel_cases = 3,
               .rel_resolved = 3,
               .rel_last_csat = 1,
               .rel_days = 2}},
             {.waited_seconds = 45},
             "stranger"},
        Rule{"an old relationship has decayed away",
             {{.id = "stranger", .completed = 100, .fcr = 80, .csat = 4.5},
              {.id = "known",
               .completed = 100,
               .fcr = 70,
               .csat = 4.2,
               .rel_cases = 1,
               .rel_resolved = 1,
               .rel_last_csat = 5,
               .rel_days = 400}},
             {.waited_seconds = 45},
             "stranger"},
        // Waiting a whole handle time (300 s + wrap-up) for 5 points of resolution would
        // gain 15 s of contacts: it does not pay.
        Rule{"a case does not wait for a busy relationship agent when the wait costs more",
             {{.id = "free", .completed = 100, .fcr = 60},
              {.id = "known",
               .chats_in_hand = 3,
               .completed = 100,
               .fcr = 60,
               .rel_cases = 2,
               .rel_resolved = 2,
               .rel_last_csat = 5,
               .rel_days = 1}},
             {.waited_seconds = 5},
             "free"},
        Rule{"past the bound, it widens to every eligible agent",
             {{.id = "free", .completed = 100, .fcr = 60},
              {.id = "known",
               .chats_in_hand = 3,
               .completed = 100,
               .fcr = 60,
               .rel_cases = 2,
               .rel_resolved = 2,
               .rel_last_csat = 5,
               .rel_days = 1}},
             {.waited_seconds = 25},
             "free"},
        Rule{"a live caller past the SLA waits for nobody",
             {{.id = "free", .completed = 100, .fcr = 60},
              {.id = "known",
               .presence = Presence::kWrapUp,
               .rel_cases = 2,
               .rel_resolved = 2,
               .rel_last_csat = 5,
               .rel_days = 1}},
             {.channel = Channel::kPhone, .waited_seconds = 21},
             "free"},
        // 36 points better, free in 5 s: 0.36 x 300 s = 109 s of contacts saved for 5 s.
        Rule{"a fresh case waits for a clearly better agent about to end their wrap-up",
             {{.id = "average", .completed = 100, .fcr = 50},
              {.id = "best",
               .completed = 100,
               .fcr = 95,
               .csat = 4.9,
               .presence = Presence::kWrapUp,
               .wrap_up_seconds_left = 5},
              {.id = "other", .completed = 100, .fcr = 55},
              {.id = "fourth", .completed = 100, .fcr = 52},
              {.id = "fifth", .completed = 100, .fcr = 51}},
             {.waited_seconds = 2},
             "",
             /*waiting_for_preferred=*/true},
        Rule{"... but not for one busy with cases: a whole handle time costs more",
             {{.id = "average", .completed = 100, .fcr = 50},
              {.id = "best", .chats_in_hand = 3, .completed = 100, .fcr = 95, .csat = 4.9},
              {.id = "other", .completed = 100, .fcr = 55},
              {.id = "fourth", .completed = 100, .fcr = 52},
              {.id = "fifth", .completed = 100, .fcr = 51}},
             {.waited_seconds = 2},
             "other"},
        Rule{"... nor, in wrap-up, when the free agent is about as good",
             {{.id = "free", .completed = 100, .fcr = 61},
              {.id = "best",
               .completed = 100,
               .fcr = 64,
               .presence = Presence::kWrapUp,
               .wrap_up_seconds_left = 1}},
             {.waited_seconds = 2},
             "free"},
        Rule{"a live caller does not wait past the bound even for a much better agent",
             {{.id = "average", .completed = 100, .fcr = 50},
              {.id = "best",
               .completed = 100,
               .fcr = 95,
               .presence = Presence::kWrapUp,
               .wrap_up_seconds_left = 8}},
             {.channel = Channel::kPhone, .waited_seconds = 0},
             "average"},
        Rule{"the agent who held the case before it was re-routed is preferred",
             {{.id = "a", .completed = 50, .fcr = 30}, {.id = "b", .completed = 50, .fcr = 30}},
             {.waited_seconds = 1, .preferred_agent = "b"},
             "b"},
        Rule{"a new agent's exploration bonus wins over an equal team-average record",
             {{.id = "veteran", .completed = 500, .fcr = 300, .csat = 3.8}, {.id = "newcomer"}},
             {.waited_seconds = 45},
             "newcomer"},
        Rule{"exploration is bounded: a newcomer does not beat a clearly better agent",
             {{.id = "star", .completed = 500, .fcr = 450, .csat = 4.8}, {.id = "newcomer"}},
             {.waited_seconds = 45},
             "star"},
        Rule{"an agent above the occupancy cap is held back while another is free",
             {{.id = "busy-star", .chats_in_hand = 2, .completed = 100, .fcr = 90},
              {.id = "free", .completed = 100, .fcr = 55}},
             {.waited_seconds = 45},
             "free"},
        // Equal on every term but handle time. The id tie-break favours the slow agent
        // ("a-slow" < "b-quick"), so the quick one wins only if speed earned it points.
        Rule{"handle time never raises an agent's score",
             {{.id = "a-slow", .completed = 100, .fcr = 60, .handle_seconds = 900},
              {.id = "b-quick", .completed = 100, .fcr = 60, .handle_seconds = 60}},
             {.waited_seconds = 45},
             "a-slow"},
        Rule{"an empowered agent is required: the case waits for one",
             {{.id = "unempowered", .completed = 100, .fcr = 90, .authority = 50}},
             {.waited_seconds = 10, .authority_needed = 150},
             ""},
        Rule{"it goes to the empowered agent even with a weaker record",
             {{.id = "unempowered", .completed = 100, .fcr = 90, .authority = 50},
              {.id = "empowered", .completed = 100, .fcr = 50, .authority = 200}},
             {.waited_seconds = 10, .authority_needed = 150},
             "empowered"},
        Rule{"past its SLA, it goes to the best agent, marked for supervisor help",
             {{.id = "unempowered", .completed = 100, .fcr = 90, .authority = 50}},
             {.waited_seconds = 61, .authority_needed = 150},
             "unempowered",
             false,
             /*authority_waived=*/true}));

INSTANTIATE_TEST_SUITE_P(
    Classic, RoutingRules,
    testing::Values(Rule{"longest idle takes the agent idle longest, whatever their record",
                         {{.id = "star", .idle_minutes = 1, .completed = 100, .fcr = 95},
                          {.id = "idle", .idle_minutes = 9, .completed = 100, .fcr = 20}},
                         {.waited_seconds = 45, .strategy = Strategy::kLongestIdle},
                         "idle"},
                    Rule{"round robin takes the agent offered a case least recently",
                         {{.id = "recent", .idle_minutes = 9, .last_offer_minutes = 1},
                          {.id = "earlier", .idle_minutes = 1, .last_offer_minutes = 30}},
                         {.waited_seconds = 45, .strategy = Strategy::kRoundRobin},
                         "earlier"},
                    Rule{"least occupied takes the agent with the least in hand",
                         {{.id = "two", .chats_in_hand = 2}, {.id = "one", .chats_in_hand = 1}},
                         {.waited_seconds = 45, .strategy = Strategy::kLeastOccupied},
                         "one"},
                    Rule{"fastest handle rewards speed (kept only for comparison)",
                         {{.id = "careful", .completed = 100, .fcr = 90, .handle_seconds = 600},
                          {.id = "fast", .completed = 100, .fcr = 30, .handle_seconds = 60}},
                         {.waited_seconds = 45, .strategy = Strategy::kFastestHandle},
                         "fast"}));

TEST(MatchingTest, DecisionExplainsWinnerRunnerUpAndExclusions) {
  Rule rule{"",
            {{.id = "solid", .completed = 100, .fcr = 80},
             {.id = "ok", .completed = 100, .fcr = 60},
             {.id = "away", .presence = Presence::kAway},
             {.id = "novice", .proficiency = 0}},
            {.waited_seconds = 45},
            "solid"};
  World world = Build(rule);
  Decision d = ChooseAgent(BuildCase(rule.c), world.candidates, TeamRecord{}, EngineConfig(), kNow);
  ASSERT_TRUE(d.winner && d.runner_up);
  EXPECT_EQ(d.winner->agent_id, "solid");
  EXPECT_EQ(d.runner_up->agent_id, "ok");
  EXPECT_EQ(d.considered, 4);
  EXPECT_EQ(d.excluded_by[static_cast<int>(Exclusion::kPresence)], 1);
  EXPECT_EQ(d.excluded_by[static_cast<int>(Exclusion::kSkill)], 1);
  std::vector<std::string> names;
  double sum = 0;
  for (const ScoreTerm& t : d.winner->score.terms) {
    names.push_back(t.name);
    sum += t.value;
  }
  EXPECT_DOUBLE_EQ(sum, d.winner->score.total);
  EXPECT_EQ(names, (std::vector<std::string>{"relationship", "quality", "exploration",
                                             "proficiency", "idle", "load"}));
}

TEST(MatchingTest, HandleTimeLeavesTheScoreUnchanged) {
  // The winner alone would also pass if speed were penalised; equal totals pin "no effect".
  Rule rule{"",
            {{.id = "a-slow", .completed = 100, .fcr = 60, .handle_seconds = 900},
             {.id = "b-quick", .completed = 100, .fcr = 60, .handle_seconds = 60}},
            {.waited_seconds = 45},
            "a-slow"};
  World world = Build(rule);
  Decision d = ChooseAgent(BuildCase(rule.c), world.candidates, TeamRecord{}, EngineConfig(), kNow);
  ASSERT_TRUE(d.winner && d.runner_up);
  EXPECT_EQ(d.winner->agent_id, "a-slow");
  EXPECT_EQ(d.runner_up->agent_id, "b-quick");
  EXPECT_DOUBLE_EQ(d.winner->score.total, d.runner_up->score.total);
}

// The simulator's oracle: the agent most likely to truly resolve, whatever the estimates,
// the occupancy cap or the ring say.
class FixedOracle : public ResolutionOracle {
 public:
  double Probability(const std::string& agent_id, const std::string& topic,
                     const std::string& customer_id) const override {
    EXPECT_EQ(topic, "billing");
    EXPECT_EQ(customer_id, "cust");
    return agent_id == "hidden-gem" ? 0.9 : 0.5;
  }
};

TEST(MatchingTest, TheOracleTakesTheTrulyBestFreeAgentAndHoldsNone) {
  Rule rule{"",
            {{.id = "star", .completed = 500, .fcr = 450},
             {.id = "hidden-gem", .chats_in_hand = 2, .completed = 500, .fcr = 100},
             {.id = "best-in-wrap-up",
              .completed = 500,
              .fcr = 490,
              .presence = Presence::kWrapUp,
              .wrap_up_seconds_left = 1}},
            {.waited_seconds = 0},
            "hidden-gem"};
  World world = Build(rule);
  EngineConfig config;
  config.oracle = std::make_shared<FixedOracle>();
  Decision d = ChooseAgent(BuildCase(rule.c), world.candidates, TeamRecord{}, config, kNow);
  ASSERT_TRUE(d.winner);
  EXPECT_EQ(d.winner->agent_id, "hidden-gem");
  EXPECT_FALSE(d.waiting_for_preferred);
  EXPECT_TRUE(d.over_occupancy_cap.empty());
}

TEST(MatchingTest, ADecisionTheExplorationTermMadeIsMarked) {
  Rule rule{"",
            {{.id = "veteran", .completed = 500, .fcr = 310}, {.id = "newcomer"}},
            {.waited_seconds = 45},
            "newcomer"};
  World world = Build(rule);
  TeamRecord team;
  team.resolution_rate = 0.6;
  Decision d = ChooseAgent(BuildCase(rule.c), world.candidates, team, EngineConfig(), kNow);
  ASSERT_TRUE(d.winner);
  EXPECT_EQ(d.winner->agent_id, "newcomer");
  EXPECT_TRUE(d.explored);
  EXPECT_EQ(d.exploit_choice, "veteran");
  // Without the bonus, the veteran's slightly better record wins and nothing was explored.
  EngineConfig greedy;
  greedy.matching.exploration = 0;
  d = ChooseAgent(BuildCase(rule.c), world.candidates, team, greedy, kNow);
  EXPECT_EQ(d.winner->agent_id, "veteran");
  EXPECT_FALSE(d.explored);
}

TEST(MatchingTest, AHeldCaseSaysForWhomUntilWhenAndWhatWasWeighed) {
  Rule rule{"",
            {{.id = "average", .completed = 100, .fcr = 50},
             {.id = "best",
              .completed = 100,
              .fcr = 95,
              .presence = Presence::kWrapUp,
              .wrap_up_seconds_left = 5}},
            {.waited_seconds = 2},
            ""};
  World world = Build(rule);
  Case c = BuildCase(rule.c);
  EngineConfig config;
  Decision d = ChooseAgent(c, world.candidates, TeamRecord{}, config, kNow);
  EXPECT_FALSE(d.winner);
  EXPECT_TRUE(d.waiting_for_preferred);
  EXPECT_EQ(d.held_for, "best");
  EXPECT_EQ(d.hold_until, c.enqueued_time + absl::Seconds(20));  // chat: a third of 60 s
  EXPECT_NEAR(d.hold_cost_seconds, 5, 1e-9);
  EXPECT_GT(d.hold_gain_seconds, 100);
  // A failure worth nothing: no hold.
  config.matching.hold_failure_cost = 0;
  d = ChooseAgent(c, world.candidates, TeamRecord{}, config, kNow);
  ASSERT_TRUE(d.winner);
  EXPECT_EQ(d.winner->agent_id, "average");
}

TEST(MatchingTest, RelationshipStrengthHalvesEveryHalfLife) {
  MatchWeights w;
  Relationship r;
  r.cases = 2;
  r.resolved = 2;
  r.last_csat = 5;
  r.last_contact = kNow;
  double fresh = RelationshipStrength(&r, w, kNow);
  r.last_contact = kNow - w.relationship_half_life;
  EXPECT_NEAR(RelationshipStrength(&r, w, kNow), fresh / 2, 1e-9);
  EXPECT_EQ(RelationshipStrength(nullptr, w, kNow), 0);
}

}  // namespace
}  // namespace caserouter
