// The engine loop. One thread, one routing domain: commands in, decisions, one durable batch,
// then answers out. See engine.h for the contract and docs/design.md for the rooms.
#include "router/engine/engine.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "router/engine/agent_registry.h"
#include "router/engine/case_intake.h"
#include "router/engine/case_lifecycle.h"
#include "router/engine/recovery.h"
#include "router/engine/timers.h"

namespace caserouter {
namespace {

// How often the agents' gauges are refreshed (a walk over every agent).
constexpr absl::Duration kAgentStateEvery = absl::Seconds(1);

absl::Status NotServing(absl::string_view domain) {
  return absl::UnavailableError(
      absl::StrCat("not serving: this replica does not lead routing domain '", domain,
                   "' or its state store is unavailable; retry"));
}

// A status-only command rides on Callback<bool>: the value is dropped.
Engine::Callback<bool> StatusOnly(Engine::StatusCallback done) {
  return [done = std::move(done)](absl::StatusOr<bool> r) { done(r.status()); };
}

absl::StatusOr<bool> Done(absl::Status s) {
  if (!s.ok()) return s;
  return true;
}

}  // namespace

Engine::Engine(EngineConfig config, StateStore* store, Clock* clock, EngineObserver* observer,
               std::string instance_id, RandomSource* random)
    : config_(std::move(config)),
      store_(store),
      clock_(clock),
      observer_(observer),
      leadership_(store, std::move(instance_id)),
      own_random_(random == nullptr ? std::make_unique<SystemRandomSource>() : nullptr),
      case_ids_(random == nullptr ? own_random_.get() : random) {}

Engine::~Engine() = default;

// ---------------------------------------------------------------------------------------------
// Commands: thread-safe entry points. Each only enqueues.

void Engine::Enqueue(std::function<void(TickContext&)> run,
                     std::function<void(const absl::Status&)> fail) {
  absl::MutexLock lock(&mu_);
  commands_.push_back(Command{std::move(run), std::move(fail)});
}

template <typename T>
void Engine::ReplyWith(TickContext& ctx, Callback<T> done, absl::StatusOr<T> result) {
  ctx.out.Defer([done = std::move(done), result = std::move(result)](const absl::Status& commit) {
    if (!commit.ok()) return done(commit);
    done(std::move(result));
  });
}

template <typename T, typename Body>
void Engine::Call(Callback<T> done, Body body) {
  Enqueue([done, body = std::move(body)](
              TickContext& ctx) mutable { ReplyWith<T>(ctx, done, body(ctx)); },
          [done](const absl::Status& s) { done(s); });
}

template <typename T, typename Body>
void Engine::DeskCall(const std::string& agent_id, const DeskSession* session, Callback<T> done,
                      Body body) {
  Call<T>(
      std::move(done),
      [agent_id, session, body = std::move(body)](TickContext& ctx) mutable -> absl::StatusOr<T> {
        if (absl::Status s = CheckDeskSession(ctx, agent_id, session); !s.ok()) return s;
        return body(ctx);
      });
}

void Engine::SubmitCase(CaseSpec spec, Callback<SubmitResult> done) {
  Enqueue(
      [this, spec = std::move(spec), done](TickContext& ctx) mutable {
        absl::StatusOr<SubmitResult> result =
            caserouter::SubmitCase(ctx, std::move(spec), case_ids_);
        // The answer is the case as stored after the whole tick (the routing pass may have
        // offered it): the reply reads the record once the batch is durable.
        ctx.out.Defer([this, done, result = std::move(result),
                       at = ctx.now](const absl::Status& commit) mutable {
          if (!commit.ok()) return done(commit);
          if (result.ok()) {
            if (const Case* c = state_.FindCase(result->view.record.id)) {
              result->view = ViewOf(*c, config_, at);
            }
          }
          done(std::move(result));
        });
      },
      [done](const absl::Status& s) { done(s); });
}

void Engine::AddMessage(std::string case_id, std::string text, Callback<CaseView> done) {
  Call<CaseView>(std::move(done),
                 [case_id = std::move(case_id), text = std::move(text)](TickContext& ctx) mutable {
                   return caserouter::AddMessage(ctx, case_id, std::move(text));
                 });
}

void Engine::CancelCase(std::string case_id, std::string reason, Callback<CaseView> done) {
  Call<CaseView>(std::move(done),
                 [case_id = std::move(case_id), reason = std::move(reason)](TickContext& ctx) {
                   return caserouter::CancelCase(ctx, case_id, reason);
                 });
}

void Engine::GetCase(std::string case_id, Callback<CaseView> done) {
  Call<CaseView>(std::move(done),
                 [case_id = std::move(case_id)](TickContext& ctx) -> absl::StatusOr<CaseView> {
                   const Case* c = ctx.state.FindCase(case_id);
                   if (c == nullptr) return UnknownCase(case_id);
                   return ViewOf(*c, ctx.config, ctx.now);
                 });
}

void Engine::CreateAgent(Agent profile, Callback<AgentView> done) {
  Call<AgentView>(std::move(done), [profile = std::move(profile)](TickContext& ctx) mutable {
    return UpsertAgent(ctx, std::move(profile), /*create=*/true);
  });
}

void Engine::UpdateAgent(Agent profile, Callback<AgentView> done) {
  Call<AgentView>(std::move(done), [profile = std::move(profile)](TickContext& ctx) mutable {
    return UpsertAgent(ctx, std::move(profile), /*create=*/false);
  });
}

void Engine::RemoveAgent(std::string agent_id, StatusCallback done) {
  Call<bool>(StatusOnly(std::move(done)), [agent_id = std::move(agent_id)](TickContext& ctx) {
    return Done(caserouter::RemoveAgent(ctx, agent_id));
  });
}

void Engine::ListQueuePage(int offset, int limit, Callback<QueueSnapshot> done) {
  Call<QueueSnapshot>(std::move(done), [offset, limit](TickContext& ctx) {
    return absl::StatusOr<QueueSnapshot>(
        QueueSnapshotOf(ctx.state, ctx.config, ctx.now, offset, limit));
  });
}

void Engine::ListAgents(Callback<std::vector<AgentView>> done) {
  Call<std::vector<AgentView>>(std::move(done), [](TickContext& ctx) {
    std::vector<AgentView> views;
    for (const auto& [id, agent] : ctx.state.agents) {
      views.push_back(AgentViewOf(agent, ctx.desks.Connected(id)));
    }
    return absl::StatusOr<std::vector<AgentView>>(std::move(views));
  });
}

void Engine::ExplainDecision(std::string case_id, Callback<Explanation> done) {
  Call<Explanation>(
      std::move(done),
      [this, case_id = std::move(case_id)](TickContext& ctx) -> absl::StatusOr<Explanation> {
        const Case* c = ctx.state.FindCase(case_id);
        if (c == nullptr) {
          return absl::NotFoundError(absl::StrCat("case_id: no routing decision for case",
                                                  QuotedId(case_id), " on this replica"));
        }
        absl::StatusOr<Decision> decision = routing_.Explain(ctx, *c);
        if (!decision.ok()) return decision.status();
        Explanation explanation{ViewOf(*c, ctx.config, ctx.now), *std::move(decision)};
        HideText(explanation.view);  // no customer text in explanations
        return explanation;
      });
}

void Engine::Reconfigure(EngineConfig config, StatusCallback done) {
  // Runs even when not serving: configuration is not domain state.
  Enqueue(
      [this, config, done](TickContext& ctx) {
        config_ = config;
        ctx.state.waiting_stale = true;  // priority weights, SLAs and TTLs may have changed
        ReplyWith<bool>(ctx, StatusOnly(done), true);
      },
      [this, config, done](const absl::Status&) {
        config_ = config;
        done(absl::OkStatus());
      });
}

void Engine::OpenSession(std::string agent_id, std::shared_ptr<DeskSession> session,
                         Callback<Welcome> done) {
  Call<Welcome>(std::move(done), [agent_id = std::move(agent_id),
                                  session = std::move(session)](TickContext& ctx) mutable {
    return OpenDeskSession(ctx, agent_id, std::move(session));
  });
}

void Engine::CloseSession(std::string agent_id, const DeskSession* session) {
  Enqueue(
      [agent_id, session](TickContext& ctx) {
        if (!ctx.desks.IsCurrent(agent_id, session)) return;  // replaced
        CloseDeskSession(ctx, agent_id, "disconnected");
      },
      [this, agent_id, session](const absl::Status&) {
        // Not serving: forget the transport session so a rebuild sees the agent offline.
        if (desks_.IsCurrent(agent_id, session)) desks_.Close(agent_id);
      });
}

void Engine::Heartbeat(std::string agent_id, const DeskSession* session) {
  Enqueue(
      [agent_id = std::move(agent_id), session](TickContext& ctx) {
        if (ctx.desks.IsCurrent(agent_id, session)) ctx.desks.Heard(agent_id, ctx.now);
      },
      [](const absl::Status&) {});
}

void Engine::SetPresence(std::string agent_id, const DeskSession* session, Presence presence,
                         StatusCallback done) {
  DeskCall<bool>(agent_id, session, StatusOnly(std::move(done)),
                 [agent_id, presence](TickContext& ctx) {
                   return Done(SetDeskPresence(ctx, agent_id, presence));
                 });
}

void Engine::Accept(std::string agent_id, const DeskSession* session, std::string case_id,
                    Callback<CaseView> done) {
  DeskCall<CaseView>(agent_id, session, std::move(done),
                     [agent_id, case_id = std::move(case_id)](TickContext& ctx) {
                       return AcceptOffer(ctx, agent_id, case_id);
                     });
}

void Engine::Decline(std::string agent_id, const DeskSession* session, std::string case_id,
                     StatusCallback done) {
  DeskCall<bool>(agent_id, session, StatusOnly(std::move(done)),
                 [agent_id, case_id = std::move(case_id)](TickContext& ctx) {
                   return Done(DeclineOffer(ctx, agent_id, case_id));
                 });
}

void Engine::Complete(std::string agent_id, const DeskSession* session, std::string case_id,
                      Outcome outcome, Callback<CaseView> done) {
  DeskCall<CaseView>(agent_id, session, std::move(done),
                     [agent_id, case_id = std::move(case_id), outcome](TickContext& ctx) {
                       return CompleteCase(ctx, agent_id, case_id, outcome);
                     });
}

void Engine::RecordEvent(std::string type, std::string case_id, std::string agent_id,
                         std::string detail) {
  Enqueue([type = std::move(type), case_id = std::move(case_id), agent_id = std::move(agent_id),
           detail = std::move(detail)](
              TickContext& ctx) mutable { ctx.Emit(type, case_id, agent_id, std::move(detail)); },
          [](const absl::Status&) {});
}

// ---------------------------------------------------------------------------------------------
// The tick.

TickContext Engine::ContextAt(absl::Time now) {
  return TickContext{config_, state_, outbox_, desks_, observer_, now};
}

void Engine::Tick() {
  std::vector<Command> commands;
  {
    absl::MutexLock lock(&mu_);
    commands.swap(commands_);
  }
  TickContext ctx = ContextAt(clock_->Now());
  if (!serving_.load(std::memory_order_relaxed) && leadership_.store_unreachable() &&
      leadership_.AttemptDue(ctx.now)) {
    // The store was unreachable at the last try and this tick tries again, which may block
    // for the store's whole command timeout (a hung Redis). The commands that came meanwhile
    // are answered first: no caller waits for more than one timeout (issue 11, defect 5: they
    // waited for a stuck commit and then for a stuck attempt, and saw DEADLINE_EXCEEDED).
    absl::Status why = NotServing(config_.domain);
    for (Command& command : commands) command.fail(why);
    commands.clear();
  }
  if (!EnsureLeadership(ctx)) {
    absl::Status why = NotServing(config_.domain);
    for (Command& command : commands) command.fail(why);
    return;
  }
  for (Command& command : commands) command.run(ctx);
  AdvanceTimers(ctx);
  routing_.Run(ctx, *clock_);
  for (const std::string& id : state_.EvictExpired(ctx.now, config_.closed_retention)) {
    routing_.Forget(id);
  }
  Commit(ctx);
}

void Engine::Commit(TickContext& ctx) {
  Batch batch = outbox_.TakeBatch(state_, ctx.now, config_.closed_retention);
  absl::Status commit = absl::OkStatus();
  if (!batch.empty()) {
    absl::Time start = clock_->Now();
    commit = store_->Commit(batch, leadership_.epoch());
    absl::Duration latency = clock_->Now() - start;
    if (observer_ != nullptr) observer_->StoreBatch(latency, batch.size(), commit.ok());
  }
  TickOutbox::Results results = outbox_.TakeResults();
  if (!commit.ok()) {
    // The memory state is ahead of the store: forget it and rebuild from the store, so that
    // nothing unacknowledged is ever reported as done.
    absl::Status answer =
        commit.code() == absl::StatusCode::kFailedPrecondition
            ? NotServing(config_.domain)
            : absl::UnavailableError(
                  absl::StrCat("state store unavailable; nothing was written: ", commit.message()));
    if (absl::IsUnavailable(commit)) leadership_.NoteStoreUnavailable();
    StepDown();
    for (auto& reply : results.replies) reply(answer);
    return;
  }
  for (auto& reply : results.replies) reply(absl::OkStatus());
  for (auto& [desk, notice] : results.notices) desk->Deliver(std::move(notice));
  for (auto& observation : results.observations) observation();
  if (observer_ != nullptr) {
    ReportQueueState(state_, *observer_);
    // Every agent is walked for this: once a second, not every tick. At 10,000 desks the
    // walk cost 1.7 ms a tick, and heartbeats alone bring thousands of ticks a second
    // (BM_CentreObservedTick); the gauges are scraped every 15 s.
    if (ctx.now - agents_reported_ >= kAgentStateEvery) {
      agents_reported_ = ctx.now;
      ReportAgentState(state_, desks_, config_, *observer_);
    }
  }
  PublishOpenCases(static_cast<int64_t>(state_.open_cases.size()));
}

OpenCases Engine::OpenCaseSnapshot() const {
  const uint64_t packed = open_cases_.load(std::memory_order_acquire);
  return OpenCases{static_cast<int64_t>(packed & 0xffffffffu), static_cast<uint32_t>(packed >> 32)};
}

void Engine::PublishOpenCases(int64_t count) {
  const uint64_t version = (open_cases_.load(std::memory_order_relaxed) >> 32) + 1;
  open_cases_.store((version << 32) | static_cast<uint32_t>(count), std::memory_order_release);
}

void Engine::Run() {
  for (;;) {
    Tick();
    absl::MutexLock lock(&mu_);
    if (stop_) return;
    // Wake at once for a command; otherwise tick often enough for offer timeouts, heartbeats
    // and lease renewal to be handled within a fraction of a second.
    auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return stop_ || !commands_.empty(); };
    mu_.AwaitWithTimeout(absl::Condition(&ready), absl::Milliseconds(50));
    if (stop_) return;
  }
}

