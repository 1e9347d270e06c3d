#include "router/service/page_token.h"

#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace caserouter {
namespace {

void ExpectNames(const absl::Status& status, const std::string& field) {
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
  EXPECT_TRUE(absl::StartsWith(status.message(), field + ": ")) << status;
}

TEST(QueuePageTest, FirstPageAndSizes) {
  absl::StatusOr<QueuePage> page = QueuePageOf(0, "");
  ASSERT_TRUE(page.ok()) << page.status();
  EXPECT_EQ(page->offset, 0);
  EXPECT_EQ(page->size, kDefaultQueuePageSize);
  EXPECT_EQ(QueuePageOf(kMaxQueuePageSize, "")->size, kMaxQueuePageSize);
  EXPECT_EQ(QueuePageOf(1, "")->size, 1);
  ExpectNames(QueuePageOf(-1, "").status(), "page_size");
  ExpectNames(QueuePageOf(kMaxQueuePageSize + 1, "").status(), "page_size");
  EXPECT_TRUE(
      absl::StrContains(QueuePageOf(-1, "").status().message(), std::to_string(kMaxQueuePageSize)));
}

TEST(QueuePageTest, NextTokenRoundTripsToTheNextOffset) {
  QueuePage first{0, 10};
  const std::string token = NextPageToken(first, 10, 25);
  ASSERT_FALSE(token.empty());
  absl::StatusOr<QueuePage> second = QueuePageOf(10, token);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->offset, 10);
  const std::string third_token = NextPageToken(*second, 10, 25);
  EXPECT_EQ(QueuePageOf(10, third_token)->offset, 20);
  // The last page has no next one, nor has an empty page.
  EXPECT_EQ(NextPageToken(QueuePage{20, 10}, 5, 25), "");
  EXPECT_EQ(NextPageToken(QueuePage{0, 10}, 10, 10), "");
  EXPECT_EQ(NextPageToken(QueuePage{30, 10}, 0, 25), "");
}

TEST(QueuePageTest, TokensNotMadeByListQueueAreRefusedWithoutQuotingThem) {
  for (const char* bad : {"10", "bm90IGEgdG9rZW4", "!!!", "cXVldWUtb2Zmc2V0Oi0z",
                          "cXVldWUtb2Zmc2V0OjA", "SECRETCUSTOMERTEXT"}) {
    absl::Status status = QueuePageOf(10, bad).status();
    ExpectNames(status, "page_token");
    EXPECT_FALSE(absl::StrContains(status.message(), bad)) << status;
  }
}

}  // namespace
}  // namespace caserouter
