#include "tools/replay/csv_reader.h"

#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace caserouter {
namespace {

using Rows = std::vector<std::vector<std::string>>;

absl::StatusOr<Rows> ReadAll(const std::string& text, CsvOptions options = {}) {
  std::istringstream in(text);
  CsvReader reader(in, options);
  Rows rows;
  std::vector<std::string> row;
  for (;;) {
    absl::StatusOr<bool> more = reader.ReadRecord(&row);
    if (!more.ok()) return more.status();
    if (!*more) return rows;
    rows.push_back(row);
  }
}

TEST(CsvReaderTest, PlainRecordsWithLfAndCrlf) {
  absl::StatusOr<Rows> rows = ReadAll("a,b,c\n1,2,3\r\nx,,z\n");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows, (Rows{{"a", "b", "c"}, {"1", "2", "3"}, {"x", "", "z"}}));
}

TEST(CsvReaderTest, LastRecordWithoutLineEnd) {
  absl::StatusOr<Rows> rows = ReadAll("a,b\n1,2");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows, (Rows{{"a", "b"}, {"1", "2"}}));
}

TEST(CsvReaderTest, TrailingDelimiterMeansAnEmptyLastField) {
  absl::StatusOr<Rows> rows = ReadAll("a,\n,\n");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows, (Rows{{"a", ""}, {"", ""}}));
}

TEST(CsvReaderTest, QuotedFieldsHoldDelimitersQuotesAndLineEnds) {
  absl::StatusOr<Rows> rows = ReadAll(
      "id,text\n"
      "1,\"hello, world\"\n"
      "2,\"she said \"\"no\"\"\"\n"
      "3,\"two\nlines\r\nand crlf\"\n"
      "4,\"\"\n");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 5u);
  EXPECT_EQ((*rows)[1], (std::vector<std::string>{"1", "hello, world"}));
  EXPECT_EQ((*rows)[2], (std::vector<std::string>{"2", "she said \"no\""}));
  EXPECT_EQ((*rows)[3], (std::vector<std::string>{"3", "two\nlines\r\nand crlf"}));
  EXPECT_EQ((*rows)[4], (std::vector<std::string>{"4", ""}));
}

TEST(CsvReaderTest, PandasStyleRowWithCommaSeparatedIdsAndFloatIds) {
  absl::StatusOr<Rows> rows = ReadAll(
      ",tweet_id,text,response_tweet_id,in_response_to_tweet_id\n"
      "5,6,\"@x Can you, please?\",\"5,7\",8.0\n");
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0][0], "");
  EXPECT_EQ((*rows)[1], (std::vector<std::string>{"5", "6", "@x Can you, please?", "5,7", "8.0"}));
}

TEST(CsvReaderTest, LoneCrInUnquotedFieldIsData) {
  // The shape of the broken twcs row: "\r\r" inside an unquoted text field.
  absl::StatusOr<Rows> rows = ReadAll("1,@Brand \r\rI love it,3398,\n2,b,,\n");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows, (Rows{{"1", "@Brand \r\rI love it", "3398", ""}, {"2", "b", "", ""}}));
}

TEST(CsvReaderTest, QuoteInsideUnquotedFieldIsData) {
  absl::StatusOr<Rows> rows = ReadAll("a 5\" screen,b\n");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows, (Rows{{"a 5\" screen", "b"}}));
}

TEST(CsvReaderTest, SkipsByteOrderMarkAndEmptyLines) {
  absl::StatusOr<Rows> rows = ReadAll("\xEF\xBB\xBFh1,h2\n\n\r\n1,2\n\n");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows, (Rows{{"h1", "h2"}, {"1", "2"}}));
}

TEST(CsvReaderTest, KeepsBytesThatOnlyLookLikeAByteOrderMark) {
  absl::StatusOr<Rows> rows = ReadAll("\xEF\xBBx,y\n");
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows, (Rows{{"\xEF\xBBx", "y"}}));
}

