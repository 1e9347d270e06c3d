#include "tools/replay/bank_trace.h"

#include <fstream>
#include <sstream>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"

namespace caserouter {
namespace {

constexpr char kHeader[] =
    "vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\t"
    "q_start\tq_exit\tq_time\toutcome\tser_start\tser_exit\tser_time\tserver\r\n";

// Synthetic rows in the file's exact format (tabs, CRLF), one per behaviour under test.
constexpr char kRows[] =
    // Never queued, served: arrival = vru_exit; unidentified caller.
    "AA0101\t100\t0\t0\tPS\t990201\t7:02:47\t7:02:56\t9\t0:00:00\t0:00:00\t0\tAGENT\t7:02:55\t"
    "7:05:41\t166\tALPHA\r\n"
    // Queued, hung up after 60 s; priority customer calling in English.
    "AA0102\t200\t12345\t2\tPE\t990201\t8:00:00\t8:00:10\t10\t8:00:10\t8:01:10\t60\tHANG\t"
    "0:00:00\t0:00:00\t0\tNO_SERVER\r\n"
    // A ghost record: dropped.
    "AA0103\t300\t0\t0\tNW\t990201\t9:00:00\t9:00:05\t5\t0:00:00\t0:00:00\t0\tPHANTOM\t0:00:00\t"
    "0:00:00\t0\tNO_SERVER\r\n"
    // Queued exactly at midnight after entering the VRU the evening before.
    "AA0104\t400\t777\t1\tNE\t990201\t23:59:54\t23:59:54\t0\t0:00:00\t0:00:27\t27\tAGENT\t"
    "0:00:26\t0:01:33\t67\tGAMMA\r\n"
    // Hung up in the VRU before queueing: abandoned with zero patience.
    "AA0105\t500\t0\t0\tTT\t990202\t10:00:00\t10:00:06\t6\t0:00:00\t0:00:00\t0\tHANG\t0:00:00\t"
    "0:00:00\t0\tNO_SERVER\r\n"
    // Just after midnight: same day.
    "AA0106\t600\t888\t1\tIN\t990203\t0:00:29\t0:00:35\t6\t0:00:35\t0:02:53\t138\tAGENT\t"
    "0:02:52\t0:02:55\t3\tBETA\r\n"
    // The data's quirk: vru_exit a minute before vru_entry (negative vru_time), not midnight.
    "AA0107\t700\t0\t0\tPS\t990203\t9:48:14\t9:47:17\t-57\t9:47:17\t9:50:11\t174\tAGENT\t"
    "9:50:11\t9:51:28\t77\tALPHA\r\n";

absl::StatusOr<Trace> Read(const std::string& text, const BankTraceOptions& options = {}) {
  std::istringstream in(text);
  return ReadBankTrace(in, options);
}

absl::Time Local(int y, int m, int d, int hh, int mm, int ss) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, ss), absl::FixedTimeZone(7200));
}

