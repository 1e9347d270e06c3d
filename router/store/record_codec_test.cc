#include "router/store/record_codec.h"

#include <algorithm>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "router/store/test_records.h"

namespace caserouter {
namespace {

using testing_records::AgentEquals;
using testing_records::CaseEquals;
using testing_records::HostileText;
using testing_records::QualityEquals;
using testing_records::RelationshipEquals;
using testing_records::SampleAgent;
using testing_records::SampleCase;
using testing_records::SampleClosedCase;
using testing_records::SampleQuality;
using testing_records::SampleRelationship;
using testing_records::T0;

const std::string* FindField(const FieldList& fields, absl::string_view name) {
  for (const auto& [f, v] : fields) {
    if (f == name) return &v;
  }
  return nullptr;
}

void SetField(FieldList& fields, absl::string_view name, std::string value) {
  for (auto& [f, v] : fields) {
    if (f == name) {
      v = std::move(value);
      return;
    }
  }
  fields.emplace_back(std::string(name), std::move(value));
}

void RemoveField(FieldList& fields, absl::string_view name) {
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    if (it->first == name) {
      fields.erase(it);
      return;
    }
  }
  ADD_FAILURE() << "no field " << name;
}

Case RoundTrip(const Case& c) {
  absl::StatusOr<Case> back = DecodeCase(EncodeCase(c));
  EXPECT_TRUE(back.ok()) << back.status();
  return back.ok() ? *back : Case{};
}

Agent RoundTrip(const Agent& a) {
  absl::StatusOr<Agent> back = DecodeAgent(EncodeAgent(a));
  EXPECT_TRUE(back.ok()) << back.status();
  return back.ok() ? *back : Agent{};
}

// --- Round trips ---

TEST(RecordCodecTest, CaseRoundTripsEveryField) {
  Case c = SampleCase("c-1");
  EXPECT_TRUE(CaseEquals(RoundTrip(c), c));
  Case closed = SampleClosedCase("c-2", T0() + absl::Hours(1));
  EXPECT_TRUE(CaseEquals(RoundTrip(closed), closed));
}

// Guards the round-trip tests: a field the sample leaves at its default would round-trip even
// if the codec forgot to decode it. Every encoded field of the samples must differ from the
// default record's, except the format version.
void ExpectEveryFieldDiffers(const FieldList& sample, const FieldList& def) {
  for (const auto& [field, value] : sample) {
    if (field == "v") continue;
    const std::string* other = FindField(def, field);
    if (other != nullptr) {
      EXPECT_NE(value, *other) << "sample leaves " << field << " at default";
    }
  }
}

TEST(RecordCodecTest, SamplesSetEveryField) {
  ExpectEveryFieldDiffers(EncodeCase(SampleClosedCase("c", T0())), EncodeCase(Case{}));
  ExpectEveryFieldDiffers(EncodeAgent(SampleAgent("a")), EncodeAgent(Agent{}));
  ExpectEveryFieldDiffers(EncodeQualityRecord(SampleQuality("a", "t")),
                          EncodeQualityRecord(QualityRecord{}));
  ExpectEveryFieldDiffers(EncodeRelationship(SampleRelationship("c", "a")),
                          EncodeRelationship(Relationship{}));
}

// Records written before cases kept the keys of joined submissions have no joined_keys field:
// they decode with none (the field is optional, so the format stays v1).
TEST(RecordCodecTest, ACaseRecordWithoutJoinedKeysDecodesWithNone) {
  Case c = SampleCase("c-1");
  FieldList fields = EncodeCase(c);
  fields.erase(std::remove_if(fields.begin(), fields.end(),
                              [](const auto& f) { return f.first == "joined_keys"; }),
               fields.end());
  absl::StatusOr<Case> back = DecodeCase(fields);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(back->joined_keys.empty());
  c.joined_keys.clear();
  EXPECT_TRUE(CaseEquals(*back, c));
}

// Records written before benchmarks (issue 17) have no arm: they decode as outside any.
TEST(RecordCodecTest, ACaseRecordWithoutAnArmDecodesWithNone) {
  Case c = SampleCase("c-1");
  ASSERT_FALSE(c.arm.empty());
  FieldList fields = EncodeCase(c);
  fields.erase(
      std::remove_if(fields.begin(), fields.end(),
                     [](const auto& f) { return f.first == "arm" || f.first == "arm_excluded"; }),
      fields.end());
  absl::StatusOr<Case> back = DecodeCase(fields);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(back->arm.empty());
  EXPECT_FALSE(back->arm_excluded);
  c.arm.clear();
  c.arm_excluded = false;
  EXPECT_TRUE(CaseEquals(*back, c));
  // A corrupt flag is DATA_LOSS naming the field.
  FieldList bad = EncodeCase(SampleCase("c-2"));
  for (auto& [name, value] : bad) {
    if (name == "arm_excluded") value = "yes";
  }
  absl::StatusOr<Case> corrupt = DecodeCase(bad);
  EXPECT_EQ(corrupt.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(corrupt.status().message().find("arm_excluded"), std::string::npos);
}

// issue 13: records written before cases knew their adapter and agents their contact address
// have neither field; they decode with "" (optional fields, so the format stays v1).
TEST(RecordCodecTest, RecordsWithoutSubmitterOrContactAddressDecodeWithNone) {
  Case c = SampleCase("c-1");
  FieldList fields = EncodeCase(c);
  fields.erase(std::remove_if(fields.begin(), fields.end(),
                              [](const auto& f) { return f.first == "submitted_by"; }),
               fields.end());
  absl::StatusOr<Case> back = DecodeCase(fields);
  ASSERT_TRUE(back.ok()) << back.status();
  c.spec.submitted_by.clear();
  EXPECT_TRUE(CaseEquals(*back, c));

  Agent a = SampleAgent("ana");
  FieldList agent_fields = EncodeAgent(a);
  agent_fields.erase(std::remove_if(agent_fields.begin(), agent_fields.end(),
                                    [](const auto& f) { return f.first == "contact_address"; }),
                     agent_fields.end());
  absl::StatusOr<Agent> agent = DecodeAgent(agent_fields);
  ASSERT_TRUE(agent.ok()) << agent.status();
  a.contact_address.clear();
  EXPECT_TRUE(AgentEquals(*agent, a));
}

TEST(RecordCodecTest, DefaultCaseRoundTrips) {
  Case c;  // empty strings, empty lists, InfinitePast times
  Case back = RoundTrip(c);
  EXPECT_TRUE(CaseEquals(back, c));
  EXPECT_TRUE(back.messages.empty());
  EXPECT_TRUE(back.declined_by.empty());
  EXPECT_TRUE(back.spec.required_skills.empty());
  EXPECT_EQ(back.created_time, absl::InfinitePast());
}

// Every state of the names table, kPending (200, issue 14) included: a decoder that walked
// the values 0..kExpired refused a stored pending case, and a new leader could not load.
TEST(RecordCodecTest, EveryCaseStateAndChannelRoundTrips) {
  for (const auto& state : kCaseStateNames) {
    for (Channel ch : kAllChannels) {
      Case c = SampleCase("x");
      c.state = state.value;
      c.spec.channel = ch;
      Case back = RoundTrip(c);
      EXPECT_EQ(back.state, c.state) << state.name;
      EXPECT_EQ(back.spec.channel, ch);
    }
  }
}

TEST(RecordCodecTest, CustomerTextIsStoredVerbatimAndBinarySafe) {
  Case c = SampleCase("c-1");
  c.spec.subject = HostileText();
  c.messages = {HostileText(), std::string("\0", 1), "", "x,y", "line1\nline2\r\n"};
  FieldList fields = EncodeCase(c);

  // One hash field per message, holding the bytes exactly (no escaping of customer text).
  ASSERT_NE(FindField(fields, "subject"), nullptr);
  EXPECT_EQ(*FindField(fields, "subject"), HostileText());
  EXPECT_EQ(*FindField(fields, "msg_count"), "5");
  for (size_t i = 0; i < c.messages.size(); ++i) {
    const std::string* v = FindField(fields, absl::StrCat("msg.", i));
    ASSERT_NE(v, nullptr) << i;
    EXPECT_EQ(*v, c.messages[i]) << i;
  }
  EXPECT_EQ(FindField(fields, "msg.5"), nullptr);

  Case back = RoundTrip(c);
  EXPECT_EQ(back.spec.subject, HostileText());
  EXPECT_EQ(back.spec.subject.size(), HostileText().size());
  EXPECT_EQ(back.messages, c.messages);
}

TEST(RecordCodecTest, ListElementsWithSeparatorsRoundTrip) {
  Case c = SampleCase("c-1");
  c.declined_by = {"a,b", "c:d", "e%f", "", "%2C", "plain"};
  c.spec.required_skills = {{"we:ird,skill%", 7}, {"", 1}};
  EXPECT_TRUE(CaseEquals(RoundTrip(c), c));

  // [] and [""] are different lists.
  c.declined_by = {};
  EXPECT_TRUE(RoundTrip(c).declined_by.empty());
  c.declined_by = {""};
  EXPECT_EQ(RoundTrip(c).declined_by, std::vector<std::string>{""});

  Agent a = SampleAgent("ana");
  a.languages = {"", "en,gb", "x:y"};
  a.skills = {{"a:b", 10}, {"c,d", 1}};
  EXPECT_TRUE(AgentEquals(RoundTrip(a), a));
}

TEST(RecordCodecTest, ListsUseTheDocumentedPlainForm) {
  Agent a = SampleAgent("ana");
  FieldList fields = EncodeAgent(a);
  EXPECT_EQ(*FindField(fields, "skills"), "billing:8,outage:2");
  EXPECT_EQ(*FindField(fields, "languages"), "en,de");
  EXPECT_EQ(*FindField(fields, "max_cases"), "1,2,0,7");
  EXPECT_EQ(*FindField(fields, "active_cases"), "0,1,3,0");
  EXPECT_EQ(*FindField(fields, "presence"), "wrap_up");
  EXPECT_EQ(*FindField(fields, "v"), "1");
}

TEST(RecordCodecTest, TimesAreUnixMicrosWithSentinels) {
  EXPECT_EQ(EncodeTime(absl::InfinitePast()), kPastSentinel);
  EXPECT_EQ(EncodeTime(absl::InfiniteFuture()), kFutureSentinel);
  EXPECT_EQ(DecodeTime(kPastSentinel), absl::InfinitePast());
  EXPECT_EQ(DecodeTime(kFutureSentinel), absl::InfiniteFuture());
  EXPECT_EQ(EncodeTime(absl::FromUnixMicros(1700000000123456)), 1700000000123456);
  EXPECT_EQ(EncodeTime(absl::UnixEpoch()), 0);
  // Before 1970, to the microsecond.
  EXPECT_EQ(DecodeTime(EncodeTime(absl::FromUnixMicros(-5))), absl::FromUnixMicros(-5));
  // Sub-microsecond parts are truncated toward the past.
  EXPECT_EQ(EncodeTime(absl::FromUnixNanos(1999)), 1);
  EXPECT_EQ(EncodeTime(absl::FromUnixNanos(-1)), -1);

  Case c = SampleCase("c");
  c.created_time = absl::InfiniteFuture();
  c.closed_time = absl::FromUnixMicros(-123456789);
  EXPECT_TRUE(CaseEquals(RoundTrip(c), c));
  EXPECT_EQ(*FindField(EncodeCase(c), "answered_time"), "-9223372036854775808");
}

TEST(RecordCodecTest, DoublesRoundTripExactly) {
  for (double d :
       {0.0, 0.1, -0.75, 1e-300, 1.7976931348623157e308, 1234.5678901234567, 1.0 / 3.0}) {
    Case c = SampleCase("c");
    c.spec.customer_value = d;
    c.spec.sentiment = -d;
    Case back = RoundTrip(c);
    EXPECT_EQ(back.spec.customer_value, d);
    EXPECT_EQ(back.spec.sentiment, -d);
  }
}

TEST(RecordCodecTest, AgentRoundTripsEveryField) {
  Agent a = SampleAgent("ana");
  EXPECT_TRUE(AgentEquals(RoundTrip(a), a));
  Agent def;
  EXPECT_TRUE(AgentEquals(RoundTrip(def), def));
  for (int p = 0; p < kPresenceCount; ++p) {
    a.presence = static_cast<Presence>(p);
    EXPECT_EQ(RoundTrip(a).presence, a.presence);
  }
}

TEST(RecordCodecTest, QualityRecordRoundTripsEveryField) {
  QualityRecord q = SampleQuality("ana", "billing");
  absl::StatusOr<QualityRecord> back = DecodeQualityRecord(EncodeQualityRecord(q));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(QualityEquals(*back, q));
  QualityRecord def;
  back = DecodeQualityRecord(EncodeQualityRecord(def));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(QualityEquals(*back, def));
}

// A record stored before evidence_resolutions existed reads its first-contact resolutions
// in its place, not zero (which would make every agent look as if they never resolved).
TEST(RecordCodecTest, QualityRecordWithoutEvidenceFieldFallsBackToFirstContact) {
  FieldList fields = EncodeQualityRecord(SampleQuality("ana", "billing"));
  fields.erase(std::remove_if(fields.begin(), fields.end(),
                              [](const auto& f) { return f.first == "evidence_resolutions"; }),
               fields.end());
  absl::StatusOr<QualityRecord> back = DecodeQualityRecord(fields);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->evidence_resolutions, 70);
  EXPECT_EQ(back->first_contact_resolutions, 70);
}

TEST(RecordCodecTest, RelationshipRoundTripsEveryField) {
  Relationship r = SampleRelationship("cust-1", "ana");
  absl::StatusOr<Relationship> back = DecodeRelationship(EncodeRelationship(r));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(RelationshipEquals(*back, r));
  Relationship def;
  back = DecodeRelationship(EncodeRelationship(def));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(RelationshipEquals(*back, def));
  EXPECT_EQ(back->last_contact, absl::InfinitePast());
}

TEST(RecordCodecTest, FieldNamesAreUnique) {
  for (const FieldList& fields :
       {EncodeCase(SampleCase("c")), EncodeAgent(SampleAgent("a")),
        EncodeQualityRecord(SampleQuality("a", "t")),
        EncodeRelationship(SampleRelationship("c", "a")), EncodeEvent(Event{})}) {
    absl::flat_hash_set<std::string> names;
    for (const auto& [f, v] : fields) EXPECT_TRUE(names.insert(f).second) << f;
  }
}

TEST(RecordCodecTest, EventFields) {
  Event e{T0(), "offered", "c-1", "ana", "attempt=2"};
  FieldList fields = EncodeEvent(e);
  EXPECT_EQ(*FindField(fields, "time"), "1700000000000000");
  EXPECT_EQ(*FindField(fields, "type"), "offered");
  EXPECT_EQ(*FindField(fields, "case"), "c-1");
  EXPECT_EQ(*FindField(fields, "agent"), "ana");
  EXPECT_EQ(*FindField(fields, "detail"), "attempt=2");
}

void ExpectDataLossNaming(const absl::Status& status, absl::string_view field);

TEST(RecordCodecTest, EventsRoundTripAndAMissingFieldIsDataLoss) {
  Event e{T0() + absl::Microseconds(3), "offer_revoked", "c-1", "ana", "timed_out"};
  absl::StatusOr<Event> back = DecodeEvent(EncodeEvent(e));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->time, e.time);
  EXPECT_EQ(back->type, e.type);
  EXPECT_EQ(back->case_id, e.case_id);
  EXPECT_EQ(back->agent_id, e.agent_id);
  EXPECT_EQ(back->detail, e.detail);
  Event never;
  never.time = absl::InfinitePast();
  back = DecodeEvent(EncodeEvent(never));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->time, absl::InfinitePast());
  for (absl::string_view field : {"time", "type", "case", "agent", "detail"}) {
    FieldList fields = EncodeEvent(e);
    RemoveField(fields, field);
    ExpectDataLossNaming(DecodeEvent(fields).status(), field);
  }
}

