// QueuePage: ListQueue's page_size and page_token, and the token of the page after.
//
// A page token is an opaque encoding of a position in the routing order (the offset of the
// page's first case). Clients pass back what next_page_token gave them; anything else is
// INVALID_ARGUMENT naming page_token, without quoting it. Positions are taken afresh at each
// call, so a case that moves between two calls may be seen twice or not at all: the queue is
// a live view, not a snapshot.
//
//   absl::StatusOr<QueuePage> page = QueuePageOf(request.page_size(), request.page_token());
//   engine->ListQueuePage(page->offset, page->size, ...);
//   response->set_next_page_token(NextPageToken(*page, snapshot.cases.size(), snapshot.total));
//
// Thread safety: plain functions.
#ifndef CASEROUTER_ROUTER_SERVICE_PAGE_TOKEN_H_
#define CASEROUTER_ROUTER_SERVICE_PAGE_TOKEN_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace caserouter {

// page_size 0 asks for this many.
inline constexpr int kDefaultQueuePageSize = 100;
inline constexpr int kMaxQueuePageSize = 1000;

struct QueuePage {
  int offset = 0;                    // position of the page's first case in the routing order
  int size = kDefaultQueuePageSize;  // cases asked for, 1..kMaxQueuePageSize
};

// INVALID_ARGUMENT naming page_size (outside 0..kMaxQueuePageSize) or page_token (not a token
// NextPageToken made).
absl::StatusOr<QueuePage> QueuePageOf(int page_size, absl::string_view page_token);

// The token of the page after `page` when it returned `returned` of `total` waiting cases; ""
// when nothing follows.
std::string NextPageToken(const QueuePage& page, int returned, int total);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_PAGE_TOKEN_H_
