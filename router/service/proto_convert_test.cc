#include "router/service/proto_convert.h"

#include <string>

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace caserouter {
namespace {

void ExpectNamesField(const absl::Status& status, const std::string& field) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_TRUE(absl::StartsWith(status.message(), field + ": ")) << status;
}

TEST(EnumFromProtoTest, RejectsUnspecifiedAndUnknownNamingTheField) {
  EXPECT_EQ(*ChannelFromProto(v1::CHANNEL_SOCIAL, "channel"), Channel::kSocial);
  ExpectNamesField(ChannelFromProto(v1::CHANNEL_UNSPECIFIED, "channel").status(), "channel");
  ExpectNamesField(ChannelFromProto(99, "channel").status(), "channel");
  EXPECT_EQ(*PresenceFromProto(v1::PRESENCE_AWAY, "p"), Presence::kAway);
  ExpectNamesField(PresenceFromProto(0, "set_presence.presence").status(), "set_presence.presence");
  ExpectNamesField(PresenceFromProto(-3, "set_presence.presence").status(),
                   "set_presence.presence");
}

TEST(EnumFromProtoTest, CancelReasonIsAWordOrTheEnginesDefault) {
  EXPECT_EQ(*CancelReasonFromProto(v1::CANCEL_REASON_UNSPECIFIED, "reason"), "");
  EXPECT_EQ(*CancelReasonFromProto(v1::CANCEL_REASON_POST_DELETED, "reason"), "post_deleted");
  EXPECT_EQ(*CancelReasonFromProto(v1::CANCEL_REASON_OTHER, "reason"), "other");
  ExpectNamesField(CancelReasonFromProto(99, "reason").status(), "reason");
}

TEST(ClosedSetsToProtoTest, EndReasonStrategyAndExclusionsAreEnums) {
  EXPECT_EQ(EndReasonToProto(""), v1::END_REASON_UNSPECIFIED);
  EXPECT_EQ(EndReasonToProto("no_agent_within_ttl"), v1::END_REASON_NO_AGENT_WITHIN_TTL);
  EXPECT_EQ(EndReasonToProto("customer_left"), v1::END_REASON_CUSTOMER_LEFT);
  EXPECT_EQ(EndReasonToProto("not a reason"), v1::END_REASON_UNSPECIFIED);

  Explanation explanation;
  explanation.view.record.id = "c-1";
  explanation.decision.strategy = Strategy::kLeastOccupied;
  explanation.decision.excluded_by[static_cast<int>(Exclusion::kLanguage)] = 2;
  explanation.decision.excluded = {{"ana", Exclusion::kLanguage}, {"bo", Exclusion::kLanguage}};
  v1::ExplainDecisionResponse out;
  ExplanationToProto(explanation, &out);
  EXPECT_EQ(out.strategy(), v1::STRATEGY_LEAST_OCCUPIED);
  ASSERT_EQ(out.exclusions_size(), 1);
  EXPECT_EQ(out.exclusions(0).reason(), v1::EXCLUSION_REASON_LANGUAGE);
  EXPECT_EQ(out.exclusions(0).count(), 2);
  EXPECT_EQ(out.exclusions(0).agent_ids_size(), 2);
}

TEST(WelcomeToProtoTest, HeartbeatIntervalIsADuration) {
  Welcome welcome;
  welcome.presence = Presence::kAway;
  welcome.heartbeat_interval = absl::Milliseconds(500);
  v1::Welcome out;
  WelcomeToProto(welcome, &out);
  EXPECT_EQ(out.presence(), v1::PRESENCE_AWAY);
  EXPECT_EQ(out.heartbeat_interval_duration().seconds(), 0);
  EXPECT_EQ(out.heartbeat_interval_duration().nanos(), 500000000);
}

TEST(CaseSpecFromProtoTest, CopiesEveryField) {
  v1::SubmitCaseRequest r;
  r.set_channel(v1::CHANNEL_SOCIAL);
  r.set_customer_id("cust-1");
  r.set_topic("billing");
  auto* skill = r.add_required_skills();
  skill->set_skill("refunds");
  skill->set_min_proficiency(6);
  r.set_language("de");
  r.set_authority_needed(150);
  r.set_customer_value(42.5);
  r.set_sentiment(-0.75);
  r.set_reach(12000);
  r.set_is_public(true);
  r.set_explicit_priority(70);
  r.set_subject("where is my refund");
  r.set_idempotency_key("k-1");
  absl::StatusOr<CaseSpec> spec = CaseSpecFromProto(r);
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->channel, Channel::kSocial);
  EXPECT_EQ(spec->customer_id, "cust-1");
  EXPECT_EQ(spec->topic, "billing");
  ASSERT_EQ(spec->required_skills.size(), 1u);
  EXPECT_EQ(spec->required_skills[0].skill, "refunds");
  EXPECT_EQ(spec->required_skills[0].min_proficiency, 6);
  EXPECT_EQ(spec->language, "de");
  EXPECT_EQ(spec->authority_needed, 150);
  EXPECT_EQ(spec->customer_value, 42.5);
  EXPECT_EQ(spec->sentiment, -0.75);
  EXPECT_TRUE(spec->has_sentiment);
  EXPECT_EQ(spec->reach, 12000);
  EXPECT_TRUE(spec->is_public);
  EXPECT_EQ(spec->explicit_priority, 70);
  EXPECT_EQ(spec->subject, "where is my refund");
  EXPECT_EQ(spec->idempotency_key, "k-1");

  r.clear_sentiment();
  spec = CaseSpecFromProto(r);
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_FALSE(spec->has_sentiment);
}

