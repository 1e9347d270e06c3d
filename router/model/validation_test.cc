// Every domain rule of validation.h, one row per case: the good value passes, each bad one
// fails with the code the API documents and a message that names the field, quotes the limit
// from its constant, and never repeats customer text.
#include "router/model/validation.h"

#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "router/model/reasons.h"

namespace caserouter {
namespace {

// Marks customer text: it must never come back in an error message.
constexpr char kSecret[] = "SECRETCUSTOMERTEXT";

struct Row {
  std::string name;
  std::function<absl::Status()> check;
  absl::StatusCode code;  // kOk for a good row
  std::string field;      // the message starts "<field>: "
  std::string quotes;     // the message contains this ("" = nothing in particular)
};

void RunRows(const std::vector<Row>& rows) {
  for (const Row& row : rows) {
    absl::Status status = row.check();
    EXPECT_EQ(status.code(), row.code) << row.name << ": " << status;
    if (row.code == absl::StatusCode::kOk) continue;
    EXPECT_TRUE(absl::StartsWith(status.message(), absl::StrCat(row.field, ": ")))
        << row.name << ": \"" << status.message() << "\" does not name " << row.field;
    EXPECT_TRUE(absl::StrContains(status.message(), row.quotes))
        << row.name << ": \"" << status.message() << "\" does not say " << row.quotes;
    EXPECT_FALSE(absl::StrContains(status.message(), kSecret)) << row.name;
  }
}

constexpr absl::StatusCode kOk = absl::StatusCode::kOk;
constexpr absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;

CaseSpec GoodSpec() {
  CaseSpec spec;
  spec.channel = Channel::kChat;
  spec.customer_id = "cust-1";
  spec.topic = "billing";
  spec.required_skills = {{"billing", 3}, {"refunds", 2}};
  spec.language = "pt-BR";
  spec.authority_needed = 150;
  spec.customer_value = 250;
  spec.sentiment = -0.5;
  spec.reach = 1200;
  spec.explicit_priority = 40;
  spec.subject = absl::StrCat("charged twice ", kSecret);
  spec.idempotency_key = "key-1";
  return spec;
}

Row SpecRow(std::string name, std::function<void(CaseSpec&)> spoil, std::string field,
            std::string quotes = "") {
  return Row{std::move(name),
             [spoil] {
               CaseSpec spec = GoodSpec();
               spoil(spec);
               return ValidateCaseSpec(spec);
             },
             kInvalid, std::move(field), std::move(quotes)};
}

TEST(DomainValidationTest, CaseSpec) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  std::string long_subject;
  while (long_subject.size() <= kMaxTextBytes) long_subject += kSecret;
  RunRows({
      {"good", [] { return ValidateCaseSpec(GoodSpec()); }, kOk, "", ""},
      SpecRow(
          "customer_id empty", [](auto& s) { s.customer_id = ""; }, "customer_id"),
      SpecRow(
          "customer_id long", [](auto& s) { s.customer_id = std::string(kMaxIdLength + 1, 'c'); },
          "customer_id", absl::StrCat(kMaxIdLength)),
      SpecRow(
          "customer_id space", [](auto& s) { s.customer_id = absl::StrCat("a ", kSecret); },
          "customer_id"),
      SpecRow(
          "topic upper", [](auto& s) { s.topic = "Billing"; }, "topic"),
      SpecRow(
          "topic long", [](auto& s) { s.topic = std::string(kMaxNameLength + 1, 't'); }, "topic",
          absl::StrCat(kMaxNameLength)),
      SpecRow(
          "too many skills",
          [](auto& s) {
            s.required_skills.resize(kMaxRequiredSkills + 1, {"x", 1});
          },
          "required_skills", absl::StrCat(kMaxRequiredSkills)),
      SpecRow(
          "skill name", [](auto& s) { s.required_skills[1].skill = "Bad Skill"; },
          "required_skills[1].skill"),
      SpecRow(
          "min_proficiency low",
          [](auto& s) { s.required_skills[0].min_proficiency = kMinProficiency - 1; },
          "required_skills[0].min_proficiency", absl::StrCat(kMaxProficiency)),
      SpecRow(
          "min_proficiency high",
          [](auto& s) { s.required_skills[1].min_proficiency = kMaxProficiency + 1; },
          "required_skills[1].min_proficiency", absl::StrCat(kMaxProficiency)),
      SpecRow(
          "language tag", [](auto& s) { s.language = "not a tag!"; }, "language"),
      SpecRow(
          "language long", [](auto& s) { s.language = std::string(kMaxLanguageLength + 1, 'e'); },
          "language", absl::StrCat(kMaxLanguageLength)),
      SpecRow(
          "authority negative", [](auto& s) { s.authority_needed = -1; }, "authority_needed"),
      SpecRow(
          "authority huge", [](auto& s) { s.authority_needed = kMaxAuthority + 1; },
          "authority_needed", absl::StrCat(kMaxAuthority)),
      SpecRow(
          "customer_value negative", [](auto& s) { s.customer_value = -1; }, "customer_value"),
      SpecRow(
          "customer_value huge", [](auto& s) { s.customer_value = 2.0 * kMaxCustomerValue; },
          "customer_value", absl::StrCat(kMaxCustomerValue)),
      SpecRow(
          "customer_value nan", [&](auto& s) { s.customer_value = nan; }, "customer_value"),
      SpecRow(
          "sentiment high", [](auto& s) { s.sentiment = 1.5; }, "sentiment"),
      SpecRow(
          "sentiment low", [](auto& s) { s.sentiment = -2; }, "sentiment"),
      SpecRow(
          "sentiment nan", [&](auto& s) { s.sentiment = nan; }, "sentiment"),
      SpecRow(
          "sentiment infinite", [&](auto& s) { s.sentiment = inf; }, "sentiment"),
      SpecRow(
          "reach negative", [](auto& s) { s.reach = -1; }, "reach"),
      SpecRow(
          "reach huge", [](auto& s) { s.reach = kMaxReach + 1; }, "reach", absl::StrCat(kMaxReach)),
      SpecRow(
          "explicit_priority negative", [](auto& s) { s.explicit_priority = -1; },
          "explicit_priority"),
      SpecRow(
          "explicit_priority high", [](auto& s) { s.explicit_priority = kMaxExplicitPriority + 1; },
          "explicit_priority", absl::StrCat(kMaxExplicitPriority)),
      SpecRow(
          "subject long", [&](auto& s) { s.subject = long_subject; }, "subject",
          absl::StrCat(kMaxTextBytes)),
      SpecRow(
          "idempotency_key empty", [](auto& s) { s.idempotency_key = ""; }, "idempotency_key"),
      SpecRow(
          "idempotency_key space", [](auto& s) { s.idempotency_key = "two words"; },
          "idempotency_key"),
  });
}

Agent GoodAgent() {
  Agent agent;
  agent.id = "Ana.M-1";
  agent.skills = {{"billing", 7}, {"refunds", kMaxProficiency}};
  agent.languages = {"en", "pt-BR"};
  agent.authority_limit = kMaxAuthority;
  agent.max_cases = kMaxCasesPerChannel;
  agent.contact_address = "sip:ana@pbx.example;transport=tls";
  return agent;
}

Row AgentRow(std::string name, std::function<void(Agent&)> spoil, std::string field,
             std::string quotes = "") {
  return Row{std::move(name),
             [spoil] {
               Agent agent = GoodAgent();
               spoil(agent);
               return ValidateAgentProfile(agent);
             },
             kInvalid, std::move(field), std::move(quotes)};
}

TEST(DomainValidationTest, AgentProfile) {
  RunRows({
      {"good", [] { return ValidateAgentProfile(GoodAgent()); }, kOk, "", ""},
      AgentRow(
          "agent_id empty", [](auto& a) { a.id = ""; }, "agent_id"),
      AgentRow(
          "agent_id chars", [](auto& a) { a.id = "ana maria"; }, "agent_id"),
      AgentRow(
          "agent_id long", [](auto& a) { a.id = std::string(kMaxAgentIdLength + 1, 'a'); },
          "agent_id", absl::StrCat(kMaxAgentIdLength)),
      AgentRow(
          "too many skills",
          [](auto& a) {
            for (size_t i = 0; i < kMaxAgentSkills; ++i)
              a.skills.push_back({absl::StrCat("s", i), 5});
          },
          "skills", absl::StrCat(kMaxAgentSkills)),
      AgentRow(
          "skill name", [](auto& a) { a.skills[0].name = "Billing"; }, "skills[0].name"),
      AgentRow(
          "skill proficiency", [](auto& a) { a.skills[1].proficiency = 0; },
          "skills[1].proficiency", absl::StrCat(kMaxProficiency)),
      AgentRow(
          "skill duplicate", [](auto& a) { a.skills.push_back(a.skills[0]); }, "skills[2].name",
          "duplicate"),
      AgentRow(
          "too many languages", [](auto& a) { a.languages.resize(kMaxAgentLanguages + 1, "en"); },
          "languages", absl::StrCat(kMaxAgentLanguages)),
      AgentRow(
          "language empty", [](auto& a) { a.languages[1] = ""; }, "languages[1]"),
      AgentRow(
          "language tag", [](auto& a) { a.languages[0] = "english please"; }, "languages[0]"),
      AgentRow(
          "authority negative", [](auto& a) { a.authority_limit = -5; }, "authority_limit"),
      AgentRow(
          "authority huge", [](auto& a) { a.authority_limit = kMaxAuthority + 1; },
          "authority_limit", absl::StrCat(kMaxAuthority)),
      AgentRow(
          "contact_address long",
          [](auto& a) { a.contact_address = std::string(kMaxContactAddressBytes + 1, 'x'); },
          "contact_address", absl::StrCat(kMaxContactAddressBytes)),
      AgentRow(
          "contact_address space", [](auto& a) { a.contact_address = "ext 42"; },
          "contact_address"),
      AgentRow(
          "max_phone", [](auto& a) { a.max_cases[ChannelIndex(Channel::kPhone)] = 2; }, "max_phone",
          absl::StrCat(kMaxCasesPerChannel[ChannelIndex(Channel::kPhone)])),
      AgentRow(
          "max_chat", [](auto& a) { a.max_cases[ChannelIndex(Channel::kChat)] = 21; }, "max_chat",
          absl::StrCat(kMaxCasesPerChannel[ChannelIndex(Channel::kChat)])),
      AgentRow(
          "max_social", [](auto& a) { a.max_cases[ChannelIndex(Channel::kSocial)] = -1; },
          "max_social"),
      AgentRow(
          "max_email", [](auto& a) { a.max_cases[ChannelIndex(Channel::kEmail)] = 51; },
          "max_email", absl::StrCat(kMaxCasesPerChannel[ChannelIndex(Channel::kEmail)])),
  });
}

TEST(DomainValidationTest, Outcome) {
  RunRows({
      {"good",
       [] {
         return ValidateOutcome(Outcome{true, kMaxCsat, false});
       },
       kOk, "", ""},
      {"no csat",
       [] {
         return ValidateOutcome(Outcome{false, 0, true});
       },
       kOk, "", ""},
      {"csat high",
       [] {
         return ValidateOutcome(Outcome{true, kMaxCsat + 1, false});
       },
       kInvalid, "outcome.csat", absl::StrCat(kMaxCsat)},
      {"csat negative",
       [] {
         return ValidateOutcome(Outcome{true, -1, false});
       },
       kInvalid, "outcome.csat", ""},
  });
}

TEST(DomainValidationTest, IdsAndNames) {
  RunRows({
      {"id good", [] { return ValidateId("case_id", "c-000001"); }, kOk, "", ""},
      {"id longest", [] { return ValidateId("case_id", std::string(kMaxIdLength, 'c')); }, kOk, "",
       ""},
      {"id empty", [] { return ValidateId("case_id", ""); }, kInvalid, "case_id", "required"},
      {"id long", [] { return ValidateId("case_id", std::string(kMaxIdLength + 1, 'c')); },
       kInvalid, "case_id", absl::StrCat(kMaxIdLength)},
      {"id space", [] { return ValidateId("accept.case_id", absl::StrCat("c1 ", kSecret)); },
       kInvalid, "accept.case_id", ""},
      {"id control", [] { return ValidateId("case_id", "c\x01"); }, kInvalid, "case_id", ""},
      {"agent id good", [] { return ValidateAgentId("hello.agent_id", "Ana_1.x-y"); }, kOk, "", ""},
      {"agent id empty", [] { return ValidateAgentId("hello.agent_id", ""); }, kInvalid,
       "hello.agent_id", "required"},
      {"agent id long",
       [] { return ValidateAgentId("hello.agent_id", std::string(kMaxAgentIdLength + 1, 'a')); },
       kInvalid, "hello.agent_id", absl::StrCat(kMaxAgentIdLength)},
      {"agent id chars", [] { return ValidateAgentId("hello.agent_id", "ana maria"); }, kInvalid,
       "hello.agent_id", ""},
      {"agent id printable but not a name", [] { return ValidateAgentId("agent_id", "ana@x"); },
       kInvalid, "agent_id", ""},
      {"name good", [] { return ValidateName("topic", "billing.v2_x-y"); }, kOk, "", ""},
      {"name upper", [] { return ValidateName("topic", "Billing"); }, kInvalid, "topic", ""},
      {"name empty", [] { return ValidateName("topic", ""); }, kInvalid, "topic", "required"},
      {"name long", [] { return ValidateName("topic", std::string(kMaxNameLength + 1, 'n')); },
       kInvalid, "topic", absl::StrCat(kMaxNameLength)},
  });
}

TEST(DomainValidationTest, MessageTextAndCount) {
  std::string longest(kMaxTextBytes, 'm');
  std::string too_long;
  while (too_long.size() <= kMaxTextBytes) too_long += kSecret;
  RunRows({
      {"text good", [&] { return ValidateMessageText("text", longest); }, kOk, "", ""},
      {"text empty", [] { return ValidateMessageText("text", ""); }, kInvalid, "text", "required"},
      {"text long", [&] { return ValidateMessageText("text", too_long); }, kInvalid, "text",
       absl::StrCat(kMaxTextBytes)},
      {"count none", [] { return ValidateMessageCount("case_id", 0); }, kOk, "", ""},
      {"count room for the last",
       [] { return ValidateMessageCount("case_id", kMaxMessagesPerCase - 1); }, kOk, "", ""},
      {"count full", [] { return ValidateMessageCount("case_id", kMaxMessagesPerCase); },
       absl::StatusCode::kResourceExhausted, "case_id", absl::StrCat(kMaxMessagesPerCase)},
      {"count over", [] { return ValidateMessageCount("case_id", kMaxMessagesPerCase + 7); },
       absl::StatusCode::kResourceExhausted, "case_id", absl::StrCat(kMaxMessagesPerCase)},
      {"joins none", [] { return ValidateJoinCount("idempotency_key", 0); }, kOk, "", ""},
      {"joins room for the last",
       [] { return ValidateJoinCount("idempotency_key", kMaxJoinedSubmissionsPerCase - 1); }, kOk,
       "", ""},
      {"joins full",
       [] { return ValidateJoinCount("idempotency_key", kMaxJoinedSubmissionsPerCase); },
       absl::StatusCode::kResourceExhausted, "idempotency_key",
       absl::StrCat(kMaxJoinedSubmissionsPerCase)},
  });
}

TEST(DomainValidationTest, CancelReason) {
  std::vector<Row> rows = {
      {"empty: the engine's default", [] { return ValidateCancelReason("reason", ""); }, kOk, "",
       ""},
      {"unknown", [] { return ValidateCancelReason("reason", "because I said so"); }, kInvalid,
       "reason", NamesOf(kCancelReasonNames)},
      {"not a cancel reason",
       [] { return ValidateCancelReason("reason", EndReasonName(EndReason::kNoAgentWithinTtl)); },
       kInvalid, "reason", ""},
      {"case matters", [] { return ValidateCancelReason("reason", "Customer_Left"); }, kInvalid,
       "reason", ""},
  };
  for (const auto& entry : kCancelReasonNames) {
    std::string name(entry.name);
    rows.push_back({name, [name] { return ValidateCancelReason("reason", name); }, kOk, "", ""});
  }
  RunRows(rows);
  EXPECT_TRUE(IsCancelReason(kDefaultCancelReason));
}

TEST(DomainValidationTest, SettablePresence) {
  RunRows({
      {"available", [] { return ValidateSettablePresence("p", Presence::kAvailable); }, kOk, "",
       ""},
      {"away", [] { return ValidateSettablePresence("p", Presence::kAway); }, kOk, "", ""},
      {"offline", [] { return ValidateSettablePresence("p", Presence::kOffline); }, kOk, "", ""},
      {"wrap-up",
       [] { return ValidateSettablePresence("set_presence.presence", Presence::kWrapUp); },
       kInvalid, "set_presence.presence", "WRAP_UP"},
  });
}

}  // namespace
}  // namespace caserouter
