#include "tools/load/redis_probe.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <algorithm>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace caserouter::load {
namespace {

// What a client sends outside a script; each call is one round trip.
const absl::flat_hash_set<std::string>& TopLevelCommands() {
  static const auto* const kCommands = new absl::flat_hash_set<std::string>{
      "eval", "evalsha", "eval_ro", "evalsha_ro", "fcall", "fcall_ro", "ping"};
  return *kCommands;
}

absl::Status CheckHost(const std::string& host) {
  if (host != "127.0.0.1") {
    return absl::InvalidArgumentError("redis host: load traffic goes to 127.0.0.1 only");
  }
  return absl::OkStatus();
}

absl::StatusOr<redisContext*> Open(const std::string& host, int port, absl::Duration timeout) {
  if (absl::Status s = CheckHost(host); !s.ok()) return s;
  if (port <= 0 || port > 65535) return absl::InvalidArgumentError("redis port: 1-65535");
  timeval tv = absl::ToTimeval(timeout);
  redisContext* context = redisConnectWithTimeout(host.c_str(), port, tv);
  if (context == nullptr) return absl::UnavailableError("redis: cannot allocate a context");
  if (context->err != 0) {
    std::string error = context->errstr;
    redisFree(context);
    return absl::UnavailableError(absl::StrCat("redis ", host, ":", port, ": ", error));
  }
  redisSetTimeout(context, tv);
  return context;
}

absl::StatusOr<std::string> ReplyText(redisReply* reply, const redisContext* context) {
  if (reply == nullptr) {
    return absl::UnavailableError(absl::StrCat("redis: ", context->errstr));
  }
  std::string text;
  absl::Status status;
  switch (reply->type) {
    case REDIS_REPLY_ERROR:
      status = absl::UnavailableError(absl::StrCat("redis: ", reply->str));
      break;
    case REDIS_REPLY_INTEGER:
      text = absl::StrCat(reply->integer);
      break;
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
      text.assign(reply->str, reply->len);
      break;
    default:
      break;
  }
  freeReplyObject(reply);
  if (!status.ok()) return status;
  return text;
}

}  // namespace

