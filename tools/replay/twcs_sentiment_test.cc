// The sentiment scorer on real customer-support tweets: customers read angrier than the
// brands' replies. Lives beside the CSV reader it uses (research-only data, read in place;
// skipped when absent), so the policy's own tests depend on nothing above the policy.
#include <algorithm>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "router/policy/lexicon_sentiment.h"
#include "tools/replay/csv_reader.h"

namespace caserouter {
namespace {

TEST(LexiconSentimentRealDataTest, CustomersScoreBelowBrandRepliesOnAverage) {
  const std::string path = std::string(CASEROUTER_DATA_DIR) + "/twcs-sample/twcs_first5000.csv";
  std::ifstream in(path, std::ios::binary);
  if (!in.is_open()) GTEST_SKIP() << "data set not found at " << path;
  CsvReader reader(in);
  std::vector<std::string> row;
  ASSERT_TRUE(*reader.ReadRecord(&row));
  constexpr absl::string_view kWanted[] = {"inbound", "text"};
  absl::StatusOr<std::vector<int>> columns = FindColumns(row, kWanted);
  ASSERT_TRUE(columns.ok()) << columns.status();

  double inbound_sum = 0;
  double outbound_sum = 0;
  int inbound = 0;
  int outbound = 0;
  int inbound_angry = 0;
  int outbound_angry = 0;
  for (;;) {
    absl::StatusOr<bool> more = reader.ReadRecord(&row);
    ASSERT_TRUE(more.ok()) << more.status();
    if (!*more) break;
    if (row.size() <= static_cast<size_t>(std::max((*columns)[0], (*columns)[1]))) continue;
    const double score = ScoreSentiment(row[(*columns)[1]]);
    if (row[(*columns)[0]] == "True") {
      inbound_sum += score;
      ++inbound;
      if (score < -0.3) ++inbound_angry;
    } else if (row[(*columns)[0]] == "False") {
      outbound_sum += score;
      ++outbound;
      if (score < -0.3) ++outbound_angry;
    }
  }
  ASSERT_EQ(inbound, 2778);  // the README's counts
  ASSERT_EQ(outbound, 2222);
  const double inbound_mean = inbound_sum / inbound;
  const double outbound_mean = outbound_sum / outbound;
  std::cout << "mean sentiment: customers " << inbound_mean << " (" << inbound_angry
            << " below -0.3), brand replies " << outbound_mean << " (" << outbound_angry
            << " below -0.3)\n";
  EXPECT_LT(inbound_mean, outbound_mean);
  EXPECT_GT(static_cast<double>(inbound_angry) / inbound,
            static_cast<double>(outbound_angry) / outbound);
}

}  // namespace
}  // namespace caserouter
