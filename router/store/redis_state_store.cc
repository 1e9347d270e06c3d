#include "router/store/redis_state_store.h"

#include <hiredis/hiredis.h>
#include <poll.h>
#include <signal.h>
#include <sys/time.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <initializer_list>
#include <iterator>
#include <thread>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/notification.h"
#include "router/store/record_codec.h"

namespace caserouter {
namespace {

// --- Lua scripts. Each runs atomically on the server; see the key schema in the header. ---

// KEYS[1] = epoch key. ARGV[1] = the committer's epoch, ARGV[2] = number of commands, then
// per command: its argument count, then its arguments. One command is the script's own:
//   CR.PRUNE <zset> <cutoff> <p>  delete members scored below cutoff, and the keys p..member
// A failing redis.call aborts the script without undoing earlier writes; the commands are
// well-formed by construction, so that happens only if someone else wrote our keys with
// other types.
constexpr char kCommitScript[] = R"lua(
local current = redis.call('GET', KEYS[1]) or '0'
if current ~= ARGV[1] then
  return redis.error_reply('CRFENCED epoch ' .. ARGV[1] .. ' is not the current epoch ' .. current)
end
local i = 3
for _ = 1, tonumber(ARGV[2]) do
  local argc = tonumber(ARGV[i])
  local name = ARGV[i + 1]
  if name == 'CR.PRUNE' then
    local below = '(' .. ARGV[i + 3]
    local ids = redis.call('ZRANGEBYSCORE', ARGV[i + 2], '-inf', below)
    for _, id in ipairs(ids) do redis.call('DEL', ARGV[i + 4] .. id) end
    if #ids > 0 then redis.call('ZREMRANGEBYSCORE', ARGV[i + 2], '-inf', below) end
  else
    redis.call(unpack(ARGV, i + 1, i + argc))
  end
  i = i + argc + 1
end
return redis.status_reply('OK')
)lua";

// KEYS[1] = lease, KEYS[2] = epoch; ARGV[1] = owner, ARGV[2] = ttl in ms, ARGV[3] = the
// epoch's increment (random, drawn by the client: a script's own math.random is seeded alike
// on every run). Returns the epoch.
constexpr char kAcquireScript[] = R"lua(
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then
  return redis.error_reply('CRLEASED lease held by another owner')
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return redis.call('INCRBY', KEYS[2], ARGV[3])
)lua";

// KEYS[1] = lease, KEYS[2] = epoch; ARGV[1] = owner, ARGV[2] = epoch, ARGV[3] = ttl in ms.
// A compare-and-set on the epoch: the lease is extended, or taken back after it lapsed, only
// while nobody else acquired it (every acquisition changes the epoch).
constexpr char kRenewScript[] = R"lua(
local holder = redis.call('GET', KEYS[1])
if (holder and holder ~= ARGV[1]) or (redis.call('GET', KEYS[2]) or '0') ~= ARGV[2] then
  return redis.error_reply('CRLOST lease lost')
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1
)lua";

// KEYS[1] = lease; ARGV[1] = owner. Deletes the lease only if owner holds it.
constexpr char kReleaseScript[] = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua";

enum Script { kCommit = 0, kAcquire = 1, kRenew = 2, kRelease = 3, kScriptCount = 4 };
constexpr std::array<const char*, kScriptCount> kScriptSource = {kCommitScript, kAcquireScript,
                                                                 kRenewScript, kReleaseScript};

// Larger records are written with several HSETs (one Lua unpack() has a bounded stack).
constexpr size_t kMaxFieldsPerHset = 256;
// HGETALLs per pipelined round trip in Load; bounds the client's buffers. Two such chunks
// are in flight at once, so Redis serves one while this process decodes the other.
constexpr size_t kMaxPipelined = kLoadChunkRecords;
constexpr size_t kChunksInFlight = 2;

struct ReplyDeleter {
  void operator()(redisReply* reply) const {
    if (reply != nullptr) freeReplyObject(reply);
  }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;
using Command = std::vector<std::string>;

// Every byte outside [A-Za-z0-9_.@-] as %XX, so that ids cannot break the key schema.
std::string EscapeKeyPart(absl::string_view id) {
  std::string out;
  out.reserve(id.size());
  for (unsigned char ch : id) {
    if (absl::ascii_isalnum(ch) || ch == '_' || ch == '.' || ch == '@' || ch == '-') {
      out += static_cast<char>(ch);
    } else {
      absl::StrAppendFormat(&out, "%%%02X", ch);
    }
  }
  return out;
}

// A closed time as a sorted-set score: unix milliseconds with the microseconds as a decimal
// fraction, written exactly (a double holds today's times to well under a microsecond).
std::string Score(absl::Time t) {
  int64_t micros = EncodeTime(t);
  if (micros == kPastSentinel) return "-inf";
  if (micros == kFutureSentinel) return "+inf";
  const char* sign = micros < 0 ? "-" : "";
  uint64_t magnitude = micros < 0 ? -static_cast<uint64_t>(micros) : micros;
  return absl::StrFormat("%s%d.%03d", sign, magnitude / 1000, magnitude % 1000);
}

int64_t Millis(absl::Duration d) {
  return absl::ToInt64Milliseconds(absl::Ceil(d, absl::Milliseconds(1)));
}

absl::string_view ReplyText(const redisReply* r) {
  return absl::string_view(r->str, static_cast<size_t>(r->len));
}

// An error reply in a form fit for a Status: bounded, and cut before the part of Redis'
// "unknown command" message that echoes arguments (which may be customer text).
std::string ErrorText(absl::string_view text) {
  size_t args = text.find("with args");
  if (args != absl::string_view::npos) text = text.substr(0, args);
  if (text.size() > 200) text = text.substr(0, 200);
  return std::string(text);
}

absl::Status CheckLeaseArgs(absl::string_view owner, absl::Duration ttl) {
  if (owner.empty()) return absl::InvalidArgumentError("owner must not be empty");
  if (ttl < absl::Milliseconds(1)) {
    return absl::InvalidArgumentError("ttl must be at least one millisecond");
  }
  return absl::OkStatus();
}

// One reply read as a flat list of its elements in document order, the bytes of every string
// copied into one buffer that is reused from reply to reply. hiredis' own reply objects cost
// two allocations per element (the redisReply and its string) and a free each; a case read
// with HGETALL has 70-odd elements, and a load of a large domain spent about half of its CPU
// time in malloc and free (perf, 100k cases). A FlatReply is filled by hiredis through
// redisReplyObjectFunctions (kFunctions): the reader calls them depth first, so the list is the
// reply's preorder.
class FlatReply {
 public:
  struct Element {
    int type;         // REDIS_REPLY_*
    int64_t integer;  // INTEGER: its value; ARRAY: its element count
    size_t offset;    // STRING, STATUS, ERROR: where its bytes start in text_
    size_t size;      // ... and how many there are
  };