TEST(CsvReaderTest, EmptyLinesAreRecordsWhenAskedFor) {
  CsvOptions options;
  options.skip_empty_lines = false;
  absl::StatusOr<Rows> rows = ReadAll("a\n\nb\n", options);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows, (Rows{{"a"}, {""}, {"b"}}));
}

TEST(CsvReaderTest, TabSeparatedWithoutQuoting) {
  CsvOptions options;
  options.delimiter = '\t';
  options.quote = '\0';
  absl::StatusOr<Rows> rows = ReadAll("a\tb\r\n\"x\tMO,RE\r\n", options);
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows, (Rows{{"a", "b"}, {"\"x", "MO,RE"}}));
}

TEST(CsvReaderTest, RecordLineCountsLinesInsideQuotedFields) {
  std::istringstream in("h\n\"a\nb\nc\"\nnext\n");
  CsvReader reader(in);
  std::vector<std::string> row;
  ASSERT_TRUE(*reader.ReadRecord(&row));
  EXPECT_EQ(reader.record_line(), 1);
  ASSERT_TRUE(*reader.ReadRecord(&row));
  EXPECT_EQ(reader.record_line(), 2);
  ASSERT_TRUE(*reader.ReadRecord(&row));
  EXPECT_EQ(reader.record_line(), 5);
  EXPECT_EQ(row, std::vector<std::string>{"next"});
  EXPECT_FALSE(*reader.ReadRecord(&row));
}

TEST(CsvReaderTest, UnterminatedQuoteNamesLineAndColumnNotContent) {
  absl::StatusOr<Rows> rows = ReadAll("a,b\n1,\"secret text\nmore");
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(rows.status().message().find("line 2, column 2"), absl::string_view::npos)
      << rows.status();
  EXPECT_EQ(rows.status().message().find("secret"), absl::string_view::npos) << rows.status();
}

TEST(CsvReaderTest, GarbageAfterClosingQuoteIsAnError) {
  absl::StatusOr<Rows> rows = ReadAll("a,b,c\n1,\"x\"private,3\n");
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(rows.status().message().find("line 2, column 2"), absl::string_view::npos)
      << rows.status();
  EXPECT_EQ(rows.status().message().find("private"), absl::string_view::npos);
}

TEST(CsvReaderTest, EnforcesFieldSizeAndFieldCountLimits) {
  CsvOptions options;
  options.max_field_bytes = 4;
  EXPECT_TRUE(ReadAll("abcd,\"wxyz\"\n", options).ok());
  absl::StatusOr<Rows> rows = ReadAll("abcde\n", options);
  ASSERT_FALSE(rows.ok());
  EXPECT_EQ(rows.status().code(), absl::StatusCode::kInvalidArgument);
  rows = ReadAll("ok,\"abcde\"\n", options);
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.status().message().find("column 2"), absl::string_view::npos);

  options = CsvOptions();
  options.max_fields = 3;
  EXPECT_TRUE(ReadAll("a,b,c\n", options).ok());
  rows = ReadAll("a,b,c,d\n", options);
  ASSERT_FALSE(rows.ok());
  EXPECT_NE(rows.status().message().find("column 4"), absl::string_view::npos);
}

TEST(CsvReaderTest, EmptyInputHasNoRecords) {
  absl::StatusOr<Rows> rows = ReadAll("");
  ASSERT_TRUE(rows.ok());
  EXPECT_TRUE(rows->empty());
}

TEST(FindColumnsTest, MapsNamesAndNamesTheMissingOne) {
  std::vector<std::string> header = {"", "tweet_id", "text", "tweet_id"};
  constexpr absl::string_view kWanted[] = {"text", "tweet_id"};
  absl::StatusOr<std::vector<int>> columns = FindColumns(header, kWanted);
  ASSERT_TRUE(columns.ok());
  EXPECT_EQ(*columns, (std::vector<int>{2, 1}));

  constexpr absl::string_view kMissing[] = {"text", "author_id"};
  columns = FindColumns(header, kMissing);
  ASSERT_FALSE(columns.ok());
  EXPECT_EQ(columns.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(columns.status().message().find("author_id"), absl::string_view::npos);
}

}  // namespace
}  // namespace caserouter