TEST(RecordCodecTest, UnknownFieldsAreIgnored) {
  FieldList fields = EncodeCase(SampleCase("c"));
  fields.emplace_back("added_in_a_later_version", "whatever");
  EXPECT_TRUE(DecodeCase(fields).ok());
}

// --- Decode errors ---

void ExpectDataLossNaming(const absl::Status& status, absl::string_view field) {
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss) << status;
  EXPECT_NE(status.message().find(absl::StrCat("'", field, "'")), absl::string_view::npos)
      << status;
}

TEST(RecordCodecTest, MissingFieldIsDataLossNamingIt) {
  for (absl::string_view field : {"id", "state", "closed_time", "msg_count", "subject", "v"}) {
    FieldList fields = EncodeCase(SampleCase("c"));
    RemoveField(fields, field);
    ExpectDataLossNaming(DecodeCase(fields).status(), field);
  }
  FieldList agent = EncodeAgent(SampleAgent("a"));
  RemoveField(agent, "max_cases");
  ExpectDataLossNaming(DecodeAgent(agent).status(), "max_cases");
  FieldList quality = EncodeQualityRecord(SampleQuality("a", "t"));
  RemoveField(quality, "csat_sum");
  ExpectDataLossNaming(DecodeQualityRecord(quality).status(), "csat_sum");
  FieldList rel = EncodeRelationship(SampleRelationship("c", "a"));
  RemoveField(rel, "last_contact");
  ExpectDataLossNaming(DecodeRelationship(rel).status(), "last_contact");
}

