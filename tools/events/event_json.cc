#include "tools/events/event_json.h"

#include <cstdint>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"

namespace caserouter::events {
namespace {

void AppendString(std::string& out, absl::string_view s) {
  out += '"';
  for (unsigned char ch : s) {
    switch (ch) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (ch < 0x20 || ch >= 0x7f) {
          absl::StrAppendFormat(&out, "\\u%04x", ch);
        } else {
          out += static_cast<char>(ch);
        }
    }
  }
  out += '"';
}

std::pair<uint64_t, uint64_t> Parts(absl::string_view id) {
  uint64_t ms = 0, seq = 0;
  size_t dash = id.find('-');
  if (dash == absl::string_view::npos) {
    (void)absl::SimpleAtoi(id, &ms);
  } else {
    (void)absl::SimpleAtoi(id.substr(0, dash), &ms);
    (void)absl::SimpleAtoi(id.substr(dash + 1), &seq);
  }
  return {ms, seq};
}

}  // namespace

std::string EventJson(absl::string_view stream_id, const Event& event) {
  std::string out = "{\"id\":";
  AppendString(out, stream_id);
  out += ",\"time\":";
  if (event.time == absl::InfinitePast() || event.time == absl::InfiniteFuture()) {
    out += "null,\"time_us\":null";
  } else {
    AppendString(out, absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", event.time, absl::UTCTimeZone()));
    absl::StrAppend(&out, ",\"time_us\":", absl::ToUnixMicros(event.time));
  }
  out += ",\"type\":";
  AppendString(out, event.type);
  out += ",\"case\":";
  AppendString(out, event.case_id);
  out += ",\"agent\":";
  AppendString(out, event.agent_id);
  out += ",\"detail\":";
  AppendString(out, event.detail);
  out += '}';
  return out;
}

bool StreamIdBefore(absl::string_view a, absl::string_view b) { return Parts(a) < Parts(b); }

}  // namespace caserouter::events
