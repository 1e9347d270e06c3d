#include "tools/replay/incident_trace.h"

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace caserouter {
namespace {

constexpr char kColumns[] =
    "number,incident_state,active,reassignment_count,reopen_count,sys_mod_count,made_sla,"
    "caller_id,opened_by,opened_at,sys_created_by,sys_created_at,sys_updated_by,sys_updated_at,"
    "contact_type,location,category,subcategory,u_symptom,cmdb_ci,impact,urgency,priority,"
    "assignment_group,assigned_to,knowledge,u_priority_confirmation,notify,problem_id,rfc,vendor,"
    "caused_by,closed_code,resolved_by,resolved_at,closed_at";

// One synthetic event in the log's exact format; `changes` overrides columns by name.
std::string Event(const std::map<std::string, std::string>& changes) {
  std::map<std::string, std::string> values = {
      {"number", "INC0000001"},
      {"incident_state", "New"},
      {"active", "TRUE"},
      {"reassignment_count", "0"},
      {"reopen_count", "0"},
      {"sys_mod_count", "0"},
      {"made_sla", "TRUE"},
      {"caller_id", "Caller 11"},
      {"opened_by", "Opened by  8"},
      {"opened_at", "29-02-2016 01:16"},
      {"sys_created_by", "Created by 6"},
      {"sys_created_at", "29-02-2016 01:23"},
      {"sys_updated_by", "Updated by 21"},
      {"sys_updated_at", "29-02-2016 01:23"},
      {"contact_type", "Phone"},
      {"location", "Location 1"},
      {"category", "Category 5"},
      {"subcategory", "Subcategory 9"},
      {"u_symptom", "Symptom 3"},
      {"cmdb_ci", "?"},
      {"impact", "2 - Medium"},
      {"urgency", "2 - Medium"},
      {"priority", "3 - Moderate"},
      {"assignment_group", "Group 7"},
      {"assigned_to", "?"},
      {"knowledge", "TRUE"},
      {"u_priority_confirmation", "FALSE"},
      {"notify", "Do Not Notify"},
      {"problem_id", "?"},
      {"rfc", "?"},
      {"vendor", "?"},
      {"caused_by", "?"},
      {"closed_code", "code 5"},
      {"resolved_by", "Resolved by 3"},
      {"resolved_at", "29-02-2016 03:16"},
      {"closed_at", "05-03-2016 12:00"},
  };
  for (const auto& [column, value] : changes) values[column] = value;
  std::vector<std::string> fields;
  for (absl::string_view column : absl::StrSplit(kColumns, ',')) {
    fields.push_back(values[std::string(column)]);
  }
  return absl::StrCat(absl::StrJoin(fields, ","), "\n");
}

std::string SampleLog() {
  return absl::StrCat(
      kColumns, "\n",
      // Two events; moved to another group once it was under way.
      Event({}),
      Event({{"incident_state", "Active"},
             {"reassignment_count", "2"},
             {"assignment_group", "Group 9"}}),
      // Critical, opened the evening before, resolved days later; no category at first.
      Event({{"number", "INC0000002"},
             {"priority", "1 - Critical"},
             {"category", "?"},
             {"opened_at", "28-02-2016 23:00"},
             {"caller_id", "Caller 12"},
             {"resolved_by", "Resolved by 4"},
             {"resolved_at", "02-03-2016 10:00"}}),
      Event({{"number", "INC0000002"},
             {"priority", "1 - Critical"},
             {"category", "Category 8"},
             {"opened_at", "28-02-2016 23:00"},
             {"caller_id", "Caller 12"},
             {"resolved_by", "Resolved by 4"},
             {"resolved_at", "02-03-2016 10:00"}}),
      // Low, never resolved, nothing known about it.
      Event({{"number", "INC0000003"},
             {"priority", "4 - Low"},
             {"category", "?"},
             {"assignment_group", "?"},
             {"caller_id", "?"},
             {"resolved_by", "?"},
             {"resolved_at", "?"},
             {"opened_at", "01-03-2016 08:00"}}),
      Event({{"number", "INC0000004"},
             {"priority", "2 - High"},
             {"opened_at", "01-03-2016 09:00"},
             {"resolved_at", "01-03-2016 09:30"}}));
}

absl::StatusOr<Trace> Read(const std::string& text, const IncidentTraceOptions& options = {}) {
  std::istringstream in(text);
  return ReadIncidentTrace(in, options);
}

absl::Time Utc(int y, int m, int d, int hh, int mm) {
  return absl::FromCivil(absl::CivilMinute(y, m, d, hh, mm), absl::UTCTimeZone());
}

TEST(IncidentTraceTest, OneCasePerIncidentAsSubmitted) {
  absl::StatusOr<Trace> trace = Read(SampleLog());
  ASSERT_TRUE(trace.ok()) << trace.status();
  ASSERT_EQ(trace->cases.size(), 4u);
  EXPECT_EQ(trace->start, Utc(2016, 2, 28, 23, 0));
  EXPECT_EQ(trace->agents, (std::vector<std::string>{"Resolved by 3", "Resolved by 4"}));

  const TraceCase& critical = trace->cases[0];
  EXPECT_EQ(critical.spec.idempotency_key, "inc-INC0000002");
  EXPECT_EQ(critical.thread_id, "inc-INC0000002");
  EXPECT_EQ(critical.spec.channel, Channel::kChat);
  EXPECT_EQ(critical.spec.explicit_priority, 90);
  EXPECT_EQ(critical.spec.topic, "category_8");  // from the first event that has one
  EXPECT_EQ(critical.spec.customer_id, "inc-caller_12");
  EXPECT_EQ(critical.handle_time, absl::Hours(8));  // capped
  EXPECT_EQ(critical.served_by, "Resolved by 4");

  const TraceCase& moderate = trace->cases[1];
  EXPECT_EQ(moderate.spec.idempotency_key, "inc-INC0000001");
  EXPECT_EQ(trace->start + moderate.arrival, Utc(2016, 2, 29, 1, 16));
  EXPECT_EQ(moderate.spec.channel, Channel::kEmail);
  EXPECT_EQ(moderate.spec.explicit_priority, 30);
  EXPECT_EQ(moderate.spec.topic, "category_5");
  ASSERT_EQ(moderate.spec.required_skills.size(), 1u);
  EXPECT_EQ(moderate.spec.required_skills[0].skill, "group_7");  // the first group, as a skill name
  EXPECT_EQ(moderate.spec.required_skills[0].min_proficiency, 1);
  EXPECT_EQ(moderate.transfers, 2);
  EXPECT_EQ(moderate.handle_time, absl::Hours(2));
  EXPECT_EQ(moderate.spec.customer_id, "inc-caller_11");
  EXPECT_FALSE(moderate.abandoned);
  EXPECT_EQ(moderate.patience, absl::InfiniteDuration());
  EXPECT_FALSE(moderate.spec.has_sentiment);

  const TraceCase& low = trace->cases[2];
  EXPECT_EQ(low.spec.channel, Channel::kEmail);
  EXPECT_EQ(low.spec.explicit_priority, 10);
  EXPECT_EQ(low.spec.topic, "uncategorised");
  EXPECT_TRUE(low.spec.required_skills.empty());
  EXPECT_EQ(low.spec.customer_id, "inc-anon-INC0000003");
  EXPECT_EQ(low.served_by, "");
  EXPECT_EQ(low.handle_time, absl::ZeroDuration());
  EXPECT_EQ(low.transfers, 0);

  const TraceCase& high = trace->cases[3];
  EXPECT_EQ(high.spec.channel, Channel::kChat);
  EXPECT_EQ(high.spec.explicit_priority, 60);
  EXPECT_EQ(high.handle_time, absl::Minutes(30));
}

TEST(IncidentTraceTest, Options) {
  IncidentTraceOptions options;
  options.max_cases = 1;
  options.max_handle_time = absl::Hours(1);
  absl::StatusOr<Trace> trace = Read(SampleLog(), options);
  ASSERT_TRUE(trace.ok()) << trace.status();
  ASSERT_EQ(trace->cases.size(), 1u);
  EXPECT_EQ(trace->cases[0].spec.idempotency_key, "inc-INC0000002");
  EXPECT_EQ(trace->cases[0].handle_time, absl::Hours(1));
}

TEST(IncidentTraceTest, MalformedRowsNameLineAndColumnButNotContent) {
  struct Bad {
    const char* column;
    const char* value;
  };
  const Bad kBad[] = {
      {"opened_at", "2016-02-29 01:16"},
      {"opened_at", "31-02-2016 01:16"},
      {"priority", "7 - Whatever"},
      {"priority", "12 - Odd"},
      {"reassignment_count", "-1"},
      {"resolved_at", "yesterday"},
      {"number", "?"},
  };
  for (const Bad& bad : kBad) {
    std::map<std::string, std::string> changes = {{"number", "INC0000009"}};
    changes[bad.column] = bad.value;  // a new incident: its first event is parsed in full
    absl::Status status = Read(absl::StrCat(kColumns, "\n", Event({}), Event(changes))).status();
    ASSERT_FALSE(status.ok()) << bad.column;
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(status.message().find(absl::StrCat("line 3, column ", bad.column)),
              absl::string_view::npos)
        << status;
    EXPECT_EQ(status.message().find(bad.value), absl::string_view::npos) << status;
  }
}

TEST(IncidentTraceTest, EventsOfAnIncidentMustBeContiguous) {
  absl::Status status =
      Read(absl::StrCat(kColumns, "\n", Event({}), Event({{"number", "INC0000002"}}), Event({})))
          .status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("line 4, column number"), absl::string_view::npos) << status;
}

TEST(IncidentTraceTest, WrongFieldCountAndMissingColumn) {
  absl::Status status = Read(absl::StrCat(kColumns, "\nINC1,New\n")).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("line 2"), absl::string_view::npos) << status;

  status = Read("number,priority\nINC1,3 - Moderate\n").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("reassignment_count"), absl::string_view::npos) << status;
}

