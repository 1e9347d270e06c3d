#include "router/policy/case_filter.h"

#include <string>

#include "gtest/gtest.h"

namespace caserouter {
namespace {

Case BillingCase() {
  Case c;
  c.id = "c1";
  c.spec.channel = Channel::kChat;
  c.spec.topic = "billing";
  c.spec.language = "fr";
  c.spec.customer_value = 80;
  c.spec.sentiment = -0.6;
  c.spec.has_sentiment = true;
  c.spec.reach = 1200;
  c.spec.is_public = false;
  c.spec.explicit_priority = 40;
  c.spec.authority_needed = 150;
  c.spec.required_skills = {{"billing", 6}};
  return c;
}

struct CaseRow {
  const char* expression;
  bool matches;
};

TEST(CaseFilterTest, CaseExpressions) {
  const CaseRow rows[] = {
      {"", true},
      {"topic == billing", true},
      {"topic == 'billing'", true},
      {"topic == \"sales\"", false},
      {"topic != sales", true},
      {"channel == chat and language == fr", true},
      {"channel == phone or language == fr", true},
      {"channel == phone or language == de", false},
      {"not (channel == phone)", true},
      {"not channel == chat", false},
      {"language in [de, fr, it]", true},
      {"language in [de]", false},
      {"customer_value >= 80", true},
      {"customer_value > 80", false},
      {"sentiment < -0.5", true},
      {"reach <= 1000", false},
      {"public", false},
      {"not public", true},
      {"repeat", false},
      {"priority == 40 and authority_needed >= 100", true},
      {"skill.billing >= 6", true},
      {"skill.technical > 0", false},
      {"topic == billing and (language == de or customer_value > 50)", true},
      {"channel in [phone, chat] and not public and sentiment < 0", true},
  };
  Case c = BillingCase();
  for (const CaseRow& row : rows) {
    absl::StatusOr<CaseFilter> f = CaseFilter::Parse(row.expression, CaseFilter::Subject::kCase);
    ASSERT_TRUE(f.ok()) << row.expression << ": " << f.status();
    EXPECT_EQ(f->Matches(c), row.matches) << row.expression;
  }
}

TEST(CaseFilterTest, UnknownSentimentCountsAsNeutral) {
  Case c = BillingCase();
  c.spec.has_sentiment = false;
  absl::StatusOr<CaseFilter> f = CaseFilter::Parse("sentiment < 0", CaseFilter::Subject::kCase);
  ASSERT_TRUE(f.ok());
  EXPECT_FALSE(f->Matches(c));
}

TEST(CaseFilterTest, RepeatContact) {
  Case c = BillingCase();
  c.repeat_of = "c0";
  absl::StatusOr<CaseFilter> f = CaseFilter::Parse("repeat", CaseFilter::Subject::kCase);
  ASSERT_TRUE(f.ok());
  EXPECT_TRUE(f->Matches(c));
}

TEST(CaseFilterTest, AgentExpressions) {
  Agent a;
  a.id = "ann";
  a.skills = {{"billing", 8}, {"technical", 3}};
  a.languages = {"en", "fr"};
  a.authority_limit = 200;
  const CaseRow rows[] = {
      {"skill.billing >= 8", true},
      {"skill.billing >= 9", false},
      {"skill.sales > 0", false},
      {"language == fr", true},
      {"language == de", false},
      {"language in [de, en]", true},
      {"authority >= 150 and skill.technical >= 3", true},
      {"id in [bob, ann]", true},
      {"id != ann", false},
  };
  for (const CaseRow& row : rows) {
    absl::StatusOr<CaseFilter> f = CaseFilter::Parse(row.expression, CaseFilter::Subject::kAgent);
    ASSERT_TRUE(f.ok()) << row.expression << ": " << f.status();
    EXPECT_EQ(f->Matches(a), row.matches) << row.expression;
  }
}

struct MalformedRow {
  const char* expression;
  CaseFilter::Subject subject;
  const char* error;  // a part of the message, with the position
};

TEST(CaseFilterTest, MalformedExpressionsNameThePosition) {
  using S = CaseFilter::Subject;
  const MalformedRow rows[] = {
      {"topic =", S::kCase, "at position 7: unknown operator '='"},
      {"topic == ", S::kCase, "at position 10: expected a value"},
      {"topic billing", S::kCase, "at position 7: expected an operator after 'topic'"},
      {"colour == red", S::kCase, "at position 1: unknown attribute 'colour' of a case"},
      {"authority >= 1", S::kCase, "at position 1: unknown attribute 'authority'"},
      {"topic == billing and", S::kCase, "at position 21: expected an attribute"},
      {"(topic == billing", S::kCase, "at position 18: expected ')' closing the '(' at position 1"},
      {"topic == billing)", S::kCase, "at position 17: expected 'and', 'or' or the end"},
      {"topic == 'billing", S::kCase, "at position 10: unterminated quote"},
      {"customer_value >= high", S::kCase, "at position 19: 'customer_value' is a number"},
      {"topic > 3", S::kCase, "at position 7: 'topic' is a word: only == and != apply"},
      {"topic == 3", S::kCase, "at position 10: 'topic' is a word"},
      {"language in fr", S::kCase, "at position 13: expected '[' after 'in'"},
      {"language in [fr de]", S::kCase, "at position 17: expected ',' or ']'"},
      {"topic == billing & x", S::kCase, "at position 18: unexpected character '&'"},
      {"topic ! billing", S::kCase, "at position 7: unknown operator '!'"},
      {"and", S::kCase, "at position 1: expected an attribute"},
      {"customer_value == 5", S::kAgent, "unknown attribute 'customer_value' of an agent"},
  };
  for (const MalformedRow& row : rows) {
    absl::StatusOr<CaseFilter> f = CaseFilter::Parse(row.expression, row.subject);
    ASSERT_FALSE(f.ok()) << row.expression;
    EXPECT_EQ(f.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(f.status().message().find(row.error), absl::string_view::npos)
        << row.expression << " → " << f.status().message();
  }
}

}  // namespace
}  // namespace caserouter
