#include "router/store/redis_event_reader.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "router/store/record_codec.h"

namespace caserouter {
namespace {

constexpr int kMaxCount = 100000;

struct ReplyDeleter {
  void operator()(redisReply* r) const {
    if (r != nullptr) freeReplyObject(r);
  }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

absl::string_view Text(const redisReply* r) {
  return absl::string_view(r->str, static_cast<size_t>(r->len));
}

bool IsDecimal(absl::string_view s) {
  if (s.empty() || s.size() > 20) return false;
  for (char ch : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(ch))) return false;
  }
  return true;
}

// One XRANGE/XREAD entry: [id, [field, value, ...]].
absl::StatusOr<StoredEvent> DecodeEntry(const redisReply* entry) {
  if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2 ||
      entry->element[0]->type != REDIS_REPLY_STRING ||
      entry->element[1]->type != REDIS_REPLY_ARRAY || entry->element[1]->elements % 2 != 0) {
    return absl::UnavailableError("redis: unexpected stream entry");
  }
  StoredEvent out;
  out.id = std::string(Text(entry->element[0]));
  const redisReply* fields = entry->element[1];
  std::vector<FieldView> views;
  views.reserve(fields->elements / 2);
  for (size_t i = 0; i < fields->elements; i += 2) {
    if (fields->element[i]->type != REDIS_REPLY_STRING ||
        fields->element[i + 1]->type != REDIS_REPLY_STRING) {
      return absl::UnavailableError("redis: unexpected stream entry");
    }
    views.emplace_back(Text(fields->element[i]), Text(fields->element[i + 1]));
  }
  absl::StatusOr<Event> event = DecodeEventViews(views);
  if (!event.ok()) {
    return absl::DataLossError(absl::StrCat("event ", out.id, ": ", event.status().message()));
  }
  out.event = *std::move(event);
  return out;
}

}  // namespace

// A hiredis connection: made on first use, dropped on any failure (the next call reconnects).
class RedisEventReader::Connection {
 public:
  explicit Connection(const RedisOptions& options) : options_(options) {}
  ~Connection() { Disconnect(); }

  // Runs one command, with the socket timeout raised by `extra` (a blocking read). Error
  // replies are the caller's to judge.
  absl::StatusOr<Reply> Run(const std::vector<std::string>& args, absl::Duration extra) {
    if (absl::Status s = Ensure(); !s.ok()) return s;
    if (redisSetTimeout(context_, absl::ToTimeval(options_.command_timeout + extra)) != REDIS_OK) {
      return Fail("cannot set the command timeout");
    }
    absl::StatusOr<Reply> reply = Send(args);
    if (extra > absl::ZeroDuration() && context_ != nullptr) {
      redisSetTimeout(context_, absl::ToTimeval(options_.command_timeout));
    }
    return reply;
  }

  absl::Status Fail(absl::string_view what) {
    Disconnect();
    return absl::UnavailableError(
        absl::StrCat("redis ", options_.host, ":", options_.port, ": ", what));
  }

 private:
  absl::StatusOr<Reply> Send(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    for (const std::string& a : args) {
      argv.push_back(a.data());
      lengths.push_back(a.size());
    }
    Reply reply(static_cast<redisReply*>(
        redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lengths.data())));
    if (reply == nullptr) {
      std::string error = context_->err != 0 ? context_->errstr : "no reply";
      return Fail(error);
    }
    return reply;
  }

  absl::Status Ensure() {
    if (context_ != nullptr) return absl::OkStatus();
    redisContext* c = redisConnectWithTimeout(options_.host.c_str(), options_.port,
                                              absl::ToTimeval(options_.connect_timeout));
    if (c == nullptr) return Fail("cannot allocate a connection");
    if (c->err != 0) {
      std::string error = c->errstr;
      redisFree(c);
      return Fail(absl::StrCat("connect: ", error));
    }
    context_ = c;
    redisEnableKeepAlive(context_);
    if (!options_.password.empty()) {
      absl::StatusOr<Reply> auth = Send({"AUTH", options_.password});
      if (!auth.ok()) return auth.status();
      // The reply text of a failed AUTH never includes the password.
      if ((*auth)->type != REDIS_REPLY_STATUS) {
        return Fail(absl::StrCat("AUTH: ", Text(auth->get()).substr(0, 200)));
      }
    }
    return absl::OkStatus();
  }

  void Disconnect() {
    if (context_ != nullptr) redisFree(context_);
    context_ = nullptr;
  }

  const RedisOptions& options_;
  redisContext* context_ = nullptr;
};