// --- The real subset (read in place; skipped when absent). ---

std::string IncidentPath() {
  return std::string(CASEROUTER_DATA_DIR) + "/incident-event-log/incident_event_log_subset.csv";
}

TEST(IncidentTraceRealFileTest, MatchesTheReadmeQuickFacts) {
  if (!std::ifstream(IncidentPath()).good()) {
    GTEST_SKIP() << "data set not found at " << IncidentPath();
  }
  absl::StatusOr<Trace> trace = ReadIncidentTraceFile(IncidentPath(), {});
  ASSERT_TRUE(trace.ok()) << trace.status();
  ASSERT_EQ(trace->cases.size(), 890u);  // 5,998 events of 890 incidents
  // Opened 2016-02-29 01:16 to 2016-03-02 15:33.
  EXPECT_EQ(trace->start, Utc(2016, 2, 29, 1, 16));
  EXPECT_EQ(trace->start + trace->cases.back().arrival, Utc(2016, 3, 2, 15, 33));
  // 117 distinct resolved_by values (the README's 123 counts assigned_to, another column).
  EXPECT_EQ(trace->agents.size(), 117u);

  int resolved = 0;
  int capped = 0;
  int chat = 0;
  int uncategorised = 0;
  int transfers = 0;
  absl::flat_hash_set<std::string> topics;
  for (const TraceCase& c : trace->cases) {
    if (c.handle_time > absl::ZeroDuration()) ++resolved;
    if (c.handle_time == absl::Hours(8)) ++capped;
    if (c.spec.channel == Channel::kChat) ++chat;
    if (c.spec.topic == "uncategorised") ++uncategorised;
    transfers += c.transfers;
    topics.insert(c.spec.topic);
  }
  EXPECT_EQ(resolved, 861);  // README: 861 resolved incidents
  // Median open → resolved is about 54 h, so most are capped: 705 counted with Python.
  EXPECT_EQ(capped, 705);
  // First events: 19 critical + 23 high.
  EXPECT_EQ(chat, 42);
  EXPECT_EQ(uncategorised, 4);
  EXPECT_EQ(topics.size(), 31u);  // 30 categories + "uncategorised"
  EXPECT_EQ(transfers, 877);
}

}  // namespace
}  // namespace caserouter