  void Clear() {
    elements_.clear();
    text_.clear();
  }
  const std::vector<Element>& elements() const { return elements_; }
  absl::string_view Text(const Element& e) const {
    return absl::string_view(text_.data() + e.offset, e.size);
  }
  // The reply's own type (that of its first element).
  int type() const { return elements_.empty() ? 0 : elements_[0].type; }
  // An array of strings and nothing else (no nested arrays, no nil).
  bool IsStringArray() const {
    if (elements_.empty() || elements_[0].type != REDIS_REPLY_ARRAY) return false;
    if (elements_.size() != static_cast<size_t>(elements_[0].integer) + 1) return false;
    for (size_t i = 1; i < elements_.size(); ++i) {
      if (elements_[i].type != REDIS_REPLY_STRING) return false;
    }
    return true;
  }
  absl::string_view Member(size_t i) const { return Text(elements_[i + 1]); }
  size_t members() const { return elements_.empty() ? 0 : elements_.size() - 1; }

  static redisReplyObjectFunctions kFunctions;

 private:
  // Each returns a non-null pointer (hiredis takes null for out of memory); the objects are
  // never used as such, and freeObject has nothing to free.
  static FlatReply* Of(const redisReadTask* task) {
    return static_cast<FlatReply*>(task->privdata);
  }
  static void* CreateString(const redisReadTask* task, char* str, size_t len) {
    FlatReply* r = Of(task);
    r->elements_.push_back(Element{task->type, 0, r->text_.size(), len});
    r->text_.append(str, len);
    return r;
  }
  static void* CreateArray(const redisReadTask* task, int elements) {
    FlatReply* r = Of(task);
    r->elements_.push_back(Element{REDIS_REPLY_ARRAY, elements, 0, 0});
    return r;
  }
  static void* CreateInteger(const redisReadTask* task, long long value) {  // NOLINT(runtime/int)
    FlatReply* r = Of(task);
    r->elements_.push_back(Element{REDIS_REPLY_INTEGER, value, 0, 0});
    return r;
  }
  static void* CreateNil(const redisReadTask* task) {
    FlatReply* r = Of(task);
    r->elements_.push_back(Element{REDIS_REPLY_NIL, 0, 0, 0});
    return r;
  }
  static void FreeObject(void* /*reply*/) {}

  std::vector<Element> elements_;
  std::string text_;
};

redisReplyObjectFunctions FlatReply::kFunctions = {FlatReply::CreateString, FlatReply::CreateArray,
                                                   FlatReply::CreateInteger, FlatReply::CreateNil,
                                                   FlatReply::FreeObject};

// ARGV of the commit script: the epoch, the command count, then the commands.
class ScriptBatch {
 public:
  explicit ScriptBatch(int64_t epoch) {
    args_.push_back(absl::StrCat(epoch));
    args_.emplace_back();  // command count, filled in by Finish
  }

  void Add(Command command) {
    args_.push_back(absl::StrCat(command.size()));
    for (std::string& a : command) args_.push_back(std::move(a));
    ++count_;
  }

  // Rewrites a hash whole: fields of an earlier version (a longer message list) must not
  // linger.
  void PutHash(const std::string& key, FieldList fields) {
    Add({"DEL", key});
    for (size_t start = 0; start < fields.size(); start += kMaxFieldsPerHset) {
      size_t end = std::min(fields.size(), start + kMaxFieldsPerHset);
      Command hset = {"HSET", key};
      hset.reserve(2 + 2 * (end - start));
      for (size_t i = start; i < end; ++i) {
        hset.push_back(std::move(fields[i].first));
        hset.push_back(std::move(fields[i].second));
      }
      Add(std::move(hset));
    }
  }

  std::vector<std::string> Finish() && {
    args_[1] = absl::StrCat(count_);
    return std::move(args_);
  }

 private:
  std::vector<std::string> args_;
  int count_ = 0;
};

}  // namespace

// The primary's address: fixed, or asked of the Sentinels. With Sentinels, a watcher thread
// subscribes to +switch-master on one of them and counts the switches of our master
// (generation), so that connections opened before a switch are dropped.
class RedisStateStore::PrimaryLocator {
 public:
  explicit PrimaryLocator(const RedisOptions& options)
      : options_(options), sentinels_(options.sentinels) {
    if (!sentinels_.empty()) watcher_ = std::thread([this] { Watch(); });
  }
  ~PrimaryLocator() {
    stop_.Notify();
    if (watcher_.joinable()) watcher_.join();
  }

