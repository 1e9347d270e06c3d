// Test-only: sample records with every field set to a non-default value, and field-by-field
// comparisons that name the first differing field. Used by the codec tests and the StateStore
// contract suite. Header-only; include from tests only (it uses gtest).
#ifndef CASEROUTER_ROUTER_STORE_TEST_RECORDS_H_
#define CASEROUTER_ROUTER_STORE_TEST_RECORDS_H_

#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "agents/agent.h"
#include "agents/quality_record.h"
#include "gtest/gtest.h"
#include "router/model/case.h"

namespace caserouter {
namespace testing_records {

inline absl::Time T0() { return absl::FromUnixSeconds(1700000000); }

// Customer text with every separator the codec uses, newlines and NUL bytes.
inline std::string HostileText() {
  static const char kText[] = "a,b:c%d\r\nmsg.0\n\0nul\0,end \xff\xfe";
  return std::string(kText, sizeof(kText) - 1);
}

// An open case with every field away from its default.
inline Case SampleCase(const std::string& id) {
  Case c;
  c.id = id;
  c.spec.channel = Channel::kSocial;
  c.spec.customer_id = "cust-" + id;
  c.spec.topic = "billing";
  c.spec.required_skills = {{"billing", 6}, {"refunds.eu", 3}};
  c.spec.language = "de";
  c.spec.authority_needed = 150;
  c.spec.customer_value = 1234.5678901234567;
  c.spec.sentiment = -0.75;
  c.spec.has_sentiment = true;
  c.spec.reach = 98765;
  c.spec.is_public = true;
  c.spec.explicit_priority = 42;
  c.spec.subject = "Subject, with: separators\nand a second line";
  c.spec.idempotency_key = "idem-" + id;
  c.spec.submitted_by = "phone-adapter";
  c.messages = {"first message", HostileText(), "", "last"};
  c.joined_keys = {"call-" + id, "key,with:separators%25"};
  c.state = CaseState::kOffered;
  c.created_time = T0() + absl::Microseconds(1);
  c.enqueued_time = T0() + absl::Seconds(2);
  c.answered_time = absl::InfinitePast();
  c.closed_time = absl::InfinitePast();
  c.agent_id = "ana";
  c.offer_expires = T0() + absl::Seconds(30) + absl::Microseconds(7);
  c.declined_by = {"bob", "carl_2"};
  c.declined_pass_until = absl::InfiniteFuture();
  c.offers_made = 3;
  c.repeat_of = "c00000007";
  c.preferred_agent = "agent-7";
  c.needs_supervisor = true;
  c.came_back = true;
  c.arm = "arm.b-2";  // issue 17: stored with the case
  c.arm_excluded = true;
  c.transfers = 2;
  c.transferred_by = {"zed", "yan"};
  c.pending_since = T0() + absl::Seconds(5);
  c.pending_return_until = T0() + absl::Seconds(65);
  c.outcome = {true, 4, true};
  c.disposition = "refund_issued";
  c.end_reason = "";
  return c;
}

// A case closed (completed) at `closed`.
inline Case SampleClosedCase(const std::string& id, absl::Time closed) {
  Case c = SampleCase(id);
  c.state = CaseState::kCompleted;
  c.answered_time = closed - absl::Minutes(5);
  c.closed_time = closed;
  c.end_reason = "resolved";
  return c;
}

inline Agent SampleAgent(const std::string& id) {
  Agent a;
  a.id = id;
  a.skills = {{"billing", 8}, {"outage", 2}};
  a.languages = {"en", "de"};
  a.authority_limit = 200;
  a.max_cases = {1, 2, 0, 7};
  a.presence = Presence::kWrapUp;
  a.presence_since = T0() - absl::Hours(1);
  a.idle_since = T0() - absl::Minutes(3);
  a.wrap_up_until = T0() + absl::Seconds(45);
  a.missed_offers_in_row = 2;
  a.last_offer_time = T0() - absl::Seconds(17);
  a.active_cases = {0, 1, 3, 0};
  a.contact_address = "sip:" + id + "@pbx.example";
  return a;
}

inline QualityRecord SampleQuality(const std::string& agent, const std::string& topic) {
  QualityRecord q;
  q.agent_id = agent;
  q.topic = topic;
  q.completed = 100;
  q.resolved = 80;
  q.first_contact_resolutions = 70;
  q.repeats_after_resolved = 10;
  q.csat_sum = 400;
  q.csat_count = 90;
  q.handle_seconds_sum = 123456;
  q.evidence_resolutions = 65;
  return q;
}

inline Relationship SampleRelationship(const std::string& customer, const std::string& agent) {
  Relationship r;
  r.customer_id = customer;
  r.agent_id = agent;
  r.cases = 5;
  r.resolved = 4;
  r.csat_sum = 18;
  r.csat_count = 4;
  r.last_csat = 5;
  r.last_contact = T0() - absl::Hours(72);
  return r;
}

// Field-by-field comparison: the first differing field is named in the failure message.
// Values are printed as well: these are test records, not customer data.
class FieldDiff {
 public:
  template <typename T>
  FieldDiff& Field(const char* name, const T& a, const T& b) {
    if (diff_.empty() && !(a == b)) diff_ = absl::StrCat("field ", name, " differs");
    return *this;
  }
  FieldDiff& Strings(const char* name, const std::vector<std::string>& a,
                     const std::vector<std::string>& b) {
    if (diff_.empty() && a != b) {
      diff_ = absl::StrCat("field ", name, " differs: [", absl::CEscape(absl::StrJoin(a, "|")),
                           "] vs [", absl::CEscape(absl::StrJoin(b, "|")), "]");
    }
    return *this;
  }
  ::testing::AssertionResult Result() const {
    if (diff_.empty()) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << diff_;
  }

