#include "router/service/page_token.h"

#include <cstdint>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace caserouter {
namespace {

// What a token says before it is encoded: a tag, so that a token of another list (or a
// guess) is refused rather than read as a position.
constexpr absl::string_view kTokenTag = "queue-offset:";

absl::Status BadToken() {
  return absl::InvalidArgumentError("page_token: not a next_page_token from ListQueue");
}

}  // namespace

absl::StatusOr<QueuePage> QueuePageOf(int page_size, absl::string_view page_token) {
  if (page_size < 0 || page_size > kMaxQueuePageSize) {
    return absl::InvalidArgumentError(absl::StrCat("page_size: must be 0-", kMaxQueuePageSize,
                                                   " (0 = ", kDefaultQueuePageSize, ")"));
  }
  QueuePage page;
  page.size = page_size == 0 ? kDefaultQueuePageSize : page_size;
  if (page_token.empty()) return page;
  std::string decoded;
  if (!absl::WebSafeBase64Unescape(page_token, &decoded)) return BadToken();
  absl::string_view rest = decoded;
  int64_t offset = 0;
  if (!absl::ConsumePrefix(&rest, kTokenTag) || !absl::SimpleAtoi(rest, &offset) || offset <= 0 ||
      offset > std::numeric_limits<int>::max()) {
    return BadToken();
  }
  page.offset = static_cast<int>(offset);
  return page;
}

std::string NextPageToken(const QueuePage& page, int returned, int total) {
  const int64_t next = int64_t{page.offset} + returned;
  if (returned <= 0 || next >= total || next > std::numeric_limits<int>::max()) return "";
  return absl::WebSafeBase64Escape(absl::StrCat(kTokenTag, next));
}

}  // namespace caserouter
