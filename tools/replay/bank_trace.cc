#include "tools/replay/bank_trace.h"

#include <algorithm>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tools/replay/csv_reader.h"

namespace caserouter {
namespace {

// Column order of `wanted` below.
enum Column {
  kVruLine,
  kCallId,
  kCustomerId,
  kPriority,
  kType,
  kDate,
  kVruEntry,
  kVruExit,
  kQStart,
  kQTime,
  kOutcome,
  kSerTime,
  kServer,
  kColumnCount,
};

constexpr absl::string_view kColumnNames[kColumnCount] = {
    "vru+line", "call_id", "customer_id", "priority", "type",     "date",   "vru_entry",
    "vru_exit", "q_start", "q_time",      "outcome",  "ser_time", "server",
};

struct ServiceType {
  absl::string_view code;
  absl::string_view topic;
  absl::string_view language;
};

constexpr ServiceType kServiceTypes[] = {
    {"PS", "retail", "he"}, {"PE", "retail_english", "en"}, {"IN", "internet", "he"},
    {"NE", "stocks", "he"}, {"NW", "new_customer", "he"},   {"TT", "callback", "he"},
};

// Israel Standard Time; Israel's 1999 daylight saving time began on 2 April.
constexpr int kBankUtcOffsetSeconds = 2 * 60 * 60;

class RowParser {
 public:
  RowParser(int64_t line, const std::vector<std::string>& row, const std::vector<int>& columns)
      : line_(line), row_(row), columns_(columns) {}

  absl::string_view Field(Column column) const {
    return absl::StripAsciiWhitespace(row_[columns_[column]]);
  }

  absl::Status Error(Column column, absl::string_view what) const {
    return absl::InvalidArgumentError(
        absl::StrCat("line ", line_, ", column ", kColumnNames[column], ": ", what));
  }

  // A non-negative decimal integer.
  absl::StatusOr<int64_t> Count(Column column) const {
    absl::string_view text = Field(column);
    int64_t value = 0;
    if (text.empty() || text.size() > 18 || !absl::SimpleAtoi(text, &value) || value < 0 ||
        text.find_first_not_of("0123456789") != absl::string_view::npos) {
      return Error(column, "expected a non-negative integer");
    }
    return value;
  }

  // H:MM:SS (hours 0..23) as seconds since midnight.
  absl::StatusOr<int64_t> TimeOfDay(Column column) const {
    absl::string_view text = Field(column);
    size_t first = text.find(':');
    if (first == absl::string_view::npos || first == 0 || first > 2 || text.size() != first + 6 ||
        text[first + 3] != ':') {
      return Error(column, "expected a time H:MM:SS");
    }
    int hours = 0;
    int minutes = 0;
    int seconds = 0;
    if (!Digits(text.substr(0, first), &hours) || !Digits(text.substr(first + 1, 2), &minutes) ||
        !Digits(text.substr(first + 4, 2), &seconds) || hours > 23 || minutes > 59 ||
        seconds > 59) {
      return Error(column, "expected a time H:MM:SS");
    }
    return int64_t{hours} * 3600 + minutes * 60 + seconds;
  }

  // YYMMDD; years 70..99 are 19xx, the rest 20xx.
  absl::StatusOr<absl::CivilDay> Day(Column column) const {
    absl::string_view text = Field(column);
    int yy = 0;
    int mm = 0;
    int dd = 0;
    if (text.size() != 6 || !Digits(text.substr(0, 2), &yy) || !Digits(text.substr(2, 2), &mm) ||
        !Digits(text.substr(4, 2), &dd) || mm < 1 || mm > 12 || dd < 1 || dd > 31) {
      return Error(column, "expected a date YYMMDD");
    }
    const int year = yy >= 70 ? 1900 + yy : 2000 + yy;
    absl::CivilDay day(year, mm, dd);
    if (day.month() != mm || day.day() != dd) return Error(column, "no such date");
    return day;
  }

