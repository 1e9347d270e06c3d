#include "tools/replay/twcs_trace.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace caserouter {
namespace {

constexpr char kHeader[] =
    ",tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n";

// Synthetic tweets in the pandas export's exact format: an index column, quoted text when it
// holds a comma, a quote or a line end, float-formatted parent ids, rows in conversation order.
constexpr char kTweets[] =
    // Thread 10: a customer, the brand's signed reply, the customer again, a second reply.
    "0,10,900001,True,Tue Oct 31 10:00:00 +0000 2017,\"@AcmeHelp my order is late, again\","
    "11,\n"
    "1,11,AcmeHelp,False,Tue Oct 31 10:12:00 +0000 2017,@900001 Sorry! Please DM us. -Becky,"
    "\"12,14\",10.0\n"
    "2,12,900001,True,Tue Oct 31 10:20:00 +0000 2017,\"@AcmeHelp Done, \"\"thanks\"\"\",13,11.0\n"
    "3,13,AcmeHelp,False,Tue Oct 31 10:30:00 +0000 2017,@900001 Got it. ^JK https://t.co/abc,,"
    "12.0\n"
    // Another customer joins thread 10: a case of their own; nobody answers them.
    "4,14,900002,True,Tue Oct 31 10:25:00 +0000 2017,@AcmeHelp @900001 same here,,11.0\n"
    // Thread 20, whose root is not in the file: the brand wrote in it, but not to this case.
    "5,21,900003,True,Wed Nov 01 08:00:00 +0000 2017,\"@OtherCo it's broken\nsince Monday\",,"
    "20.0\n"
    "6,22,OtherCo,False,Wed Nov 01 07:00:00 +0000 2017,@900009 hello,,20.0\n"
    // No brand tweet anywhere: the first non-numeric mention, else unknown.
    "7,30,900004,True,Wed Nov 01 09:00:00 +0000 2017,@900005 ask @ShopCo why,,\n"
    "8,31,900006,True,Wed Nov 01 09:30:00 +0000 2017,nothing to see,,\n"
    // Years older than the rest.
    "9,40,900007,True,Mon Aug 01 10:00:00 +0000 2011,@AcmeHelp old,,\n"
    // The tail of a row broken by a line end: no inbound, dropped.
    "I just love it,3398,\n";

absl::StatusOr<Trace> Read(const std::string& text, const TwcsTraceOptions& options = {}) {
  std::istringstream in(text);
  return ReadTwcsTrace(in, options);
}

absl::Time Utc(int y, int m, int d, int hh, int mm, int ss) {
  return absl::FromCivil(absl::CivilSecond(y, m, d, hh, mm, ss), absl::UTCTimeZone());
}

const TraceCase* FindCase(const Trace& trace, const std::string& key) {
  for (const TraceCase& c : trace.cases) {
    if (c.spec.idempotency_key == key) return &c;
  }
  return nullptr;
}

TEST(TwcsTraceTest, InboundTweetsBecomeSocialCasesWithContinuity) {
  absl::StatusOr<Trace> trace = Read(std::string(kHeader) + kTweets);
  ASSERT_TRUE(trace.ok()) << trace.status();
  // Inbound: 10, 12, 14, 21, 30, 31, 40. 40 is older than 2017-10-01; 12 continues case 10.
  ASSERT_EQ(trace->cases.size(), 5u);
  EXPECT_EQ(trace->start, Utc(2017, 10, 31, 10, 0, 0));
  EXPECT_EQ(trace->zone, absl::UTCTimeZone());
  EXPECT_EQ(trace->name, "twcs");
  EXPECT_EQ(trace->agents, std::vector<std::string>{"AcmeHelp/Becky"});

  const TraceCase& first = trace->cases[0];
  EXPECT_EQ(first.spec.idempotency_key, "twcs-10");
  EXPECT_EQ(first.arrival, absl::ZeroDuration());
  EXPECT_EQ(first.spec.channel, Channel::kSocial);
  EXPECT_EQ(first.spec.customer_id, "tw-900001");
  EXPECT_EQ(first.spec.topic, "acmehelp");
  ASSERT_EQ(first.spec.required_skills.size(), 1u);
  EXPECT_EQ(first.spec.required_skills[0].skill, "acmehelp");
  EXPECT_EQ(first.spec.subject, "@AcmeHelp my order is late, again");
  EXPECT_TRUE(first.spec.is_public);
  EXPECT_EQ(first.spec.reach, 0);
  EXPECT_FALSE(first.spec.has_sentiment);
  EXPECT_EQ(first.thread_id, "10");
  EXPECT_EQ(first.follow_up_messages, std::vector<std::string>{"@AcmeHelp Done, \"thanks\""});
  EXPECT_EQ(first.handle_time, absl::Minutes(12));
  EXPECT_EQ(first.served_by, "AcmeHelp/Becky");
  EXPECT_FALSE(first.abandoned);
  EXPECT_EQ(first.patience, absl::InfiniteDuration());

  const TraceCase& joined = trace->cases[1];
  EXPECT_EQ(joined.spec.idempotency_key, "twcs-14");
  EXPECT_EQ(joined.arrival, absl::Minutes(25));
  EXPECT_EQ(joined.thread_id, "10");
  EXPECT_EQ(joined.spec.topic, "acmehelp");  // the author of the tweet it answers
  EXPECT_EQ(joined.handle_time, absl::ZeroDuration());
  EXPECT_EQ(joined.served_by, "");
  EXPECT_TRUE(joined.follow_up_messages.empty());

  const TraceCase* orphan = FindCase(*trace, "twcs-21");
  ASSERT_NE(orphan, nullptr);
  EXPECT_EQ(orphan->thread_id, "20");
  EXPECT_EQ(orphan->spec.topic, "otherco");
  EXPECT_EQ(orphan->spec.subject, "@OtherCo it's broken\nsince Monday");

  const TraceCase* mention = FindCase(*trace, "twcs-30");
  ASSERT_NE(mention, nullptr);
  EXPECT_EQ(mention->spec.topic, "shopco");

  const TraceCase* unknown = FindCase(*trace, "twcs-31");
  ASSERT_NE(unknown, nullptr);
  EXPECT_EQ(unknown->spec.topic, "unknown");
  EXPECT_TRUE(unknown->spec.required_skills.empty());
}

TEST(TwcsTraceTest, OptionsKeepOldTweetsLimitCasesAndNameBrandsOnly) {
  TwcsTraceOptions options;
  options.not_before = absl::InfinitePast();
  options.agents_from_signatures = false;
  absl::StatusOr<Trace> trace = Read(std::string(kHeader) + kTweets, options);
  ASSERT_TRUE(trace.ok()) << trace.status();
  ASSERT_EQ(trace->cases.size(), 6u);
  EXPECT_EQ(trace->cases[0].spec.idempotency_key, "twcs-40");
  EXPECT_EQ(trace->start, Utc(2011, 8, 1, 10, 0, 0));
  EXPECT_EQ(trace->agents, std::vector<std::string>{"AcmeHelp"});

  options.max_cases = 2;
  trace = Read(std::string(kHeader) + kTweets, options);
  ASSERT_TRUE(trace.ok()) << trace.status();
  ASSERT_EQ(trace->cases.size(), 2u);
  EXPECT_EQ(trace->cases[1].spec.idempotency_key, "twcs-10");
}

TEST(TwcsTraceTest, AReplyToAFollowUpCountsWhenItIsTheFirst) {
  // The brand first answers the customer's second tweet.
  absl::StatusOr<Trace> trace =
      Read(std::string(kHeader) +
           "0,1,5,True,Tue Oct 31 10:00:00 +0000 2017,@Brand hi,,\n"
           "1,2,5,True,Tue Oct 31 10:05:00 +0000 2017,@Brand hello??,3,1.0\n"
           "2,3,Brand,False,Tue Oct 31 11:00:00 +0000 2017,@5 Yes? - Matt,,2.0\n");
  ASSERT_TRUE(trace.ok()) << trace.status();
  ASSERT_EQ(trace->cases.size(), 1u);
  EXPECT_EQ(trace->cases[0].follow_up_messages.size(), 1u);
  EXPECT_EQ(trace->cases[0].handle_time, absl::Hours(1));
  EXPECT_EQ(trace->cases[0].served_by, "Brand/Matt");
  EXPECT_EQ(trace->cases[0].spec.topic, "brand");
}

TEST(TwcsTraceTest, MalformedRowsNameLineAndColumnButNotContent) {
  struct Bad {
    const char* row;
    const char* column;
  };
  const Bad kBad[] = {
      {"0,1,5,Maybe,Tue Oct 31 10:00:00 +0000 2017,secret,,\n", "inbound"},
      {"0,1,5,True,Tue 31 Oct 10:00:00 +0000 2017,secret,,\n", "created_at"},
      {"0,1,5,True,Tue Oct 31 25:00:00 +0000 2017,secret,,\n", "created_at"},
      {"0,x1,5,True,Tue Oct 31 10:00:00 +0000 2017,secret,,\n", "tweet_id"},
      {"0,1,,True,Tue Oct 31 10:00:00 +0000 2017,secret,,\n", "author_id"},
      {"0,1,5,True,Tue Oct 31 10:00:00 +0000 2017,secret,,abc\n", "in_response_to_tweet_id"},
  };
  for (const Bad& bad : kBad) {
    absl::Status status = Read(std::string(kHeader) + bad.row).status();
    ASSERT_FALSE(status.ok()) << bad.column;
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(status.message().find(absl::StrCat("line 2, column ", bad.column)),
              absl::string_view::npos)
        << status;
    EXPECT_EQ(status.message().find("secret"), absl::string_view::npos) << status;
  }

  absl::Status status = Read(std::string(kHeader) +
                             "0,1,5,True,Tue Oct 31 10:00:00 +0000 2017,a,,\n"
                             "1,1,5,True,Tue Oct 31 10:00:00 +0000 2017,b,,\n")
                            .status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("duplicate"), absl::string_view::npos) << status;