absl::StatusOr<std::unique_ptr<RedisEventReader>> RedisEventReader::Connect(RedisOptions options) {
  // The store checks the options and names the keys (the one home of both rules); it does not
  // contact Redis either.
  absl::StatusOr<std::unique_ptr<RedisStateStore>> store = RedisStateStore::Connect(options);
  if (!store.ok()) return store.status();
  std::string key = absl::StrCat((*store)->key_prefix(), "events");
  return std::unique_ptr<RedisEventReader>(new RedisEventReader(std::move(options), key));
}

RedisEventReader::RedisEventReader(RedisOptions options, std::string key)
    : options_(std::move(options)),
      key_(std::move(key)),
      connection_(std::make_unique<Connection>(options_)) {}

RedisEventReader::~RedisEventReader() = default;

bool RedisEventReader::IsStreamId(absl::string_view id) {
  if (id == "0") return true;
  size_t dash = id.find('-');
  if (dash == absl::string_view::npos) return false;
  uint64_t ms = 0, seq = 0;
  return IsDecimal(id.substr(0, dash)) && IsDecimal(id.substr(dash + 1)) &&
         absl::SimpleAtoi(id.substr(0, dash), &ms) && absl::SimpleAtoi(id.substr(dash + 1), &seq);
}

absl::StatusOr<EventPage> RedisEventReader::ReadAfter(absl::string_view after, int count,
                                                      absl::Duration block) {
  if (!IsStreamId(after)) {
    return absl::InvalidArgumentError("after: not a stream id (\"0\" or \"<ms>-<n>\")");
  }
  if (count < 1 || count > kMaxCount) {
    return absl::InvalidArgumentError(absl::StrCat("count: must be 1-", kMaxCount));
  }
  if (block < absl::ZeroDuration()) return absl::InvalidArgumentError("block: must be >= 0");
  std::vector<std::string> xread = {"XREAD", "COUNT", absl::StrCat(count)};
  if (block > absl::ZeroDuration()) {
    xread.push_back("BLOCK");
    // BLOCK 0 would wait forever: at least one millisecond.
    xread.push_back(absl::StrCat(std::max<int64_t>(1, absl::ToInt64Milliseconds(block))));
  }
  xread.insert(xread.end(), {"STREAMS", key_, std::string(after)});
  absl::StatusOr<Reply> reply = connection_->Run(xread, block);
  if (!reply.ok()) return reply.status();
  const redisReply* r = reply->get();
  EventPage page;
  if (r->type == REDIS_REPLY_ARRAY && r->elements == 1) {
    // [[key, [entry, ...]]]
    const redisReply* stream = r->element[0];
    if (stream->type != REDIS_REPLY_ARRAY || stream->elements != 2 ||
        stream->element[1]->type != REDIS_REPLY_ARRAY) {
      return connection_->Fail("XREAD: unexpected reply");
    }
    const redisReply* entries = stream->element[1];
    page.events.reserve(entries->elements);
    for (size_t i = 0; i < entries->elements; ++i) {
      absl::StatusOr<StoredEvent> event = DecodeEntry(entries->element[i]);
      if (absl::IsUnavailable(event.status())) return connection_->Fail("XREAD: unexpected entry");
      if (!event.ok()) return event.status();
      page.events.push_back(*std::move(event));
    }
  } else if (r->type != REDIS_REPLY_NIL) {
    return connection_->Fail(r->type == REDIS_REPLY_ERROR
                                 ? absl::StrCat("XREAD: ", Text(r).substr(0, 200))
                                 : "XREAD: unexpected reply");
  }
  absl::StatusOr<Reply> first = connection_->Run({"XRANGE", key_, "-", "+", "COUNT", "1"}, {});
  if (!first.ok()) return first.status();
  if ((*first)->type != REDIS_REPLY_ARRAY) return connection_->Fail("XRANGE: unexpected reply");
  if ((*first)->elements == 1) {
    const redisReply* entry = (*first)->element[0];
    if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2 ||
        entry->element[0]->type != REDIS_REPLY_STRING) {
      return connection_->Fail("XRANGE: unexpected entry");
    }
    page.first_kept = std::string(Text(entry->element[0]));
  }
  return page;
}

absl::StatusOr<std::string> RedisEventReader::LastId() {
  absl::StatusOr<Reply> last = connection_->Run({"XREVRANGE", key_, "+", "-", "COUNT", "1"}, {});
  if (!last.ok()) return last.status();
  const redisReply* r = last->get();
  if (r->type != REDIS_REPLY_ARRAY) return connection_->Fail("XREVRANGE: unexpected reply");
  if (r->elements == 0) return std::string();
  const redisReply* entry = r->element[0];
  if (entry->type != REDIS_REPLY_ARRAY || entry->elements != 2 ||
      entry->element[0]->type != REDIS_REPLY_STRING) {
    return connection_->Fail("XREVRANGE: unexpected entry");
  }
  return std::string(Text(entry->element[0]));
}

}  // namespace caserouter
