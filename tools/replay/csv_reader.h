// CsvReader: an RFC 4180 reader for delimited text (CSV, TSV) from a std::istream.
//
// What it accepts, beyond the letter of RFC 4180 and on purpose:
//  - records end with CRLF or LF; the last record may lack a line end;
//  - inside a quoted field anything goes, including the delimiter, CR, LF and doubled quotes
//    ("" = one quote character);
//  - a CR that is not followed by LF inside an unquoted field is data, not a line end (the
//    twcs sample holds one tweet whose text has an unquoted "\r\r"; reading it as data keeps
//    the row whole instead of splitting it into three broken ones);
//  - a quote in the middle of an unquoted field is data (`5" screen`);
//  - a UTF-8 byte order mark at the start of the input is skipped;
//  - empty lines are skipped (CsvOptions::skip_empty_lines).
// What it refuses, with INVALID_ARGUMENT naming the line and the 1-based column, never the
// content (fields are customer text): a quoted field still open at the end of the input,
// anything but a delimiter or a line end after a closing quote, a field longer than
// max_field_bytes, a record with more than max_fields fields.
//
//   std::ifstream in(path, std::ios::binary);
//   CsvReader reader(in);
//   std::vector<std::string> row;
//   for (;;) {
//     absl::StatusOr<bool> more = reader.ReadRecord(&row);
//     if (!more.ok()) return more.status();
//     if (!*more) break;
//     ... row[i] ...
//   }
//
// Thread safety: a CsvReader is used by one thread at a time. It does not own the stream; the
// stream must outlive it. A read error of the stream looks like the end of the input.
#ifndef CASEROUTER_TOOLS_REPLAY_CSV_READER_H_
#define CASEROUTER_TOOLS_REPLAY_CSV_READER_H_

#include <cstddef>
#include <cstdint>
#include <istream>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace caserouter {

struct CsvOptions {
  char delimiter = ',';
  char quote = '"';  // '\0': no quoting at all; every quote character is data
  bool skip_empty_lines = true;
  size_t max_field_bytes = size_t{1} << 20;
  size_t max_fields = 1024;
};

class CsvReader {
 public:
  explicit CsvReader(std::istream& in, CsvOptions options = {});

  CsvReader(const CsvReader&) = delete;
  CsvReader& operator=(const CsvReader&) = delete;

  // Reads the next record into *fields (replacing its content). true: a record was read;
  // false: the input is exhausted. After an error the reader must not be used again.
  absl::StatusOr<bool> ReadRecord(std::vector<std::string>* fields);

  // The 1-based line on which the last record read began (a quoted field may span lines).
  int64_t record_line() const { return record_line_; }

 private:
  int Peek();
  int Bump();

  std::streambuf* buf_;
  CsvOptions options_;
  std::string pending_;  // bytes read ahead while looking for a byte order mark
  size_t pending_pos_ = 0;
  bool started_ = false;
  int64_t line_ = 1;
  int64_t record_line_ = 0;
};

// Maps each name in `wanted` to its index in `header` (the first match). INVALID_ARGUMENT
// naming the first column that is missing.
absl::StatusOr<std::vector<int>> FindColumns(const std::vector<std::string>& header,
                                             absl::Span<const absl::string_view> wanted);

}  // namespace caserouter

#endif  // CASEROUTER_TOOLS_REPLAY_CSV_READER_H_
