// WaitingIndex: the queued cases of a domain, grouped by what they need, with what each is
// waiting for — so that a tick re-decides only the cases a change can affect.
//
// A requirement group holds the queued cases of one requirement signature (channel, skills at
// minimum proficiency, language, authority needed) in priority order. Within a group every
// case shares the channel, so priority grows with waiting at the same rate for all of them and
// their order does not change as time passes: the group keeps it without re-sorting. The order
// across groups is decided at the heads, at the tick's `now`.
//
// After each decision the routing pass records why a case still waits:
//   - kNobodyEligible: no agent passed eligibility. Only an agent who becomes eligible for the
//     group (presence, capacity, profile, session) or time (the decline pass ending, the SLA
//     breached for an authority need) can change that.
//   - kWaitingForRing: someone is eligible but the case waits for its bullseye ring. Any change
//     of an agent able to serve the group, of the topic's quality records or of the customer's
//     relationships can change that, and so does the bullseye bound running out.
// and when time alone may change the answer (`recheck_at`). A case is decided again only when
// it is touched: new or re-queued, its recheck time reached, or a change named above.
//
// Memory: a queued case costs its entries here, and none of them copies its id: every entry
// holds a view of the case's own `id`, which lives as long as the case (DomainState keeps
// cases in std::map nodes, and a case leaves this index before it can be erased). Add() must
// be given the domain's own record, never a copy.
//
// Thread safety: none; the engine thread owns it. Errors: none.
#ifndef CASEROUTER_ROUTER_ENGINE_WAITING_INDEX_H_
#define CASEROUTER_ROUTER_ENGINE_WAITING_INDEX_H_

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "agents/agent.h"
#include "router/model/case.h"
#include "router/model/engine_config.h"

namespace caserouter {

// What a case needs from an agent; cases with equal signatures form one group.
struct Requirements {
  Channel channel = Channel::kPhone;
  std::vector<SkillRequirement> skills;  // sorted by skill
  std::string language;                  // empty = any
  int64_t authority_needed = 0;

  static Requirements Of(const CaseSpec& spec);
  std::string Signature() const;
  // The agent has the skills and the language: they could serve the group when present and
  // free (authority aside: a case past its SLA may be routed past its authority need).
  bool Matches(const Agent& agent) const;
};

enum class WaitReason : uint8_t { kUndecided, kNobodyEligible, kWaitingForRing };

// Times in the index as nanoseconds since the epoch: 8 bytes where absl::Time takes 16, for
// ±292 years; the infinities map to the extremes.
using Nanos = int64_t;
Nanos ToNanos(absl::Time t);
absl::Time FromNanos(Nanos n);

class WaitingIndex {
 public:
  // One queued case's place in its group: priority order, then age, then id.
  struct Entry {
    double key;  // priority with the wait term taken at the index's origin (see file comment)
    Nanos enqueued;
    absl::string_view id;  // the case's own id (see "Memory" above)
    bool operator<(const Entry& o) const {
      if (key != o.key) return key > o.key;
      if (enqueued != o.enqueued) return enqueued < o.enqueued;
      return id < o.id;
    }
  };
  // B-trees, not std::set: an element costs its bytes and not a node allocation each, and
  // nothing here keeps an iterator across a change.
  using ByTime = absl::btree_set<std::pair<Nanos, absl::string_view>>;
  struct Group {
    const std::string* signature = nullptr;  // its key in groups()
    Requirements requirements;
    absl::btree_set<Entry> cases;  // priority order
    ByTime by_age;                 // oldest first
  };
  // Keyed by the case's own id, so the id is not kept a second time here: 56 bytes a case.
  struct Waiting {
    const Group* group = nullptr;
    double key = 0;        // its Entry's key
    Nanos enqueued = 0;    // its Entry's enqueue time
    Nanos expires = 0;     // created + the channel's time to live
    Nanos decided = 0;     // the last decision (valid once `reason` is not kUndecided)
    Nanos recheck_at = 0;  // when time alone may change the answer
    WaitReason reason = WaitReason::kUndecided;
    absl::Time decided_time() const { return FromNanos(decided); }
    Entry EntryOf(absl::string_view id) const { return Entry{key, enqueued, id}; }
  };

  // The case entered the queue (or its needs changed): indexed and touched.
  void Add(const Case& c, const EngineConfig& config);
  // The case left the queue (offered, expired, cancelled).
  void Remove(absl::string_view case_id);
  bool Contains(absl::string_view case_id) const { return waiting_.count(case_id) > 0; }
  const Waiting* Find(absl::string_view case_id) const;
  // Re-indexes every case (the configuration changed priority weights, SLAs or strategies).
  void Rebuild(const std::vector<const Case*>& queued, const EngineConfig& config);
  void Clear();

  // Marks the case for a decision in the next routing pass.
  void Touch(absl::string_view case_id);
  // Every case waiting for its ring that `pred(waiting, id)` selects is touched.
  template <typename Pred>
  void TouchWaitingForRing(Pred pred) {
    for (absl::string_view id : for_ring_) {
      if (pred(waiting_.at(id), id)) touched_.insert(id);
    }
  }
  // The cases whose time to live ran out by `now`, in id order.
  std::vector<std::string> ExpiredBy(absl::Time now) const;
  // Cases whose recheck time is due at `now` become touched.
  void TouchDue(absl::Time now);
  // The touched cases, cleared: views of the cases' own ids.
  std::vector<absl::string_view> TakeTouched();
  bool AnyTouched() const { return !touched_.empty(); }

  // The routing pass decided `case_id` at `now` and it still waits.
  void Record(absl::string_view case_id, WaitReason reason, absl::Time now, absl::Time recheck_at);

  const std::map<std::string, Group>& groups() const { return groups_; }
  const Group* FindGroup(const std::string& signature) const;
  size_t size() const { return waiting_.size(); }

 private:
  double KeyOf(const Case& c, const EngineConfig& config) const;

  absl::Time origin_ = absl::InfinitePast();  // set by the first Add; keeps keys small
  std::map<std::string, Group> groups_;       // by signature
  absl::flat_hash_map<absl::string_view, Waiting> waiting_;
  absl::btree_set<absl::string_view> touched_;
  absl::btree_set<absl::string_view> for_ring_;  // reason kWaitingForRing
  ByTime rechecks_;
  ByTime expiries_;
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_WAITING_INDEX_H_
