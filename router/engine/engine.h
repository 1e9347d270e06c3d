// Engine: the routing state machine of one routing domain.
//
// The engine owns every case, agent and desk session of its domain in memory and is driven by
// one thread. Public methods are thread-safe: they only enqueue a command and return; the
// command runs in the next Tick() on the engine thread, and its callback runs on the engine
// thread after that tick's changes are durable in the StateStore (group commit). So an OK from
// SubmitCase means the case is stored, and an offer reaches a desk only once it is stored.
// Callbacks and DeskSession::Deliver must not block: they hand results to other threads.
//
//   FakeClock clock;
//   MemoryStateStore store;
//   Engine engine(config, &store, &clock, &observer, "replica-1");
//   engine.SubmitCase(spec, [](absl::StatusOr<SubmitResult> r) { ... });
//   engine.Tick();        // decide, persist, answer
//
// Leadership: Tick() first makes sure this replica leads the domain (a lease in the store). A
// replica that does not lead, or that lost its store, answers every command with UNAVAILABLE
// and reports !IsServing() until it leads again, rebuilt from the store.
//
// Errors (absl::Status codes as Abseil documents them): INVALID_ARGUMENT naming the field,
// NOT_FOUND for unknown ids, FAILED_PRECONDITION for an action the case's or agent's state
// does not allow, ALREADY_EXISTS for a taken agent id, RESOURCE_EXHAUSTED when the queue is
// full, UNAVAILABLE when not leading or the store failed (nothing was acknowledged).
#ifndef CASEROUTER_ROUTER_ENGINE_ENGINE_H_
#define CASEROUTER_ROUTER_ENGINE_ENGINE_H_

#include <atomic>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agents/agent.h"
#include "agents/quality_record.h"
#include "router/model/case.h"
#include "router/model/clock.h"
#include "router/model/engine_config.h"
#include "router/engine/engine_observer.h"
#include "router/policy/matching.h"
#include "router/model/reasons.h"
#include "router/model/score.h"
#include "router/store/state_store.h"

namespace caserouter {

// A case with its current priority, as returned to callers.
struct CaseView {
  Case record;
  Score priority;
};

struct SubmitResult {
  CaseView view;
  bool deduplicated = false;  // a retry of an earlier submission with the same key
  bool joined = false;        // joined the customer's open case on the topic (continuity)
};

// The last routing decision of a case, with the case's priority terms at that moment.
struct Explanation {
  CaseView view;       // without customer text
  Decision decision;
};

struct AgentView {
  Agent agent;
  bool connected = false;
};

struct QueueSnapshot {
  // Queued and offered, in routing order, without customer text: the page asked for.
  std::vector<CaseView> cases;
  PerChannel<int> depth = {0, 0, 0, 0};  // every waiting case, not only the page's
  int total = 0;                         // waiting cases in all (the sum of depth)
};

// What the engine tells a desk session.
struct DeskNotice {
  enum class Kind {
    kOffer,            // view, expires
    kOfferRevoked,     // case_id, revocation (and reason: its name)
    kPresenceChanged,  // presence, reason
    kCaseMessage,      // case_id, text, channel
    kSessionEnded,     // reason: the engine ended the session (heartbeat lost, replaced)
  };
  Kind kind = Kind::kOffer;
  CaseView view;
  absl::Time expires;
  std::string case_id;
  std::string reason;
  RevocationReason revocation = RevocationReason::kTimedOut;
  Presence presence = Presence::kOffline;
  std::string text;
  Channel channel = Channel::kPhone;
};

// One agent's open desk stream, implemented by the transport (gRPC).
class DeskSession {
 public:
  virtual ~DeskSession() = default;
  // Called on the engine thread after the notice's state is durable. Must not block.
  virtual void Deliver(DeskNotice notice) = 0;
};

struct Welcome {
  Presence presence = Presence::kOffline;
  std::vector<CaseView> assigned;
  absl::Duration heartbeat_interval;
};

class Engine {
 public:
  template <typename T>
  using Callback = std::function<void(absl::StatusOr<T>)>;
  using StatusCallback = std::function<void(absl::Status)>;

  // `store`, `clock` and `observer` must outlive the engine. `instance_id` names this replica
  // in the leadership lease.
  Engine(EngineConfig config, StateStore* store, Clock* clock, EngineObserver* observer,
         std::string instance_id);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // --- Channel adapters ---
  void SubmitCase(CaseSpec spec, Callback<SubmitResult> done);
  void AddMessage(std::string case_id, std::string text, Callback<CaseView> done);
  void CancelCase(std::string case_id, std::string reason, Callback<CaseView> done);
  void GetCase(std::string case_id, Callback<CaseView> done);

