#include "router/store/memory_state_store.h"

#include <algorithm>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/base/thread_annotations.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"

namespace caserouter {
namespace {

absl::Status CheckLeaseArgs(absl::string_view owner, absl::Duration ttl) {
  if (owner.empty()) return absl::InvalidArgumentError("owner must not be empty");
  if (ttl < absl::Milliseconds(1)) {
    return absl::InvalidArgumentError("ttl must be at least one millisecond");
  }
  return absl::OkStatus();
}

// Closed cases older than this are dropped; InfinitePast when nothing is.
absl::Time RetentionCutoff(const Batch& batch) { return batch.now - batch.closed_retention; }

// Adds which record failed to a codec error, keeping its DATA_LOSS code.
absl::Status InRecord(const absl::Status& status, absl::string_view kind, absl::string_view id) {
  return absl::DataLossError(absl::StrCat(kind, " ", id, ": ", status.message()));
}

}  // namespace

struct MemoryStateStore::Domain {
  struct StoredCase {
    FieldList fields;
    bool open = true;
    absl::Time closed_time = absl::InfinitePast();
  };

  mutable absl::Mutex mu;
  // Ordered maps so that Load returns records in a stable order (ids ascending).
  std::map<std::string, StoredCase> cases ABSL_GUARDED_BY(mu);
  // The closed cases by closed time, so that dropping the old ones costs what is dropped, not
  // a pass over every case at each commit.
  std::set<std::pair<absl::Time, std::string>> closed ABSL_GUARDED_BY(mu);
  std::map<std::string, FieldList> agents ABSL_GUARDED_BY(mu);
  std::map<std::pair<std::string, std::string>, FieldList> quality ABSL_GUARDED_BY(mu);
  std::map<std::pair<std::string, std::string>, FieldList> relationships ABSL_GUARDED_BY(mu);
  std::deque<FieldList> events ABSL_GUARDED_BY(mu);

  std::string lease_owner ABSL_GUARDED_BY(mu);  // empty = nobody
  absl::Time lease_expires ABSL_GUARDED_BY(mu) = absl::InfinitePast();
  int64_t epoch ABSL_GUARDED_BY(mu) = 0;

  bool LeaseLive(absl::Time now) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return !lease_owner.empty() && lease_expires > now;
  }
};

