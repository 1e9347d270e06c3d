#include "tools/replay/twcs_trace.h"

#include <algorithm>
#include <fstream>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "tools/replay/csv_reader.h"

namespace caserouter {
namespace {

enum Column {
  kTweetId,
  kAuthorId,
  kInbound,
  kCreatedAt,
  kText,
  kInResponseTo,
  kColumnCount,
};

constexpr absl::string_view kColumnNames[kColumnCount] = {
    "tweet_id", "author_id", "inbound", "created_at", "text", "in_response_to_tweet_id",
};

struct Tweet {
  std::string id;
  std::string author;
  bool inbound = false;
  absl::Time created;
  std::string text;
  std::string parent;  // "" when the tweet answers nothing
};

bool AllDigits(absl::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return absl::ascii_isdigit(static_cast<unsigned char>(c));
  });
}

bool IsSignatureName(absl::string_view token) {
  if (token.empty() || token.size() > 12) return false;
  if (!absl::ascii_isupper(static_cast<unsigned char>(token[0]))) return false;
  return std::all_of(token.begin(), token.end(),
                     [](char c) { return absl::ascii_isalpha(static_cast<unsigned char>(c)); });
}

bool IsSignatureMarker(char c) { return c == '-' || c == '^' || c == '*' || c == '~'; }

// "2/2", "(1/3)" and the like.
bool IsPartCounter(absl::string_view token) {
  token = absl::StripPrefix(absl::StripSuffix(token, ")"), "(");
  size_t slash = token.find('/');
  return slash != absl::string_view::npos && AllDigits(token.substr(0, slash)) &&
         AllDigits(token.substr(slash + 1));
}

// An id written as an integer or, by pandas, as a float ("3.0"); "" stays "".
bool ParseTweetId(absl::string_view text, std::string* id) {
  text = absl::StripAsciiWhitespace(text);
  if (text.empty()) {
    id->clear();
    return true;
  }
  if (absl::EndsWith(text, ".0")) text.remove_suffix(2);
  if (!AllDigits(text) || text.size() > 20) return false;
  *id = std::string(text);
  return true;
}

std::string FirstBrandMention(absl::string_view text) {
  for (size_t at = text.find('@'); at != absl::string_view::npos; at = text.find('@', at + 1)) {
    size_t end = at + 1;
    while (end < text.size() &&
           (absl::ascii_isalnum(static_cast<unsigned char>(text[end])) || text[end] == '_')) {
      ++end;
    }
    absl::string_view handle = text.substr(at + 1, end - at - 1);
    if (!handle.empty() && !AllDigits(handle)) return absl::AsciiStrToLower(handle);
  }
  return "";
}

absl::Status RowError(int64_t line, Column column, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("line ", line, ", column ", kColumnNames[column], ": ", what));
}

struct CaseDraft {
  std::vector<size_t> tweets;  // indices into the tweet table, time order
};

}  // namespace