  status = Read(std::string(kHeader) + "0,1,5,True,Tue Oct 31 10:00:00 +0000 2017,a\n").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("line 2"), absl::string_view::npos) << status;

  status = Read("tweet_id,author_id,text\n").status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(status.message().find("inbound"), absl::string_view::npos) << status;
}

TEST(ParseTwitterTimeTest, ParsesTheDataFormat) {
  absl::StatusOr<absl::Time> t = ParseTwitterTime("Tue Oct 31 22:10:47 +0000 2017");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(*t, Utc(2017, 10, 31, 22, 10, 47));
  t = ParseTwitterTime("Fri Dec 01 06:30:25 -0130 2017");
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(*t, Utc(2017, 12, 1, 8, 0, 25));
  for (const char* bad : {"", "Tue Oct 31 22:10:47 2017", "Tue Okt 31 22:10:47 +0000 2017",
                          "Xyz Oct 31 22:10:47 +0000 2017", "Tue Feb 30 22:10:47 +0000 2017",
                          "Tue Oct 31 22:10 +0000 2017", "Tue Oct 31 22:10:47 0000 2017",
                          "Tue Oct 31 22:10:47 +0000 17"}) {
    EXPECT_FALSE(ParseTwitterTime(bad).ok()) << bad;
  }
}