TEST(BankTraceTest, ReadsSyntheticRows) {
  absl::StatusOr<Trace> trace = Read(std::string(kHeader) + kRows);
  ASSERT_TRUE(trace.ok()) << trace.status();
  ASSERT_EQ(trace->cases.size(), 6u);  // 7 rows, one PHANTOM
  EXPECT_EQ(trace->start, Local(1999, 2, 1, 7, 2, 56));
  EXPECT_EQ(trace->zone, absl::FixedTimeZone(7200));
  EXPECT_EQ(trace->agents, (std::vector<std::string>{"ALPHA", "BETA", "GAMMA"}));

  const TraceCase& served = trace->cases[0];
  EXPECT_EQ(served.arrival, absl::ZeroDuration());
  EXPECT_EQ(served.spec.channel, Channel::kPhone);
  EXPECT_EQ(served.spec.customer_id, "bank-anon-AA0101-100");
  EXPECT_EQ(served.spec.topic, "retail");
  ASSERT_EQ(served.spec.required_skills.size(), 1u);
  EXPECT_EQ(served.spec.required_skills[0].skill, "retail");
  EXPECT_EQ(served.spec.required_skills[0].min_proficiency, 1);
  EXPECT_EQ(served.spec.language, "he");
  EXPECT_EQ(served.spec.customer_value, 100);
  EXPECT_EQ(served.spec.explicit_priority, 0);
  EXPECT_EQ(served.spec.idempotency_key, "bank-AA0101-100-990201");
  EXPECT_FALSE(served.spec.has_sentiment);
  EXPECT_EQ(served.handle_time, absl::Seconds(166));
  EXPECT_FALSE(served.abandoned);
  EXPECT_EQ(served.patience, absl::InfiniteDuration());
  EXPECT_EQ(served.served_by, "ALPHA");
  EXPECT_EQ(served.thread_id, "");

  const TraceCase& hung_up = trace->cases[1];
  EXPECT_EQ(trace->start + hung_up.arrival, Local(1999, 2, 1, 8, 0, 10));
  EXPECT_EQ(hung_up.spec.customer_id, "bank-12345");
  EXPECT_EQ(hung_up.spec.topic, "retail_english");
  EXPECT_EQ(hung_up.spec.language, "en");
  EXPECT_EQ(hung_up.spec.explicit_priority, 50);
  EXPECT_EQ(hung_up.spec.customer_value, 1000);
  EXPECT_TRUE(hung_up.abandoned);
  EXPECT_EQ(hung_up.patience, absl::Seconds(60));
  EXPECT_EQ(hung_up.served_by, "");
  EXPECT_EQ(hung_up.handle_time, absl::ZeroDuration());

  const TraceCase& midnight = trace->cases[2];
  EXPECT_EQ(midnight.spec.idempotency_key, "bank-AA0104-400-990201");
  EXPECT_EQ(trace->start + midnight.arrival, Local(1999, 2, 2, 0, 0, 0));
  EXPECT_EQ(midnight.spec.topic, "stocks");
  EXPECT_EQ(midnight.spec.customer_value, 100);

  const TraceCase& vru_hangup = trace->cases[3];
  EXPECT_EQ(vru_hangup.spec.topic, "callback");
  EXPECT_EQ(trace->start + vru_hangup.arrival, Local(1999, 2, 2, 10, 0, 6));
  EXPECT_TRUE(vru_hangup.abandoned);
  EXPECT_EQ(vru_hangup.patience, absl::ZeroDuration());

  EXPECT_EQ(trace->cases[4].spec.topic, "internet");
  EXPECT_EQ(trace->start + trace->cases[4].arrival, Local(1999, 2, 3, 0, 0, 35));
  EXPECT_EQ(trace->start + trace->cases[5].arrival, Local(1999, 2, 3, 9, 47, 17));
}

TEST(BankTraceTest, NewCustomerTopic) {
  absl::StatusOr<Trace> trace = Read(std::string(kHeader) +
                                     "AA0201\t1\t5\t1\tNW\t990210\t10:00:00\t10:00:09\t9\t"
                                     "0:00:00\t0:00:00\t0\tAGENT\t10:00:09\t10:01:00\t51\tX\n");
  ASSERT_TRUE(trace.ok()) << trace.status();
  ASSERT_EQ(trace->cases.size(), 1u);
  EXPECT_EQ(trace->cases[0].spec.topic, "new_customer");
}

TEST(BankTraceTest, SpreadsheetMangledCustomerIdIsKeptVerbatim) {
  absl::StatusOr<Trace> trace = Read(std::string(kHeader) +
                                     "AA0201\t1\t6.02701E+11\t0\tPE\t990205\t9:19:25\t9:19:31\t"
                                     "6\t9:19:31\t9:19:51\t20\tAGENT\t9:19:31\t9:27:04\t453\tX\n");
  ASSERT_TRUE(trace.ok()) << trace.status();
  ASSERT_EQ(trace->cases.size(), 1u);
  EXPECT_EQ(trace->cases[0].spec.customer_id, "bank-6.02701E+11");
}

