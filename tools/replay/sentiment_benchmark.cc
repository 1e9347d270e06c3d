// Throughput of ScoreSentiment in tweets per second (items_per_second).
//
// Uses the texts of the shared twcs sample when it is present (CASEROUTER_DATA_DIR), else a
// fixed synthetic mix of support tweets.
#include <fstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "benchmark/benchmark.h"
#include "router/policy/lexicon_sentiment.h"
#include "tools/replay/csv_reader.h"

namespace caserouter {
namespace {

std::vector<std::string> LoadTweets() {
  std::vector<std::string> texts;
  std::ifstream in(std::string(CASEROUTER_DATA_DIR) + "/twcs-sample/twcs_first5000.csv",
                   std::ios::binary);
  if (in.is_open()) {
    CsvReader reader(in);
    std::vector<std::string> row;
    constexpr absl::string_view kText[] = {"text"};
    absl::StatusOr<bool> more = reader.ReadRecord(&row);
    absl::StatusOr<std::vector<int>> columns = absl::InvalidArgumentError("no header");
    if (more.ok() && *more) columns = FindColumns(row, kText);
    while (columns.ok()) {
      more = reader.ReadRecord(&row);
      if (!more.ok() || !*more) break;
      if (static_cast<size_t>((*columns)[0]) < row.size()) texts.push_back(row[(*columns)[0]]);
    }
  }
  if (texts.empty()) {
    texts = {
        "@AcmeHelp worst customer service ever. Still waiting for my refund!!!",
        "@AcmeHelp thanks so much, you guys are great! https://t.co/abcdef",
        "@115712 Please send us a Private Message so that we can further assist you. -KC",
        "my order number is 12345 and it still hasn't shipped, not happy 😡",
        "@AcmeHelp love the new update, works perfectly :)",
    };
  }
  return texts;
}

void BM_ScoreSentiment(benchmark::State& state) {
  static const std::vector<std::string>* const texts = new auto(LoadTweets());
  size_t i = 0;
  int64_t bytes = 0;
  for (auto _ : state) {
    const std::string& text = (*texts)[i];
    benchmark::DoNotOptimize(ScoreSentiment(text));
    bytes += static_cast<int64_t>(text.size());
    if (++i == texts->size()) i = 0;
  }
  state.SetItemsProcessed(state.iterations());  // tweets
  state.SetBytesProcessed(bytes);
  state.SetLabel(std::to_string(texts->size()) + " distinct tweets");
}
BENCHMARK(BM_ScoreSentiment);

}  // namespace
}  // namespace caserouter

BENCHMARK_MAIN();
