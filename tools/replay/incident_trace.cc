#include "tools/replay/incident_trace.h"

#include <algorithm>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "absl/time/civil_time.h"
#include "tools/replay/csv_reader.h"

namespace caserouter {
namespace {

enum Column {
  kNumber,
  kReassignmentCount,
  kCallerId,
  kOpenedAt,
  kCategory,
  kPriority,
  kAssignmentGroup,
  kResolvedBy,
  kResolvedAt,
  kColumnCount,
};

constexpr absl::string_view kColumnNames[kColumnCount] = {
    "number",   "reassignment_count", "caller_id",   "opened_at",   "category",
    "priority", "assignment_group",   "resolved_by", "resolved_at",
};

absl::Status RowError(int64_t line, Column column, absl::string_view what) {
  return absl::InvalidArgumentError(
      absl::StrCat("line ", line, ", column ", kColumnNames[column], ": ", what));
}

bool IsMissing(absl::string_view value) { return value.empty() || value == "?"; }

bool Digits(absl::string_view text, int* value) {
  if (text.empty() || text.size() > 4) return false;
  int result = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    result = result * 10 + (c - '0');
  }
  *value = result;
  return true;
}

// "DD-MM-YYYY HH:MM" in UTC.
std::optional<absl::Time> ParseLogTime(absl::string_view text) {
  int day = 0;
  int month = 0;
  int year = 0;
  int hour = 0;
  int minute = 0;
  if (text.size() != 16 || text[2] != '-' || text[5] != '-' || text[10] != ' ' || text[13] != ':' ||
      !Digits(text.substr(0, 2), &day) || !Digits(text.substr(3, 2), &month) ||
      !Digits(text.substr(6, 4), &year) || !Digits(text.substr(11, 2), &hour) ||
      !Digits(text.substr(14, 2), &minute) || hour > 23 || minute > 59) {
    return std::nullopt;
  }
  absl::CivilMinute civil(year, month, day, hour, minute);
  if (civil.year() != year || civil.month() != month || civil.day() != day) return std::nullopt;
  return absl::FromCivil(civil, absl::UTCTimeZone());
}

// "Caller 2403" → "caller_2403"; "Category 55" → "category_55".
std::string Word(absl::string_view text) {
  return absl::AsciiStrToLower(absl::StrReplaceAll(text, {{" ", "_"}}));
}

// What we know of one incident while reading its events.
struct Incident {
  std::string number;
  absl::Time opened;
  std::string caller;
  int priority = 0;  // 1..4, 0 = missing
  std::string category;
  std::string group;
  std::string resolved_by;
  std::optional<absl::Time> resolved;
  int transfers = 0;
};

TimedTraceCase ToCase(const Incident& incident, const IncidentTraceOptions& options) {
  TimedTraceCase timed;
  timed.arrival = incident.opened;
  TraceCase& c = timed.trace_case;
  CaseSpec& spec = c.spec;
  static constexpr int kExplicitPriority[] = {0, 90, 60, 30, 10};
  spec.explicit_priority = kExplicitPriority[incident.priority];
  spec.channel =
      (incident.priority == 1 || incident.priority == 2) ? Channel::kChat : Channel::kEmail;
  spec.topic = incident.category.empty() ? "uncategorised" : Word(incident.category);
  if (!incident.group.empty()) spec.required_skills.push_back({Word(incident.group), 1});
  spec.customer_id = incident.caller.empty() ? absl::StrCat("inc-anon-", incident.number)
                                             : absl::StrCat("inc-", Word(incident.caller));
  spec.idempotency_key = absl::StrCat("inc-", incident.number);
  c.thread_id = spec.idempotency_key;
  c.served_by = incident.resolved_by;
  if (incident.resolved.has_value() && *incident.resolved > incident.opened) {
    c.handle_time = std::min(*incident.resolved - incident.opened, options.max_handle_time);
  }
  c.transfers = incident.transfers;
  return timed;
}

}  // namespace