  bool uses_sentinels() const { return !options_.sentinels.empty(); }
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  // The fixed address, or the primary the first Sentinel that answers names.
  absl::StatusOr<RedisAddress> Primary() {
    if (!uses_sentinels()) return RedisAddress{options_.host, options_.port};
    std::vector<RedisAddress> order;
    {
      absl::MutexLock lock(&mu_);
      order = sentinels_;
    }
    std::string errors;
    for (size_t i = 0; i < order.size(); ++i) {
      absl::StatusOr<RedisAddress> primary = Ask(order[i]);
      if (primary.ok()) {
        if (i > 0) {
          // The client guidelines: the Sentinel that answered goes first next time.
          absl::MutexLock lock(&mu_);
          auto it = std::find_if(sentinels_.begin(), sentinels_.end(), [&](const RedisAddress& a) {
            return a.host == order[i].host && a.port == order[i].port;
          });
          if (it != sentinels_.end()) std::rotate(sentinels_.begin(), it, it + 1);
        }
        return primary;
      }
      absl::StrAppend(&errors, i == 0 ? "" : "; ", primary.status().message());
    }
    return absl::UnavailableError(
        absl::StrCat("no Sentinel named the primary of ", options_.master_name, ": ", errors));
  }

 private:
  redisContext* Open(const RedisAddress& a) {
    redisContext* c =
        redisConnectWithTimeout(a.host.c_str(), a.port, absl::ToTimeval(options_.connect_timeout));
    if (c != nullptr && c->err == 0 &&
        redisSetTimeout(c, absl::ToTimeval(options_.command_timeout)) == REDIS_OK) {
      return c;
    }
    if (c != nullptr) redisFree(c);
    return nullptr;
  }

  absl::StatusOr<RedisAddress> Ask(const RedisAddress& sentinel) {
    const std::string where = absl::StrCat("sentinel ", sentinel.host, ":", sentinel.port);
    redisContext* c = Open(sentinel);
    if (c == nullptr) return absl::UnavailableError(absl::StrCat(where, ": cannot connect"));
    const char* argv[] = {"SENTINEL", "get-master-addr-by-name", options_.master_name.c_str()};
    const size_t lengths[] = {8, 23, options_.master_name.size()};
    Reply reply(static_cast<redisReply*>(redisCommandArgv(c, 3, argv, lengths)));
    redisFree(c);
    if (reply == nullptr) return absl::UnavailableError(absl::StrCat(where, ": no reply"));
    int port = 0;
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 ||
        reply->element[0]->type != REDIS_REPLY_STRING ||
        reply->element[1]->type != REDIS_REPLY_STRING ||
        !absl::SimpleAtoi(ReplyText(reply->element[1]), &port)) {
      return absl::UnavailableError(absl::StrCat(where, ": does not know ", options_.master_name));
    }
    return RedisAddress{std::string(ReplyText(reply->element[0])), port};
  }

  // Subscribes to +switch-master on one Sentinel after the other (the next one when the
  // connection breaks) until the store goes.
  void Watch() {
    for (size_t next = 0; !stop_.HasBeenNotified(); ++next) {
      RedisAddress sentinel;
      {
        absl::MutexLock lock(&mu_);
        sentinel = sentinels_[next % sentinels_.size()];
      }
      if (redisContext* c = Open(sentinel)) {
        Listen(c);
        redisFree(c);
      }
      stop_.WaitForNotificationWithTimeout(absl::Milliseconds(500));
    }
  }

  void Listen(redisContext* c) {
    Reply subscribed(static_cast<redisReply*>(redisCommand(c, "SUBSCRIBE +switch-master")));
    if (subscribed == nullptr) return;
    while (!stop_.HasBeenNotified()) {
      pollfd p{c->fd, POLLIN, 0};
      const int ready = poll(&p, 1, 200);  // the store's destructor waits at most this long
      if (ready < 0 && errno != EINTR) return;
      if (ready <= 0) continue;
      if (redisBufferRead(c) != REDIS_OK) return;
      for (;;) {
        void* raw = nullptr;
        if (redisGetReplyFromReader(c, &raw) != REDIS_OK) return;
        if (raw == nullptr) break;
        Reply message(static_cast<redisReply*>(raw));
        // ["message", "+switch-master", "<name> <old ip> <old port> <new ip> <new port>"]
        if (message->type != REDIS_REPLY_ARRAY || message->elements != 3 ||
            message->element[2]->type != REDIS_REPLY_STRING) {
          continue;
        }
        std::vector<absl::string_view> words =
            absl::StrSplit(ReplyText(message->element[2]), ' ', absl::SkipEmpty());
        if (words.size() == 5 && words[0] == options_.master_name) {
          generation_.fetch_add(1, std::memory_order_acq_rel);
        }
      }
    }
  }

  const RedisOptions& options_;
  absl::Mutex mu_;
  std::vector<RedisAddress> sentinels_ ABSL_GUARDED_BY(mu_);
  std::atomic<uint64_t> generation_{0};
  absl::Notification stop_;
  std::thread watcher_;
};

// One hiredis connection, (re)opened on demand. Any I/O or protocol failure frees it and
// returns UNAVAILABLE; the next call opens a new one (to the primary the locator names).
class RedisStateStore::Connection {
 public:
  Connection(const RedisOptions& options, PrimaryLocator* locator)
      : options_(options), locator_(locator) {}
  ~Connection() { Disconnect(); }