  // --- Supervision ---
  void CreateAgent(Agent profile, Callback<AgentView> done);
  void UpdateAgent(Agent profile, Callback<AgentView> done);
  void RemoveAgent(std::string agent_id, StatusCallback done);
  void ListQueue(int limit, Callback<QueueSnapshot> done) { ListQueuePage(0, limit, done); }
  // The waiting cases from position `offset` of the routing order, at most `limit` (0 = all).
  void ListQueuePage(int offset, int limit, Callback<QueueSnapshot> done);
  void ListAgents(Callback<std::vector<AgentView>> done);
  // The last routing decision of a case. NOT_FOUND for an unknown case, or one never routed
  // by this replica (decisions live in memory; a failover starts them afresh).
  void ExplainDecision(std::string case_id, Callback<Explanation> done);
  // Replaces the configuration (validated by the caller); takes effect in the next tick.
  void Reconfigure(EngineConfig config, StatusCallback done);

  // --- Agent desks ---
  // Opens (or replaces) the agent's session; the agent keeps its presence (OFFLINE agents
  // become AWAY until they set AVAILABLE). The replaced session receives kSessionEnded.
  void OpenSession(std::string agent_id, std::shared_ptr<DeskSession> session,
                   Callback<Welcome> done);
  // The transport saw the stream end. Offers go back to the queue at once; assignments are
  // held for the reconnect grace period.
  void CloseSession(std::string agent_id, const DeskSession* session);
  void Heartbeat(std::string agent_id, const DeskSession* session);
  void SetPresence(std::string agent_id, const DeskSession* session, Presence presence,
                   StatusCallback done);
  void Accept(std::string agent_id, const DeskSession* session, std::string case_id,
              Callback<CaseView> done);
  void Decline(std::string agent_id, const DeskSession* session, std::string case_id,
               StatusCallback done);
  void Complete(std::string agent_id, const DeskSession* session, std::string case_id,
                Outcome outcome, Callback<CaseView> done);

  // --- Driving ---
  // One pass: take commands, advance timers, route, persist, then answer and notify.
  void Tick();
  // Runs Tick() on the calling thread until Stop(); wakes on commands and on timers.
  void Run();
  // Makes Run() return after its current tick. Thread-safe.
  void Stop();
  // Gives the leadership lease up so a standby takes over at once (clean shutdown). Call only
  // when no thread is in Run() or Tick().
  void ReleaseLeadership();
  // True while this replica leads the domain with its state loaded. Thread-safe.
  bool IsServing() const { return serving_.load(std::memory_order_acquire); }

 private:
  struct Session {
    std::shared_ptr<DeskSession> desk;
    absl::Time last_seen;
  };
  // A command runs on the engine thread when this replica serves, or fails with the reason it
  // cannot (not leading, store down).
  struct Command {
    std::function<void()> run;
    std::function<void(const absl::Status&)> fail;
  };

  void Enqueue(std::function<void()> run, std::function<void(const absl::Status&)> fail);
  // Defers `reply` until the tick's commit: it gets the commit's status.
  void Reply(std::function<void(const absl::Status& commit)> reply);
  template <typename T>
  void ReplyWith(Callback<T> done, absl::StatusOr<T> result);
  void ReplyStatus(StatusCallback done, absl::Status status);
  void Notify(const std::string& agent_id, DeskNotice notice);
  std::string TopicLabel(const std::string& topic) const;
  void EvictExpired(absl::Time now);
  void Observe(std::function<void()> observation);
  void Emit(absl::string_view type, const std::string& case_id, const std::string& agent_id,
            std::string detail);

  // Leadership and recovery.
  bool EnsureLeadership(absl::Time now);
  absl::Status Rebuild(absl::Time now);
  void StepDown(const absl::Status& why);

  // Command bodies (engine thread).
  absl::StatusOr<SubmitResult> DoSubmit(CaseSpec spec, absl::Time now);
  absl::StatusOr<CaseView> DoAddMessage(const std::string& case_id, std::string text);
  absl::StatusOr<CaseView> DoCancel(const std::string& case_id, const std::string& reason,
                                    absl::Time now);
  absl::StatusOr<AgentView> DoUpsertAgent(Agent profile, bool create);
  absl::Status DoRemoveAgent(const std::string& agent_id);
  absl::StatusOr<Welcome> DoOpenSession(const std::string& agent_id,
                                        std::shared_ptr<DeskSession> session, absl::Time now);
  void DoCloseSession(const std::string& agent_id, absl::string_view reason, absl::Time now);
  absl::Status CheckSession(const std::string& agent_id, const DeskSession* session);
  absl::Status DoSetPresence(const std::string& agent_id, Presence presence, absl::Time now);
  // The case `agent_id` holds in `state` (offered or assigned), and the agent: NOT_FOUND for
  // unknown ids, FAILED_PRECONDITION when the case is not held so by this agent.
  absl::Status FindHeld(const std::string& agent_id, const std::string& case_id,
                        CaseState state, Case** c, Agent** agent);
  absl::StatusOr<CaseView> DoAccept(const std::string& agent_id, const std::string& case_id,
                                    absl::Time now);
  absl::Status DoDecline(const std::string& agent_id, const std::string& case_id,
                         OfferResult why, absl::Time now);
  absl::StatusOr<CaseView> DoComplete(const std::string& agent_id, const std::string& case_id,
                                      const Outcome& outcome, absl::Time now);