absl::StatusOr<Trace> ReadIncidentTrace(std::istream& in, const IncidentTraceOptions& options) {
  CsvOptions csv;
  csv.max_field_bytes = 4096;
  csv.max_fields = 256;
  CsvReader reader(in, csv);
  std::vector<std::string> row;

  absl::StatusOr<bool> more = reader.ReadRecord(&row);
  if (!more.ok()) return more.status();
  if (!*more) return absl::InvalidArgumentError("line 1: empty input, expected a header row");
  for (std::string& name : row) absl::StripAsciiWhitespace(&name);
  absl::StatusOr<std::vector<int>> columns = FindColumns(row, kColumnNames);
  if (!columns.ok()) return columns.status();
  const size_t width = row.size();

  std::vector<TimedTraceCase> cases;
  absl::flat_hash_set<std::string> finished;
  std::optional<Incident> current;
  for (;;) {
    more = reader.ReadRecord(&row);
    if (!more.ok()) return more.status();
    if (!*more) break;
    const int64_t line = reader.record_line();
    if (row.size() != width) {
      return absl::InvalidArgumentError(absl::StrCat("line ", line, ", column ", row.size(), ": ",
                                                     row.size(), " fields, expected ", width));
    }
    const auto field = [&](Column column) {
      return absl::StripAsciiWhitespace(row[(*columns)[column]]);
    };

    absl::string_view number = field(kNumber);
    if (IsMissing(number) || number.size() > 64) {
      return RowError(line, kNumber, "expected an incident number");
    }
    if (!current.has_value() || current->number != number) {
      if (current.has_value()) {
        cases.push_back(ToCase(*current, options));
        finished.insert(current->number);
      }
      if (finished.contains(number)) {
        return RowError(line, kNumber, "events of one incident are not contiguous");
      }
      current.emplace();
      current->number = std::string(number);
      std::optional<absl::Time> opened = ParseLogTime(field(kOpenedAt));
      if (!opened.has_value()) return RowError(line, kOpenedAt, "expected DD-MM-YYYY HH:MM");
      current->opened = *opened;
      absl::string_view priority = field(kPriority);
      if (!IsMissing(priority)) {
        if (priority[0] < '1' || priority[0] > '4' || (priority.size() > 1 && priority[1] != ' ')) {
          return RowError(line, kPriority, "expected 1..4 or ?");
        }
        current->priority = priority[0] - '0';
      }
      if (!IsMissing(field(kCallerId))) current->caller = std::string(field(kCallerId));
    }
    Incident& incident = *current;

    int transfers = 0;
    if (!Digits(field(kReassignmentCount), &transfers)) {
      return RowError(line, kReassignmentCount, "expected a non-negative integer");
    }
    incident.transfers = std::max(incident.transfers, transfers);
    if (incident.category.empty() && !IsMissing(field(kCategory))) {
      incident.category = std::string(field(kCategory));
    }
    if (incident.group.empty() && !IsMissing(field(kAssignmentGroup))) {
      incident.group = std::string(field(kAssignmentGroup));
    }
    if (incident.resolved_by.empty() && !IsMissing(field(kResolvedBy))) {
      incident.resolved_by = std::string(field(kResolvedBy));
    }
    if (!incident.resolved.has_value() && !IsMissing(field(kResolvedAt))) {
      incident.resolved = ParseLogTime(field(kResolvedAt));
      if (!incident.resolved.has_value()) {
        return RowError(line, kResolvedAt, "expected DD-MM-YYYY HH:MM or ?");
      }
    }
  }
  if (current.has_value()) cases.push_back(ToCase(*current, options));
  return MakeTrace(std::move(cases), options.max_cases, "incident-event-log", absl::UTCTimeZone());
}

absl::StatusOr<Trace> ReadIncidentTraceFile(absl::string_view path,
                                            const IncidentTraceOptions& options) {
  std::ifstream in{std::string(path), std::ios::binary};
  if (!in.is_open()) return absl::NotFoundError(absl::StrCat("cannot open ", path));
  return ReadIncidentTrace(in, options);
}

}  // namespace caserouter