  // Sends one command and returns its reply, which may be an error reply for the caller to
  // judge. UNAVAILABLE when the exchange itself fails.
  absl::StatusOr<Reply> Run(const Command& command) {
    absl::StatusOr<std::vector<Reply>> replies = Pipeline({command});
    if (!replies.ok()) return replies.status();
    return std::move((*replies)[0]);
  }

  // Sends all commands, then reads all replies: one round trip.
  absl::StatusOr<std::vector<Reply>> Pipeline(const std::vector<Command>& commands) {
    if (absl::Status s = Ensure(); !s.ok()) return s;
    return RawPipeline(commands);
  }

  // EVALSHA of a loaded script; on NOSCRIPT (the server lost its script cache) EVAL of the
  // source, which also loads it again for the next EVALSHA.
  absl::StatusOr<Reply> RunScript(Script script, const std::vector<std::string>& keys,
                                  std::vector<std::string> args) {
    if (absl::Status s = Ensure(); !s.ok()) return s;
    Command command;
    command.reserve(3 + keys.size() + args.size());
    command.push_back("EVALSHA");
    command.push_back(shas_[script]);
    command.push_back(absl::StrCat(keys.size()));
    command.insert(command.end(), keys.begin(), keys.end());
    command.insert(command.end(), std::make_move_iterator(args.begin()),
                   std::make_move_iterator(args.end()));
    absl::StatusOr<Reply> reply = Send(command);
    if (!reply.ok()) return reply;
    if ((*reply)->type == REDIS_REPLY_ERROR &&
        absl::StartsWith(ReplyText(reply->get()), "NOSCRIPT")) {
      command[0] = "EVAL";
      command[1] = kScriptSource[script];
      return Send(command);
    }
    return reply;
  }

  // Connects if needed. For callers that Append and ReadFlat themselves.
  absl::Status Ready() { return Ensure(); }

  // Queues a command without sending it: the next read sends everything queued. The
  // arguments are copied, so they need to live only during the call.
  absl::Status Append(std::initializer_list<absl::string_view> args) {
    std::array<const char*, 4> argv;
    std::array<size_t, 4> lengths;
    if (args.size() > argv.size()) return absl::InternalError("redis: too many arguments");
    size_t n = 0;
    for (absl::string_view a : args) {
      argv[n] = a.data();
      lengths[n++] = a.size();
    }
    if (redisAppendCommandArgv(context_, static_cast<int>(n), argv.data(), lengths.data()) !=
        REDIS_OK) {
      return Fail(absl::StrCat("cannot queue command: ", context_->errstr));
    }
    return absl::OkStatus();
  }

  // Sends what is queued if needed and reads the next reply into `out` (see FlatReply).
  absl::Status ReadFlat(FlatReply* out) {
    out->Clear();
    redisReader* reader = context_->reader;
    redisReplyObjectFunctions* own_functions = reader->fn;
    void* own_privdata = reader->privdata;
    // Swapped only between whole replies: redisGetReply returns after a complete one, and the
    // reader starts on the next only when asked.
    reader->fn = &FlatReply::kFunctions;
    reader->privdata = out;
    void* raw = nullptr;
    int rc = redisGetReply(context_, &raw);
    reader->fn = own_functions;
    reader->privdata = own_privdata;
    if (rc != REDIS_OK || raw == nullptr) {
      std::string error = context_->err != 0 ? context_->errstr : "no reply";
      return Fail(error);
    }
    return absl::OkStatus();
  }

  // For a flat reply the caller did not expect, as Unexpected.
  absl::Status UnexpectedFlat(const FlatReply& reply, absl::string_view context) {
    if (reply.type() == REDIS_REPLY_ERROR) {
      return Fail(
          absl::StrCat(context, ": error reply: ", ErrorText(reply.Text(reply.elements()[0]))));
    }
    return Fail(absl::StrCat(context, ": unexpected reply type ", reply.type()));
  }

  // Drops the connection and returns UNAVAILABLE naming the server and `what`.
  absl::Status Fail(absl::string_view what) {
    Disconnect();
    return absl::UnavailableError(
        absl::StrCat("redis ", address_.host, ":", address_.port, ": ", what));
  }

  // Sets the socket timeout for the next reads (WAIT blocks longer than a command).
  void SetTimeout(absl::Duration timeout) {
    if (context_ != nullptr) redisSetTimeout(context_, absl::ToTimeval(timeout));
  }

  // For a reply the caller did not expect: an error reply (LOADING, READONLY after a
  // failover, MISCONF, ...) or a reply of the wrong type.
  absl::Status Unexpected(const redisReply* reply, absl::string_view context) {
    if (reply->type == REDIS_REPLY_ERROR && absl::StartsWith(ReplyText(reply), "READONLY")) {
      // A failover demoted this server: the next call asks the Sentinels for the primary.
      return Fail(absl::StrCat(context, ": the server is a read-only replica now (failover)"));
    }
    if (reply->type == REDIS_REPLY_ERROR) {
      return Fail(absl::StrCat(context, ": error reply: ", ErrorText(ReplyText(reply))));
    }
    return Fail(absl::StrCat(context, ": unexpected reply type ", reply->type));
  }

 private:
  absl::StatusOr<Reply> Send(const Command& command) {
    absl::StatusOr<std::vector<Reply>> replies = RawPipeline({command});
    if (!replies.ok()) return replies.status();
    return std::move((*replies)[0]);
  }

