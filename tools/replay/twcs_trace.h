// ReadTwcsTrace: "Customer Support on Twitter" (Thought Vector, Kaggle) as a Trace of SOCIAL
// cases.
//
// Input: the pandas CSV `twcs-sample/twcs_first5000.csv` (an unnamed index column, then
// tweet_id, author_id, inbound, created_at, text, response_tweet_id, in_response_to_tweet_id;
// see the data set's README.md). Columns are found by their header names; the full Kaggle file
// (no index column) reads the same way.
//
// How tweets become cases:
//  - thread = the root of the tweet's in_response_to chain: the first ancestor without a
//    parent, or the id of the first parent missing from the file (so replies to the same
//    missing tweet stay together);
//  - the first inbound tweet (by time) of a customer in a thread is a case; the customer's
//    later inbound tweets in the same thread are its follow_up_messages, in time order (case
//    continuity), not new cases. Another customer joining the thread opens their own case;
//  - topic = the brand addressed, lower-cased: the author of the brand tweet the first tweet
//    answers; else the author of the first brand reply to the case; else of the first brand
//    tweet in the thread; else the first @mention that is not numeric (customer handles are
//    anonymised to numbers in the data, brand handles are kept); else "unknown". The required
//    skill is the topic at proficiency >= 1 (none for "unknown");
//  - customer_id "tw-<author_id>", idempotency key "twcs-<tweet_id>", subject = the tweet's
//    text, is_public = true, reach = 0 (the data holds no follower counts; any other number
//    would be invented), customer_value 0, explicit_priority 0, language "" (any: the tweets
//    are in several languages and the data does not say which);
//  - handle_time = time from the first tweet to the brand's first reply to any tweet of the
//    case (0 when the brand never replied in the file); served_by = that reply's brand account,
//    or "<brand>/<signature>" when the reply is signed ("... -Becky", "^JK", "*TMT", "- Matt")
//    and agents_from_signatures is set;
//  - abandoned = false and patience infinite: silence on Twitter says nothing about whether
//    the customer gave up.
// Rows whose `inbound` is empty or missing are dropped (a broken row in some exports); any
// other malformed row → INVALID_ARGUMENT "line N, column <name>: ..." (never the text).
//
// Thread safety: free functions without shared state.
#ifndef CASEROUTER_TOOLS_REPLAY_TWCS_TRACE_H_
#define CASEROUTER_TOOLS_REPLAY_TWCS_TRACE_H_

#include <cstdint>
#include <istream>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "tools/replay/trace.h"

namespace caserouter {

struct TwcsTraceOptions {
  // Inbound tweets created before this time are dropped before cases are formed. 99% of the
  // sample is from Oct–Nov 2017; the few older tweets (back to 2011) would stretch a replay
  // over six years. InfinitePast() keeps everything.
  absl::Time not_before =
      absl::FromCivil(absl::CivilSecond(2017, 10, 1, 0, 0, 0), absl::UTCTimeZone());
  // Keep only the first max_cases cases by arrival.
  std::optional<int64_t> max_cases;
  // Name agents by their reply signature where there is one (see above).
  bool agents_from_signatures = true;
};

absl::StatusOr<Trace> ReadTwcsTrace(std::istream& in, const TwcsTraceOptions& options);
absl::StatusOr<Trace> ReadTwcsTraceFile(absl::string_view path, const TwcsTraceOptions& options);

// "Tue Oct 31 22:10:47 +0000 2017" → the instant. INVALID_ARGUMENT for anything else.
absl::StatusOr<absl::Time> ParseTwitterTime(absl::string_view text);

// The signature a support agent put at the end of a reply ("... -Becky" → "Becky",
// "... ^JK https://t.co/x" → "JK"); "" when there is none. Trailing links and part counters
// ("2/2") are skipped; a signature is 1–12 ASCII letters starting with a capital.
std::string ReplySignature(absl::string_view text);

}  // namespace caserouter

#endif  // CASEROUTER_TOOLS_REPLAY_TWCS_TRACE_H_