CaseView SampleView() {
  CaseView view;
  Case& c = view.record;
  c.id = "c-000001";
  c.spec.channel = Channel::kEmail;
  c.spec.customer_id = "cust-9";
  c.spec.topic = "account";
  c.spec.subject = "please close my account";
  c.messages = {"hello?"};
  c.state = CaseState::kCompleted;
  c.created_time = absl::FromUnixSeconds(1700000000) + absl::Milliseconds(250);
  c.closed_time = absl::FromUnixSeconds(1700000100);
  c.agent_id = "ana";
  c.outcome.resolved = true;
  c.outcome.csat = 5;
  view.priority.Add("channel_urgency", 5);
  view.priority.Add("wait_vs_sla", 1.5);
  return view;
}

TEST(CaseViewToProtoTest, IncludesOrOmitsCustomerText) {
  v1::Case with_text;
  CaseViewToProto(SampleView(), CaseText::kInclude, &with_text);
  EXPECT_EQ(with_text.subject(), "please close my account");
  ASSERT_EQ(with_text.messages_size(), 1);
  v1::Case without;
  CaseViewToProto(SampleView(), CaseText::kOmit, &without);
  EXPECT_EQ(without.subject(), "");
  EXPECT_EQ(without.messages_size(), 0);
  EXPECT_EQ(without.case_id(), "c-000001");
  EXPECT_EQ(without.channel(), v1::CHANNEL_EMAIL);
  EXPECT_EQ(without.state(), v1::CASE_STATE_COMPLETED);
  EXPECT_EQ(without.create_time().seconds(), 1700000000);
  EXPECT_EQ(without.create_time().nanos(), 250000000);
  EXPECT_FALSE(without.has_answer_time());  // never answered
  EXPECT_EQ(without.close_time().seconds(), 1700000100);
  EXPECT_TRUE(without.outcome().resolved());
  EXPECT_EQ(without.outcome().csat(), 5);
  EXPECT_DOUBLE_EQ(without.priority(), 6.5);
  ASSERT_EQ(without.priority_terms_size(), 2);
  EXPECT_EQ(without.priority_terms(1).name(), "wait_vs_sla");
}

TEST(AgentConvertTest, ProfileRoundTripsAndIdleIsComputed) {
  v1::AgentProfile p;
  p.set_agent_id("ana");
  auto* s = p.add_skills();
  s->set_name("billing");
  s->set_proficiency(8);
  p.add_languages("en");
  p.set_authority_limit(200);
  p.set_max_phone(1);
  p.set_max_chat(3);
  p.set_max_social(0);
  p.set_max_email(5);
  Agent agent = AgentFromProto(p);
  EXPECT_EQ(agent.max_cases, (PerChannel<int>{1, 3, 0, 5}));
  EXPECT_EQ(agent.ProficiencyOf("billing"), 8);

  AgentView view;
  view.agent = agent;
  view.agent.presence = Presence::kAvailable;
  view.agent.idle_since = absl::FromUnixSeconds(1000);
  view.connected = true;
  v1::AgentStatus status;
  AgentViewToProto(view, absl::FromUnixSeconds(1090), &status);
  EXPECT_EQ(status.profile().SerializeAsString(), p.SerializeAsString());
  EXPECT_EQ(status.presence(), v1::PRESENCE_AVAILABLE);
  EXPECT_TRUE(status.connected());
  EXPECT_EQ(status.idle_duration().seconds(), 90);
  ASSERT_EQ(status.active_cases_size(), 4);
}