TEST(ReplySignatureTest, FindsTheCommonShapes) {
  EXPECT_EQ(ReplySignature("@1 Thanks. I'll get in touch with our team. -Jen"), "Jen");
  EXPECT_EQ(ReplySignature("@1 What information is incorrect? ^JK"), "JK");
  EXPECT_EQ(ReplySignature("@1 Please do.  *AFC https://t.co/6iDGBJAc2m"), "AFC");
  EXPECT_EQ(ReplySignature("@1 You may have a recording scheduled. - Matt"), "Matt");
  EXPECT_EQ(ReplySignature("@1 Happy to help, how can we help?\n^HSB"), "HSB");
  EXPECT_EQ(ReplySignature("@1 ... contact number. 2/2 ^Linda"), "Linda");
  EXPECT_EQ(ReplySignature("@1 ... upgrade if you like? ^Jane 2/2"), "Jane");

  EXPECT_EQ(ReplySignature("@1 Any steps tried since it started last night?"), "");
  EXPECT_EQ(ReplySignature("@1 DM us here: https://t.co/GDrqU22YpT"), "");
  EXPECT_EQ(ReplySignature("@1 that is a long-term fix"), "");
  EXPECT_EQ(ReplySignature("@1 see you ^_^"), "");
  EXPECT_EQ(ReplySignature("@1 lower -case"), "");
  EXPECT_EQ(ReplySignature("-Solo"), "Solo");
  EXPECT_EQ(ReplySignature(""), "");
}

// --- The real sample (research-only data, read in place; skipped when absent). ---

std::string TwcsPath() {
  return std::string(CASEROUTER_DATA_DIR) + "/twcs-sample/twcs_first5000.csv";
}

bool Exists(const std::string& path) { return std::ifstream(path).good(); }

