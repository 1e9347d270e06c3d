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
// and reports !IsServing() until it leads again, rebuilt from the store. Stepping down ends
// every desk session at once (DeskNotice kSessionEnded, reason kNotLeadingReason), so desks
// reconnect to the leader.
//
// Errors (absl::Status codes as Abseil documents them): INVALID_ARGUMENT naming the field,
// NOT_FOUND for unknown ids, FAILED_PRECONDITION for an action the case's or agent's state
// does not allow, ALREADY_EXISTS for a taken agent id, RESOURCE_EXHAUSTED when the queue is
// full, UNAVAILABLE when not leading or the store failed (nothing was acknowledged).
//
// Inside, the engine keeps the public API, the command queue and the tick; each job of the
// tick has a room of its own (see docs/design.md): domain_state (tables and indexes),
// tick_outbox (changes → the batch; replies, notices, observations after it), leadership and
// recovery, case_intake, case_lifecycle (offers and assignments), agent_registry,
// desk_sessions (presence), timers, routing_pass and views.
#ifndef CASEROUTER_ROUTER_ENGINE_ENGINE_H_
#define CASEROUTER_ROUTER_ENGINE_ENGINE_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agents/agent.h"
#include "router/engine/agent_context.h"
#include "router/engine/benchmark_tracking.h"
#include "router/engine/case_transfer.h"
#include "router/engine/desk_session.h"
#include "router/engine/desk_sessions.h"
#include "router/engine/domain_state.h"
#include "router/engine/engine_observer.h"
#include "router/engine/leadership.h"
#include "router/engine/routing_pass.h"
#include "router/engine/supervisor_controls.h"
#include "router/engine/tick_context.h"
#include "router/engine/tick_outbox.h"
#include "router/engine/views.h"
#include "router/model/case.h"
#include "router/model/case_id.h"
#include "router/model/clock.h"
#include "router/model/engine_config.h"
#include "router/model/random_source.h"
#include "router/store/state_store.h"

namespace caserouter {

// The open cases (queued, offered, assigned) of a domain as the engine last published them.
struct OpenCases {
  int64_t count = 0;
  uint32_t version = 0;  // one more at every publication (wraps)
};

class Engine {
 public:
  template <typename T>
  using Callback = std::function<void(absl::StatusOr<T>)>;
  using StatusCallback = std::function<void(absl::Status)>;

  // `store`, `clock` and `observer` must outlive the engine. `instance_id` names this replica
  // in the leadership lease. `random` gives the random bits of case ids
  // (router/model/case_id.h): null for the kernel's CSPRNG (SystemRandomSource); tests and the
  // simulator pass a seeded source to be deterministic. It must outlive the engine.
  Engine(EngineConfig config, StateStore* store, Clock* clock, EngineObserver* observer,
         std::string instance_id, RandomSource* random = nullptr);
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // --- Channel adapters ---
  // The answer is the case as stored after the tick (OFFERED when it was offered at once).
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
  // The running comparison of a live benchmark's arms (issue 17, benchmark_tracking.h), with
  // the cases still needed for `precision`.
  void GetBenchmarkReport(BenchmarkPrecision precision, Callback<BenchmarkReport> done);
  // Replaces the configuration (validated by the caller); takes effect in the next tick.
  void Reconfigure(EngineConfig config, StatusCallback done);