  absl::StatusOr<std::vector<Reply>> RawPipeline(const std::vector<Command>& commands) {
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    for (const Command& command : commands) {
      argv.clear();
      lengths.clear();
      for (const std::string& arg : command) {
        argv.push_back(arg.data());
        lengths.push_back(arg.size());
      }
      if (redisAppendCommandArgv(context_, static_cast<int>(argv.size()), argv.data(),
                                 lengths.data()) != REDIS_OK) {
        return Fail(absl::StrCat("cannot queue command: ", context_->errstr));
      }
    }
    std::vector<Reply> replies;
    replies.reserve(commands.size());
    for (size_t i = 0; i < commands.size(); ++i) {
      void* raw = nullptr;
      if (redisGetReply(context_, &raw) != REDIS_OK || raw == nullptr) {
        // Copied: Fail frees the context that holds errstr.
        std::string error = context_->err != 0 ? context_->errstr : "no reply";
        return Fail(error);
      }
      replies.emplace_back(static_cast<redisReply*>(raw));
    }
    return replies;
  }

  absl::Status Ensure() {
    const uint64_t generation = locator_->generation();
    if (context_ != nullptr && generation == generation_) return absl::OkStatus();
    Disconnect();  // a Sentinel announced a new primary since this connection opened
    generation_ = generation;
    absl::StatusOr<RedisAddress> primary = locator_->Primary();
    if (!primary.ok()) return primary.status();
    const RedisAddress before = address_;
    address_ = *primary;
    redisContext* c = redisConnectWithTimeout(address_.host.c_str(), address_.port,
                                              absl::ToTimeval(options_.connect_timeout));
    if (c == nullptr) return Fail("cannot allocate a connection");
    if (c->err != 0) {
      std::string error = c->errstr;
      redisFree(c);
      return Fail(absl::StrCat("connect: ", error));
    }
    context_ = c;
    if (redisSetTimeout(context_, absl::ToTimeval(options_.command_timeout)) != REDIS_OK) {
      return Fail("cannot set the command timeout");
    }
    redisEnableKeepAlive(context_);

    // AUTH, ROLE (with Sentinels: is it the primary?) and loading the scripts: one round trip
    // per (re)connection.
    std::vector<Command> setup;
    if (!options_.password.empty()) setup.push_back({"AUTH", options_.password});
    if (locator_->uses_sentinels()) setup.push_back({"ROLE"});
    for (const char* source : kScriptSource) setup.push_back({"SCRIPT", "LOAD", source});
    absl::StatusOr<std::vector<Reply>> replies = RawPipeline(setup);
    if (!replies.ok()) return replies.status();
    size_t next = 0;
    if (!options_.password.empty()) {
      const redisReply* auth = (*replies)[next++].get();
      // The reply text of a failed AUTH never includes the password.
      if (auth->type != REDIS_REPLY_STATUS) return Unexpected(auth, "AUTH");
    }
    if (locator_->uses_sentinels()) {
      const redisReply* role = (*replies)[next++].get();
      if (role->type != REDIS_REPLY_ARRAY || role->elements < 1 ||
          role->element[0]->type != REDIS_REPLY_STRING || ReplyText(role->element[0]) != "master") {
        // The Sentinels' view lags a failover or a restart: ask again at the next call.
        return Fail("named the primary by the Sentinels, but not a primary (yet)");
      }
    }
    for (int s = 0; s < kScriptCount; ++s) {
      const redisReply* sha = (*replies)[next++].get();
      if (sha->type != REDIS_REPLY_STRING) return Unexpected(sha, "SCRIPT LOAD");
      shas_[s] = std::string(ReplyText(sha));
    }
    if (!before.host.empty() && (before.host != address_.host || before.port != address_.port)) {
      // A failover: the new primary may lack the old one's last writes. The caller (the
      // engine) steps down and rebuilds from what this primary has; the connection stays.
      return absl::UnavailableError(absl::StrCat("redis primary moved from ", before.host, ":",
                                                 before.port, " to ", address_.host, ":",
                                                 address_.port, "; state must be reloaded"));
    }
    return absl::OkStatus();
  }

  void Disconnect() {
    if (context_ != nullptr) redisFree(context_);
    context_ = nullptr;
  }

  const RedisOptions& options_;
  PrimaryLocator* const locator_;
  RedisAddress address_;     // of the current (or last) connection
  uint64_t generation_ = 0;  // the locator's when it was opened
  redisContext* context_ = nullptr;
  std::array<std::string, kScriptCount> shas_;
};

// --- RedisStateStore ---

absl::StatusOr<std::unique_ptr<RedisStateStore>> RedisStateStore::Connect(RedisOptions options) {
  if (options.domain.empty()) return absl::InvalidArgumentError("redis: domain must be set");
  if (options.host.empty()) return absl::InvalidArgumentError("redis: host must be set");
  if (options.port < 1 || options.port > 65535) {
    return absl::InvalidArgumentError("redis: port must be in 1..65535");
  }
  if (options.connect_timeout <= absl::ZeroDuration() ||
      options.command_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("redis: connect_timeout and command_timeout must be > 0");
  }
  for (const RedisAddress& sentinel : options.sentinels) {
    if (sentinel.host.empty() || sentinel.port < 1 || sentinel.port > 65535) {
      return absl::InvalidArgumentError("redis: sentinels must be host:port with port 1..65535");
    }
  }
  if (!options.sentinels.empty() && options.master_name.empty()) {
    return absl::InvalidArgumentError("redis: master_name must be set with sentinels");
  }
  if (options.min_replicas_acked < 0 || options.replica_ack_timeout < absl::Milliseconds(1)) {
    return absl::InvalidArgumentError(
        "redis: min_replicas_acked must be >= 0 and replica_ack_timeout at least 1 ms");
  }
  // A write to a connection the server closed raises SIGPIPE, whose default action ends the
  // process; we want EPIPE and an UNAVAILABLE instead. A handler someone installed is kept.
  struct sigaction current {};
  if (sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
    signal(SIGPIPE, SIG_IGN);
  }
  return std::unique_ptr<RedisStateStore>(new RedisStateStore(std::move(options)));
}

