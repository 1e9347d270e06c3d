// End-to-end: caserouter-events reads back what a router on a real redis-server appended to
// its event stream — export, resume after an event id, tail while events arrive — as the JSON
// lines docs/events.md describes, without customer text.
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/e2e/e2e_support.h"

#if !defined(CASEROUTER_EVENTS_BINARY)
#error "CASEROUTER_EVENTS_BINARY must name caserouter-events"
#endif

namespace caserouter::e2e {
namespace {

// One output line, as far as these tests read it.
struct Line {
  std::string id, type, case_id, agent, text;
};

std::string Field(const std::string& line, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(line, m, std::regex(absl::StrCat("\"", name, "\":\"([^\"]*)\"")))) {
    return "<missing>";
  }
  return m[1].str();
}

std::vector<Line> ReadLines(const std::string& path) {
  std::vector<Line> lines;
  std::ifstream in(path);
  std::string text;
  while (std::getline(in, text)) {
    lines.push_back(Line{Field(text, "id"), Field(text, "type"), Field(text, "case"),
                         Field(text, "agent"), text});
  }
  return lines;
}

class EventsToolTest : public RouterTest {
 protected:
  std::string SubmitOk(const std::string& key) {
    v1::SubmitCaseResponse response;
    grpc::Status status = c().Submit(SampleSubmission(key), &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.case_().case_id();
  }

  // Runs caserouter-events with `args` (and the router's Redis and domain); its JSON lines
  // go to `output` in the temp dir.
  absl::StatusOr<int> Events(std::vector<std::string> args, const std::string& output) {
    args.push_back(absl::StrCat("--redis_port=", redis_->port()));
    args.push_back("--domain=e2e");
    args.push_back(absl::StrCat("--output=", dir_.path(), "/", output));
    return RunToExit(CASEROUTER_EVENTS_BINARY, args, dir_.path() + "/events.log");
  }
  std::vector<Line> Output(const std::string& output) {
    return ReadLines(absl::StrCat(dir_.path(), "/", output));
  }

  TempDir dir_;
};

TEST_F(EventsToolTest, ExportsResumesAfterAnIdAndTailsNewEvents) {
  std::vector<std::string> ids = {SubmitOk("ev-1"), SubmitOk("ev-2"), SubmitOk("ev-3")};

  // Everything so far: the three submissions (no agent: nothing else happened).
  ASSERT_EQ(Events({"export"}, "all.jsonl").value_or(-1), 0);
  std::vector<Line> all = Output("all.jsonl");
  ASSERT_EQ(all.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(all[i].type, "submitted") << all[i].text;
    EXPECT_EQ(all[i].case_id, ids[i]) << all[i].text;
    EXPECT_EQ(Field(all[i].text, "detail"), "phone");
    EXPECT_TRUE(std::regex_search(all[i].text, std::regex("\"time_us\":[0-9]{16}"))) << all[i].text;
    EXPECT_FALSE(absl::StrContains(all[i].text, "charged twice")) << "customer text";
  }

  // Resumed after the first event: exactly the two after it.
  ASSERT_EQ(Events({"export", absl::StrCat("--from=", all[0].id)}, "rest.jsonl").value_or(-1), 0);
  std::vector<Line> rest = Output("rest.jsonl");
  ASSERT_EQ(rest.size(), 2u);
  EXPECT_EQ(rest[0].id, all[1].id);
  EXPECT_EQ(rest[1].id, all[2].id);

  // Tail from the last event seen, while new ones arrive: they come out, once, in order.
  absl::StatusOr<int> tail_exit;
  std::thread tail([&] {
    tail_exit = Events({"tail", absl::StrCat("--from=", all[2].id), "--limit=3", "--poll=200ms"},
                       "tail.jsonl");
  });
  grpc::Status created = c().CreateAgent("ana", {{"billing", 7}});
  const std::string fourth = SubmitOk("ev-4");
  tail.join();
  ASSERT_TRUE(created.ok()) << created.error_message();
  ASSERT_TRUE(tail_exit.ok()) << tail_exit.status();
  EXPECT_EQ(*tail_exit, 0);
  std::vector<Line> tailed = Output("tail.jsonl");
  ASSERT_EQ(tailed.size(), 3u);
  // The supervisor's call is audited (docs/events.md, Audit events), then the engine's change.
  EXPECT_EQ(tailed[0].type, "supervisor_action");
  EXPECT_EQ(tailed[0].agent, "ana");
  EXPECT_EQ(
      Field(tailed[0].text, "detail"),
      absl::StrCat("method=CreateAgent caller=supervisor:", kTestSupervisor, " credential=token"));
  EXPECT_EQ(tailed[1].type, "agent_created");
  EXPECT_EQ(tailed[1].agent, "ana");
  EXPECT_EQ(tailed[2].type, "submitted");
  EXPECT_EQ(tailed[2].case_id, fourth);
}

TEST_F(EventsToolTest, SaysWhenTheStreamNoLongerHoldsWhatFollowedTheId) {
  SubmitOk("ev-1");
  // An id older than the stream's first entry: what came between may have been trimmed.
  ASSERT_EQ(Events({"export", "--from=1-0"}, "gap.jsonl").value_or(-1), 3);
  EXPECT_EQ(Output("gap.jsonl").size(), 1u);  // and still prints what the stream holds
}

TEST_F(EventsToolTest, RefusesBadUsageAndReportsAnUnreachableRedis) {
  EXPECT_EQ(Events({"export", "--from=yesterday"}, "x.jsonl").value_or(-1), 2);
  EXPECT_EQ(Events({"follow"}, "x.jsonl").value_or(-1), 2);
  EXPECT_EQ(
      RunToExit(CASEROUTER_EVENTS_BINARY, {"export"}, dir_.path() + "/events.log").value_or(-1), 2)
      << "--domain is required";
  // Nothing listens on port 1 of the loopback.
  EXPECT_EQ(RunToExit(CASEROUTER_EVENTS_BINARY,
                      {"export", "--redis_port=1", "--domain=e2e",
                       absl::StrCat("--output=", dir_.path(), "/y.jsonl")},
                      dir_.path() + "/events.log")
                .value_or(-1),
            1);
}

}  // namespace
}  // namespace caserouter::e2e