TEST(RecordCodecTest, MissingMessageIsDataLoss) {
  FieldList fields = EncodeCase(SampleCase("c"));  // 4 messages
  RemoveField(fields, "msg.2");
  ExpectDataLossNaming(DecodeCase(fields).status(), "msg.2");

  fields = EncodeCase(SampleCase("c"));
  SetField(fields, "msg_count", "5");
  ExpectDataLossNaming(DecodeCase(fields).status(), "msg.4");

  fields = EncodeCase(SampleCase("c"));
  SetField(fields, "msg_count", "-1");
  ExpectDataLossNaming(DecodeCase(fields).status(), "msg_count");
}

TEST(RecordCodecTest, MalformedValuesAreDataLossNamingTheField) {
  struct Bad {
    const char* field;
    std::string value;
  };
  std::vector<Bad> bad_case = {
      {"created_time", "yesterday"},
      {"closed_time", ""},
      {"authority_needed", "12x"},
      {"explicit_priority", "99999999999"},
      {"customer_value", "lots"},
      {"has_sentiment", "true"},
      {"is_public", "2"},
      {"state", "paused"},  // ("pending" is a state since issue 14)
      {"channel", "fax"},
      {"required_skills", "billing"},
      {"required_skills", "billing:high"},
      {"declined_by", "a%zz"},
      {"declined_by", "a%2"},
      {"offers_made", "-"},
      {"v", "2"},
  };
  for (const Bad& b : bad_case) {
    FieldList fields = EncodeCase(SampleCase("c"));
    SetField(fields, b.field, b.value);
    ExpectDataLossNaming(DecodeCase(fields).status(), b.field);
  }
  std::vector<Bad> bad_agent = {
      {"max_cases", "1,2,3"},  {"max_cases", "1,2,3,4,5"}, {"active_cases", "1,x,3,4"},
      {"presence", "busy"},    {"skills", "billing:"},     {"idle_since", "1.5"},
      {"authority_limit", ""},
  };
  for (const Bad& b : bad_agent) {
    FieldList fields = EncodeAgent(SampleAgent("a"));
    SetField(fields, b.field, b.value);
    ExpectDataLossNaming(DecodeAgent(fields).status(), b.field);
  }
  FieldList rel = EncodeRelationship(SampleRelationship("c", "a"));
  SetField(rel, "last_csat", "five");
  ExpectDataLossNaming(DecodeRelationship(rel).status(), "last_csat");
  FieldList quality = EncodeQualityRecord(SampleQuality("a", "t"));
  SetField(quality, "completed", "1e3");
  ExpectDataLossNaming(DecodeQualityRecord(quality).status(), "completed");
}