TEST(TwcsTraceRealFileTest, EveryInboundTweetIsACaseOrAFollowUp) {
  if (!Exists(TwcsPath())) GTEST_SKIP() << "data set not found at " << TwcsPath();
  TwcsTraceOptions options;
  options.not_before = absl::InfinitePast();
  absl::StatusOr<Trace> trace = ReadTwcsTraceFile(TwcsPath(), options);
  ASSERT_TRUE(trace.ok()) << trace.status();

  size_t follow_ups = 0;
  absl::flat_hash_set<std::string> keys;
  absl::flat_hash_set<std::pair<std::string, std::string>> thread_customers;
  for (size_t i = 0; i < trace->cases.size(); ++i) {
    const TraceCase& c = trace->cases[i];
    if (i > 0) {
      ASSERT_GE(c.arrival, trace->cases[i - 1].arrival);
    }
    follow_ups += c.follow_up_messages.size();
    EXPECT_EQ(c.spec.channel, Channel::kSocial);
    EXPECT_TRUE(keys.insert(c.spec.idempotency_key).second);
    // Continuity: at most one case per customer per thread.
    EXPECT_TRUE(thread_customers.insert({c.thread_id, c.spec.customer_id}).second);
    EXPECT_FALSE(c.thread_id.empty());
    EXPECT_GE(c.handle_time, absl::ZeroDuration());
  }
  // The README counts 2,778 inbound tweets (the one broken row read whole, see csv_reader.h):
  // each is the first tweet of a case or a follow-up of one.
  EXPECT_EQ(trace->cases.size() + follow_ups, 2778u);
  // 1,295 of them continue a conversation their author already opened in the same thread
  // (the sample is whole conversations, customers answer the brand's questions), leaving
  // 1,483 cases. Counted independently with Python's csv module over the same file, grouping
  // by (thread root, author).
  EXPECT_EQ(follow_ups, 1295u);
  EXPECT_EQ(trace->cases.size(), 1483u);

  // The row the README calls broken (tweet 3399, a lone "\r\r" in unquoted text) reads whole:
  // its text continues after the CRs and its reply link (3398, AskPayPal) is kept.
  const TraceCase* broken = FindCase(*trace, "twcs-3399");
  ASSERT_NE(broken, nullptr);
  EXPECT_NE(broken->spec.subject.find("\r\rI just love"), std::string::npos);
  EXPECT_EQ(broken->served_by, "AskPayPal/GA");
  EXPECT_EQ(broken->spec.topic, "askpaypal");
}

TEST(TwcsTraceRealFileTest, DefaultKeepsTheDenseSpan) {
  if (!Exists(TwcsPath())) GTEST_SKIP() << "data set not found at " << TwcsPath();
  absl::StatusOr<Trace> trace = ReadTwcsTraceFile(TwcsPath(), {});
  ASSERT_TRUE(trace.ok()) << trace.status();
  // 8 inbound tweets predate 2017-10-01 (2011-08 to 2017-09), leaving 2,770. Three of them
  // were alone in their case (those cases go); the other five shared a case with later
  // tweets, which keep it (in one, a 2017-10-08 follow-up now opens the case): 1,483 − 3.
  EXPECT_EQ(trace->cases.size(), 1480u);
  size_t follow_ups = 0;
  for (const TraceCase& c : trace->cases) follow_ups += c.follow_up_messages.size();
  EXPECT_EQ(trace->cases.size() + follow_ups, 2770u);
  EXPECT_GE(trace->start, absl::FromCivil(absl::CivilDay(2017, 10, 1), absl::UTCTimeZone()));
  // The whole replay spans about two months, not six years.
  EXPECT_LT(trace->cases.back().arrival, absl::Hours(24 * 92));

  // Brands: the five top repliers of the README are among the most frequent topics.
  absl::flat_hash_map<std::string, int> per_topic;
  int answered = 0;
  std::vector<absl::Duration> answer_times;
  for (const TraceCase& c : trace->cases) {
    ++per_topic[c.spec.topic];
    if (!c.served_by.empty()) {
      ++answered;
      answer_times.push_back(c.handle_time);
    }
  }
  for (const char* brand :
       {"chipotletweets", "amazonhelp", "applesupport", "uber_support", "delta"}) {
    EXPECT_GE(per_topic[brand], 30) << brand;
  }
  // Every case found its brand: 76 topics, each one of the 76 replying accounts (below).
  EXPECT_EQ(per_topic.count("unknown"), 0u);
  EXPECT_EQ(per_topic.size(), 76u);
  // Most cases got a brand reply, and the median first reply is minutes, not hours (the
  // README: median 724 s over all customer-tweet → reply pairs).
  EXPECT_GT(answered, static_cast<int>(trace->cases.size()) * 8 / 10);
  std::sort(answer_times.begin(), answer_times.end());
  const absl::Duration median = answer_times[answer_times.size() / 2];
  EXPECT_GT(median, absl::Minutes(10));
  EXPECT_LT(median, absl::Minutes(16));
  // Signed replies name people: many more agents than accounts.
  EXPECT_GT(trace->agents.size(), 200u);

  TwcsTraceOptions brands_only;
  brands_only.agents_from_signatures = false;
  trace = ReadTwcsTraceFile(TwcsPath(), brands_only);
  ASSERT_TRUE(trace.ok()) << trace.status();
  EXPECT_EQ(trace->agents.size(), 76u);
  absl::flat_hash_set<std::string> brands;
  for (const std::string& agent : trace->agents) brands.insert(absl::AsciiStrToLower(agent));
  for (const auto& [topic, count] : per_topic) EXPECT_TRUE(brands.contains(topic)) << topic;
}

}  // namespace
}  // namespace caserouter