TEST(BankTraceTest, DateRangeFiltersOnTheDateColumn) {
  BankTraceOptions options;
  options.first_day = absl::CivilDay(1999, 2, 2);
  options.last_day = absl::CivilDay(1999, 2, 2);
  absl::StatusOr<Trace> trace = Read(std::string(kHeader) + kRows, options);
  ASSERT_TRUE(trace.ok()) << trace.status();
  // The midnight call is dated 1 February (its VRU entry) even though it queued on the 2nd.
  ASSERT_EQ(trace->cases.size(), 1u);
  EXPECT_EQ(trace->cases[0].spec.idempotency_key, "bank-AA0105-500-990202");
  EXPECT_EQ(trace->start, Local(1999, 2, 2, 10, 0, 6));

  options = BankTraceOptions();
  options.first_day = absl::CivilDay(1999, 2, 3);
  trace = Read(std::string(kHeader) + kRows, options);
  ASSERT_TRUE(trace.ok()) << trace.status();
  EXPECT_EQ(trace->cases.size(), 2u);
}

TEST(BankTraceTest, MaxCasesKeepsTheEarliestArrivals) {
  BankTraceOptions options;
  options.max_cases = 2;
  absl::StatusOr<Trace> trace = Read(std::string(kHeader) + kRows, options);
  ASSERT_TRUE(trace.ok()) << trace.status();
  ASSERT_EQ(trace->cases.size(), 2u);
  EXPECT_EQ(trace->cases[0].spec.idempotency_key, "bank-AA0101-100-990201");
  EXPECT_EQ(trace->cases[1].spec.idempotency_key, "bank-AA0102-200-990201");
  EXPECT_EQ(trace->agents, std::vector<std::string>{"ALPHA"});
}

// Replaces the n-th (0-based) field of the first synthetic row and reads the result.
absl::Status ReadWithField(int column, const std::string& value) {
  std::string row =
      "AA0101\t100\t0\t0\tPS\t990201\t7:02:47\t7:02:56\t9\t0:00:00\t0:00:00\t0\tAGENT\t7:02:55\t"
      "7:05:41\t166\tALPHA";
  std::vector<std::string> fields = absl::StrSplit(row, '\t');
  fields[column] = value;
  return Read(absl::StrCat(kHeader, kRows, absl::StrJoin(fields, "\t"), "\r\n")).status();
}

TEST(BankTraceTest, MalformedRowNamesLineAndColumnButNotContent) {
  struct Bad {
    int column;
    const char* value;
    const char* name;
  };
  const Bad kBad[] = {
      {1, "12x9", "call_id"},     {2, "-4417", "customer_id"}, {2, "6.1E-3", "customer_id"},
      {3, "7", "priority"},       {4, "ZZ", "type"},           {5, "990231", "date"},
      {5, "99021", "date"},       {6, "7:62:47", "vru_entry"}, {7, "", "vru_exit"},
      {9, "25:00:00", "q_start"}, {11, "1e3", "q_time"},       {12, "MAYBE", "outcome"},
      {15, "2.5", "ser_time"},    {16, "", "server"},          {0, "AA 01", "vru+line"},
  };
  for (const Bad& bad : kBad) {
    absl::Status status = ReadWithField(bad.column, bad.value);
    ASSERT_FALSE(status.ok()) << bad.name;
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    // Header = line 1, the seven synthetic rows = lines 2..8.
    EXPECT_NE(status.message().find(absl::StrCat("line 9, column ", bad.name)),
              absl::string_view::npos)
        << status;
    if (*bad.value != '\0') {
      EXPECT_EQ(status.message().find(bad.value), absl::string_view::npos) << status;
    }
  }
}