 private:
  static bool Digits(absl::string_view text, int* value) {
    if (text.empty()) return false;
    int result = 0;
    for (char c : text) {
      if (c < '0' || c > '9') return false;
      result = result * 10 + (c - '0');
    }
    *value = result;
    return true;
  }

  int64_t line_;
  const std::vector<std::string>& row_;
  const std::vector<int>& columns_;
};

// "0", "23317894" or the mangled "6.02701E+11".
bool IsCustomerId(absl::string_view text) {
  if (text.empty() || text.size() > 20) return false;
  size_t i = 0;
  const auto digits = [&] {
    const size_t from = i;
    while (i < text.size() && absl::ascii_isdigit(static_cast<unsigned char>(text[i]))) ++i;
    return i > from;
  };
  if (!digits()) return false;
  if (i == text.size()) return true;
  if (text[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i + 1 >= text.size() || (text[i] != 'E' && text[i] != 'e') || text[i + 1] != '+') {
    return false;
  }
  i += 2;
  return digits() && i == text.size();
}

absl::StatusOr<TimedTraceCase> ParseRow(const RowParser& row, absl::TimeZone zone) {
  TimedTraceCase timed;
  TraceCase& c = timed.trace_case;
  CaseSpec& spec = c.spec;
  spec.channel = Channel::kPhone;

  absl::string_view vru_line = row.Field(kVruLine);
  if (vru_line.empty() || vru_line.size() > 16 ||
      !std::all_of(vru_line.begin(), vru_line.end(),
                   [](char ch) { return absl::ascii_isalnum(static_cast<unsigned char>(ch)); })) {
    return row.Error(kVruLine, "expected a VRU line id");
  }
  absl::StatusOr<int64_t> call_id = row.Count(kCallId);
  if (!call_id.ok()) return call_id.status();
  // Digits; 21 rows hold ids a spreadsheet turned into "6.02701E+11" (precision lost): those
  // are kept verbatim, so callers that collapsed into one rounded number share an id.
  absl::string_view customer = row.Field(kCustomerId);
  if (!IsCustomerId(customer)) return row.Error(kCustomerId, "expected an id");
  const bool identified = customer.find_first_not_of('0') != absl::string_view::npos;
  absl::StatusOr<int64_t> priority = row.Count(kPriority);
  if (!priority.ok()) return priority.status();
  if (*priority > 2) return row.Error(kPriority, "expected 0, 1 or 2");
  absl::StatusOr<absl::CivilDay> day = row.Day(kDate);
  if (!day.ok()) return day.status();
  absl::StatusOr<int64_t> vru_entry = row.TimeOfDay(kVruEntry);
  if (!vru_entry.ok()) return vru_entry.status();
  absl::StatusOr<int64_t> vru_exit = row.TimeOfDay(kVruExit);
  if (!vru_exit.ok()) return vru_exit.status();
  absl::StatusOr<int64_t> q_start = row.TimeOfDay(kQStart);
  if (!q_start.ok()) return q_start.status();
  absl::StatusOr<int64_t> q_time = row.Count(kQTime);
  if (!q_time.ok()) return q_time.status();
  absl::StatusOr<int64_t> ser_time = row.Count(kSerTime);
  if (!ser_time.ok()) return ser_time.status();

  const ServiceType* type = nullptr;
  for (const ServiceType& candidate : kServiceTypes) {
    if (row.Field(kType) == candidate.code) type = &candidate;
  }
  if (type == nullptr) return row.Error(kType, "unknown service type");

  absl::string_view outcome = row.Field(kOutcome);
  if (outcome != "AGENT" && outcome != "HANG") {
    return row.Error(kOutcome, "expected AGENT, HANG or PHANTOM");
  }
  absl::string_view server = row.Field(kServer);
  if (server.empty()) return row.Error(kServer, "empty; expected a name or NO_SERVER");

  // `q_start` 0:00:00 with no queue time = never queued (one call did queue at midnight).
  const bool queued = *q_start != 0 || *q_time > 0;
  int64_t arrival_seconds = queued ? *q_start : *vru_exit;
  if (arrival_seconds + 12 * 3600 < *vru_entry) arrival_seconds += 24 * 3600;  // past midnight
  timed.arrival = absl::FromCivil(absl::CivilSecond(*day), zone) + absl::Seconds(arrival_seconds);

  spec.topic = std::string(type->topic);
  spec.language = std::string(type->language);
  spec.required_skills.push_back(SkillRequirement{spec.topic, 1});
  spec.customer_id = identified ? absl::StrCat("bank-", customer)
                                : absl::StrCat("bank-anon-", vru_line, "-", *call_id);
  if (*priority == 2) {
    spec.explicit_priority = 50;
    spec.customer_value = 1000;
  } else {
    spec.customer_value = 100;
  }
  spec.idempotency_key = absl::StrCat("bank-", vru_line, "-", *call_id, "-", row.Field(kDate));

  c.handle_time = absl::Seconds(*ser_time);
  c.abandoned = outcome == "HANG";
  c.patience = c.abandoned ? absl::Seconds(*q_time) : absl::InfiniteDuration();
  if (server != "NO_SERVER") c.served_by = std::string(server);
  return timed;
}

}  // namespace

absl::StatusOr<Trace> ReadBankTrace(std::istream& in, const BankTraceOptions& options) {
  CsvOptions csv;
  csv.delimiter = '\t';
  csv.quote = '\0';
  csv.max_field_bytes = 256;
  csv.max_fields = 64;
  CsvReader reader(in, csv);
  std::vector<std::string> row;

  absl::StatusOr<bool> more = reader.ReadRecord(&row);
  if (!more.ok()) return more.status();
  if (!*more) return absl::InvalidArgumentError("line 1: empty input, expected a header row");
  for (std::string& name : row) absl::StripAsciiWhitespace(&name);
  absl::StatusOr<std::vector<int>> columns = FindColumns(row, kColumnNames);
  if (!columns.ok()) return columns.status();
  const size_t width = row.size();

  const absl::TimeZone zone = absl::FixedTimeZone(kBankUtcOffsetSeconds);
  std::vector<TimedTraceCase> cases;
  for (;;) {
    more = reader.ReadRecord(&row);
    if (!more.ok()) return more.status();
    if (!*more) break;
    const int64_t line = reader.record_line();
    if (row.size() != width) {
      return absl::InvalidArgumentError(absl::StrCat("line ", line, ", column ", row.size(), ": ",
                                                     row.size(), " fields, expected ", width));
    }
    RowParser parser(line, row, *columns);
    if (parser.Field(kOutcome) == "PHANTOM") continue;
    // PHANTOM rows and rows outside the date range are skipped; of the latter only the date
    // is checked.
    absl::StatusOr<absl::CivilDay> day = parser.Day(kDate);
    if (!day.ok()) return day.status();
    if (options.first_day.has_value() && *day < *options.first_day) continue;
    if (options.last_day.has_value() && *day > *options.last_day) continue;
    absl::StatusOr<TimedTraceCase> timed = ParseRow(parser, zone);
    if (!timed.ok()) return timed.status();
    cases.push_back(*std::move(timed));
  }

  std::string name = "anonymous-bank";
  if (options.first_day.has_value() || options.last_day.has_value()) {
    absl::StrAppend(
        &name, "-", options.first_day.has_value() ? absl::FormatCivilTime(*options.first_day) : "",
        "..", options.last_day.has_value() ? absl::FormatCivilTime(*options.last_day) : "");
  }
  return MakeTrace(std::move(cases), options.max_cases, std::move(name), zone);
}

absl::StatusOr<Trace> ReadBankTraceFile(absl::string_view path, const BankTraceOptions& options) {
  std::ifstream in{std::string(path), std::ios::binary};
  if (!in.is_open()) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  return ReadBankTrace(in, options);
}

}  // namespace caserouter