TEST(AgentConvertTest, ARequestWithoutAProfileNamesIt) {
  ExpectNamesField(AgentFromRequest(v1::CreateAgentRequest()).status(), "profile");
  v1::UpdateAgentRequest update;
  update.mutable_profile()->set_agent_id("ana");
  absl::StatusOr<Agent> agent = AgentFromRequest(update);
  ASSERT_TRUE(agent.ok()) << agent.status();
  EXPECT_EQ(agent->id, "ana");
}

TEST(DeskNoticeToProtoTest, MapsEveryKind) {
  DeskNotice offer;
  offer.kind = DeskNotice::Kind::kOffer;
  offer.view = SampleView();
  offer.expires = absl::FromUnixSeconds(1700000020);
  v1::ConnectResponse event;
  ASSERT_TRUE(DeskNoticeToProto(offer, &event));
  EXPECT_EQ(event.offer().case_().subject(), "please close my account");
  EXPECT_EQ(event.offer().expire_time().seconds(), 1700000020);

  DeskNotice revoked;
  revoked.kind = DeskNotice::Kind::kOfferRevoked;
  revoked.case_id = "c-1";
  revoked.revocation = RevocationReason::kHeartbeatLost;
  revoked.reason = std::string(RevocationReasonName(revoked.revocation));
  ASSERT_TRUE(DeskNoticeToProto(revoked, &event));
  EXPECT_EQ(event.offer_revoked().reason(), v1::REVOCATION_REASON_HEARTBEAT_LOST);

  DeskNotice presence;
  presence.kind = DeskNotice::Kind::kPresenceChanged;
  presence.presence = Presence::kWrapUp;
  presence.reason = "wrap_up_started";
  ASSERT_TRUE(DeskNoticeToProto(presence, &event));
  EXPECT_EQ(event.presence_changed().presence(), v1::PRESENCE_WRAP_UP);
  EXPECT_EQ(event.presence_changed().reason(), v1::PRESENCE_CHANGE_REASON_WRAP_UP_STARTED);
  presence.reason = "a word the table does not have";
  ASSERT_TRUE(DeskNoticeToProto(presence, &event));
  EXPECT_EQ(event.presence_changed().reason(), v1::PRESENCE_CHANGE_REASON_UNSPECIFIED);

  DeskNotice message;
  message.kind = DeskNotice::Kind::kCaseMessage;
  message.case_id = "c-1";
  message.text = "any news?";
  message.channel = Channel::kChat;
  ASSERT_TRUE(DeskNoticeToProto(message, &event));
  EXPECT_EQ(event.case_message().text(), "any news?");
  EXPECT_EQ(event.case_message().channel(), v1::CHANNEL_CHAT);

  DeskNotice ended;
  ended.kind = DeskNotice::Kind::kSessionEnded;
  EXPECT_FALSE(DeskNoticeToProto(ended, &event));
}

TEST(TimeToProtoTest, InfiniteTimesAreUnsetAndDurationsSplit) {
  google::protobuf::Timestamp ts;
  TimeToProto(absl::InfinitePast(), &ts);
  EXPECT_EQ(ts.seconds(), 0);
  EXPECT_EQ(TimeFromProto(ts), absl::InfinitePast());
  TimeToProto(absl::FromUnixMillis(1500), &ts);
  EXPECT_EQ(TimeFromProto(ts), absl::FromUnixMillis(1500));
  google::protobuf::Duration d;
  DurationToProto(absl::Milliseconds(2500), &d);
  EXPECT_EQ(d.seconds(), 2);
  EXPECT_EQ(d.nanos(), 500000000);
}

}  // namespace
}  // namespace caserouter
