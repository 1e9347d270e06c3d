#include "router/policy/eligibility.h"

#include <optional>

#include "gtest/gtest.h"

namespace caserouter {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

Agent Ready() {
  Agent a;
  a.id = "ana";
  a.presence = Presence::kAvailable;
  a.skills = {{"billing", 6}};
  a.languages = {"en"};
  a.authority_limit = 100;
  return a;
}

Case ChatAbout(const std::string& skill, int level) {
  Case c;
  c.id = "c1";
  c.spec.channel = Channel::kChat;
  c.spec.required_skills = {{skill, level}};
  return c;
}

// Each row: one rule of eligibility, the agent and case that exercise it, the expected answer.
struct Row {
  const char* rule;
  std::function<void(Agent&, Case&, bool& connected)> setup;
  std::optional<Exclusion> expected;
};

class EligibilityRules : public testing::TestWithParam<Row> {};

TEST_P(EligibilityRules, Decide) {
  Agent agent = Ready();
  Case c = ChatAbout("billing", 5);
  bool connected = true;
  GetParam().setup(agent, c, connected);
  EXPECT_EQ(CheckEligibility(c, agent, connected, EngineConfig(), kNow), GetParam().expected)
      << GetParam().rule;
}

INSTANTIATE_TEST_SUITE_P(
    Rules, EligibilityRules,
    testing::Values(
        Row{"an available, skilled agent is eligible", [](Agent&, Case&, bool&) {}, std::nullopt},
        Row{"no desk session", [](Agent&, Case&, bool& connected) { connected = false; },
            Exclusion::kPresence},
        Row{"away", [](Agent& a, Case&, bool&) { a.presence = Presence::kAway; },
            Exclusion::kPresence},
        Row{"wrap-up", [](Agent& a, Case&, bool&) { a.presence = Presence::kWrapUp; },
            Exclusion::kPresence},
        Row{"a call blocks other work",
            [](Agent& a, Case&, bool&) { a.active_cases[ChannelIndex(Channel::kPhone)] = 1; },
            Exclusion::kCapacity},
        Row{"a chat in hand blocks a call",
            [](Agent& a, Case& c, bool&) {
              a.active_cases[ChannelIndex(Channel::kChat)] = 1;
              c.spec.channel = Channel::kPhone;
            },
            Exclusion::kCapacity},
        Row{"two chats leave room for a third",
            [](Agent& a, Case&, bool&) { a.active_cases[ChannelIndex(Channel::kChat)] = 2; },
            std::nullopt},
        Row{"three chats are the maximum",
            [](Agent& a, Case&, bool&) { a.active_cases[ChannelIndex(Channel::kChat)] = 3; },
            Exclusion::kCapacity},
        Row{"chats and posts share one budget",
            [](Agent& a, Case&, bool&) {
              a.active_cases[ChannelIndex(Channel::kChat)] = 2;
              a.active_cases[ChannelIndex(Channel::kSocial)] = 2;
            },
            Exclusion::kCapacity},
        Row{"an agent not on a channel",
            [](Agent& a, Case&, bool&) { a.max_cases[ChannelIndex(Channel::kChat)] = 0; },
            Exclusion::kCapacity},
        Row{"skill below the minimum",
            [](Agent&, Case& c, bool&) {
              c.spec.required_skills = {{"billing", 7}};
            },
            Exclusion::kSkill},
        Row{"skill missing",
            [](Agent&, Case& c, bool&) {
              c.spec.required_skills.push_back({"refunds", 1});
            },
            Exclusion::kSkill},
        Row{"language not spoken", [](Agent&, Case& c, bool&) { c.spec.language = "de"; },
            Exclusion::kLanguage},
        Row{"language spoken", [](Agent&, Case& c, bool&) { c.spec.language = "en"; },
            std::nullopt},
        Row{"authority beyond the agent's limit",
            [](Agent&, Case& c, bool&) { c.spec.authority_needed = 150; }, Exclusion::kAuthority},
        Row{"authority within the limit",
            [](Agent&, Case& c, bool&) { c.spec.authority_needed = 100; }, std::nullopt},
        Row{"declined in this pass",
            [](Agent&, Case& c, bool&) {
              c.declined_by = {"ana"};
              c.declined_pass_until = kNow + absl::Minutes(1);
            },
            Exclusion::kDeclined},
        Row{"declined in an earlier pass",
            [](Agent&, Case& c, bool&) {
              c.declined_by = {"ana"};
              c.declined_pass_until = kNow;
            },
            std::nullopt},
        Row{"presence is checked before skills",
            [](Agent& a, Case& c, bool&) {
              a.presence = Presence::kAway;
              c.spec.required_skills = {{"billing", 10}};
            },
            Exclusion::kPresence}));

TEST(EligibilityTest, AuthorityCheckCanBeWaivedForBreachedCases) {
  Agent agent = Ready();
  Case c = ChatAbout("billing", 1);
  c.spec.authority_needed = 1000;
  EXPECT_EQ(CheckEligibility(c, agent, true, EngineConfig(), kNow, /*check_authority=*/false),
            std::nullopt);
}

}  // namespace
}  // namespace caserouter
