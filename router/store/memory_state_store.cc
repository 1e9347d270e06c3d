#include "router/store/memory_state_store.h"

#include <deque>
#include <map>
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
  int64_t case_sequence ABSL_GUARDED_BY(mu) = 0;

  std::string lease_owner ABSL_GUARDED_BY(mu);  // empty = nobody
  absl::Time lease_expires ABSL_GUARDED_BY(mu) = absl::InfinitePast();
  int64_t epoch ABSL_GUARDED_BY(mu) = 0;

  bool LeaseLive(absl::Time now) const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu) {
    return !lease_owner.empty() && lease_expires > now;
  }
};

MemoryStateStore::MemoryStateStore() : domain_(std::make_shared<Domain>()) {}
MemoryStateStore::MemoryStateStore(std::shared_ptr<Domain> domain) : domain_(std::move(domain)) {}
MemoryStateStore::~MemoryStateStore() = default;

std::unique_ptr<MemoryStateStore> MemoryStateStore::NewHandle() const {
  return std::unique_ptr<MemoryStateStore>(new MemoryStateStore(domain_));
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
  d.lease_owner = std::string(owner);
  d.lease_expires = now + ttl;
  return ++d.epoch;
}

absl::Status MemoryStateStore::RenewLeadership(absl::string_view owner, int64_t epoch,
                                               absl::Duration ttl, absl::Time now) {
  if (absl::Status s = CheckAvailable(); !s.ok()) return s;
  if (absl::Status s = CheckLeaseArgs(owner, ttl); !s.ok()) return s;
  Domain& d = *domain_;
  absl::MutexLock lock(&d.mu);
  if (!d.LeaseLive(now) || d.lease_owner != owner || d.epoch != epoch) {
    return absl::FailedPreconditionError("lease lost");
  }
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
  if (batch.case_sequence > d.case_sequence) d.case_sequence = batch.case_sequence;
  while (!d.closed.empty() && d.closed.begin()->first < cutoff) {
    d.cases.erase(d.closed.begin()->second);
    d.closed.erase(d.closed.begin());
  }
  return absl::OkStatus();
}

// `now` is unused: the memory store keeps closed cases until a commit drops them.
absl::StatusOr<StoredState> MemoryStateStore::Load(absl::Time /*now*/) {
  if (absl::Status s = CheckAvailable(); !s.ok()) return s;
  Domain& d = *domain_;
  absl::MutexLock lock(&d.mu);
  StoredState state;
  state.case_sequence = d.case_sequence;
  for (const auto& [id, stored] : d.cases) {
    absl::StatusOr<Case> c = DecodeCase(stored.fields);
    if (!c.ok()) return InRecord(c.status(), "case", id);
    state.cases.push_back(*std::move(c));
  }
  for (const auto& [id, fields] : d.agents) {
    absl::StatusOr<Agent> a = DecodeAgent(fields);
    if (!a.ok()) return InRecord(a.status(), "agent", id);
    state.agents.push_back(*std::move(a));
  }
  for (const auto& [key, fields] : d.quality) {
    absl::StatusOr<QualityRecord> q = DecodeQualityRecord(fields);
    if (!q.ok()) return InRecord(q.status(), "quality", absl::StrCat(key.first, "/", key.second));
    state.quality.push_back(*std::move(q));
  }
  for (const auto& [key, fields] : d.relationships) {
    absl::StatusOr<Relationship> r = DecodeRelationship(fields);
    if (!r.ok()) {
      return InRecord(r.status(), "relationship", absl::StrCat(key.first, "/", key.second));
    }
    state.relationships.push_back(*std::move(r));
  }
  return state;
}

}  // namespace caserouter
