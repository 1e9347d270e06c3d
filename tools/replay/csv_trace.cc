#include "tools/replay/csv_trace.h"

#include <cmath>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "agents/channel.h"
#include "router/model/validation.h"
#include "tools/replay/csv_reader.h"

namespace caserouter {
namespace {

constexpr absl::string_view kRequired[] = {"arrival_time", "channel", "topic", "customer"};
constexpr absl::string_view kOptional[] = {"handle_seconds", "patience_seconds", "agent",
                                           "language"};

absl::Status RowError(int64_t line, absl::string_view column, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("line ", line, ", column ", column, ": ", what));
}

// Seconds >= 0, or empty (nullopt).
absl::StatusOr<std::optional<double>> OptionalSeconds(int64_t line, absl::string_view column,
                                                      absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  if (text.empty()) return std::optional<double>();
  double seconds = 0;
  if (!absl::SimpleAtod(text, &seconds) || !std::isfinite(seconds) || seconds < 0) {
    return RowError(line, column, "must be a number of seconds >= 0, or empty");
  }
  return std::optional<double>(seconds);
}

absl::StatusOr<absl::Time> ArrivalTime(int64_t line, absl::string_view text) {
  text = absl::StripAsciiWhitespace(text);
  double seconds = 0;
  if (absl::SimpleAtod(text, &seconds)) {
    if (!std::isfinite(seconds)) return RowError(line, "arrival_time", "must be finite");
    return absl::UnixEpoch() + absl::Seconds(seconds);
  }
  absl::Time t;
  std::string error;
  if (!absl::ParseTime(absl::RFC3339_full, std::string(text), &t, &error)) {
    return RowError(line, "arrival_time",
                    "must be RFC 3339 (2024-03-04T09:00:05Z) or a number of seconds");
  }
  return t;
}

}  // namespace

absl::StatusOr<Trace> ReadCsvTrace(std::istream& in, const CsvTraceOptions& options) {
  CsvReader reader(in);
  std::vector<std::string> row;
  absl::StatusOr<bool> more = reader.ReadRecord(&row);
  if (!more.ok()) return more.status();
  if (!*more) return absl::InvalidArgumentError("line 1: no header row");
  for (std::string& name : row) name = absl::AsciiStrToLower(absl::StripAsciiWhitespace(name));
  const std::vector<std::string> header = row;
  absl::StatusOr<std::vector<int>> required = FindColumns(header, kRequired);
  if (!required.ok()) return required.status();
  std::vector<int> optional;
  for (absl::string_view name : kOptional) {
    int index = -1;
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) {
        index = static_cast<int>(i);
        break;
      }
    }
    optional.push_back(index);
  }
  auto field = [&](int index) -> absl::string_view {
    return index >= 0 && static_cast<size_t>(index) < row.size() ? absl::string_view(row[index])
                                                                 : absl::string_view();
  };

  std::vector<TimedTraceCase> cases;
  for (;;) {
    more = reader.ReadRecord(&row);
    if (!more.ok()) return more.status();
    if (!*more) break;
    const int64_t line = reader.record_line();
    TimedTraceCase timed;
    TraceCase& c = timed.trace_case;
    absl::StatusOr<absl::Time> arrival = ArrivalTime(line, field((*required)[0]));
    if (!arrival.ok()) return arrival.status();
    timed.arrival = *arrival;
    std::optional<Channel> channel =
        ParseChannel(absl::AsciiStrToLower(absl::StripAsciiWhitespace(field((*required)[1]))));
    if (!channel) return RowError(line, "channel", "must be phone, chat, social or email");
    c.spec.channel = *channel;
    c.spec.topic = std::string(absl::StripAsciiWhitespace(field((*required)[2])));
    c.spec.customer_id = std::string(absl::StripAsciiWhitespace(field((*required)[3])));
    c.spec.required_skills = {{c.spec.topic, 1}};
    c.spec.language = std::string(absl::StripAsciiWhitespace(field(optional[3])));
    c.spec.idempotency_key = absl::StrCat("csv-", line);
    c.spec.has_sentiment = true;  // no text to estimate it from: neutral
    if (absl::Status s = ValidateCaseSpec(c.spec); !s.ok()) {
      // The engine's rule names the field as the API spells it; say which column holds it.
      std::string message(s.message());
      absl::string_view column = absl::StartsWith(message, "customer_id") ? "customer"
                                 : absl::StartsWith(message, "language")  ? "language"
                                                                          : "topic";
      return RowError(line, column, message);
    }
    absl::StatusOr<std::optional<double>> handle =
        OptionalSeconds(line, "handle_seconds", field(optional[0]));
    if (!handle.ok()) return handle.status();
    if (*handle) c.handle_time = absl::Seconds(**handle);
    absl::StatusOr<std::optional<double>> patience =
        OptionalSeconds(line, "patience_seconds", field(optional[1]));
    if (!patience.ok()) return patience.status();
    if (*patience) c.patience = absl::Seconds(**patience);
    c.served_by = std::string(absl::StripAsciiWhitespace(field(optional[2])));
    cases.push_back(std::move(timed));
  }
  return MakeTrace(std::move(cases), options.max_cases, options.name, options.zone);
}

absl::StatusOr<Trace> ReadCsvTraceFile(absl::string_view path, const CsvTraceOptions& options) {
  std::ifstream in{std::string(path), std::ios::binary};
  if (!in) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  return ReadCsvTrace(in, options);
}

}  // namespace caserouter
