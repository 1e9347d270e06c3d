#include "tests/faults/history.h"

#include <sstream>
#include <utility>

#include <google/protobuf/util/json_util.h>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"

namespace caserouter::faults {

HistoryRecorder::HistoryRecorder(const std::string& path) {
  if (!path.empty()) file_.open(path, std::ios::out | std::ios::trunc);
}

void HistoryRecorder::Record(HistoryRecord record) {
  if (record.time_micros() == 0) record.set_time_micros(absl::ToUnixMicros(absl::Now()));
  absl::MutexLock lock(&mu_);
  if (file_.is_open()) {
    file_ << ToJsonLine(record) << '\n';
    file_.flush();
  }
  records_.push_back(std::move(record));
}

std::vector<HistoryRecord> HistoryRecorder::Snapshot() const {
  absl::MutexLock lock(&mu_);
  return records_;
}

size_t HistoryRecorder::size() const {
  absl::MutexLock lock(&mu_);
  return records_.size();
}

std::string ToJsonLine(const HistoryRecord& record) {
  std::string out;
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  (void)google::protobuf::util::MessageToJsonString(record, &out, options);
  return out;
}

absl::StatusOr<std::vector<HistoryRecord>> ParseHistory(absl::string_view jsonl) {
  std::vector<HistoryRecord> records;
  int line_number = 0;
  for (absl::string_view line : absl::StrSplit(jsonl, '\n')) {
    ++line_number;
    line = absl::StripAsciiWhitespace(line);
    if (line.empty()) continue;
    HistoryRecord record;
    if (!google::protobuf::util::JsonStringToMessage(std::string(line), &record).ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("history line ", line_number, ": not a HistoryRecord"));
    }
    records.push_back(std::move(record));
  }
  return records;
}

absl::StatusOr<std::vector<HistoryRecord>> ReadHistory(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  return ParseHistory(text.str());
}

std::string CodeName(int code) {
  static const char* const kNames[] = {"OK",
                                       "CANCELLED",
                                       "UNKNOWN",
                                       "INVALID_ARGUMENT",
                                       "DEADLINE_EXCEEDED",
                                       "NOT_FOUND",
                                       "ALREADY_EXISTS",
                                       "PERMISSION_DENIED",
                                       "RESOURCE_EXHAUSTED",
                                       "FAILED_PRECONDITION",
                                       "ABORTED",
                                       "OUT_OF_RANGE",
                                       "UNIMPLEMENTED",
                                       "INTERNAL",
                                       "UNAVAILABLE",
                                       "DATA_LOSS",
                                       "UNAUTHENTICATED"};
  if (code < 0 || code >= static_cast<int>(sizeof(kNames) / sizeof(kNames[0]))) {
    return absl::StrCat("CODE_", code);
  }
  return kNames[code];
}

}  // namespace caserouter::faults