RedisStateStore::RedisStateStore(RedisOptions options)
    : options_(std::move(options)),
      prefix_(absl::StrCat("cr:{", EscapeKeyPart(options_.domain), "}:")),
      locator_(std::make_unique<PrimaryLocator>(options_)),
      connection_(std::make_unique<Connection>(options_, locator_.get())),
      lease_connection_(std::make_unique<Connection>(options_, locator_.get())) {}

absl::Status RedisStateStore::AwaitReplicas(Connection& connection, absl::string_view what) {
  if (options_.min_replicas_acked == 0) return absl::OkStatus();
  // WAIT blocks up to its timeout: the socket must wait that long too.
  connection.SetTimeout(options_.command_timeout + options_.replica_ack_timeout);
  absl::StatusOr<Reply> reply =
      connection.Run({"WAIT", absl::StrCat(options_.min_replicas_acked),
                      absl::StrCat(std::max<int64_t>(1, Millis(options_.replica_ack_timeout)))});
  connection.SetTimeout(options_.command_timeout);
  if (!reply.ok()) return reply.status();
  if ((*reply)->type != REDIS_REPLY_INTEGER) return connection.Unexpected(reply->get(), "WAIT");
  const int64_t acked = (*reply)->integer;
  if (acked < options_.min_replicas_acked) {
    return absl::UnavailableError(absl::StrCat(
        what, ": ", acked, " of ", options_.min_replicas_acked, " replicas acknowledged within ",
        absl::FormatDuration(options_.replica_ack_timeout),
        "; not confirmed, since a failover could lose it"));
  }
  return absl::OkStatus();
}

RedisStateStore::~RedisStateStore() = default;

absl::Status RedisStateStore::Ping() {
  absl::MutexLock lock(&lease_mu_);
  absl::StatusOr<Reply> reply = lease_connection_->Run({"PING"});
  if (!reply.ok()) return reply.status();
  if ((*reply)->type != REDIS_REPLY_STATUS || ReplyText(reply->get()) != "PONG") {
    return lease_connection_->Unexpected(reply->get(), "PING");
  }
  return absl::OkStatus();
}

// The lease lives on the Redis server's clock (PX), so `now` is not needed here.
absl::StatusOr<int64_t> RedisStateStore::AcquireLeadership(absl::string_view owner,
                                                           absl::Duration ttl, absl::Time /*now*/) {
  if (absl::Status s = CheckLeaseArgs(owner, ttl); !s.ok()) return s;
  absl::StatusOr<uint64_t> random = epoch_random_.Next64();
  if (!random.ok()) return random.status();
  const int64_t increment = 1 + static_cast<int64_t>(*random & 0xffffffffu);
  absl::MutexLock lock(&lease_mu_);
  absl::StatusOr<Reply> reply = lease_connection_->RunScript(
      kAcquire, {prefix_ + "lease", prefix_ + "epoch"},
      {std::string(owner), absl::StrCat(Millis(ttl)), absl::StrCat(increment)});
  if (!reply.ok()) return reply.status();
  const redisReply* r = reply->get();
  if (r->type == REDIS_REPLY_ERROR && absl::StartsWith(ReplyText(r), "CRLEASED")) {
    return absl::FailedPreconditionError("lease held by another owner");
  }
  if (r->type != REDIS_REPLY_INTEGER) return lease_connection_->Unexpected(r, "acquire");
  const int64_t epoch = r->integer;
  // A lease (and epoch) that a failover could forget would let two replicas lead.
  if (absl::Status acked = AwaitReplicas(*lease_connection_, "acquire"); !acked.ok()) {
    return acked;
  }
  return epoch;
}

absl::Status RedisStateStore::RenewLeadership(absl::string_view owner, int64_t epoch,
                                              absl::Duration ttl, absl::Time /*now*/) {
  if (absl::Status s = CheckLeaseArgs(owner, ttl); !s.ok()) return s;
  absl::MutexLock lock(&lease_mu_);
  absl::StatusOr<Reply> reply = lease_connection_->RunScript(
      kRenew, {prefix_ + "lease", prefix_ + "epoch"},
      {std::string(owner), absl::StrCat(epoch), absl::StrCat(Millis(ttl))});
  if (!reply.ok()) return reply.status();
  const redisReply* r = reply->get();
  if (r->type == REDIS_REPLY_ERROR && absl::StartsWith(ReplyText(r), "CRLOST")) {
    return absl::FailedPreconditionError("lease lost");
  }
  if (r->type != REDIS_REPLY_INTEGER) return lease_connection_->Unexpected(r, "renew");
  return absl::OkStatus();
}

absl::Status RedisStateStore::ReleaseLeadership(absl::string_view owner) {
  if (owner.empty()) return absl::OkStatus();  // nobody holds the lease as ""
  absl::MutexLock lock(&lease_mu_);
  absl::StatusOr<Reply> reply =
      lease_connection_->RunScript(kRelease, {prefix_ + "lease"}, {std::string(owner)});
  if (!reply.ok()) return reply.status();
  if ((*reply)->type != REDIS_REPLY_INTEGER)
    return lease_connection_->Unexpected(reply->get(), "release");
  return absl::OkStatus();
}

