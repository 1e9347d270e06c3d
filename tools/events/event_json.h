// The event stream as JSON lines: what caserouter-events prints, one object per event.
//
//   {"id":"1700000000000-0","time":"2023-11-14T22:13:20.000000Z","time_us":1700000000000000,
//    "type":"offered","case":"c01ga4gc1wg00…","agent":"ana","detail":""}
//
// Field names are the stream's own (docs/events.md), plus the stream id and the time as
// RFC 3339 in UTC. Strings are escaped as JSON requires; a byte outside printable ASCII is
// written \u00XX (events hold ids and closed-set words only, which are ASCII: this keeps the
// output valid JSON whatever is stored). Pure functions, Abseil only.
#ifndef CASEROUTER_TOOLS_EVENTS_EVENT_JSON_H_
#define CASEROUTER_TOOLS_EVENTS_EVENT_JSON_H_

#include <string>

#include "absl/strings/string_view.h"
#include "router/store/state_store.h"

namespace caserouter::events {

// One line (without the newline).
std::string EventJson(absl::string_view stream_id, const Event& event);

// Stream ids ("<ms>-<n>", or "0") in stream order: a < b. Ids must be valid (see
// RedisEventReader::IsStreamId).
bool StreamIdBefore(absl::string_view a, absl::string_view b);

}  // namespace caserouter::events

#endif  // CASEROUTER_TOOLS_EVENTS_EVENT_JSON_H_
