// caserouter-events: a routing domain's event stream, read back from Redis as JSON lines.
//
//   caserouter-events export --redis_host=redis --redis_port=6379 --domain=eu-west [--from=ID]
//   caserouter-events tail   --redis_host=redis --redis_port=6379 --domain=eu-west [--from=ID]
//
// export prints the events after --from (default: from the start) up to the end of the stream
// and exits; tail prints the events after --from (default: the newest event, i.e. only new
// ones) and then every event as it is appended, until interrupted or --limit events. Either
// resumes exactly: pass the "id" of the last line handled as --from. Output is one JSON object
// per line (tools/events/event_json.h, docs/events.md), on stdout or --output.
//
// Exit status: 0 done; 1 Redis unavailable or a record that cannot be decoded; 2 bad usage;
// 3 done, but the stream no longer holds what followed --from (trimmed: it keeps about the
// newest 100,000 events), so events may be missing from the output.
//
// It reads through the Redis store layer (router/store/redis_event_reader.h) and never writes.
#include <signal.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "router/store/redis_event_reader.h"
#include "tools/events/event_json.h"

ABSL_FLAG(std::string, redis_host, "127.0.0.1", "Redis host (the primary or a replica)");
ABSL_FLAG(int, redis_port, 6379, "Redis port");
ABSL_FLAG(std::string, redis_password_env, "REDIS_PASSWORD",
          "name of the environment variable holding the Redis password (unset: no AUTH)");
ABSL_FLAG(std::string, domain, "", "routing domain whose stream to read (required)");
ABSL_FLAG(std::string, from, "",
          "print the events after this stream id (\"0\" = from the start); default: export "
          "from the start, tail from the newest event");
ABSL_FLAG(int64_t, limit, 0, "stop after this many events (0 = no limit)");
ABSL_FLAG(std::string, output, "-", "file to append the JSON lines to (- = stdout)");
ABSL_FLAG(int, page, 1000, "events read per round trip (1-100000)");
ABSL_FLAG(absl::Duration, poll, absl::Seconds(1),
          "tail: how long one read waits for new events before it asks again");

namespace caserouter::events {
namespace {

volatile sig_atomic_t g_stop = 0;
void OnSignal(int) { g_stop = 1; }

int Usage(const std::string& why) {
  std::cerr << "caserouter-events: " << why << "\n" << absl::ProgramUsageMessage() << "\n";
  return 2;
}

int Fail(const absl::Status& status) {
  std::cerr << "caserouter-events: " << status << "\n";
  return 1;
}

int Run(const std::string& command) {
  const bool tail = command == "tail";
  if (!tail && command != "export") return Usage(absl::StrCat("unknown command '", command, "'"));
  RedisOptions options;
  options.host = absl::GetFlag(FLAGS_redis_host);
  options.port = absl::GetFlag(FLAGS_redis_port);
  options.domain = absl::GetFlag(FLAGS_domain);
  if (options.domain.empty()) return Usage("--domain is required");
  const std::string password_env = absl::GetFlag(FLAGS_redis_password_env);
  if (const char* password = password_env.empty() ? nullptr : std::getenv(password_env.c_str())) {
    options.password = password;
  }
  std::string from = absl::GetFlag(FLAGS_from);
  if (!from.empty() && !RedisEventReader::IsStreamId(from)) {
    return Usage("--from: not a stream id (\"0\" or \"<ms>-<n>\", the \"id\" of an output line)");
  }
  const int page = absl::GetFlag(FLAGS_page);
  if (page < 1 || page > 100000) return Usage("--page: must be 1-100000");
  const int64_t limit = absl::GetFlag(FLAGS_limit);
  if (limit < 0) return Usage("--limit: must be >= 0");
  const absl::Duration poll = absl::GetFlag(FLAGS_poll);
  if (tail && poll <= absl::ZeroDuration()) return Usage("--poll: must be > 0");

  FILE* out = stdout;
  const std::string output = absl::GetFlag(FLAGS_output);
  if (output != "-") {
    out = std::fopen(output.c_str(), "a");
    if (out == nullptr) return Usage(absl::StrCat("--output: cannot open ", output));
  }
  absl::StatusOr<std::unique_ptr<RedisEventReader>> reader = RedisEventReader::Connect(options);
  if (!reader.ok()) return Usage(std::string(reader.status().message()));
  if (from.empty()) {
    if (tail) {
      absl::StatusOr<std::string> last = (*reader)->LastId();
      if (!last.ok()) return Fail(last.status());
      from = last->empty() ? "0" : *last;
    } else {
      from = "0";
    }
  }
  signal(SIGINT, OnSignal);
  signal(SIGTERM, OnSignal);

  int64_t printed = 0;
  bool gap = false;
  bool first_read = true;
  while (g_stop == 0 && (limit == 0 || printed < limit)) {
    const int want = limit == 0 ? page : static_cast<int>(std::min<int64_t>(page, limit - printed));
    absl::StatusOr<EventPage> events =
        (*reader)->ReadAfter(from, want, tail ? poll : absl::ZeroDuration());
    if (!events.ok()) return Fail(events.status());
    if (first_read && from != "0" && !events->first_kept.empty() &&
        StreamIdBefore(from, events->first_kept)) {
      gap = true;
      std::cerr << "caserouter-events: the stream now starts at " << events->first_kept
                << ", after " << from << ": events between them, if any, were trimmed\n";
    }
    first_read = false;
    for (const StoredEvent& e : events->events) {
      std::string line = EventJson(e.id, e.event);
      line += '\n';
      std::fwrite(line.data(), 1, line.size(), out);
      from = e.id;
      ++printed;
    }
    std::fflush(out);
    if (!tail && events->events.empty()) break;
  }
  if (out != stdout) std::fclose(out);
  return gap ? 3 : 0;
}

}  // namespace
}  // namespace caserouter::events

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "caserouter-events export|tail --redis_host=H --redis_port=P --domain=D [--from=ID]\n"
      "  export: the events after --from (default: all), then exit\n"
      "  tail:   the events after --from (default: only new ones), then follow the stream");
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  if (rest.size() != 2) return caserouter::events::Usage("give one command: export or tail");
  return caserouter::events::Run(rest[1]);
}
