// DomainState: every case and agent of one routing domain in memory, with the indexes the
// engine looks them up by. The engine's rooms read and change it during a tick; what they
// change they also tell the tick's outbox (tick_context.h), which turns it into the batch.
//
// Invariants kept by SetCaseState and Load:
//   - open_cases holds exactly the queued, offered and assigned cases (pointers into cases:
//     std::map nodes never move, and only closed cases are ever erased);
//   - closed_order holds every closed case by the time it closed, oldest first;
//   - open_by_customer_topic maps customer + topic to the open case (continuity), and
//     last_resolved to the last case marked resolved (repeat contacts);
//   - holds names the agent of every offered or assigned case, held_by the cases of every
//     agent, offer_deadlines every offer by the time it lapses;
//   - waiting_depth and waiting_value count the queued and offered cases per channel;
//   - waiting indexes the queued cases by requirement group (rebuilt when waiting_stale).
//
// Thread safety: none; the engine thread owns it. Errors: none.
#ifndef CASEROUTER_ROUTER_ENGINE_DOMAIN_STATE_H_
#define CASEROUTER_ROUTER_ENGINE_DOMAIN_STATE_H_

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_map.h"
#include "absl/container/flat_hash_map.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "agents/agent.h"
#include "agents/track_record.h"
#include "router/engine/case_sets.h"
#include "router/engine/waiting_index.h"
#include "router/model/case.h"
#include "router/model/engine_config.h"
#include "router/store/state_store.h"

namespace caserouter {

struct DomainState {
  // Ordered by id: deterministic iteration. Each key views its own case's id (AddCase).
  std::map<absl::string_view, Case> cases;
  // Keys view each case's own id. A B-tree: nothing iterates it while changing it.
  absl::btree_map<absl::string_view, Case*> open_cases;
  std::deque<std::pair<absl::Time, std::string>> closed_order;
  std::map<std::string, Agent> agents;
  TrackRecord records;
  // Customer and topic → the open case (continuity), found by CustomerTopicOf (case_sets.h).
  using CustomerTopic = CustomerTopicOfCase::Key;
  CaseSet<CustomerTopicOfCase> open_by_customer_topic;
  // customer + '\n' + topic → the last resolved case (repeats).
  absl::flat_hash_map<std::string, std::string> last_resolved;
  // Every idempotency key of every case kept → the case. A case's own key is read from its
  // spec (case_sets.h: no copy per case); the keys of submissions that joined a case, few, are
  // kept whole.
  CaseSet<OwnKeyOfCase> idempotency;
  absl::flat_hash_map<std::string, Case*> joined_idempotency;
  // Agents whose desk went away while they held assignments, since when.
  std::map<std::string, absl::Time> disconnected_since;
  absl::Time next_eviction = absl::InfinitePast();
  // Who holds each offered or assigned case, and until when an offer stands.
  struct Hold {
    std::string agent_id;
    absl::Time offer_expires = absl::InfiniteFuture();  // InfiniteFuture once assigned
  };
  absl::flat_hash_map<std::string, Hold> holds;          // by case id
  std::map<std::string, std::set<std::string>> held_by;  // agent id → case ids, ordered
  std::set<std::pair<absl::Time, std::string>> offer_deadlines;
  // Agents in wrap-up by the time it ends (entries go stale when presence changes otherwise).
  std::set<std::pair<absl::Time, std::string>> wrap_up_ends;
  PerChannel<int> waiting_depth = {0, 0, 0, 0};     // queued and offered
  PerChannel<double> waiting_value = {0, 0, 0, 0};  // their customer value
  WaitingIndex waiting;
  bool waiting_stale = true;  // the index must be rebuilt from the queued cases
  // Bumped by every change to an agent (profile, presence, load) or its session: a waiting
  // case's decision from an earlier epoch may no longer say why it waits.
  uint64_t agents_epoch = 0;
  // Bumped whenever a case (re)enters the queue.
  uint64_t queue_version = 0;
  // Bumped when an agent's profile (skills, languages) changes or an agent comes or goes.
  uint64_t profiles_version = 0;
  // What changed since the last routing pass, for the pass to re-decide only what it affects:
  // agents (profile, presence, load, desk session), topics whose quality records changed,
  // customers whose relationships changed.
  std::set<std::string> agents_touched;
  std::set<std::string> topics_touched;
  std::set<std::string> customers_touched;

  Case* FindCase(absl::string_view id);
  // Stores a new case (its id not yet in `cases`) and returns the stored record.
  Case& AddCase(Case c);
  Agent* FindAgent(const std::string& id);
  // The open cases now, for loops that change case states as they go.
  std::vector<Case*> OpenSnapshot() const;
  // Sets the state and keeps the indexes true (see the invariants above). An offer's agent
  // and expiry must be set on the case before it becomes kOffered.
  void SetCaseState(Case& c, CaseState state);
  // Rebuilds the waiting index from the queued cases when it is stale (after recovery or a
  // configuration change); every queued case is then touched.
  void RefreshWaiting(const EngineConfig& config);
  // A waiting case moves to another channel (a live contact joined it).
  void ChangeChannel(Case& c, Channel channel);
  // The cases `agent_id` holds (offered or assigned), in id order.
  std::vector<Case*> HeldBy(const std::string& agent_id);
  // Forgets closed cases older than `retention` (oldest first: a pass costs the cases it
  // evicts) with their idempotency keys, their own and those of submissions that joined them.
  // Returns the evicted ids. At most once a minute.
  std::vector<std::string> EvictExpired(absl::Time now, absl::Duration retention);
  // The case a submission's key was answered with, or null.
  Case* FindByKey(absl::string_view key);
  // Indexes the stored case's own key / a key that joined it.
  void IndexKey(Case& c) { idempotency.insert(&c); }
  void IndexJoinedKey(const std::string& key, Case& c) { joined_idempotency[key] = &c; }

  // Replaces everything by the stored state (recovery). Agents' loads are recounted from the
  // open cases; offers are left as stored for the caller to return to the queue.
  void Load(StoredState stored);
  void Clear();

  static std::string CustomerTopicKey(const CaseSpec& spec);
  static CustomerTopic CustomerTopicOf(const CaseSpec& spec) {
    return {spec.customer_id, spec.topic};
  }
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_DOMAIN_STATE_H_
