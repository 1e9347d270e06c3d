// The generic CSV trace: the documented example reads as documented; columns in any order,
// optional ones empty or absent; bad rows named by line and column, never by content.
#include "tools/replay/csv_trace.h"

#include <sstream>

#include "gtest/gtest.h"

namespace caserouter {
namespace {

absl::StatusOr<Trace> Read(const std::string& text) {
  std::istringstream in(text);
  return ReadCsvTrace(in, {});
}

TEST(CsvTraceTest, TheExampleReadsAsDocumented) {
  absl::StatusOr<Trace> trace =
      ReadCsvTraceFile(CASEROUTER_SOURCE_DIR "/tools/replay/example_trace.csv", {});
  ASSERT_TRUE(trace.ok()) << trace.status();
  ASSERT_EQ(trace->cases.size(), 20u);
  EXPECT_EQ(trace->start,
            absl::FromCivil(absl::CivilSecond(2024, 3, 4, 8, 58, 10), absl::UTCTimeZone()));
  const TraceCase& first = trace->cases[0];
  EXPECT_EQ(first.arrival, absl::ZeroDuration());
  EXPECT_EQ(first.spec.channel, Channel::kPhone);
  EXPECT_EQ(first.spec.topic, "billing");
  ASSERT_EQ(first.spec.required_skills.size(), 1u);
  EXPECT_EQ(first.spec.required_skills[0].skill, "billing");
  EXPECT_EQ(first.spec.customer_id, "cust-1001");
  EXPECT_EQ(first.spec.language, "en");
  EXPECT_EQ(first.handle_time, absl::Seconds(312));
  EXPECT_EQ(first.patience, absl::InfiniteDuration());
  EXPECT_EQ(first.served_by, "ana");
  // The fourth row: no handle time, gave up after 45 s, nobody served it.
  const TraceCase& gave_up = trace->cases[3];
  EXPECT_EQ(gave_up.handle_time, absl::ZeroDuration());
  EXPECT_EQ(gave_up.patience, absl::Seconds(45));
  EXPECT_EQ(gave_up.served_by, "");
  EXPECT_EQ(trace->agents, (std::vector<std::string>{"ana", "bo", "cy"}));
  EXPECT_EQ(trace->cases.back().arrival, absl::Hours(24) + absl::Minutes(28) + absl::Seconds(45));
}

TEST(CsvTraceTest, ColumnsInAnyOrderOptionalOnesAbsentSecondsAsTimes) {
  absl::StatusOr<Trace> trace = Read(
      "customer,topic,channel,arrival_time,notes\n"
      "c2,sales,EMAIL,100.5,whatever\n"
      "c1,sales,chat,40,\n");
  ASSERT_TRUE(trace.ok()) << trace.status();
  ASSERT_EQ(trace->cases.size(), 2u);
  EXPECT_EQ(trace->cases[0].spec.customer_id, "c1");  // sorted by arrival
  EXPECT_EQ(trace->cases[1].arrival, absl::Seconds(60.5));
  EXPECT_EQ(trace->cases[1].spec.channel, Channel::kEmail);
  EXPECT_EQ(trace->cases[1].handle_time, absl::ZeroDuration());
  EXPECT_TRUE(trace->agents.empty());
}

TEST(CsvTraceTest, BadRowsAreNamedByLineAndColumn) {
  struct Bad {
    std::string text;
    std::string message;
  };
  const std::string header = "arrival_time,channel,topic,customer,handle_seconds\n";
  for (const Bad& bad : {
           Bad{"channel,topic,customer\nphone,t,c\n", "arrival_time"},
           Bad{header + "yesterday,phone,billing,c1,\n", "line 2, column arrival_time"},
           Bad{header + "0,fax,billing,c1,\n", "line 2, column channel"},
           Bad{header + "0,phone,Billing Dept,c1,\n", "line 2, column topic"},
           Bad{header + "0,phone,billing,,\n", "line 2, column customer"},
           Bad{header + "0,phone,billing,c1,\n1,phone,billing,c2,-5\n",
               "line 3, column handle_seconds"},
       }) {
    absl::StatusOr<Trace> trace = Read(bad.text);
    ASSERT_FALSE(trace.ok()) << bad.text;
    EXPECT_EQ(trace.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(trace.status().message().find(bad.message), std::string::npos)
        << trace.status().message();
    EXPECT_EQ(trace.status().message().find("Billing Dept"), std::string::npos);
  }
}

}  // namespace
}  // namespace caserouter