absl::Status RedisStateStore::Commit(const Batch& batch, int64_t epoch) {
  const absl::Time cutoff = batch.now - batch.closed_retention;
  const std::string case_prefix = prefix_ + "case:";
  const std::string open_key = prefix_ + "open";
  const std::string closed_key = prefix_ + "closed";

  ScriptBatch script(epoch);
  for (const Case& c : batch.cases) {
    std::string member = EscapeKeyPart(c.id);
    std::string key = case_prefix + member;
    if (IsOpen(c.state)) {
      script.PutHash(key, EncodeCase(c));
      script.Add({"SADD", open_key, member});
      script.Add({"ZREM", closed_key, member});
    } else if (c.closed_time < cutoff) {
      // Already past retention: the memory store would drop it at this commit too.
      script.Add({"DEL", key});
      script.Add({"SREM", open_key, member});
      script.Add({"ZREM", closed_key, member});
    } else {
      script.PutHash(key, EncodeCase(c));
      // The expiry is a safety net behind the pruning of the closed index, which is exact.
      absl::Duration left = c.closed_time + batch.closed_retention - batch.now;
      if (left != absl::InfiniteDuration()) {
        script.Add({"PEXPIRE", key, absl::StrCat(std::max<int64_t>(1, Millis(left)))});
      }
      script.Add({"SREM", open_key, member});
      script.Add({"ZADD", closed_key, Score(c.closed_time), member});
    }
  }
  const std::string agent_prefix = prefix_ + "agent:";
  for (const std::string& id : batch.removed_agents) {
    std::string member = EscapeKeyPart(id);
    script.Add({"DEL", agent_prefix + member});
    script.Add({"SREM", prefix_ + "agents", member});
  }
  for (const Agent& a : batch.agents) {
    std::string member = EscapeKeyPart(a.id);
    script.PutHash(agent_prefix + member, EncodeAgent(a));
    script.Add({"SADD", prefix_ + "agents", member});
  }
  for (const QualityRecord& q : batch.quality) {
    std::string member = absl::StrCat(EscapeKeyPart(q.agent_id), ":", EscapeKeyPart(q.topic));
    script.PutHash(prefix_ + "stats:" + member, EncodeQualityRecord(q));
    script.Add({"SADD", prefix_ + "stats", member});
  }
  for (const Relationship& r : batch.relationships) {
    std::string member = absl::StrCat(EscapeKeyPart(r.customer_id), ":", EscapeKeyPart(r.agent_id));
    script.PutHash(prefix_ + "rel:" + member, EncodeRelationship(r));
    script.Add({"SADD", prefix_ + "rels", member});
  }
  for (const Event& e : batch.events) {
    Command xadd = {"XADD", prefix_ + "events", "MAXLEN", "~", absl::StrCat(kEventStreamMaxLen),
                    "*"};
    for (auto& [field, value] : EncodeEvent(e)) {
      xadd.push_back(std::move(field));
      xadd.push_back(std::move(value));
    }
    script.Add(std::move(xadd));
  }
  if (cutoff != absl::InfinitePast()) {
    script.Add({"CR.PRUNE", closed_key, Score(cutoff), case_prefix});
  }

  absl::MutexLock lock(&mu_);
  absl::StatusOr<Reply> reply =
      connection_->RunScript(kCommit, {prefix_ + "epoch"}, std::move(script).Finish());
  if (!reply.ok()) return reply.status();
  const redisReply* r = reply->get();
  if (r->type == REDIS_REPLY_ERROR && absl::StartsWith(ReplyText(r), "CRFENCED")) {
    return absl::FailedPreconditionError(absl::StrCat(
        "fenced out: ",
        absl::StripLeadingAsciiWhitespace(absl::StripPrefix(ReplyText(r), "CRFENCED"))));
  }
  if (r->type != REDIS_REPLY_STATUS) return connection_->Unexpected(r, "commit");
  return AwaitReplicas(*connection_, "commit");
}