void Engine::Stop() {
  absl::MutexLock lock(&mu_);
  stop_ = true;
}

void Engine::ReleaseLeadership() {
  leadership_.Release();
  StepDown();
}

// ---------------------------------------------------------------------------------------------
// Leadership and recovery.

bool Engine::EnsureLeadership(TickContext& ctx) {
  switch (leadership_.Keep(serving_.load(std::memory_order_relaxed), config_.lease_ttl, ctx.now)) {
    case Leadership::Standing::kHeld:
      return true;
    case Leadership::Standing::kLost:
      StepDown();
      return false;
    case Leadership::Standing::kNone:
      return false;
    case Leadership::Standing::kTaken:
      break;
  }
  routing_.Clear();
  outbox_.DropChanges();
  // The lease is renewed as due while the domain loads, on the clock rather than at the
  // tick's `now` (a large domain takes longer to load than the lease lasts), and once more
  // before serving: a replica that lost it meanwhile must not serve.
  auto hold = [this] { return leadership_.Hold(config_.lease_ttl, clock_->Now()); };
  absl::Status recovered = Recover(ctx, *store_, hold);
  if (recovered.ok()) recovered = hold();
  if (!recovered.ok()) {
    state_.Clear();
    outbox_.DropChanges();
    leadership_.Abandon();
    return false;
  }
  serving_.store(true, std::memory_order_release);
  if (observer_ != nullptr) observer_->Leadership(true);
  return true;
}

void Engine::StepDown() {
  bool was_serving = serving_.exchange(false);
  PublishOpenCases(0);
  state_.Clear();
  routing_.Clear();
  outbox_.DropChanges();
  leadership_.Forget();
  // Every desk is told at once to find the leader: a desk left on this replica would get no
  // offer, and the leader would see its agent OFFLINE.
  for (const std::shared_ptr<DeskSession>& desk : desks_.CloseAll()) {
    DeskNotice notice;
    notice.kind = DeskNotice::Kind::kSessionEnded;
    notice.reason = kNotLeadingReason;
    desk->Deliver(std::move(notice));
  }
  if (was_serving && observer_ != nullptr) observer_->Leadership(false);
}

}  // namespace caserouter
