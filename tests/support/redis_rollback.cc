#include "tests/support/redis_rollback.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <memory>
#include <utility>

#include "absl/strings/str_cat.h"

namespace caserouter {
namespace {

struct ReplyDeleter {
  void operator()(redisReply* r) const {
    if (r != nullptr) freeReplyObject(r);
  }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

struct ContextDeleter {
  void operator()(redisContext* c) const {
    if (c != nullptr) redisFree(c);
  }
};
using Context = std::unique_ptr<redisContext, ContextDeleter>;

absl::StatusOr<Context> Open(int port) {
  timeval timeout{2, 0};
  Context c(redisConnectWithTimeout("127.0.0.1", port, timeout));
  if (c == nullptr || c->err != 0) {
    return absl::UnavailableError(
        absl::StrCat("connect to 127.0.0.1:", port, ": ", c == nullptr ? "no memory" : c->errstr));
  }
  return c;
}

absl::StatusOr<Reply> Run(redisContext* c, const std::vector<std::string>& args) {
  std::vector<const char*> argv;
  std::vector<size_t> lengths;
  for (const std::string& a : args) {
    argv.push_back(a.data());
    lengths.push_back(a.size());
  }
  Reply r(static_cast<redisReply*>(
      redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lengths.data())));
  if (r == nullptr) return absl::UnavailableError(absl::StrCat(args[0], ": ", c->errstr));
  if (r->type == REDIS_REPLY_ERROR) {
    return absl::UnavailableError(absl::StrCat(args[0], ": ", std::string(r->str, r->len)));
  }
  return r;
}

absl::StatusOr<std::vector<std::string>> Keys(redisContext* c, const std::string& pattern) {
  std::vector<std::string> keys;
  std::string cursor = "0";
  do {
    absl::StatusOr<Reply> r = Run(c, {"SCAN", cursor, "MATCH", pattern, "COUNT", "1000"});
    if (!r.ok()) return r.status();
    const redisReply* page = r->get();
    if (page->type != REDIS_REPLY_ARRAY || page->elements != 2) {
      return absl::UnavailableError("SCAN: unexpected reply");
    }
    cursor.assign(page->element[0]->str, page->element[0]->len);
    for (size_t i = 0; i < page->element[1]->elements; ++i) {
      keys.emplace_back(page->element[1]->element[i]->str, page->element[1]->element[i]->len);
    }
  } while (cursor != "0");
  return keys;
}

}  // namespace

absl::StatusOr<RedisKeySnapshot> SnapshotKeys(int port, absl::string_view pattern) {
  absl::StatusOr<Context> c = Open(port);
  if (!c.ok()) return c.status();
  RedisKeySnapshot snapshot;
  snapshot.pattern = std::string(pattern);
  absl::StatusOr<std::vector<std::string>> keys = Keys(c->get(), snapshot.pattern);
  if (!keys.ok()) return keys.status();
  for (std::string& key : *keys) {
    absl::StatusOr<Reply> dump = Run(c->get(), {"DUMP", key});
    if (!dump.ok()) return dump.status();
    if ((*dump)->type == REDIS_REPLY_NIL) continue;  // expired meanwhile
    absl::StatusOr<Reply> ttl = Run(c->get(), {"PTTL", key});
    if (!ttl.ok()) return ttl.status();
    if ((*ttl)->integer == -2) continue;
    snapshot.keys.push_back(
        RedisKeySnapshot::Key{std::move(key), std::string((*dump)->str, (*dump)->len),
                              (*ttl)->integer > 0 ? static_cast<int64_t>((*ttl)->integer) : 0});
  }
  return snapshot;
}

absl::Status RollBackKeys(int port, const RedisKeySnapshot& snapshot) {
  absl::StatusOr<Context> c = Open(port);
  if (!c.ok()) return c.status();
  absl::StatusOr<std::vector<std::string>> now = Keys(c->get(), snapshot.pattern);
  if (!now.ok()) return now.status();
  for (const std::string& key : *now) {
    if (absl::StatusOr<Reply> r = Run(c->get(), {"DEL", key}); !r.ok()) return r.status();
  }
  for (const RedisKeySnapshot::Key& key : snapshot.keys) {
    absl::StatusOr<Reply> r =
        Run(c->get(), {"RESTORE", key.name, absl::StrCat(key.ttl_ms), key.dump, "REPLACE"});
    if (!r.ok()) return r.status();
  }
  return absl::OkStatus();
}

}  // namespace caserouter