  // --- Supervisor controls (issue 14; router/engine/supervisor_controls.h) ---
  // `supervisor` names the caller in the recorded decision.
  void SupervisorSetPresence(std::string agent_id, Presence presence, Callback<AgentView> done);
  void EndAgentSession(std::string agent_id, StatusCallback done);
  void AssignCase(std::string case_id, std::string agent_id, std::string supervisor,
                  Callback<CaseView> done);
  void UpdateWaitingCase(std::string case_id, WaitingCaseChange change, Callback<CaseView> done);
  void ListCasesNeedingSupervisor(Callback<std::vector<CaseView>> done);
  void TakeOverCase(std::string case_id, std::string agent_id, std::string supervisor,
                    Callback<CaseView> done);
  void ListAgentCases(std::string agent_id, Callback<std::vector<CaseView>> done);

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
  // Complete with a disposition code from the topic's configured list (issue 14;
  // router/engine/agent_work_rules.h); INVALID_ARGUMENT naming outcome.disposition_code.
  void CompleteWithCode(std::string agent_id, const DeskSession* session, std::string case_id,
                        Outcome outcome, std::string disposition, Callback<CaseView> done);
  // Hands an assigned case on: cold, warm (a consult) or to routing (issue 14;
  // router/engine/case_transfer.h). A consulted agent answers with Accept or Decline.
  void Transfer(std::string agent_id, const DeskSession* session, std::string case_id,
                TransferRequest request, Callback<CaseView> done);
  // The context of the agent's own case: the customer's cases, channels, why this agent, the
  // agent's own figures on the topic (issue 14; router/engine/agent_context.h).
  void GetContext(std::string agent_id, const DeskSession* session, std::string case_id,
                  Callback<AgentContext> done);
  // Wrap-up ended early or extended, AWAY with a reason (issue 14;
  // router/engine/agent_work_rules.h).
  void EndWrapUp(std::string agent_id, const DeskSession* session, StatusCallback done);
  void ExtendWrapUp(std::string agent_id, const DeskSession* session, absl::Duration extra,
                    StatusCallback done);
  void SetAway(std::string agent_id, const DeskSession* session, std::string reason,
               StatusCallback done);
  // Marks an assigned chat, social or email case pending: waiting on the customer (issue 14;
  // router/engine/pending_cases.h).
  void MarkPending(std::string agent_id, const DeskSession* session, std::string case_id,
                   Callback<CaseView> done);
  // Gives an accepted case back to the queue; not offered to this agent again in this pass
  // (issue 14; router/engine/case_release.h).
  void Release(std::string agent_id, const DeskSession* session, std::string case_id,
               Callback<CaseView> done);

  // --- Audit ---
  // Appends an event of the caller's (the service layer's audit: refused calls, supervisor
  // actions) to the domain's event stream with the next tick's batch, dated by the tick. A
  // replica that does not lead drops it: only the leader writes the stream. `detail` holds
  // closed-set words, numbers and ids only, never customer text.
  void RecordEvent(std::string type, std::string case_id, std::string agent_id, std::string detail);

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
  // Open cases as of the last tick's commit, published at the end of the tick, once its
  // answers ran; 0 while not serving. Thread-safe. For admission before the tick
  // (router/service/admission.h): the version tells a reader that answers it saw before it are
  // in the count. A hint that lags by a tick, never the rule (the tick refuses beyond
  // max_queue).
  OpenCases OpenCaseSnapshot() const;
  int64_t OpenCaseCount() const { return OpenCaseSnapshot().count; }
  // Cases the last tick's routing pass decided: the work it did, for tests and benchmarks.
  // Engine thread only (call between ticks).
  int64_t CasesDecidedLastTick() const { return routing_.decided_last_pass(); }

 private:
  // A command runs on the engine thread when this replica serves, or fails with the reason it
  // cannot (not leading, store down).
  struct Command {
    std::function<void(TickContext&)> run;
    std::function<void(const absl::Status&)> fail;
  };

  void Enqueue(std::function<void(TickContext&)> run,
               std::function<void(const absl::Status&)> fail);
  // Runs `body(ctx)` (returning StatusOr<T>) in the next tick; `done` gets its result after
  // the tick's commit, or the commit's failure.
  template <typename T, typename Body>
  void Call(Callback<T> done, Body body);
  // The same for a desk command: refused unless `session` is the agent's open session.
  template <typename T, typename Body>
  void DeskCall(const std::string& agent_id, const DeskSession* session, Callback<T> done,
                Body body);
  template <typename T>
  static void ReplyWith(TickContext& ctx, Callback<T> done, absl::StatusOr<T> result);

  TickContext ContextAt(absl::Time now);
  bool EnsureLeadership(TickContext& ctx);
  void StepDown();
  void Commit(TickContext& ctx);
  void PublishOpenCases(int64_t count);

  EngineConfig config_;
  StateStore* const store_;
  Clock* const clock_;
  EngineObserver* const observer_;
  Leadership leadership_;
  std::unique_ptr<RandomSource> own_random_;  // when none was given
  CaseIdGenerator case_ids_;                  // engine thread only

  // Command queue (any thread).
  mutable absl::Mutex mu_;
  std::vector<Command> commands_ ABSL_GUARDED_BY(mu_);
  bool stop_ ABSL_GUARDED_BY(mu_) = false;
  std::atomic<bool> serving_{false};
  std::atomic<uint64_t> open_cases_{0};  // version << 32 | count: one atomic, read whole

  // Engine thread only.
  DomainState state_;
  TickOutbox outbox_;
  DeskSessions desks_;  // transport state: ended whenever this replica steps down
  RoutingPass routing_;
  absl::Time agents_reported_ = absl::InfinitePast();  // the last ReportAgentState
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_ENGINE_H_
