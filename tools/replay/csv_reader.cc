#include "tools/replay/csv_reader.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace caserouter {
namespace {

constexpr int kEof = std::char_traits<char>::eof();

absl::Status Malformed(int64_t line, size_t column, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("line ", line, ", column ", column, ": ", what));
}

}  // namespace

CsvReader::CsvReader(std::istream& in, CsvOptions options)
    : buf_(in.rdbuf()), options_(std::move(options)) {}

int CsvReader::Peek() {
  if (pending_pos_ < pending_.size()) {
    return static_cast<unsigned char>(pending_[pending_pos_]);
  }
  return buf_ == nullptr ? kEof : buf_->sgetc();
}

int CsvReader::Bump() {
  if (pending_pos_ < pending_.size()) {
    return static_cast<unsigned char>(pending_[pending_pos_++]);
  }
  return buf_ == nullptr ? kEof : buf_->sbumpc();
}

absl::StatusOr<bool> CsvReader::ReadRecord(std::vector<std::string>* fields) {
  fields->clear();
  if (!started_) {
    started_ = true;
    // Skip a UTF-8 byte order mark; keep whatever else was read ahead.
    static constexpr unsigned char kBom[3] = {0xEF, 0xBB, 0xBF};
    size_t matched = 0;
    while (matched < 3 && buf_ != nullptr && buf_->sgetc() == kBom[matched]) {
      pending_.push_back(static_cast<char>(buf_->sbumpc()));
      ++matched;
    }
    if (matched == 3) pending_.clear();
    pending_pos_ = 0;
  }

  // Empty lines between records.
  for (;;) {
    int c = Peek();
    if (c == kEof) return false;
    if (!options_.skip_empty_lines) break;
    if (c == '\n') {
      Bump();
      ++line_;
      continue;
    }
    if (c == '\r') {
      Bump();
      if (Peek() == '\n') {
        Bump();
        ++line_;
        continue;
      }
      // A lone CR at the start of a record is data of its first field.
      pending_.assign(1, '\r');
      pending_pos_ = 0;
    }
    break;
  }

  record_line_ = line_;
  const char delimiter = options_.delimiter;
  const char quote = options_.quote;
  std::string field;
  for (;;) {  // one field per iteration
    const size_t column = fields->size() + 1;
    if (column > options_.max_fields) {
      return Malformed(line_, column, absl::StrCat("more than ", options_.max_fields, " fields"));
    }
    field.clear();
    int c = Peek();
    if (quote != '\0' && c == static_cast<unsigned char>(quote)) {
      const int64_t opened_on = line_;
      Bump();
      for (;;) {
        c = Bump();
        if (c == kEof) return Malformed(opened_on, column, "unterminated quoted field");
        if (c == static_cast<unsigned char>(quote)) {
          if (Peek() == static_cast<unsigned char>(quote)) {
            Bump();
            field.push_back(quote);
            continue;
          }
          break;
        }
        if (c == '\n') ++line_;
        field.push_back(static_cast<char>(c));
        if (field.size() > options_.max_field_bytes) {
          return Malformed(opened_on, column,
                           absl::StrCat("field longer than ", options_.max_field_bytes, " bytes"));
        }
      }
      // After the closing quote: a delimiter, a line end or the end of the input.
      c = Peek();
      if (c == static_cast<unsigned char>(delimiter)) {
        Bump();
        fields->push_back(std::move(field));
        continue;
      }
      if (c == kEof) {
        fields->push_back(std::move(field));
        return true;
      }
      if (c == '\n') {
        Bump();
        ++line_;
        fields->push_back(std::move(field));
        return true;
      }
      if (c == '\r') {
        Bump();
        if (Peek() == '\n') {
          Bump();
          ++line_;
          fields->push_back(std::move(field));
          return true;
        }
      }
      return Malformed(line_, column, "unexpected character after a closing quote");
    }

    for (;;) {  // unquoted field
      c = Peek();
      if (c == kEof) {
        fields->push_back(std::move(field));
        return true;
      }
      if (c == static_cast<unsigned char>(delimiter)) {
        Bump();
        fields->push_back(std::move(field));
        break;
      }
      if (c == '\n') {
        Bump();
        ++line_;
        fields->push_back(std::move(field));
        return true;
      }
      Bump();
      if (c == '\r' && Peek() == '\n') {
        Bump();
        ++line_;
        fields->push_back(std::move(field));
        return true;
      }
      field.push_back(static_cast<char>(c));  // a lone CR is data too
      if (field.size() > options_.max_field_bytes) {
        return Malformed(line_, column,
                         absl::StrCat("field longer than ", options_.max_field_bytes, " bytes"));
      }
    }
  }
}

absl::StatusOr<std::vector<int>> FindColumns(const std::vector<std::string>& header,
                                             absl::Span<const absl::string_view> wanted) {
  std::vector<int> indices;
  indices.reserve(wanted.size());
  for (absl::string_view name : wanted) {
    int found = -1;
    for (size_t i = 0; i < header.size(); ++i) {
      if (header[i] == name) {
        found = static_cast<int>(i);
        break;
      }
    }
    if (found < 0) {
      return absl::InvalidArgumentError(absl::StrCat("header: missing column ", name));
    }
    indices.push_back(found);
  }
  return indices;
}

}  // namespace caserouter