// Closed cases past their retention have expired in Redis already, so `now` is not needed.
absl::StatusOr<StoredState> RedisStateStore::Load(absl::Time /*now*/,
                                                  const LoadProgress& progress) {
  absl::MutexLock lock(&mu_);
  Connection& c = *connection_;
  if (absl::Status s = c.Ready(); !s.ok()) return s;

  // Round trip 1: the indexes, kept as flat replies; the records are named by views into
  // them, so a million members cost no string each.
  // (A failed Append drops the connection: nothing may be appended after it.)
  absl::Status queued = c.Append({"SMEMBERS", prefix_ + "open"});
  if (queued.ok()) queued = c.Append({"ZRANGE", prefix_ + "closed", "0", "-1"});
  if (queued.ok()) queued = c.Append({"SMEMBERS", prefix_ + "agents"});
  if (queued.ok()) queued = c.Append({"SMEMBERS", prefix_ + "stats"});
  if (queued.ok()) queued = c.Append({"SMEMBERS", prefix_ + "rels"});
  if (!queued.ok()) return queued;
  enum Kind { kOpenCase, kClosedCase, kAgent, kQuality, kRelationship, kKindCount };
  std::array<FlatReply, kKindCount> indexes;
  for (FlatReply& index : indexes) {
    if (absl::Status s = c.ReadFlat(&index); !s.ok()) return s;
  }
  for (const FlatReply& index : indexes) {
    if (!index.IsStringArray()) return c.UnexpectedFlat(index, "load indexes");
  }
  StoredState state;

  // A case in both indexes (cannot happen through Commit) is read once, as open. Found
  // through a set of the smaller index, so the usual case costs one small set.
  const FlatReply& open = indexes[kOpenCase];
  const FlatReply& closed = indexes[kClosedCase];
  const bool open_smaller = open.members() <= closed.members();
  const FlatReply& smaller = open_smaller ? open : closed;
  const FlatReply& larger = open_smaller ? closed : open;
  absl::flat_hash_set<absl::string_view> in_both;
  if (smaller.members() > 0) {
    absl::flat_hash_set<absl::string_view> members;
    members.reserve(smaller.members());
    for (size_t i = 0; i < smaller.members(); ++i) members.insert(smaller.Member(i));
    for (size_t i = 0; i < larger.members(); ++i) {
      if (members.contains(larger.Member(i))) in_both.insert(larger.Member(i));
    }
  }

  struct Record {
    Kind kind;
    absl::string_view member;  // into its index's reply
  };
  std::vector<Record> records;
  size_t listed = 0;
  for (const FlatReply& index : indexes) listed += index.members();
  records.reserve(listed);
  for (int kind = 0; kind < kKindCount; ++kind) {
    const FlatReply& index = indexes[kind];
    const size_t first = records.size();
    for (size_t i = 0; i < index.members(); ++i) {
      absl::string_view member = index.Member(i);
      if (kind == kClosedCase && !in_both.empty() && in_both.contains(member)) continue;
      records.push_back({static_cast<Kind>(kind), member});
    }
    // Cases (open and closed together) and each other kind in member order, as the memory
    // store returns them: a set's members come in hash order, and the engine rebuilds
    // ordered maps, which takes 2.7 times as long from random order at 1M cases.
    if (kind != kOpenCase) {
      const size_t begin = kind == kClosedCase ? 0 : first;
      std::sort(records.begin() + begin, records.end(),
                [](const Record& a, const Record& b) { return a.member < b.member; });
    }
  }
  state.cases.reserve(open.members() + closed.members() - in_both.size());
  state.agents.reserve(indexes[kAgent].members());
  state.quality.reserve(indexes[kQuality].members());
  state.relationships.reserve(indexes[kRelationship].members());
  const std::array<std::string, kKindCount> key_prefix = {
      prefix_ + "case:", prefix_ + "case:", prefix_ + "agent:", prefix_ + "stats:",
      prefix_ + "rel:"};
  auto key_of = [&](const Record& r) { return absl::StrCat(key_prefix[r.kind], r.member); };

  // Round trips 2 and on: every record's HGETALL, kMaxPipelined per chunk, the next chunk sent
  // before this one is read so that Redis works while this thread decodes. A reply is decoded
  // from its flat form straight into the record.
  size_t sent = 0;
  size_t received = 0;
  std::string key;
  auto send_chunk = [&]() -> absl::Status {
    size_t end = std::min(records.size(), sent + kMaxPipelined);
    for (; sent < end; ++sent) {
      key.assign(key_prefix[records[sent].kind]);
      key.append(records[sent].member.data(), records[sent].member.size());
      if (absl::Status s = c.Append({"HGETALL", key}); !s.ok()) return s;
    }
    return absl::OkStatus();
  };
  FlatReply reply;
  // Stopping early (a decode error, or the progress callback said so) leaves replies in
  // flight: read and drop them so the connection stays usable.
  auto stop = [&](absl::Status why) -> absl::Status {
    for (; received < sent; ++received) {
      if (absl::Status s = c.ReadFlat(&reply); !s.ok()) return why;
    }
    return why;
  };
  if (progress) {
    if (absl::Status s = progress(0, records.size()); !s.ok()) return s;
  }
  std::vector<FieldView> fields;
  while (received < records.size()) {
    while (sent < records.size() && sent - received < kChunksInFlight * kMaxPipelined) {
      if (absl::Status s = send_chunk(); !s.ok()) return s;
    }
    size_t chunk_end = std::min(records.size(), received + kMaxPipelined);
    for (; received < chunk_end; ++received) {
      const Record& record = records[received];
      if (absl::Status s = c.ReadFlat(&reply); !s.ok()) return s;
      if (!reply.IsStringArray() || reply.members() % 2 != 0) {
        return c.UnexpectedFlat(reply, "load");
      }
      if (reply.members() == 0) {
        // A closed case may expire on its own before the next commit prunes the index.
        if (record.kind == kClosedCase) continue;
        ++received;
        return stop(absl::DataLossError(
            absl::StrCat("key ", key_of(record), ": listed in its index but missing")));
      }
      fields.clear();
      for (size_t f = 0; f < reply.members(); f += 2) {
        fields.emplace_back(reply.Member(f), reply.Member(f + 1));
      }
      absl::Status decoded;
      switch (record.kind) {
        case kOpenCase:
        case kClosedCase: {
          absl::StatusOr<Case> v = DecodeCaseViews(fields);
          decoded = v.status();
          if (v.ok()) state.cases.push_back(*std::move(v));
          break;
        }
        case kAgent: {
          absl::StatusOr<Agent> v = DecodeAgentViews(fields);
          decoded = v.status();
          if (v.ok()) state.agents.push_back(*std::move(v));
          break;
        }
        case kQuality: {
          absl::StatusOr<QualityRecord> v = DecodeQualityRecordViews(fields);
          decoded = v.status();
          if (v.ok()) state.quality.push_back(*std::move(v));
          break;
        }
        case kRelationship: {
          absl::StatusOr<Relationship> v = DecodeRelationshipViews(fields);
          decoded = v.status();
          if (v.ok()) state.relationships.push_back(*std::move(v));
          break;
        }
        case kKindCount:
          break;
      }
      if (!decoded.ok()) {
        ++received;
        // The codec names the field, never its value.
        return stop(
            absl::DataLossError(absl::StrCat("key ", key_of(record), ": ", decoded.message())));
      }
    }
    if (progress) {
      // mu_ stays held: replies are in flight on the data connection. The callback may still
      // renew the lease, which has a connection and a lock of its own.
      if (absl::Status s = progress(received, records.size()); !s.ok()) return stop(s);
    }
  }
  return state;
}

}  // namespace caserouter
