// What the track record learns from outcomes: resolutions on the customer's evidence before
// the agent's word, repeat contacts taking them back, and each agent's level across topics.
#include "agents/track_record.h"

#include "gtest/gtest.h"

namespace caserouter {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

Case Completed(const std::string& id, const std::string& agent, const std::string& topic) {
  Case c;
  c.id = id;
  c.agent_id = agent;
  c.spec.topic = topic;
  c.spec.customer_id = "cust-" + id;
  return c;
}

Outcome Reported(bool resolved, int csat = 0) {
  Outcome o;
  o.resolved = resolved;
  o.csat = csat;
  return o;
}

TEST(TrackRecordTest, TheSurveyOutweighsTheAgentsReport) {
  EXPECT_TRUE(ResolvedOnEvidence(true, 0));  // no survey: the agent's word
  EXPECT_FALSE(ResolvedOnEvidence(false, 0));
  EXPECT_FALSE(ResolvedOnEvidence(true, 2));  // "resolved", but the customer says not
  EXPECT_FALSE(ResolvedOnEvidence(true, 3));
  EXPECT_TRUE(ResolvedOnEvidence(false, 4));  // the customer is satisfied
  TrackRecord records;
  records.RecordOutcome(Completed("1", "ana", "billing"), Reported(true, 1), kNow);
  records.RecordOutcome(Completed("2", "ana", "billing"), Reported(true), kNow);
  const QualityRecord& q = records.QualityOn("billing").at("ana");
  EXPECT_EQ(q.completed, 2);
  EXPECT_EQ(q.resolved, 2);
  EXPECT_EQ(q.evidence_resolutions, 1);
  EXPECT_NEAR(records.TeamRecordFor("billing").resolution_rate, 0.5, 1e-12);
}

TEST(TrackRecordTest, ARepeatContactTakesTheResolutionBackOnce) {
  TrackRecord records;
  Case earlier = Completed("1", "ana", "billing");
  earlier.outcome = Reported(true, 5);
  records.RecordOutcome(earlier, earlier.outcome, kNow);
  ASSERT_EQ(records.QualityOn("billing").at("ana").evidence_resolutions, 1);
  const double before = records.AgentOverall("ana")->excess_resolutions;
  records.TakeBackResolution(earlier);
  EXPECT_EQ(records.QualityOn("billing").at("ana").evidence_resolutions, 0);
  EXPECT_EQ(records.QualityOn("billing").at("ana").first_contact_resolutions, 0);
  EXPECT_NEAR(records.AgentOverall("ana")->excess_resolutions, before - 1, 1e-12);
  // A case the evidence already counted unresolved loses nothing more.
  Case unhappy = Completed("2", "ana", "billing");
  unhappy.outcome = Reported(true, 2);
  records.RecordOutcome(unhappy, unhappy.outcome, kNow);
  records.TakeBackResolution(unhappy);
  EXPECT_EQ(records.QualityOn("billing").at("ana").evidence_resolutions, 0);
}

TEST(TrackRecordTest, AnAgentsLevelIsTheirExcessOverEachTopicsTeamRate) {
  TrackRecord records;
  // The team resolves half of billing; ana resolves every case there, bo none.
  for (int i = 0; i < 10; ++i) {
    records.RecordOutcome(Completed("a" + std::to_string(i), "ana", "billing"), Reported(true),
                          kNow);
    records.RecordOutcome(Completed("b" + std::to_string(i), "bo", "billing"), Reported(false),
                          kNow);
  }
  const AgentRecord* ana = records.AgentOverall("ana");
  const AgentRecord* bo = records.AgentOverall("bo");
  ASSERT_NE(ana, nullptr);
  ASSERT_NE(bo, nullptr);
  EXPECT_EQ(ana->cases, 10);
  EXPECT_GT(ana->excess_resolutions, 3);
  EXPECT_LT(bo->excess_resolutions, -3);
  EXPECT_EQ(records.AgentOverall("cy"), nullptr);
  // Rebuilt from the stored records, at the team rates then (0.5 here).
  std::vector<QualityRecord> quality;
  std::vector<Relationship> relationships;
  records.TakeChanged(&quality, &relationships);
  TrackRecord loaded;
  loaded.Load(quality, relationships);
  EXPECT_NEAR(loaded.AgentOverall("ana")->excess_resolutions, 10 - 10 * 0.5, 1e-9);
  EXPECT_NEAR(loaded.AgentOverall("bo")->excess_resolutions, -5, 1e-9);
  EXPECT_EQ(loaded.AgentOverall("ana")->cases, 10);
}

}  // namespace
}  // namespace caserouter