TEST(RecordCodecTest, DuplicateFieldIsDataLoss) {
  FieldList fields = EncodeCase(SampleCase("c"));
  fields.emplace_back("topic", "again");
  ExpectDataLossNaming(DecodeCase(fields).status(), "topic");
}

TEST(RecordCodecTest, EmptyRecordIsDataLoss) {
  EXPECT_EQ(DecodeCase({}).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeAgent({}).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeQualityRecord({}).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeRelationship({}).status().code(), absl::StatusCode::kDataLoss);
}

TEST(RecordCodecTest, ErrorsNeverQuoteTheStoredValue) {
  const std::string secret = "my card number is 4111";
  FieldList fields = EncodeCase(SampleCase("c"));
  SetField(fields, "created_time", secret);
  absl::Status status = DecodeCase(fields).status();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.message().find("4111"), absl::string_view::npos) << status;
  EXPECT_EQ(status.message().find("card"), absl::string_view::npos) << status;
}

// --- Field order and views (a Redis hash returns its fields unordered once it is large) ---

std::vector<FieldView> Views(const FieldList& fields) {
  std::vector<FieldView> views;
  for (const auto& [name, value] : fields) views.emplace_back(name, value);
  return views;
}

// The fields in a fixed scrambled order: reversed, then rotated by a third.
FieldList Scrambled(FieldList fields) {
  std::reverse(fields.begin(), fields.end());
  std::rotate(fields.begin(), fields.begin() + fields.size() / 3, fields.end());
  return fields;
}

