// RedisEventReader: a routing domain's event stream (cr:{d}:events) read back, for audit and
// analytics tools (tools/events: caserouter-events). docs/events.md is the vocabulary.
//
// The engine appends every state change to the stream in its fenced commit (XADD MAXLEN ~
// 100000, redis_state_store.h). Each entry has a stream id "<unix ms>-<n>" that Redis assigns
// and that grows along the stream; a reader resumes after the last id it handled and so sees
// every later event once. Read-only: the reader never writes, trims or acknowledges anything
// (no consumer groups), so any number of readers may follow one stream.
//
//   absl::StatusOr<std::unique_ptr<RedisEventReader>> reader = RedisEventReader::Connect(options);
//   absl::StatusOr<EventPage> page = (*reader)->ReadAfter("0", 1000, absl::ZeroDuration());
//   for (const StoredEvent& e : page->events) ... resume from page->events.back().id
//
// Gaps: the stream keeps about the newest 100,000 events. An id older than the oldest kept
// entry resumes at the oldest one, and EventPage::first_kept says where the stream starts now,
// so a reader can tell it missed events. After Redis lost its latest writes (a restart from
// an older append-only file, an asynchronous replica promoted) the lost entries' ids may be
// handed out again to new events if the server's clock is behind the lost ones' times (Redis
// ids are max(now ms, last id + 1)); see docs/events.md.
//
// Connection: one hiredis connection, made on the first call and again after any failure
// (TCP with connect_timeout, AUTH when a password is set); a blocking read waits up to its
// `block` on top of command_timeout. No Sentinel: point it at the primary or a replica (reads
// from a replica are fine; it may lag).
//
// Thread safety: not thread-safe; one reader per thread. Errors: INVALID_ARGUMENT for bad
// options or an id that is not a stream id (naming the argument), UNAVAILABLE for any
// connection, timeout or unexpected server reply, DATA_LOSS naming the entry and field of an
// event that cannot be decoded.
#ifndef CASEROUTER_ROUTER_STORE_REDIS_EVENT_READER_H_
#define CASEROUTER_ROUTER_STORE_REDIS_EVENT_READER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "router/store/event_source.h"
#include "router/store/redis_state_store.h"
#include "router/store/state_store.h"

namespace caserouter {

class RedisEventReader final : public EventSource {
 public:
  // Checks the options (as RedisStateStore::Connect does); never contacts Redis.
  static absl::StatusOr<std::unique_ptr<RedisEventReader>> Connect(RedisOptions options);

  ~RedisEventReader();
  RedisEventReader(const RedisEventReader&) = delete;
  RedisEventReader& operator=(const RedisEventReader&) = delete;

  // Up to `count` (1..100000) events with ids after `after` ("0" = from the start), oldest
  // first. When there is none yet, waits up to `block` for one (zero: answers at once).
  absl::StatusOr<EventPage> ReadAfter(absl::string_view after, int count,
                                      absl::Duration block) override;

  // The newest entry's id, "" when the stream is empty: where `tail` starts by default.
  absl::StatusOr<std::string> LastId() override;

  // True for "0" and "<ms>-<n>" (decimal); what ReadAfter accepts.
  static bool IsStreamId(absl::string_view id);

 private:
  class Connection;
  RedisEventReader(RedisOptions options, std::string key);

  const RedisOptions options_;
  const std::string key_;  // cr:{<escaped domain>}:events
  std::unique_ptr<Connection> connection_;
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_STORE_REDIS_EVENT_READER_H_
