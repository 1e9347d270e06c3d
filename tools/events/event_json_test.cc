// The JSON lines caserouter-events prints, and the order of stream ids.
#include "tools/events/event_json.h"

#include "absl/time/time.h"
#include "gtest/gtest.h"

namespace caserouter::events {
namespace {

TEST(EventJsonTest, OneObjectWithTheStreamsFields) {
  Event e{absl::FromUnixMicros(1700000000000001), "completed", "c01ga4gc1wg00abc", "ana",
          "resolved"};
  EXPECT_EQ(EventJson("1700000000000-3", e),
            "{\"id\":\"1700000000000-3\",\"time\":\"2023-11-14T22:13:20.000001Z\","
            "\"time_us\":1700000000000001,\"type\":\"completed\",\"case\":\"c01ga4gc1wg00abc\","
            "\"agent\":\"ana\",\"detail\":\"resolved\"}");
}

TEST(EventJsonTest, EmptyFieldsAndNeverTimes) {
  Event never;
  never.time = absl::InfinitePast();
  EXPECT_EQ(EventJson("0-1", never),
            "{\"id\":\"0-1\",\"time\":null,\"time_us\":null,\"type\":\"\",\"case\":\"\","
            "\"agent\":\"\",\"detail\":\"\"}");
}

TEST(EventJsonTest, AnythingStoredStaysValidJson) {
  Event e{absl::FromUnixSeconds(0), "x\"y\\z", std::string("a\0b", 3), "\n\t\r", "\xc3\xa9\x7f"};
  EXPECT_EQ(EventJson("1-0", e),
            "{\"id\":\"1-0\",\"time\":\"1970-01-01T00:00:00.000000Z\",\"time_us\":0,"
            "\"type\":\"x\\\"y\\\\z\",\"case\":\"a\\u0000b\",\"agent\":\"\\n\\t\\r\","
            "\"detail\":\"\\u00c3\\u00a9\\u007f\"}");
}

TEST(EventJsonTest, StreamIdsCompareAsNumbersNotText) {
  EXPECT_TRUE(StreamIdBefore("0", "1-0"));
  EXPECT_TRUE(StreamIdBefore("9-5", "10-0"));
  EXPECT_TRUE(StreamIdBefore("10-9", "10-10"));
  EXPECT_FALSE(StreamIdBefore("10-10", "10-10"));
  EXPECT_FALSE(StreamIdBefore("11-0", "10-99"));
}

}  // namespace
}  // namespace caserouter::events