TEST(RecordCodecTest, FieldsInAnyOrderDecodeTheSame) {
  Case c = SampleCase("c-1");
  c.messages.push_back("one more");
  absl::StatusOr<Case> back = DecodeCase(Scrambled(EncodeCase(c)));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(CaseEquals(*back, c));
  Agent a = SampleAgent("ana");
  absl::StatusOr<Agent> agent = DecodeAgent(Scrambled(EncodeAgent(a)));
  ASSERT_TRUE(agent.ok()) << agent.status();
  EXPECT_TRUE(AgentEquals(*agent, a));
  QualityRecord q = SampleQuality("ana", "billing");
  absl::StatusOr<QualityRecord> quality = DecodeQualityRecord(Scrambled(EncodeQualityRecord(q)));
  ASSERT_TRUE(quality.ok()) << quality.status();
  EXPECT_TRUE(QualityEquals(*quality, q));
  Relationship r = SampleRelationship("cust-1", "ana");
  absl::StatusOr<Relationship> rel = DecodeRelationship(Scrambled(EncodeRelationship(r)));
  ASSERT_TRUE(rel.ok()) << rel.status();
  EXPECT_TRUE(RelationshipEquals(*rel, r));
}

TEST(RecordCodecTest, ViewsDecodeLikeFieldLists) {
  Case c = SampleCase("c-1");
  FieldList fields = EncodeCase(c);
  absl::StatusOr<Case> back = DecodeCaseViews(Views(fields));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(CaseEquals(*back, c));
  SetField(fields, "offers_made", "many");
  ExpectDataLossNaming(DecodeCaseViews(Views(fields)).status(), "offers_made");
  EXPECT_EQ(DecodeAgentViews({}).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeQualityRecordViews({}).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeRelationshipViews({}).status().code(), absl::StatusCode::kDataLoss);
}

TEST(RecordCodecTest, DuplicateFieldIsDataLossWhereverItIs) {
  FieldList first = EncodeCase(SampleCase("c"));
  first.insert(first.begin() + 1, {"topic", "again"});  // before the real one, in order
  ExpectDataLossNaming(DecodeCase(first).status(), "topic");
  FieldList scrambled = Scrambled(EncodeCase(SampleCase("c")));
  scrambled.emplace_back("subject", "again");
  ExpectDataLossNaming(DecodeCase(scrambled).status(), "subject");
  FieldList unknown = EncodeAgent(SampleAgent("ana"));  // fields the decoder never asks for
  unknown.emplace_back("future_field", "1");
  unknown.emplace_back("future_field", "2");
  ExpectDataLossNaming(DecodeAgent(unknown).status(), "future_field");
}

TEST(RecordCodecTest, UnknownFieldsAmongKnownOnesAreIgnored) {
  Agent a = SampleAgent("ana");
  FieldList fields = EncodeAgent(a);
  fields.insert(fields.begin() + 3, {"future_field", "1"});
  fields.emplace_back("another", "2");
  absl::StatusOr<Agent> back = DecodeAgent(fields);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE(AgentEquals(*back, a));
}

}  // namespace
}  // namespace caserouter
