// The checker on hand-written histories: a clean one passes, and each broken promise is found
// (and named) in a history made to break only it.
#include "tests/faults/history_checker.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/faults/history.h"

namespace caserouter::faults {
namespace {

std::vector<HistoryRecord> Parse(const std::string& jsonl) {
  absl::StatusOr<std::vector<HistoryRecord>> history = ParseHistory(jsonl);
  EXPECT_TRUE(history.ok()) << history.status();
  return history.ok() ? *history : std::vector<HistoryRecord>();
}

std::vector<std::string> Kinds(const std::vector<Violation>& violations) {
  std::vector<std::string> kinds;
  for (const Violation& v : violations) kinds.push_back(v.kind);
  return kinds;
}

// A run with a failover in the middle: everything acknowledged is found, offers resolve, the
// desk moves to the new leader within the bound.
constexpr char kClean[] = R"(
{"time_micros": 1000000, "kind": "leader", "replica": "a", "leading": true}
{"time_micros": 1100000, "kind": "welcome", "agent": "ana", "replica": "a"}
{"time_micros": 1200000, "kind": "submit", "key": "k1", "customer": "c1", "code": "OK", "case_id": "x1", "replica": "a"}
{"time_micros": 1300000, "kind": "offer", "agent": "ana", "case_id": "x1"}
{"time_micros": 1400000, "kind": "accept", "agent": "ana", "case_id": "x1", "code": "OK"}
{"time_micros": 2000000, "kind": "fault", "detail": "kill -9 leader a"}
{"time_micros": 2000000, "kind": "leader", "replica": "a", "leading": false}
{"time_micros": 2100000, "kind": "submit", "key": "k2", "customer": "c2", "code": "UNAVAILABLE", "replica": "a"}
{"time_micros": 2500000, "kind": "desk_end", "agent": "ana", "replica": "a", "code": "UNAVAILABLE"}
{"time_micros": 3000000, "kind": "leader", "replica": "b", "leading": true}
{"time_micros": 3100000, "kind": "submit", "key": "k2", "customer": "c2", "code": "OK", "case_id": "x2", "replica": "b"}
{"time_micros": 3200000, "kind": "welcome", "agent": "ana", "replica": "b", "cases": ["x1"]}
{"time_micros": 3300000, "kind": "offer", "agent": "ana", "case_id": "x2"}
{"time_micros": 3400000, "kind": "decline", "agent": "ana", "case_id": "x2", "code": "OK"}
{"time_micros": 3500000, "kind": "complete", "agent": "ana", "case_id": "x1", "code": "OK"}
{"time_micros": 4000000, "kind": "get", "case_id": "x1", "customer": "c1", "code": "OK", "final": true}
{"time_micros": 4000000, "kind": "get", "case_id": "x2", "customer": "c2", "code": "OK", "final": true}
)";

TEST(HistoryCheckerTest, ACleanHistoryPasses) {
  std::vector<Violation> violations = CheckHistory(Parse(kClean));
  EXPECT_TRUE(violations.empty()) << Describe(violations);
  HistoryFigures figures = FiguresOf(Parse(kClean));
  EXPECT_EQ(figures.submits, 3);
  EXPECT_EQ(figures.acknowledged, 2);
  EXPECT_EQ(figures.faults, 1);
}

TEST(HistoryCheckerTest, RoundTripsThroughJsonLines) {
  std::string text;
  for (const HistoryRecord& r : Parse(kClean)) absl::StrAppend(&text, ToJsonLine(r), "\n");
  EXPECT_EQ(Parse(text).size(), Parse(kClean).size());
  EXPECT_TRUE(CheckHistory(Parse(text)).empty());
  EXPECT_FALSE(ParseHistory("{\"kind\": 3, \"nonsense\": true}\n").ok());
}

TEST(HistoryCheckerTest, FindsAnAcknowledgedCaseMissing) {
  std::vector<Violation> v = CheckHistory(Parse(R"(
{"time_micros": 1, "kind": "submit", "key": "k1", "customer": "c1", "code": "OK", "case_id": "x1"}
{"time_micros": 2, "kind": "submit", "key": "k2", "customer": "c2", "code": "OK", "case_id": "x2"}
{"time_micros": 3, "kind": "get", "case_id": "x1", "customer": "c1", "code": "OK", "final": true}
{"time_micros": 3, "kind": "get", "case_id": "x2", "code": "NOT_FOUND", "final": true}
)"));
  EXPECT_EQ(Kinds(v), std::vector<std::string>{"acknowledged_case_missing"}) << Describe(v);
  EXPECT_NE(v[0].detail.find("x2"), std::string::npos);
}

TEST(HistoryCheckerTest, LossAfterTheRollbackPointIsAllowedAndBeforeItIsNot) {
  const std::string history = R"(
{"time_micros": 1000000, "kind": "submit", "key": "k1", "customer": "c1", "code": "OK", "case_id": "x1"}
{"time_micros": 3000000, "kind": "submit", "key": "k2", "customer": "c2", "code": "OK", "case_id": "x2"}
{"time_micros": 4000000, "kind": "get", "case_id": "x1", "code": "NOT_FOUND", "final": true}
{"time_micros": 4000000, "kind": "get", "case_id": "x2", "code": "NOT_FOUND", "final": true}
)";
  CheckOptions options;
  options.loss_allowed_after = absl::FromUnixSeconds(2);
  std::vector<Violation> v = CheckHistory(Parse(history), options);
  ASSERT_EQ(Kinds(v), std::vector<std::string>{"acknowledged_case_missing"}) << Describe(v);
  EXPECT_NE(v[0].detail.find("x1"), std::string::npos);
}

TEST(HistoryCheckerTest, FindsOneKeyAnsweredWithTwoCases) {
  std::vector<Violation> v = CheckHistory(Parse(R"(
{"time_micros": 1, "kind": "submit", "key": "k1", "customer": "c1", "code": "OK", "case_id": "x1"}
{"time_micros": 2, "kind": "submit", "key": "k1", "customer": "c1", "code": "OK", "case_id": "x9"}
{"time_micros": 3, "kind": "get", "case_id": "x1", "code": "OK", "final": true}
{"time_micros": 3, "kind": "get", "case_id": "x9", "code": "OK", "final": true}
)"));
  EXPECT_EQ(Kinds(v), std::vector<std::string>{"key_with_two_cases"}) << Describe(v);
}

TEST(HistoryCheckerTest, FindsOneCaseIdAnsweredForTwoCustomers) {
  // The id reissue of issue 11: after a rollback, x1 named another customer's case.
  std::vector<Violation> v = CheckHistory(Parse(R"(
{"time_micros": 1, "kind": "submit", "key": "k1", "customer": "c1", "code": "OK", "case_id": "x1"}
{"time_micros": 2, "kind": "submit", "key": "k2", "customer": "c2", "code": "OK", "case_id": "x1"}
{"time_micros": 3, "kind": "get", "case_id": "x1", "customer": "c2", "code": "OK", "final": true}
)"));
  EXPECT_EQ(Kinds(v),
            (std::vector<std::string>{"case_with_two_customers", "case_with_two_customers"}))
      << Describe(v);
}

TEST(HistoryCheckerTest, FindsACaseOwnedByTwoAgents) {
  std::vector<Violation> v = CheckHistory(Parse(R"(
{"time_micros": 1, "kind": "accept", "agent": "ana", "case_id": "x1", "code": "OK"}
{"time_micros": 2, "kind": "accept", "agent": "bo", "case_id": "x1", "code": "OK"}
{"time_micros": 3, "kind": "complete", "agent": "bo", "case_id": "x1", "code": "OK"}
)"));
  EXPECT_EQ(Kinds(v), std::vector<std::string>{"case_with_two_owners"}) << Describe(v);
}

TEST(HistoryCheckerTest, ACompleteFromAnotherAgentsStreamThatSucceedsIsTwoOwners) {
  std::vector<Violation> v = CheckHistory(Parse(R"(
{"time_micros": 1, "kind": "accept", "agent": "ana", "case_id": "x1", "code": "OK"}
{"time_micros": 2, "kind": "complete", "agent": "bo", "case_id": "x1", "code": "OK"}
)"));
  EXPECT_EQ(Kinds(v), std::vector<std::string>{"case_with_two_owners"}) << Describe(v);
  // Refused, it is no violation.
  v = CheckHistory(Parse(R"(
{"time_micros": 1, "kind": "accept", "agent": "ana", "case_id": "x1", "code": "OK"}
{"time_micros": 2, "kind": "complete", "agent": "bo", "case_id": "x1", "code": "FAILED_PRECONDITION"}
)"));
  EXPECT_TRUE(v.empty()) << Describe(v);
}

TEST(HistoryCheckerTest, OwnershipLapsesAfterTheReconnectGraceOrANewWelcome) {
  CheckOptions options;
  options.reconnect_grace = absl::Seconds(1);
  // ana's desk went away at 1 s: after the grace, the case may go to bo.
  std::vector<Violation> v = CheckHistory(Parse(R"(
{"time_micros": 500000, "kind": "accept", "agent": "ana", "case_id": "x1", "code": "OK"}
{"time_micros": 1000000, "kind": "desk_end", "agent": "ana", "code": "UNAVAILABLE"}
{"time_micros": 2500000, "kind": "accept", "agent": "bo", "case_id": "x1", "code": "OK"}
)"),
                                          options);
  EXPECT_TRUE(v.empty()) << Describe(v);
  // Within the grace it may not.
  v = CheckHistory(Parse(R"(
{"time_micros": 500000, "kind": "accept", "agent": "ana", "case_id": "x1", "code": "OK"}
{"time_micros": 1000000, "kind": "desk_end", "agent": "ana", "code": "UNAVAILABLE"}
{"time_micros": 1500000, "kind": "accept", "agent": "bo", "case_id": "x1", "code": "OK"}
)"),
                   options);
  EXPECT_EQ(Kinds(v), std::vector<std::string>{"case_with_two_owners"}) << Describe(v);
  // A Welcome that no longer lists the case ends ana's ownership at once.
  v = CheckHistory(Parse(R"(
{"time_micros": 500000, "kind": "accept", "agent": "ana", "case_id": "x1", "code": "OK"}
{"time_micros": 1000000, "kind": "welcome", "agent": "ana", "replica": "b"}
{"time_micros": 1100000, "kind": "accept", "agent": "bo", "case_id": "x1", "code": "OK"}
)"),
                   options);
  EXPECT_TRUE(v.empty()) << Describe(v);
}

TEST(HistoryCheckerTest, FindsAnOfferThatNeverResolves) {
  std::vector<Violation> v = CheckHistory(Parse(R"(
{"time_micros": 1, "kind": "welcome", "agent": "ana", "replica": "a"}
{"time_micros": 2, "kind": "offer", "agent": "ana", "case_id": "x1"}
{"time_micros": 3, "kind": "offer", "agent": "ana", "case_id": "x2"}
{"time_micros": 4, "kind": "revoked", "agent": "ana", "case_id": "x2"}
)"));
  ASSERT_EQ(Kinds(v), std::vector<std::string>{"offer_never_resolved"}) << Describe(v);
  EXPECT_NE(v[0].detail.find("x1"), std::string::npos);
  // The end of the session resolves it.
  v = CheckHistory(Parse(R"(
{"time_micros": 1, "kind": "welcome", "agent": "ana", "replica": "a"}
{"time_micros": 2, "kind": "offer", "agent": "ana", "case_id": "x1"}
{"time_micros": 5, "kind": "desk_end", "agent": "ana", "replica": "a", "code": "UNAVAILABLE"}
)"));
  EXPECT_TRUE(v.empty()) << Describe(v);
  // Resolved, but far too late.
  CheckOptions options;
  options.offer_bound = absl::Seconds(3);
  v = CheckHistory(Parse(R"(
{"time_micros": 1000000, "kind": "offer", "agent": "ana", "case_id": "x1"}
{"time_micros": 9000000, "kind": "revoked", "agent": "ana", "case_id": "x1"}
)"),
                   options);
  EXPECT_EQ(Kinds(v), std::vector<std::string>{"offer_never_resolved"}) << Describe(v);
}

TEST(HistoryCheckerTest, FindsADeskLeftOnAReplicaThatDoesNotLead) {
  CheckOptions options;
  options.desk_bound = absl::Seconds(2);
  // The deposed leader a keeps ana's session for 5 s after it stopped leading.
  std::vector<Violation> v = CheckHistory(Parse(R"(
{"time_micros": 1000000, "kind": "leader", "replica": "a", "leading": true}
{"time_micros": 1100000, "kind": "welcome", "agent": "ana", "replica": "a"}
{"time_micros": 2000000, "kind": "leader", "replica": "a", "leading": false}
{"time_micros": 2100000, "kind": "leader", "replica": "b", "leading": true}
{"time_micros": 7000000, "kind": "desk_end", "agent": "ana", "replica": "a", "code": "UNAVAILABLE"}
{"time_micros": 7100000, "kind": "welcome", "agent": "ana", "replica": "b"}
)"),
                                          options);
  ASSERT_EQ(Kinds(v), std::vector<std::string>{"desk_on_non_leader"}) << Describe(v);
  EXPECT_NE(v[0].detail.find("5s"), std::string::npos) << v[0].detail;
  // Within the bound it is no violation; a session still open at the end counts to the end.
  v = CheckHistory(Parse(R"(
{"time_micros": 1000000, "kind": "leader", "replica": "a", "leading": true}
{"time_micros": 1100000, "kind": "welcome", "agent": "ana", "replica": "a"}
{"time_micros": 2000000, "kind": "leader", "replica": "a", "leading": false}
{"time_micros": 3000000, "kind": "desk_end", "agent": "ana", "replica": "a", "code": "UNAVAILABLE"}
{"time_micros": 3100000, "kind": "welcome", "agent": "bo", "replica": "a"}
{"time_micros": 9000000, "kind": "fault", "detail": "end"}
)"),
                   options);
  ASSERT_EQ(Kinds(v), std::vector<std::string>{"desk_on_non_leader"}) << Describe(v);
  EXPECT_NE(v[0].detail.find("bo"), std::string::npos);
}

}  // namespace
}  // namespace caserouter::faults