  // Timers and routing (engine thread).
  void AdvanceTimers(absl::Time now);
  void Route(absl::Time now);
  // ChooseAgent for `c` with its topic's records; `teams` caches team records for one pass.
  Decision Decide(const Case& c, std::vector<AgentCandidate>& candidates,
                  std::map<std::string, TeamRecord>& teams, absl::Time now);
  void MakeOffer(Case& c, Agent& agent, const Score& priority, absl::Time now);
  void ReleaseCapacity(Agent& agent, Channel channel, absl::Time now);
  void Requeue(Case& c, absl::Time now);
  void SetAgentPresence(Agent& agent, Presence presence, absl::string_view reason,
                        absl::Time now, bool notify);
  void ReportState();
  // History.
  void RecordOutcome(const Case& c, const Outcome& outcome, absl::Time now);
  void DetectRepeatContact(Case& fresh, absl::Time now);
  absl::StatusOr<SubmitResult> JoinOpenCase(Case& open, CaseSpec spec, absl::Time now);
  TeamRecord TeamRecordFor(const std::string& topic) const;
  QualityRecord& QualityOf(const std::string& topic, const std::string& agent_id);
  Relationship& RelationshipOf(const std::string& customer, const std::string& agent_id);
  static std::string CustomerTopicKey(const CaseSpec& spec);

  CaseView ViewOf(const Case& c, absl::Time now) const;
  AgentView AgentViewOf(const Agent& a) const;
  // The open cases now, for loops that change case states as they go.
  std::vector<Case*> OpenSnapshot() const;
  Case* FindCase(const std::string& id);
  Agent* FindAgent(const std::string& id);
  bool Connected(const std::string& agent_id) const;
  void SetState(Case& c, CaseState state);
  void MarkDirty(const Case& c) { dirty_cases_[c.id] = true; }
  void MarkDirty(const Agent& a) {
    dirty_agents_[a.id] = true;
    ++agents_epoch_;
  }
  Batch TakeBatch(absl::Time now);
  void ClearDomainState();

  EngineConfig config_;
  StateStore* const store_;
  Clock* const clock_;
  EngineObserver* const observer_;
  const std::string instance_id_;

  // Command queue (any thread).
  mutable absl::Mutex mu_;
  std::vector<Command> commands_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<bool> serving_{false};

  // Domain state (engine thread only).
  int64_t epoch_ = 0;
  absl::Time lease_renew_at_ = absl::InfinitePast();
  absl::Time next_leader_attempt_ = absl::InfinitePast();
  std::map<std::string, Case> cases_;   // ordered by id: deterministic iteration
  // Queued, offered and assigned cases, by id. Pointers into cases_ stay valid: std::map nodes
  // do not move, and only closed cases are ever erased from cases_.
  std::map<std::string, Case*> open_cases_;
  // Closed cases by the time they closed, oldest first, for eviction after closed_retention.
  std::deque<std::pair<absl::Time, std::string>> closed_order_;
  std::map<std::string, Agent> agents_;
  // History: quality by topic then agent; relationships by customer then agent.
  std::map<std::string, std::map<std::string, QualityRecord>> quality_;
  std::map<std::string, std::map<std::string, Relationship>> relationships_;
  // customer + '\n' + topic → the open case (continuity) / the last resolved case (repeats).
  absl::flat_hash_map<std::string, std::string> open_by_customer_topic_;
  absl::flat_hash_map<std::string, std::string> last_resolved_;
  // The last decision per case, with the agents_epoch_ it was made at.
  struct RecordedDecision {
    Decision decision;
    uint64_t agents_epoch = 0;
  };
  std::map<std::string, RecordedDecision> decisions_;
  // Bumped by every change to an agent (profile, presence, load) or its session: a waiting
  // case's decision from an earlier epoch may no longer say why it waits.
  uint64_t agents_epoch_ = 0;
  // Bumped whenever a case (re)enters the queue; with agents_epoch_, what the last
  // nobody-is-free explanation pass saw (see Route).
  uint64_t queue_version_ = 0;
  uint64_t explained_agents_epoch_ = ~uint64_t{0};
  uint64_t explained_queue_version_ = ~uint64_t{0};
  absl::flat_hash_map<std::string, std::string> idempotency_;  // key -> case id
  std::map<std::string, Session> sessions_;  // transport state: survives a rebuild
  std::map<std::string, absl::Time> disconnected_since_;
  absl::Time next_eviction_ = absl::InfinitePast();
  int64_t case_sequence_ = 0;
  bool sequence_dirty_ = false;

  // Per-tick buffers.
  std::map<std::string, bool> dirty_cases_;
  std::map<std::string, bool> dirty_agents_;
  std::set<std::pair<std::string, std::string>> dirty_quality_;        // (topic, agent)
  std::set<std::pair<std::string, std::string>> dirty_relationships_;  // (customer, agent)
  std::vector<std::string> removed_agents_;
  std::vector<Event> events_;
  std::vector<std::function<void(const absl::Status&)>> replies_;
  std::vector<std::pair<std::shared_ptr<DeskSession>, DeskNotice>> notices_;
  std::vector<std::function<void()>> observations_;
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_ENGINE_H_