absl::flat_hash_map<std::string, int64_t> ParseCommandStats(absl::string_view info) {
  absl::flat_hash_map<std::string, int64_t> calls;
  for (absl::string_view line : absl::StrSplit(info, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (!absl::ConsumePrefix(&line, "cmdstat_")) continue;
    const size_t colon = line.find(':');
    if (colon == absl::string_view::npos) continue;
    absl::string_view name = line.substr(0, colon);
    for (absl::string_view item : absl::StrSplit(line.substr(colon + 1), ',')) {
      int64_t n = 0;
      if (absl::ConsumePrefix(&item, "calls=") && absl::SimpleAtoi(item, &n)) {
        calls[std::string(name)] = n;
      }
    }
  }
  return calls;
}

RedisCounters CountersFromCalls(const absl::flat_hash_map<std::string, int64_t>& calls) {
  RedisCounters counters;
  for (const auto& [name, n] : calls) {
    if (name == "info") continue;
    counters.commands += n;
    if (TopLevelCommands().contains(name)) counters.round_trips += n;
  }
  return counters;
}

absl::StatusOr<std::unique_ptr<RedisProbe>> RedisProbe::Connect(const std::string& host, int port,
                                                                absl::Duration timeout) {
  absl::StatusOr<redisContext*> context = Open(host, port, timeout);
  if (!context.ok()) return context.status();
  return std::unique_ptr<RedisProbe>(new RedisProbe(*context));
}

RedisProbe::~RedisProbe() { redisFree(context_); }

absl::StatusOr<std::string> RedisProbe::Run(const std::vector<std::string>& argv) {
  std::vector<const char*> args;
  std::vector<size_t> lengths;
  for (const std::string& a : argv) {
    args.push_back(a.data());
    lengths.push_back(a.size());
  }
  auto* reply = static_cast<redisReply*>(
      redisCommandArgv(context_, static_cast<int>(args.size()), args.data(), lengths.data()));
  return ReplyText(reply, context_);
}

absl::Status RedisProbe::Ping() { return Run({"PING"}).status(); }

absl::StatusOr<std::string> RedisProbe::Info(absl::string_view section) {
  return Run({"INFO", std::string(section)});
}

absl::StatusOr<RedisCounters> RedisProbe::Counters() {
  absl::StatusOr<std::string> info = Info("commandstats");
  if (!info.ok()) return info.status();
  return CountersFromCalls(ParseCommandStats(*info));
}

absl::Status RedisProbe::FlushAll() { return Run({"FLUSHALL"}).status(); }

absl::StatusOr<int64_t> RedisProbe::DbSize() {
  absl::StatusOr<std::string> n = Run({"DBSIZE"});
  if (!n.ok()) return n.status();
  int64_t size = 0;
  if (!absl::SimpleAtoi(*n, &size)) return absl::UnavailableError("redis: DBSIZE not a number");
  return size;
}

double CeilingResult::records_per_second() const {
  const double seconds = absl::ToDoubleSeconds(elapsed);
  return seconds > 0 ? records / seconds : 0;
}

absl::StatusOr<CeilingResult> WriteCeiling(const CeilingOptions& options) {
  if (options.record.empty() || options.depth <= 0 || options.key_space <= 0 ||
      options.duration <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError(
        "ceiling: a record, and a positive depth, key space and duration");
  }
  absl::StatusOr<redisContext*> opened = Open(options.host, options.port, absl::Seconds(5));
  if (!opened.ok()) return opened.status();
  redisContext* context = *opened;

  CeilingResult result;
  // One HSET's argument vector; only the key changes between records.
  std::vector<std::string> argv = {"HSET", ""};
  for (const auto& [field, value] : options.record) {
    argv.push_back(field);
    argv.push_back(value);
    result.record_bytes += static_cast<int64_t>(field.size() + value.size());
  }
  std::vector<const char*> args(argv.size());
  std::vector<size_t> lengths(argv.size());

  absl::Status status;
  const absl::Time start = absl::Now();
  const absl::Time end = start + options.duration;
  int64_t written = 0;
  while (status.ok() && absl::Now() < end &&
         (options.max_records <= 0 || written < options.max_records)) {
    int batch = options.depth;
    if (options.max_records > 0) {
      batch = static_cast<int>(std::min<int64_t>(batch, options.max_records - written));
    }
    for (int i = 0; i < batch; ++i) {
      argv[1] = absl::StrCat(options.key_prefix, (written + i) % options.key_space);
      for (size_t a = 0; a < argv.size(); ++a) {
        args[a] = argv[a].data();
        lengths[a] = argv[a].size();
      }
      redisAppendCommandArgv(context, static_cast<int>(argv.size()), args.data(), lengths.data());
    }
    for (int i = 0; i < batch && status.ok(); ++i) {
      void* reply = nullptr;
      if (redisGetReply(context, &reply) != REDIS_OK) {
        status = absl::UnavailableError(absl::StrCat("redis: ", context->errstr));
        break;
      }
      status = ReplyText(static_cast<redisReply*>(reply), context).status();
    }
    if (status.ok()) written += batch;
  }
  result.elapsed = absl::Now() - start;
  result.records = written;

  // Leave nothing behind: the key space is bounded, so this is one pipelined pass.
  if (status.ok()) {
    const int64_t keys = std::min<int64_t>(written, options.key_space);
    for (int64_t k = 0; k < keys; ++k) {
      const std::string key = absl::StrCat(options.key_prefix, k);
      const char* del[] = {"DEL", key.data()};
      const size_t del_lengths[] = {3, key.size()};
      redisAppendCommandArgv(context, 2, del, del_lengths);
    }
    for (int64_t k = 0; k < keys && status.ok(); ++k) {
      void* reply = nullptr;
      if (redisGetReply(context, &reply) != REDIS_OK) {
        status = absl::UnavailableError(absl::StrCat("redis: ", context->errstr));
        break;
      }
      status = ReplyText(static_cast<redisReply*>(reply), context).status();
    }
  }
  redisFree(context);
  if (!status.ok()) return status;
  return result;
}

}  // namespace caserouter::load
