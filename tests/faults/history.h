// The history of a fault run: what every client saw, as JSON lines of HistoryRecord
// (history.proto). The recorder is shared by every thread of a run; the checker
// (history_checker.h) reads the same form back, from a run or from a hand-written file.
//
//   HistoryRecorder history(dir + "/history.jsonl");
//   HistoryRecord r;
//   r.set_kind("submit"); r.set_key("k-1"); r.set_code("OK"); r.set_case_id(id);
//   history.Record(std::move(r));          // time_micros = now unless set
//   std::vector<HistoryRecord> all = history.Snapshot();
//
// Thread safety: HistoryRecorder is thread-safe; the functions are pure.
// Errors: ParseHistory returns INVALID_ARGUMENT naming the line that is not a record.
#ifndef CASEROUTER_TESTS_FAULTS_HISTORY_H_
#define CASEROUTER_TESTS_FAULTS_HISTORY_H_

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "history.pb.h"

namespace caserouter::faults {

class HistoryRecorder {
 public:
  // `path` empty: memory only. Otherwise every record is also appended (and flushed) to it.
  explicit HistoryRecorder(const std::string& path = "");
  void Record(HistoryRecord record);
  std::vector<HistoryRecord> Snapshot() const;
  size_t size() const;

 private:
  mutable absl::Mutex mu_;
  std::vector<HistoryRecord> records_ ABSL_GUARDED_BY(mu_);
  std::ofstream file_ ABSL_GUARDED_BY(mu_);
};

// One record as one line of JSON (no newline).
std::string ToJsonLine(const HistoryRecord& record);
// Every non-empty line of `jsonl` as a record.
absl::StatusOr<std::vector<HistoryRecord>> ParseHistory(absl::string_view jsonl);
absl::StatusOr<std::vector<HistoryRecord>> ReadHistory(const std::string& path);

// gRPC status code names as the history writes them ("OK", "UNAVAILABLE", ...).
std::string CodeName(int code);

}  // namespace caserouter::faults

#endif  // CASEROUTER_TESTS_FAULTS_HISTORY_H_