TEST(BankTraceTest, WrongFieldCountAndMissingHeaderColumn) {
  absl::Status status = Read(absl::StrCat(kHeader, kRows, "AA0101\t100\t0\r\n")).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("line 9"), absl::string_view::npos) << status;

  std::string header = absl::StrReplaceAll(kHeader, {{"q_start", "queue_start"}});
  status = Read(header + kRows).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("q_start"), absl::string_view::npos) << status;

  EXPECT_EQ(Read("").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(BankTraceTest, HeaderOnlyIsAnEmptyTrace) {
  absl::StatusOr<Trace> trace = Read(kHeader);
  ASSERT_TRUE(trace.ok()) << trace.status();
  EXPECT_TRUE(trace->cases.empty());
}

TEST(BankTraceTest, MissingFileIsNotFound) {
  EXPECT_EQ(ReadBankTraceFile("/nonexistent/bank.tsv", {}).status().code(),
            absl::StatusCode::kNotFound);
}

// --- The real file (research-only data, read in place; skipped when absent). ---

std::string BankPath() {
  return std::string(CASEROUTER_DATA_DIR) + "/anonymous-bank/anonymous_bank_february_1999.tsv";
}

bool Exists(const std::string& path) { return std::ifstream(path).good(); }

TEST(BankTraceRealFileTest, MatchesTheReadmeQuickFacts) {
  if (!Exists(BankPath())) GTEST_SKIP() << "data set not found at " << BankPath();
  absl::StatusOr<Trace> trace = ReadBankTraceFile(BankPath(), {});
  ASSERT_TRUE(trace.ok()) << trace.status();

  // 33,344 rows − 278 PHANTOM.
  ASSERT_EQ(trace->cases.size(), 33066u);
  // 24 named agents in the month.
  EXPECT_EQ(trace->agents.size(), 24u);

  int abandoned = 0;
  int queued_abandoned = 0;
  int64_t abandon_seconds = 0;
  int64_t served_seconds = 0;
  int served = 0;
  absl::flat_hash_set<std::string> keys;
  for (size_t i = 0; i < trace->cases.size(); ++i) {
    const TraceCase& c = trace->cases[i];
    if (i > 0) {
      ASSERT_GE(c.arrival, trace->cases[i - 1].arrival);
    }
    EXPECT_EQ(c.spec.channel, Channel::kPhone);
    EXPECT_TRUE(keys.insert(c.spec.idempotency_key).second) << "duplicate idempotency key";
    if (c.abandoned) {
      ++abandoned;
      EXPECT_EQ(c.served_by, "");
      if (c.patience > absl::ZeroDuration()) {
        ++queued_abandoned;
        abandon_seconds += absl::ToInt64Seconds(c.patience);
      }
    } else {
      EXPECT_EQ(c.patience, absl::InfiniteDuration());
    }
    if (!c.served_by.empty()) {
      ++served;
      served_seconds += absl::ToInt64Seconds(c.handle_time);
    }
  }
  EXPECT_EQ(abandoned, 5904);  // outcome HANG
  // Mean service time of calls served by a named agent: about 180 s.
  EXPECT_NEAR(static_cast<double>(served_seconds) / served, 180.0, 2.0);
  // Mean time to abandon of the callers who hung up while queued: about 66 s (the README
  // counts 3,963 including 31 who left within their first second, at 65.5 s; without them it
  // is 66.0 s).
  EXPECT_EQ(queued_abandoned, 3932);
  EXPECT_NEAR(static_cast<double>(abandon_seconds) / queued_abandoned, 66.0, 0.5);

  // February 1999, local time.
  const absl::CivilSecond first = absl::ToCivilSecond(trace->start, trace->zone);
  EXPECT_EQ(absl::CivilDay(first), absl::CivilDay(1999, 2, 1));
  const absl::CivilSecond last =
      absl::ToCivilSecond(trace->start + trace->cases.back().arrival, trace->zone);
  EXPECT_LE(absl::CivilDay(last), absl::CivilDay(1999, 3, 1));
}

TEST(BankTraceRealFileTest, OneDay) {
  if (!Exists(BankPath())) GTEST_SKIP() << "data set not found at " << BankPath();
  BankTraceOptions options;
  options.first_day = absl::CivilDay(1999, 2, 1);
  options.last_day = absl::CivilDay(1999, 2, 1);
  absl::StatusOr<Trace> trace = ReadBankTraceFile(BankPath(), options);
  ASSERT_TRUE(trace.ok()) << trace.status();
  // 1,567 rows dated 990201, of which 16 PHANTOM (counted with awk over the file).
  EXPECT_EQ(trace->cases.size(), 1551u);
  EXPECT_LT(trace->cases.back().arrival, absl::Hours(25));
}

}  // namespace
}  // namespace caserouter