namespace {

// A distinct seed for every handle made in this process, in the order they are made.
uint64_t NextHandleSeed() {
  static std::atomic<uint64_t> handles{0};
  return 0x5eed0000 + handles.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace

MemoryStateStore::MemoryStateStore()
    : domain_(std::make_shared<Domain>()), epoch_random_(NextHandleSeed()) {}
MemoryStateStore::MemoryStateStore(std::shared_ptr<Domain> domain)
    : domain_(std::move(domain)), epoch_random_(NextHandleSeed()) {}
MemoryStateStore::~MemoryStateStore() = default;

std::unique_ptr<MemoryStateStore> MemoryStateStore::NewHandle() const {
  return std::unique_ptr<MemoryStateStore>(new MemoryStateStore(domain_));
}

// Everything a domain holds, out of its lock, for Snapshot and RestoreFrom (one lock at a
// time: two domains' locks are never held together).
struct MemoryStateStore::Contents {
  std::map<std::string, Domain::StoredCase> cases;
  std::set<std::pair<absl::Time, std::string>> closed;
  std::map<std::string, FieldList> agents;
  std::map<std::pair<std::string, std::string>, FieldList> quality;
  std::map<std::pair<std::string, std::string>, FieldList> relationships;
  std::deque<FieldList> events;
  std::string lease_owner;
  absl::Time lease_expires;
  int64_t epoch = 0;
};

MemoryStateStore::Contents MemoryStateStore::CopyOut(const Domain& d) {
  absl::MutexLock lock(&d.mu);
  return Contents{d.cases,  d.closed,      d.agents,        d.quality, d.relationships,
                  d.events, d.lease_owner, d.lease_expires, d.epoch};
}

void MemoryStateStore::CopyIn(Contents contents, Domain& d) {
  absl::MutexLock lock(&d.mu);
  d.cases = std::move(contents.cases);
  d.closed = std::move(contents.closed);
  d.agents = std::move(contents.agents);
  d.quality = std::move(contents.quality);
  d.relationships = std::move(contents.relationships);
  d.events = std::move(contents.events);
  d.lease_owner = std::move(contents.lease_owner);
  d.lease_expires = contents.lease_expires;
  d.epoch = contents.epoch;
}

std::unique_ptr<MemoryStateStore> MemoryStateStore::Snapshot() const {
  auto copy = std::make_shared<Domain>();
  CopyIn(CopyOut(*domain_), *copy);
  return std::unique_ptr<MemoryStateStore>(new MemoryStateStore(std::move(copy)));
}

void MemoryStateStore::RestoreFrom(const MemoryStateStore& snapshot) {
  if (snapshot.domain_ == domain_) return;
  CopyIn(CopyOut(*snapshot.domain_), *domain_);
}

void MemoryStateStore::SetUnavailable(bool unavailable) {
  unavailable_.store(unavailable, std::memory_order_relaxed);
}

absl::Status MemoryStateStore::CheckAvailable() const {
  if (unavailable_.load(std::memory_order_relaxed)) {
    return absl::UnavailableError("memory state store: set unavailable by the test");
  }
  return absl::OkStatus();
}

std::vector<FieldList> MemoryStateStore::events() const {
  absl::MutexLock lock(&domain_->mu);
  return std::vector<FieldList>(domain_->events.begin(), domain_->events.end());
}

absl::StatusOr<int64_t> MemoryStateStore::AcquireLeadership(absl::string_view owner,
                                                            absl::Duration ttl, absl::Time now) {
  if (absl::Status s = CheckAvailable(); !s.ok()) return s;
  if (absl::Status s = CheckLeaseArgs(owner, ttl); !s.ok()) return s;
  Domain& d = *domain_;
  absl::MutexLock lock(&d.mu);
  if (d.LeaseLive(now) && d.lease_owner != owner) {
    return absl::FailedPreconditionError("lease held by another owner");
  }
  absl::StatusOr<uint64_t> random = epoch_random_.Next64();
  if (!random.ok()) return random.status();
  d.lease_owner = std::string(owner);
  d.lease_expires = now + ttl;
  d.epoch += 1 + static_cast<int64_t>(*random & 0xffffffffu);
  return d.epoch;
}

absl::Status MemoryStateStore::RenewLeadership(absl::string_view owner, int64_t epoch,
                                               absl::Duration ttl, absl::Time now) {
  if (absl::Status s = CheckAvailable(); !s.ok()) return s;
  if (absl::Status s = CheckLeaseArgs(owner, ttl); !s.ok()) return s;
  Domain& d = *domain_;
  absl::MutexLock lock(&d.mu);
  if (d.epoch != epoch || (d.LeaseLive(now) && d.lease_owner != owner)) {
    return absl::FailedPreconditionError("lease lost");
  }
  d.lease_owner = std::string(owner);
  d.lease_expires = now + ttl;
  return absl::OkStatus();
}

absl::Status MemoryStateStore::ReleaseLeadership(absl::string_view owner) {
  if (absl::Status s = CheckAvailable(); !s.ok()) return s;
  Domain& d = *domain_;
  absl::MutexLock lock(&d.mu);
  if (!owner.empty() && d.lease_owner == owner) {
    d.lease_owner.clear();
    d.lease_expires = absl::InfinitePast();
  }
  return absl::OkStatus();
}

absl::Status MemoryStateStore::Commit(const Batch& batch, int64_t epoch) {
  if (absl::Status s = CheckAvailable(); !s.ok()) return s;
  // Encode outside the lock; nothing below can fail, so the batch is all or nothing.
  const absl::Time cutoff = RetentionCutoff(batch);
  std::vector<std::pair<std::string, Domain::StoredCase>> cases;
  cases.reserve(batch.cases.size());
  for (const Case& c : batch.cases) {
    cases.emplace_back(c.id, Domain::StoredCase{EncodeCase(c), IsOpen(c.state), c.closed_time});
  }

  Domain& d = *domain_;
  absl::MutexLock lock(&d.mu);
  if (epoch != d.epoch) {
    return absl::FailedPreconditionError(
        absl::StrCat("fenced out: epoch ", epoch, " is not the domain's current epoch"));
  }
  for (auto& [id, stored] : cases) {
    Domain::StoredCase& slot = d.cases[id];
    if (!slot.open) d.closed.erase({slot.closed_time, id});
    if (!stored.open) d.closed.emplace(stored.closed_time, id);
    slot = std::move(stored);
  }
  for (const std::string& id : batch.removed_agents) d.agents.erase(id);
  for (const Agent& a : batch.agents) d.agents[a.id] = EncodeAgent(a);
  for (const QualityRecord& q : batch.quality) {
    d.quality[{q.agent_id, q.topic}] = EncodeQualityRecord(q);
  }
  for (const Relationship& r : batch.relationships) {
    d.relationships[{r.customer_id, r.agent_id}] = EncodeRelationship(r);
  }
  for (const Event& e : batch.events) {
    d.events.push_back(EncodeEvent(e));
    if (d.events.size() > kMaxEvents) d.events.pop_front();
  }
  while (!d.closed.empty() && d.closed.begin()->first < cutoff) {
    d.cases.erase(d.closed.begin()->second);
    d.closed.erase(d.closed.begin());
  }
  return absl::OkStatus();
}

namespace {

// Decodes the records of `records` (one of the domain's ordered maps, guarded by `mu`) into
// `out`, kLoadChunkRecords per hold of the lock, calling `step` after each chunk with the lock
// released. `decode(key, value)` returns the record or the error. The next chunk starts after
// the last key read, so the loop survives commits between chunks.
template <typename Map, typename Record, typename Decode, typename Step>
absl::Status LoadChunked(absl::Mutex& mu, const Map& records, std::vector<Record>& out,
                         Decode decode, Step step) {
  using Key = typename Map::key_type;
  std::optional<Key> last;
  for (;;) {
    size_t read = 0;
    bool done = false;
    {
      absl::MutexLock lock(&mu);
      auto it = last ? records.upper_bound(*last) : records.begin();
      for (; it != records.end() && read < kLoadChunkRecords; ++it, ++read) {
        absl::StatusOr<Record> record = decode(it->first, it->second);
        if (!record.ok()) return record.status();
        out.push_back(*std::move(record));
        last = it->first;
      }
      done = it == records.end();
    }
    if (read > 0) {
      if (absl::Status s = step(read); !s.ok()) return s;
    }
    if (done) return absl::OkStatus();
  }
}

std::string PairName(const std::pair<std::string, std::string>& key) {
  return absl::StrCat(key.first, "/", key.second);
}

}  // namespace

// `now` is unused: the memory store keeps closed cases until a commit drops them.
absl::StatusOr<StoredState> MemoryStateStore::Load(absl::Time /*now*/,
                                                   const LoadProgress& progress) {
  if (absl::Status s = CheckAvailable(); !s.ok()) return s;
  Domain& d = *domain_;
  StoredState state;
  size_t total = 0;
  {
    absl::MutexLock lock(&d.mu);
    state.cases.reserve(d.cases.size());
    state.agents.reserve(d.agents.size());
    state.quality.reserve(d.quality.size());
    state.relationships.reserve(d.relationships.size());
    total = d.cases.size() + d.agents.size() + d.quality.size() + d.relationships.size();
  }
  size_t read = 0;
  auto step = [&](size_t records) {
    read += records;
    return progress ? progress(read, std::max(read, total)) : absl::OkStatus();
  };
  if (absl::Status s = step(0); !s.ok()) return s;
  // The maps are only read under the lock, inside LoadChunked.
  auto& cases = ABSL_TS_UNCHECKED_READ(d.cases);
  auto& agents = ABSL_TS_UNCHECKED_READ(d.agents);
  auto& quality = ABSL_TS_UNCHECKED_READ(d.quality);
  auto& relationships = ABSL_TS_UNCHECKED_READ(d.relationships);
  absl::Status s = LoadChunked(
      d.mu, cases, state.cases,
      [](const std::string& id, const Domain::StoredCase& stored) -> absl::StatusOr<Case> {
        absl::StatusOr<Case> c = DecodeCase(stored.fields);
        if (!c.ok()) return InRecord(c.status(), "case", id);
        return c;
      },
      step);
  if (s.ok()) {
    s = LoadChunked(
        d.mu, agents, state.agents,
        [](const std::string& id, const FieldList& fields) -> absl::StatusOr<Agent> {
          absl::StatusOr<Agent> a = DecodeAgent(fields);
          if (!a.ok()) return InRecord(a.status(), "agent", id);
          return a;
        },
        step);
  }
  if (s.ok()) {
    s = LoadChunked(
        d.mu, quality, state.quality,
        [](const std::pair<std::string, std::string>& key,
           const FieldList& fields) -> absl::StatusOr<QualityRecord> {
          absl::StatusOr<QualityRecord> q = DecodeQualityRecord(fields);
          if (!q.ok()) return InRecord(q.status(), "quality", PairName(key));
          return q;
        },
        step);
  }
  if (s.ok()) {
    s = LoadChunked(
        d.mu, relationships, state.relationships,
        [](const std::pair<std::string, std::string>& key,
           const FieldList& fields) -> absl::StatusOr<Relationship> {
          absl::StatusOr<Relationship> r = DecodeRelationship(fields);
          if (!r.ok()) return InRecord(r.status(), "relationship", PairName(key));
          return r;
        },
        step);
  }
  if (!s.ok()) return s;
  return state;
}

}  // namespace caserouter