 private:
  std::string diff_;
};

inline ::testing::AssertionResult CaseEquals(const Case& a, const Case& b) {
  std::vector<std::string> ra, rb;
  for (const auto& r : a.spec.required_skills)
    ra.push_back(absl::StrCat(r.skill, "=", r.min_proficiency));
  for (const auto& r : b.spec.required_skills)
    rb.push_back(absl::StrCat(r.skill, "=", r.min_proficiency));
  return FieldDiff()
      .Field("id", a.id, b.id)
      .Field("channel", a.spec.channel, b.spec.channel)
      .Field("customer_id", a.spec.customer_id, b.spec.customer_id)
      .Field("topic", a.spec.topic, b.spec.topic)
      .Strings("required_skills", ra, rb)
      .Field("language", a.spec.language, b.spec.language)
      .Field("authority_needed", a.spec.authority_needed, b.spec.authority_needed)
      .Field("customer_value", a.spec.customer_value, b.spec.customer_value)
      .Field("sentiment", a.spec.sentiment, b.spec.sentiment)
      .Field("has_sentiment", a.spec.has_sentiment, b.spec.has_sentiment)
      .Field("reach", a.spec.reach, b.spec.reach)
      .Field("is_public", a.spec.is_public, b.spec.is_public)
      .Field("explicit_priority", a.spec.explicit_priority, b.spec.explicit_priority)
      .Field("subject", a.spec.subject, b.spec.subject)
      .Field("idempotency_key", a.spec.idempotency_key, b.spec.idempotency_key)
      .Field("submitted_by", a.spec.submitted_by, b.spec.submitted_by)
      .Strings("messages", a.messages, b.messages)
      .Strings("joined_keys", a.joined_keys, b.joined_keys)
      .Field("state", a.state, b.state)
      .Field("created_time", a.created_time, b.created_time)
      .Field("enqueued_time", a.enqueued_time, b.enqueued_time)
      .Field("answered_time", a.answered_time, b.answered_time)
      .Field("closed_time", a.closed_time, b.closed_time)
      .Field("agent_id", a.agent_id, b.agent_id)
      .Field("offer_expires", a.offer_expires, b.offer_expires)
      .Strings("declined_by", a.declined_by, b.declined_by)
      .Field("declined_pass_until", a.declined_pass_until, b.declined_pass_until)
      .Field("offers_made", a.offers_made, b.offers_made)
      .Field("outcome.resolved", a.outcome.resolved, b.outcome.resolved)
      .Field("outcome.csat", a.outcome.csat, b.outcome.csat)
      .Field("outcome.follow_up_needed", a.outcome.follow_up_needed, b.outcome.follow_up_needed)
      .Field("disposition", a.disposition, b.disposition)
      .Field("end_reason", a.end_reason, b.end_reason)
      .Field("repeat_of", a.repeat_of, b.repeat_of)
      .Field("preferred_agent", a.preferred_agent, b.preferred_agent)
      .Field("needs_supervisor", a.needs_supervisor, b.needs_supervisor)
      .Field("came_back", a.came_back, b.came_back)
      .Field("arm", a.arm, b.arm)
      .Field("arm_excluded", a.arm_excluded, b.arm_excluded)
      .Field("transfers", a.transfers, b.transfers)
      .Strings("transferred_by", a.transferred_by, b.transferred_by)
      .Field("pending_since", a.pending_since, b.pending_since)
      .Field("pending_return_until", a.pending_return_until, b.pending_return_until)
      .Result();
}

inline ::testing::AssertionResult AgentEquals(const Agent& a, const Agent& b) {
  std::vector<std::string> sa, sb;
  for (const auto& s : a.skills) sa.push_back(absl::StrCat(s.name, "=", s.proficiency));
  for (const auto& s : b.skills) sb.push_back(absl::StrCat(s.name, "=", s.proficiency));
  return FieldDiff()
      .Field("id", a.id, b.id)
      .Strings("skills", sa, sb)
      .Strings("languages", a.languages, b.languages)
      .Field("authority_limit", a.authority_limit, b.authority_limit)
      .Field("max_cases", a.max_cases, b.max_cases)
      .Field("presence", a.presence, b.presence)
      .Field("presence_since", a.presence_since, b.presence_since)
      .Field("idle_since", a.idle_since, b.idle_since)
      .Field("wrap_up_until", a.wrap_up_until, b.wrap_up_until)
      .Field("missed_offers_in_row", a.missed_offers_in_row, b.missed_offers_in_row)
      .Field("last_offer_time", a.last_offer_time, b.last_offer_time)
      .Field("active_cases", a.active_cases, b.active_cases)
      .Field("contact_address", a.contact_address, b.contact_address)
      .Result();
}

inline ::testing::AssertionResult QualityEquals(const QualityRecord& a, const QualityRecord& b) {
  return FieldDiff()
      .Field("agent_id", a.agent_id, b.agent_id)
      .Field("topic", a.topic, b.topic)
      .Field("completed", a.completed, b.completed)
      .Field("resolved", a.resolved, b.resolved)
      .Field("first_contact_resolutions", a.first_contact_resolutions, b.first_contact_resolutions)
      .Field("repeats_after_resolved", a.repeats_after_resolved, b.repeats_after_resolved)
      .Field("csat_sum", a.csat_sum, b.csat_sum)
      .Field("csat_count", a.csat_count, b.csat_count)
      .Field("handle_seconds_sum", a.handle_seconds_sum, b.handle_seconds_sum)
      .Field("evidence_resolutions", a.evidence_resolutions, b.evidence_resolutions)
      .Result();
}

inline ::testing::AssertionResult RelationshipEquals(const Relationship& a, const Relationship& b) {
  return FieldDiff()
      .Field("customer_id", a.customer_id, b.customer_id)
      .Field("agent_id", a.agent_id, b.agent_id)
      .Field("cases", a.cases, b.cases)
      .Field("resolved", a.resolved, b.resolved)
      .Field("csat_sum", a.csat_sum, b.csat_sum)
      .Field("csat_count", a.csat_count, b.csat_count)
      .Field("last_csat", a.last_csat, b.last_csat)
      .Field("last_contact", a.last_contact, b.last_contact)
      .Result();
}

}  // namespace testing_records
}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_STORE_TEST_RECORDS_H_