absl::StatusOr<absl::Time> ParseTwitterTime(absl::string_view text) {
  static constexpr absl::string_view kDays[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  static constexpr absl::string_view kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const absl::Status bad =
      absl::InvalidArgumentError("expected a time like \"Tue Oct 31 22:10:47 +0000 2017\"");
  std::vector<absl::string_view> parts = absl::StrSplit(text, ' ', absl::SkipEmpty());
  if (parts.size() != 6) return bad;
  if (std::find(std::begin(kDays), std::end(kDays), parts[0]) == std::end(kDays)) return bad;
  auto month = std::find(std::begin(kMonths), std::end(kMonths), parts[1]);
  if (month == std::end(kMonths)) return bad;
  int day = 0;
  int year = 0;
  if (parts[2].size() > 2 || !AllDigits(parts[2]) || !absl::SimpleAtoi(parts[2], &day) ||
      parts[5].size() != 4 || !AllDigits(parts[5]) || !absl::SimpleAtoi(parts[5], &year)) {
    return bad;
  }
  absl::string_view clock = parts[3];
  int hh = 0;
  int mm = 0;
  int ss = 0;
  if (clock.size() != 8 || clock[2] != ':' || clock[5] != ':' || !AllDigits(clock.substr(0, 2)) ||
      !AllDigits(clock.substr(3, 2)) || !AllDigits(clock.substr(6, 2)) ||
      !absl::SimpleAtoi(clock.substr(0, 2), &hh) || !absl::SimpleAtoi(clock.substr(3, 2), &mm) ||
      !absl::SimpleAtoi(clock.substr(6, 2), &ss) || hh > 23 || mm > 59 || ss > 60) {
    return bad;
  }
  absl::string_view zone = parts[4];
  int zh = 0;
  int zm = 0;
  if (zone.size() != 5 || (zone[0] != '+' && zone[0] != '-') || !AllDigits(zone.substr(1)) ||
      !absl::SimpleAtoi(zone.substr(1, 2), &zh) || !absl::SimpleAtoi(zone.substr(3, 2), &zm) ||
      zh > 14 || zm > 59) {
    return bad;
  }
  const int month_number = static_cast<int>(month - std::begin(kMonths)) + 1;
  const absl::CivilSecond civil(year, month_number, day, hh, mm, ss);
  if (civil.day() != day || civil.month() != month_number) return bad;
  const int offset = (zone[0] == '-' ? -1 : 1) * (zh * 3600 + zm * 60);
  return absl::FromCivil(civil, absl::UTCTimeZone()) - absl::Seconds(offset);
}

std::string ReplySignature(absl::string_view text) {
  std::vector<absl::string_view> tokens =
      absl::StrSplit(text, absl::ByAnyChar(" \t\r\n"), absl::SkipEmpty());
  while (!tokens.empty() &&
         (absl::StartsWith(tokens.back(), "http://") ||
          absl::StartsWith(tokens.back(), "https://") || IsPartCounter(tokens.back()))) {
    tokens.pop_back();
  }
  if (tokens.empty()) return "";
  absl::string_view last = tokens.back();
  if (last.size() >= 2 && IsSignatureMarker(last[0]) && IsSignatureName(last.substr(1))) {
    return std::string(last.substr(1));  // "-Becky", "^JK", "*TMT"
  }
  if (tokens.size() >= 3 && IsSignatureName(last)) {  // "- Matt", "^ JK"
    absl::string_view marker = tokens[tokens.size() - 2];
    if (marker.size() == 1 && IsSignatureMarker(marker[0])) return std::string(last);
  }
  return "";
}

absl::StatusOr<Trace> ReadTwcsTrace(std::istream& in, const TwcsTraceOptions& options) {
  CsvOptions csv;
  csv.max_field_bytes = 64 * 1024;
  csv.max_fields = 64;
  CsvReader reader(in, csv);
  std::vector<std::string> row;

  absl::StatusOr<bool> more = reader.ReadRecord(&row);
  if (!more.ok()) return more.status();
  if (!*more) return absl::InvalidArgumentError("line 1: empty input, expected a header row");
  absl::StatusOr<std::vector<int>> columns = FindColumns(row, kColumnNames);
  if (!columns.ok()) return columns.status();
  const size_t width = row.size();
  const auto field = [&](Column column) -> const std::string& { return row[(*columns)[column]]; };

  std::vector<Tweet> tweets;
  absl::flat_hash_map<std::string, size_t> by_id;
  for (;;) {
    more = reader.ReadRecord(&row);
    if (!more.ok()) return more.status();
    if (!*more) break;
    const int64_t line = reader.record_line();
    const size_t inbound_at = static_cast<size_t>((*columns)[kInbound]);
    if (row.size() <= inbound_at || absl::StripAsciiWhitespace(row[inbound_at]).empty()) {
      continue;  // the known broken-row shape: drop it
    }
    if (row.size() != width) {
      return absl::InvalidArgumentError(absl::StrCat("line ", line, ", column ", row.size(), ": ",
                                                     row.size(), " fields, expected ", width));
    }
    Tweet tweet;
    absl::string_view inbound = absl::StripAsciiWhitespace(field(kInbound));
    if (inbound == "True") {
      tweet.inbound = true;
    } else if (inbound != "False") {
      return RowError(line, kInbound, "expected True or False");
    }
    if (!ParseTweetId(field(kTweetId), &tweet.id) || tweet.id.empty()) {
      return RowError(line, kTweetId, "expected a tweet id");
    }
    tweet.author = std::string(absl::StripAsciiWhitespace(field(kAuthorId)));
    if (tweet.author.empty() || tweet.author.size() > 64) {
      return RowError(line, kAuthorId, "expected an author id");
    }
    absl::StatusOr<absl::Time> created = ParseTwitterTime(field(kCreatedAt));
    if (!created.ok()) return RowError(line, kCreatedAt, created.status().message());
    tweet.created = *created;
    if (!ParseTweetId(field(kInResponseTo), &tweet.parent)) {
      return RowError(line, kInResponseTo, "expected a tweet id or nothing");
    }
    tweet.text = std::move(row[(*columns)[kText]]);
    if (!by_id.emplace(tweet.id, tweets.size()).second) {
      return RowError(line, kTweetId, "duplicate tweet id");
    }
    tweets.push_back(std::move(tweet));
  }

  // Thread roots, following in_response_to chains (bounded, in case the data has a cycle).
  std::vector<std::string> root(tweets.size());
  for (size_t i = 0; i < tweets.size(); ++i) {
    size_t at = i;
    std::string top = tweets[i].id;
    for (size_t steps = 0; steps <= tweets.size(); ++steps) {
      const std::string& parent = tweets[at].parent;
      if (parent.empty()) {
        top = tweets[at].id;
        break;
      }
      auto it = by_id.find(parent);
      if (it == by_id.end()) {
        top = parent;
        break;
      }
      at = it->second;
      top = tweets[at].id;
    }
    root[i] = std::move(top);
  }

  const auto earlier = [&](size_t a, size_t b) {
    if (tweets[a].created != tweets[b].created) return tweets[a].created < tweets[b].created;
    return tweets[a].id.size() != tweets[b].id.size() ? tweets[a].id.size() < tweets[b].id.size()
                                                      : tweets[a].id < tweets[b].id;
  };

  // Brand replies to each tweet, and the first brand tweet of each thread.
  std::vector<std::vector<size_t>> replies(tweets.size());
  absl::flat_hash_map<std::string, size_t> first_brand_tweet;
  for (size_t i = 0; i < tweets.size(); ++i) {
    if (tweets[i].inbound) continue;
    auto parent = by_id.find(tweets[i].parent);
    if (parent != by_id.end()) replies[parent->second].push_back(i);
    auto [it, inserted] = first_brand_tweet.emplace(root[i], i);
    if (!inserted && earlier(i, it->second)) it->second = i;
  }

  // Inbound tweets in time order, grouped into cases by (thread, customer).
  std::vector<size_t> inbound;
  for (size_t i = 0; i < tweets.size(); ++i) {
    if (tweets[i].inbound && tweets[i].created >= options.not_before) inbound.push_back(i);
  }
  std::sort(inbound.begin(), inbound.end(), earlier);
  std::vector<CaseDraft> drafts;
  absl::flat_hash_map<std::pair<std::string, std::string>, size_t> draft_of;
  for (size_t i : inbound) {
    auto [it, inserted] =
        draft_of.emplace(std::make_pair(root[i], tweets[i].author), drafts.size());
    if (inserted) drafts.emplace_back();
    drafts[it->second].tweets.push_back(i);
  }

  std::vector<TimedTraceCase> cases;
  cases.reserve(drafts.size());
  for (const CaseDraft& draft : drafts) {
    const Tweet& first = tweets[draft.tweets.front()];
    TimedTraceCase timed;
    timed.arrival = first.created;
    TraceCase& c = timed.trace_case;
    CaseSpec& spec = c.spec;
    spec.channel = Channel::kSocial;
    spec.customer_id = absl::StrCat("tw-", first.author);
    spec.idempotency_key = absl::StrCat("twcs-", first.id);
    spec.subject = first.text;
    spec.is_public = true;
    spec.reach = 0;
    c.thread_id = root[draft.tweets.front()];
    for (size_t k = 1; k < draft.tweets.size(); ++k) {
      c.follow_up_messages.push_back(tweets[draft.tweets[k]].text);
    }

    std::optional<size_t> first_reply;
    for (size_t t : draft.tweets) {
      for (size_t r : replies[t]) {
        if (tweets[r].created < first.created) continue;  // clock skew in the data
        if (!first_reply.has_value() || earlier(r, *first_reply)) first_reply = r;
      }
    }
    if (first_reply.has_value()) {
      const Tweet& reply = tweets[*first_reply];
      c.handle_time = reply.created - first.created;
      c.served_by = reply.author;
      if (options.agents_from_signatures) {
        std::string signature = ReplySignature(reply.text);
        if (!signature.empty()) absl::StrAppend(&c.served_by, "/", signature);
      }
    }

    std::string brand;
    auto parent = by_id.find(first.parent);
    if (parent != by_id.end() && !tweets[parent->second].inbound) {
      brand = tweets[parent->second].author;
    } else if (first_reply.has_value()) {
      brand = tweets[*first_reply].author;
    } else if (auto it = first_brand_tweet.find(c.thread_id); it != first_brand_tweet.end()) {
      brand = tweets[it->second].author;
    } else {
      brand = FirstBrandMention(first.text);
    }
    spec.topic = brand.empty() ? "unknown" : absl::AsciiStrToLower(brand);
    if (!brand.empty()) spec.required_skills.push_back(SkillRequirement{spec.topic, 1});
    cases.push_back(std::move(timed));
  }
  return MakeTrace(std::move(cases), options.max_cases, "twcs", absl::UTCTimeZone());
}

absl::StatusOr<Trace> ReadTwcsTraceFile(absl::string_view path, const TwcsTraceOptions& options) {
  std::ifstream in{std::string(path), std::ios::binary};
  if (!in.is_open()) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  return ReadTwcsTrace(in, options);
}

}  // namespace caserouter
