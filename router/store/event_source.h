// EventSource: a routing domain's event stream as readers see it (issue 13) — positions
// (stream ids "<unix ms>-<n>") and pages of events after a position. RedisEventReader
// (redis_event_reader.h) is the production source; the service layer's event feed
// (router/service/event_feed.h) reads through this seam so that it never links hiredis.
// docs/events.md is the vocabulary and the rules of ids, trimming and resuming.
//
// Thread safety: an implementation need not be thread-safe; one source per thread.
#ifndef CASEROUTER_ROUTER_STORE_EVENT_SOURCE_H_
#define CASEROUTER_ROUTER_STORE_EVENT_SOURCE_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "router/store/state_store.h"

namespace caserouter {

// One entry of the stream.
struct StoredEvent {
  std::string id;  // the stream id, "<unix ms>-<n>"
  Event event;
};

struct EventPage {
  std::vector<StoredEvent> events;  // oldest first
  std::string first_kept;           // the oldest entry the stream holds now; "" when empty
};

class EventSource {
 public:
  virtual ~EventSource() = default;
  // Up to `count` (1..100000) events with ids after `after` ("0" = from the start), oldest
  // first. When there is none yet, waits up to `block` for one (zero: answers at once).
  virtual absl::StatusOr<EventPage> ReadAfter(absl::string_view after, int count,
                                              absl::Duration block) = 0;
  // The newest entry's id, "" when the stream is empty.
  virtual absl::StatusOr<std::string> LastId() = 0;
};

// True when stream id `a` comes before `b` ("0" before every id; "<ms>" alone is "<ms>-0").
// Ids that do not parse compare as 0-0.
inline bool StreamIdBefore(absl::string_view a, absl::string_view b) {
  auto parts = [](absl::string_view id) {
    std::pair<uint64_t, uint64_t> out{0, 0};
    const size_t dash = id.find('-');
    if (!absl::SimpleAtoi(id.substr(0, dash), &out.first)) return std::pair<uint64_t, uint64_t>{};
    if (dash != absl::string_view::npos && !absl::SimpleAtoi(id.substr(dash + 1), &out.second)) {
      return std::pair<uint64_t, uint64_t>{};
    }
    return out;
  };
  return parts(a) < parts(b);
}

// True for "0" and "<ms>-<n>" (decimal digits, at most 20 each): a position a reader may
// resume from.
inline bool IsEventPosition(absl::string_view id) {
  if (id == "0") return true;
  const size_t dash = id.find('-');
  if (dash == absl::string_view::npos || dash == 0 || dash > 20 || id.size() - dash - 1 == 0 ||
      id.size() - dash - 1 > 20) {
    return false;
  }
  for (size_t i = 0; i < id.size(); ++i) {
    if (i != dash && (id[i] < '0' || id[i] > '9')) return false;
  }
  return true;
}

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_STORE_EVENT_SOURCE_H_
