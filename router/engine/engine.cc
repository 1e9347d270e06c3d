// The engine loop. One thread, one routing domain: commands in, decisions, one durable batch,
// then answers out. See engine.h for the contract and docs/design.md for the flow.
#include "router/engine/engine.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "router/policy/eligibility.h"
#include "router/policy/matching.h"
#include "router/policy/priority.h"
#include "router/policy/lexicon_sentiment.h"
#include "router/model/validation.h"

namespace caserouter {
namespace {

absl::Status NotServing(absl::string_view domain) {
  return absl::UnavailableError(absl::StrCat(
      "not serving: this replica does not lead routing domain '", domain,
      "' or its state store is unavailable; retry"));
}

// The id as an error may quote it: only when it passes the id rule. Callers other than the
// gRPC layer (the simulator, tests) reach the engine unvalidated, and an error message goes to
// logs and clients, so it must not carry arbitrary bytes or megabytes of caller input.
std::string QuotedId(absl::string_view id) {
  return ValidateId("id", id).ok() ? absl::StrCat(" '", id, "'") : " with that id";
}

absl::Status UnknownCase(absl::string_view id) {
  return absl::NotFoundError(absl::StrCat("case_id: no case", QuotedId(id)));
}

absl::Status UnknownAgent(absl::string_view id) {
  return absl::NotFoundError(absl::StrCat("agent_id: no agent", QuotedId(id)));
}

bool IsCancelReason(absl::string_view reason) {
  return reason == "customer_left" || reason == "post_deleted" || reason == "duplicate" ||
         reason == "other";
}

}  // namespace

Engine::Engine(EngineConfig config, StateStore* store, Clock* clock, EngineObserver* observer,
               std::string instance_id)
    : config_(std::move(config)),
      store_(store),
      clock_(clock),
      observer_(observer),
      instance_id_(std::move(instance_id)) {}

Engine::~Engine() = default;

// ---------------------------------------------------------------------------------------------
// Commands: thread-safe entry points. Each only enqueues.

void Engine::Enqueue(std::function<void()> run, std::function<void(const absl::Status&)> fail) {
  absl::MutexLock lock(&mu_);
  commands_.push_back(Command{std::move(run), std::move(fail)});
}

void Engine::SubmitCase(CaseSpec spec, Callback<SubmitResult> done) {
  Enqueue([this, spec = std::move(spec), done]() mutable {
            ReplyWith(done, DoSubmit(std::move(spec), clock_->Now()));
          },
          [done](const absl::Status& s) { done(s); });
}

void Engine::AddMessage(std::string case_id, std::string text, Callback<CaseView> done) {
  Enqueue([this, case_id = std::move(case_id), text = std::move(text), done]() mutable {
            ReplyWith(done, DoAddMessage(case_id, std::move(text)));
          },
          [done](const absl::Status& s) { done(s); });
}

void Engine::CancelCase(std::string case_id, std::string reason, Callback<CaseView> done) {
  Enqueue([this, case_id = std::move(case_id), reason = std::move(reason), done] {
            ReplyWith(done, DoCancel(case_id, reason, clock_->Now()));
          },
          [done](const absl::Status& s) { done(s); });
}

void Engine::GetCase(std::string case_id, Callback<CaseView> done) {
  Enqueue([this, case_id = std::move(case_id), done] {
            Case* c = FindCase(case_id);
            ReplyWith<CaseView>(done, c ? absl::StatusOr<CaseView>(ViewOf(*c, clock_->Now()))
                                        : UnknownCase(case_id));
          },
          [done](const absl::Status& s) { done(s); });
}

void Engine::CreateAgent(Agent profile, Callback<AgentView> done) {
  Enqueue([this, profile = std::move(profile), done]() mutable {
            ReplyWith(done, DoUpsertAgent(std::move(profile), /*create=*/true));
          },
          [done](const absl::Status& s) { done(s); });
}

void Engine::UpdateAgent(Agent profile, Callback<AgentView> done) {
  Enqueue([this, profile = std::move(profile), done]() mutable {
            ReplyWith(done, DoUpsertAgent(std::move(profile), /*create=*/false));
          },
          [done](const absl::Status& s) { done(s); });
}

void Engine::RemoveAgent(std::string agent_id, StatusCallback done) {
  Enqueue([this, agent_id = std::move(agent_id), done] {
            ReplyStatus(done, DoRemoveAgent(agent_id));
          },
          done);
}

void Engine::ListQueuePage(int offset, int limit, Callback<QueueSnapshot> done) {
  Enqueue(
      [this, offset, limit, done] {
        absl::Time now = clock_->Now();
        QueueSnapshot snapshot;
        for (const auto& [id, open] : open_cases_) {
          const Case& c = *open;
          if (c.state == CaseState::kAssigned) continue;
          ++snapshot.depth[ChannelIndex(c.spec.channel)];
          CaseView view = ViewOf(c, now);
          view.record.spec.subject.clear();  // a queue listing carries no customer text
          view.record.messages.clear();
          snapshot.cases.push_back(std::move(view));
        }
        std::sort(snapshot.cases.begin(), snapshot.cases.end(),
                  [](const CaseView& a, const CaseView& b) {
                    if (a.priority.total != b.priority.total) {
                      return a.priority.total > b.priority.total;
                    }
                    return a.record.enqueued_time < b.record.enqueued_time;
                  });
        snapshot.total = static_cast<int>(snapshot.cases.size());
        size_t first = std::min(snapshot.cases.size(), static_cast<size_t>(std::max(0, offset)));
        snapshot.cases.erase(snapshot.cases.begin(), snapshot.cases.begin() + first);
        if (limit > 0 && snapshot.cases.size() > static_cast<size_t>(limit)) {
          snapshot.cases.resize(limit);
        }
        ReplyWith<QueueSnapshot>(done, std::move(snapshot));
      },
      [done](const absl::Status& s) { done(s); });
}

void Engine::ListAgents(Callback<std::vector<AgentView>> done) {
  Enqueue(
      [this, done] {
        std::vector<AgentView> views;
        for (const auto& [id, agent] : agents_) views.push_back(AgentViewOf(agent));
        ReplyWith<std::vector<AgentView>>(done, std::move(views));
      },
      [done](const absl::Status& s) { done(s); });
}

void Engine::ExplainDecision(std::string case_id, Callback<Explanation> done) {
  Enqueue(
      [this, case_id = std::move(case_id), done] {
        Case* c = FindCase(case_id);
        auto it = decisions_.find(case_id);
        if (c == nullptr || it == decisions_.end()) {
          return ReplyWith<Explanation>(
              done, absl::NotFoundError(absl::StrCat("case_id: no routing decision for case",
                                                     QuotedId(case_id), " on this replica")));
        }
        Explanation explanation{ViewOf(*c, clock_->Now()), it->second.decision};
        explanation.view.record.spec.subject.clear();  // no customer text in explanations
        explanation.view.record.messages.clear();
        ReplyWith<Explanation>(done, std::move(explanation));
      },
      [done](const absl::Status& s) { done(s); });
}

void Engine::Reconfigure(EngineConfig config, StatusCallback done) {
  // Runs even when not serving: configuration is not domain state.
  Enqueue(
      [this, config, done] {
        config_ = config;
        ReplyStatus(done, absl::OkStatus());
      },
      [this, config, done](const absl::Status&) {
        config_ = config;
        done(absl::OkStatus());
      });
}

void Engine::OpenSession(std::string agent_id, std::shared_ptr<DeskSession> session,
                         Callback<Welcome> done) {
  Enqueue(
      [this, agent_id = std::move(agent_id), session = std::move(session), done]() mutable {
        ReplyWith(done, DoOpenSession(agent_id, std::move(session), clock_->Now()));
      },
      [done](const absl::Status& s) { done(s); });
}

void Engine::CloseSession(std::string agent_id, const DeskSession* session) {
  Enqueue(
      [this, agent_id = std::move(agent_id), session] {
        auto it = sessions_.find(agent_id);
        if (it == sessions_.end() || it->second.desk.get() != session) return;  // replaced
        DoCloseSession(agent_id, "disconnected", clock_->Now());
      },
      [this, agent_id, session](const absl::Status&) {
        // Not serving: forget the transport session so a rebuild sees the agent offline.
        auto it = sessions_.find(agent_id);
        if (it != sessions_.end() && it->second.desk.get() == session) sessions_.erase(it);
      });
}

void Engine::Heartbeat(std::string agent_id, const DeskSession* session) {
  Enqueue(
      [this, agent_id = std::move(agent_id), session] {
        auto it = sessions_.find(agent_id);
        if (it != sessions_.end() && it->second.desk.get() == session) {
          it->second.last_seen = clock_->Now();
        }
      },
      [](const absl::Status&) {});
}

void Engine::SetPresence(std::string agent_id, const DeskSession* session, Presence presence,
                         StatusCallback done) {
  Enqueue(
      [this, agent_id = std::move(agent_id), session, presence, done] {
        absl::Status s = CheckSession(agent_id, session);
        if (s.ok()) s = DoSetPresence(agent_id, presence, clock_->Now());
        ReplyStatus(done, s);
      },
      done);
}

void Engine::Accept(std::string agent_id, const DeskSession* session, std::string case_id,
                    Callback<CaseView> done) {
  Enqueue(
      [this, agent_id = std::move(agent_id), session, case_id = std::move(case_id), done] {
        absl::Status s = CheckSession(agent_id, session);
        if (!s.ok()) return ReplyWith<CaseView>(done, s);
        ReplyWith(done, DoAccept(agent_id, case_id, clock_->Now()));
      },
      [done](const absl::Status& s) { done(s); });
}

void Engine::Decline(std::string agent_id, const DeskSession* session, std::string case_id,
                     StatusCallback done) {
  Enqueue(
      [this, agent_id = std::move(agent_id), session, case_id = std::move(case_id), done] {
        absl::Status s = CheckSession(agent_id, session);
        if (s.ok()) s = DoDecline(agent_id, case_id, OfferResult::kDeclined, clock_->Now());
        ReplyStatus(done, s);
      },
      done);
}

void Engine::Complete(std::string agent_id, const DeskSession* session, std::string case_id,
                      Outcome outcome, Callback<CaseView> done) {
  Enqueue(
      [this, agent_id = std::move(agent_id), session, case_id = std::move(case_id), outcome,
       done] {
        absl::Status s = CheckSession(agent_id, session);
        if (!s.ok()) return ReplyWith<CaseView>(done, s);
        ReplyWith(done, DoComplete(agent_id, case_id, outcome, clock_->Now()));
      },
      [done](const absl::Status& s) { done(s); });
}

// ---------------------------------------------------------------------------------------------
// Deferred answers: nothing leaves the engine before the tick's batch is durable.

void Engine::Reply(std::function<void(const absl::Status& commit)> reply) {
  replies_.push_back(std::move(reply));
}

template <typename T>
void Engine::ReplyWith(Callback<T> done, absl::StatusOr<T> result) {
  Reply([done = std::move(done), result = std::move(result)](const absl::Status& commit) {
    if (!commit.ok()) return done(commit);
    done(std::move(result));
  });
}

void Engine::ReplyStatus(StatusCallback done, absl::Status status) {
  Reply([done = std::move(done), status = std::move(status)](const absl::Status& commit) {
    done(commit.ok() ? status : commit);
  });
}

void Engine::Notify(const std::string& agent_id, DeskNotice notice) {
  auto it = sessions_.find(agent_id);
  if (it == sessions_.end()) return;
  notices_.emplace_back(it->second.desk, std::move(notice));
}

void Engine::Observe(std::function<void()> observation) {
  if (observer_ != nullptr) observations_.push_back(std::move(observation));
}

void Engine::Emit(absl::string_view type, const std::string& case_id,
                  const std::string& agent_id, std::string detail) {
  events_.push_back(
      Event{clock_->Now(), std::string(type), case_id, agent_id, std::move(detail)});
}

// ---------------------------------------------------------------------------------------------
// The tick.

void Engine::Tick() {
  std::vector<Command> commands;
  {
    absl::MutexLock lock(&mu_);
    commands.swap(commands_);
  }
  absl::Time now = clock_->Now();
  if (!EnsureLeadership(now)) {
    absl::Status why = NotServing(config_.domain);
    for (Command& command : commands) command.fail(why);
    return;
  }
  for (Command& command : commands) command.run();
  AdvanceTimers(now);
  Route(now);
  EvictExpired(now);

  Batch batch = TakeBatch(now);
  absl::Status commit = absl::OkStatus();
  if (!batch.empty()) {
    absl::Time start = clock_->Now();
    commit = store_->Commit(batch, epoch_);
    absl::Duration latency = clock_->Now() - start;
    if (observer_ != nullptr) observer_->StoreBatch(latency, batch.size(), commit.ok());
  }
  std::vector<std::function<void(const absl::Status&)>> replies;
  replies.swap(replies_);
  std::vector<std::pair<std::shared_ptr<DeskSession>, DeskNotice>> notices;
  notices.swap(notices_);
  std::vector<std::function<void()>> observations;
  observations.swap(observations_);

  if (!commit.ok()) {
    // The memory state is ahead of the store: forget it and rebuild from the store, so that
    // nothing unacknowledged is ever reported as done.
    absl::Status answer = commit.code() == absl::StatusCode::kFailedPrecondition
                              ? NotServing(config_.domain)
                              : absl::UnavailableError(absl::StrCat(
                                    "state store unavailable; nothing was written: ",
                                    commit.message()));
    StepDown(commit);
    for (auto& reply : replies) reply(answer);
    return;
  }
  for (auto& reply : replies) reply(absl::OkStatus());
  for (auto& [desk, notice] : notices) desk->Deliver(std::move(notice));
  for (auto& observation : observations) observation();
  ReportState();
}

void Engine::Run() {
  for (;;) {
    Tick();
    absl::MutexLock lock(&mu_);
    if (stop_) return;
    // Wake at once for a command; otherwise tick often enough for offer timeouts, heartbeats
    // and lease renewal to be handled within a fraction of a second.
    auto ready = [this]() ABSL_SHARED_LOCKS_REQUIRED(mu_) {
      return stop_ || !commands_.empty();
    };
    mu_.AwaitWithTimeout(absl::Condition(&ready), absl::Milliseconds(50));
    if (stop_) return;
  }
}

void Engine::Stop() {
  absl::MutexLock lock(&mu_);
  stop_ = true;
}

void Engine::ReleaseLeadership() {
  if (epoch_ > 0) (void)store_->ReleaseLeadership(instance_id_);
  StepDown(absl::CancelledError("released"));
}

// ---------------------------------------------------------------------------------------------
// Leadership and recovery.

bool Engine::EnsureLeadership(absl::Time now) {
  if (serving_.load(std::memory_order_relaxed)) {
    if (now < lease_renew_at_) return true;
    absl::Status renewed = store_->RenewLeadership(instance_id_, epoch_, config_.lease_ttl, now);
    if (renewed.ok()) {
      lease_renew_at_ = now + config_.lease_ttl / 3;
      return true;
    }
    StepDown(renewed);
    return false;
  }
  if (now < next_leader_attempt_) return false;
  next_leader_attempt_ = now + std::min(config_.lease_ttl / 5, absl::Seconds(1));
  absl::StatusOr<int64_t> epoch = store_->AcquireLeadership(instance_id_, config_.lease_ttl, now);
  if (!epoch.ok()) return false;
  epoch_ = *epoch;
  if (!Rebuild(now).ok()) {
    ClearDomainState();
    epoch_ = 0;
    return false;
  }
  lease_renew_at_ = now + config_.lease_ttl / 3;
  serving_.store(true, std::memory_order_release);
  if (observer_ != nullptr) observer_->Leadership(true);
  return true;
}

void Engine::StepDown(const absl::Status& why) {
  bool was_serving = serving_.exchange(false);
  ClearDomainState();
  epoch_ = 0;
  next_leader_attempt_ = absl::InfinitePast();
  if (was_serving && observer_ != nullptr) observer_->Leadership(false);
}

void Engine::ClearDomainState() {
  cases_.clear();
  open_cases_.clear();
  closed_order_.clear();
  agents_.clear();
  quality_.clear();
  relationships_.clear();
  open_by_customer_topic_.clear();
  last_resolved_.clear();
  decisions_.clear();
  explained_agents_epoch_ = explained_queue_version_ = ~uint64_t{0};
  dirty_quality_.clear();
  dirty_relationships_.clear();
  idempotency_.clear();
  disconnected_since_.clear();
  case_sequence_ = 0;
  sequence_dirty_ = false;
  dirty_cases_.clear();
  dirty_agents_.clear();
  removed_agents_.clear();
  events_.clear();
  notices_.clear();
  observations_.clear();
}

absl::Status Engine::Rebuild(absl::Time now) {
  ClearDomainState();
  absl::StatusOr<StoredState> state = store_->Load(now);
  if (!state.ok()) return state.status();
  case_sequence_ = state->case_sequence;
  for (QualityRecord& q : state->quality) {
    std::string topic = q.topic, agent = q.agent_id;
    quality_[topic][agent] = std::move(q);
  }
  for (Relationship& r : state->relationships) {
    std::string customer = r.customer_id, agent = r.agent_id;
    relationships_[customer][agent] = std::move(r);
  }
  for (Agent& agent : state->agents) {
    agent.active_cases = {0, 0, 0, 0};  // recounted from the cases below
    agents_[agent.id] = std::move(agent);
  }
  for (Case& c : state->cases) {
    idempotency_[c.spec.idempotency_key] = c.id;
    std::string id = c.id;
    cases_[id] = std::move(c);
    const Case& stored = cases_[id];
    if (IsOpen(stored.state)) {
      open_cases_[id] = &cases_[id];
      open_by_customer_topic_.emplace(CustomerTopicKey(stored.spec), id);
    } else if (stored.state == CaseState::kCompleted && stored.outcome.resolved) {
      std::string& last = last_resolved_[CustomerTopicKey(stored.spec)];
      if (last.empty() || cases_[last].closed_time < stored.closed_time) last = id;
    }
  }
  for (const auto& [id, c] : cases_) {
    if (!IsOpen(c.state)) closed_order_.emplace_back(c.closed_time, id);
  }
  std::sort(closed_order_.begin(), closed_order_.end());
  for (const auto& [id, open] : open_cases_) {
    Case& c = *open;
    Agent* agent = c.agent_id.empty() ? nullptr : FindAgent(c.agent_id);
    if (c.state == CaseState::kOffered) {
      // An offer does not survive its leader: the desk that saw it is gone. Back to the queue
      // at its original age.
      Requeue(c, now);
      Emit("offer_returned", c.id, "", "recovery");
    } else if (c.state == CaseState::kAssigned) {
      if (agent != nullptr) {
        ++agent->active_cases[ChannelIndex(c.spec.channel)];
      } else {
        Requeue(c, now);  // its agent was removed
      }
    }
  }
  for (auto& [id, agent] : agents_) {
    if (sessions_.count(id) == 0) {
      if (agent.presence != Presence::kOffline) {
        agent.presence = Presence::kOffline;
        agent.presence_since = now;
        MarkDirty(agent);
      }
      if (agent.TotalActive() > 0) disconnected_since_[id] = now;
    }
  }
  return absl::OkStatus();
}

// ---------------------------------------------------------------------------------------------
// Command bodies.

absl::StatusOr<SubmitResult> Engine::DoSubmit(CaseSpec spec, absl::Time now) {
  if (absl::Status s = ValidateCaseSpec(spec); !s.ok()) return s;
  if (!spec.has_sentiment) spec.sentiment = ScoreSentiment(spec.subject);  // an estimate
  if (auto it = idempotency_.find(spec.idempotency_key); it != idempotency_.end()) {
    return SubmitResult{ViewOf(cases_.at(it->second), now), /*deduplicated=*/true};
  }
  if (auto it = open_by_customer_topic_.find(CustomerTopicKey(spec));
      it != open_by_customer_topic_.end()) {
    return JoinOpenCase(cases_.at(it->second), std::move(spec), now);
  }
  if (open_cases_.size() >= static_cast<size_t>(config_.max_queue)) {
    return absl::ResourceExhaustedError("the routing domain's queue is full; retry later");
  }
  Case c;
  c.id = absl::StrFormat("c%08d", ++case_sequence_);
  sequence_dirty_ = true;
  c.spec = std::move(spec);
  c.created_time = now;
  c.enqueued_time = now;
  c.state = CaseState::kQueued;
  idempotency_[c.spec.idempotency_key] = c.id;
  Channel channel = c.spec.channel;
  Emit("submitted", c.id, "", std::string(ChannelName(channel)));
  Observe([this, channel] { observer_->CaseReceived(channel); });
  std::string id = c.id;
  cases_[id] = std::move(c);
  Case& stored = cases_[id];
  DetectRepeatContact(stored, now);
  SetState(stored, CaseState::kQueued);
  return SubmitResult{ViewOf(stored, now), false, false};
}

absl::StatusOr<CaseView> Engine::DoAddMessage(const std::string& case_id, std::string text) {
  if (absl::Status s = ValidateMessageText("text", text); !s.ok()) return s;
  Case* c = FindCase(case_id);
  if (c == nullptr) return UnknownCase(case_id);
  if (!IsOpen(c->state)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "case_id: case '", case_id, "' is ", CaseStateName(c->state), ", not open"));
  }
  if (c->messages.size() >= kMaxMessagesPerCase) {
    return absl::ResourceExhaustedError(
        absl::StrCat("case_id: case '", case_id, "' holds the maximum of 200 messages"));
  }
  c->messages.push_back(text);
  MarkDirty(*c);
  Emit("message", c->id, c->agent_id, "");
  if (c->state == CaseState::kAssigned) {
    DeskNotice notice;
    notice.kind = DeskNotice::Kind::kCaseMessage;
    notice.case_id = c->id;
    notice.text = std::move(text);
    notice.channel = c->spec.channel;
    Notify(c->agent_id, std::move(notice));
  }
  return ViewOf(*c, clock_->Now());
}

absl::StatusOr<CaseView> Engine::DoCancel(const std::string& case_id, const std::string& reason,
                                          absl::Time now) {
  std::string why = reason.empty() ? "customer_left" : reason;
  if (!IsCancelReason(why)) {
    return absl::InvalidArgumentError(
        "reason: must be one of customer_left, post_deleted, duplicate, other");
  }
  Case* c = FindCase(case_id);
  if (c == nullptr) return UnknownCase(case_id);
  if (c->state == CaseState::kAssigned) {
    return absl::FailedPreconditionError(absl::StrCat(
        "case_id: case '", case_id, "' is assigned; its agent completes it with an outcome"));
  }
  if (!IsOpen(c->state)) {
    return absl::FailedPreconditionError(absl::StrCat(
        "case_id: case '", case_id, "' is already ", CaseStateName(c->state)));
  }
  if (c->state == CaseState::kOffered) {
    if (Agent* agent = FindAgent(c->agent_id)) {
      ReleaseCapacity(*agent, c->spec.channel, now);
      DeskNotice notice;
      notice.kind = DeskNotice::Kind::kOfferRevoked;
      notice.case_id = c->id;
      notice.revocation = RevocationReason::kCancelled;
      notice.reason = std::string(RevocationReasonName(notice.revocation));
      Notify(agent->id, std::move(notice));
    }
    Observe([this] { observer_->Offer(OfferResult::kRevoked); });
  }
  c->agent_id.clear();
  c->end_reason = why;
  c->closed_time = now;
  SetState(*c, CaseState::kCancelled);
  Channel channel = c->spec.channel;
  Observe([this, channel] { observer_->CaseAbandoned(channel); });
  Emit("cancelled", c->id, "", why);
  return ViewOf(*c, now);
}

absl::StatusOr<AgentView> Engine::DoUpsertAgent(Agent profile, bool create) {
  if (absl::Status s = ValidateAgentProfile(profile); !s.ok()) return s;
  Agent* existing = FindAgent(profile.id);
  if (create && existing != nullptr) {
    return absl::AlreadyExistsError(absl::StrCat("agent_id: agent '", profile.id, "' exists"));
  }
  if (!create && existing == nullptr) return UnknownAgent(profile.id);
  if (existing == nullptr) {
    Agent fresh;
    fresh.id = profile.id;
    fresh.idle_since = clock_->Now();
    existing = &(agents_[profile.id] = std::move(fresh));
  }
  existing->skills = std::move(profile.skills);
  existing->languages = std::move(profile.languages);
  existing->authority_limit = profile.authority_limit;
  existing->max_cases = profile.max_cases;
  MarkDirty(*existing);
  Emit(create ? "agent_created" : "agent_updated", "", existing->id, "");
  return AgentViewOf(*existing);
}

absl::Status Engine::DoRemoveAgent(const std::string& agent_id) {
  Agent* agent = FindAgent(agent_id);
  if (agent == nullptr) return UnknownAgent(agent_id);
  if (agent->TotalActive() > 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "agent_id: agent '", agent_id, "' holds cases; complete or wait for them first"));
  }
  auto session = sessions_.find(agent_id);
  if (session != sessions_.end()) {
    DeskNotice notice;
    notice.kind = DeskNotice::Kind::kSessionEnded;
    notice.reason = "removed";
    Notify(agent_id, std::move(notice));
    sessions_.erase(session);
  }
  agents_.erase(agent_id);
  dirty_agents_.erase(agent_id);
  ++agents_epoch_;
  disconnected_since_.erase(agent_id);
  removed_agents_.push_back(agent_id);
  Emit("agent_removed", "", agent_id, "");
  return absl::OkStatus();
}

absl::StatusOr<Welcome> Engine::DoOpenSession(const std::string& agent_id,
                                              std::shared_ptr<DeskSession> session,
                                              absl::Time now) {
  if (absl::Status s = ValidateId("hello.agent_id", agent_id); !s.ok()) return s;
  Agent* agent = FindAgent(agent_id);
  if (agent == nullptr) return UnknownAgent(agent_id);
  if (sessions_.count(agent_id) > 0) {
    DeskNotice notice;
    notice.kind = DeskNotice::Kind::kSessionEnded;
    notice.reason = "replaced";
    Notify(agent_id, std::move(notice));
  }
  sessions_[agent_id] = Session{std::move(session), now};
  ++agents_epoch_;
  disconnected_since_.erase(agent_id);
  if (agent->presence == Presence::kOffline) {
    SetAgentPresence(*agent, Presence::kAway, "connected", now, /*notify=*/false);
  }
  Emit("connected", "", agent_id, "");
  Welcome welcome;
  welcome.presence = agent->presence;
  welcome.heartbeat_interval = config_.heartbeat_timeout / 3;
  for (const auto& [id, open] : open_cases_) {
    const Case& c = *open;
    if (c.state == CaseState::kAssigned && c.agent_id == agent_id) {
      welcome.assigned.push_back(ViewOf(c, now));
    }
  }
  return welcome;
}

void Engine::DoCloseSession(const std::string& agent_id, absl::string_view reason,
                            absl::Time now) {
  sessions_.erase(agent_id);
  ++agents_epoch_;
  Agent* agent = FindAgent(agent_id);
  if (agent == nullptr) return;
  for (Case* open : OpenSnapshot()) {
    Case& c = *open;
    if (c.state == CaseState::kOffered && c.agent_id == agent_id) {
      ReleaseCapacity(*agent, c.spec.channel, now);
      Requeue(c, now);
      Observe([this] { observer_->Offer(OfferResult::kRevoked); });
      Emit("offer_revoked", c.id, agent_id, std::string(reason));
    }
  }
  SetAgentPresence(*agent, Presence::kOffline, reason, now, /*notify=*/false);
  if (agent->TotalActive() > 0) disconnected_since_[agent_id] = now;
  Emit("disconnected", "", agent_id, std::string(reason));
}

absl::Status Engine::CheckSession(const std::string& agent_id, const DeskSession* session) {
  auto it = sessions_.find(agent_id);
  if (it == sessions_.end() || it->second.desk.get() != session) {
    return absl::FailedPreconditionError(
        "agent_id: this stream is not the agent's open session (send hello first, or it was "
        "replaced by a newer one)");
  }
  return absl::OkStatus();
}

absl::Status Engine::DoSetPresence(const std::string& agent_id, Presence presence,
                                   absl::Time now) {
  if (presence == Presence::kWrapUp) {
    return absl::InvalidArgumentError(
        "set_presence.presence: must be AVAILABLE, AWAY or OFFLINE (wrap-up is set by the "
        "engine)");
  }
  Agent* agent = FindAgent(agent_id);
  if (agent == nullptr) return UnknownAgent(agent_id);
  if (presence == Presence::kAvailable) agent->missed_offers_in_row = 0;
  SetAgentPresence(*agent, presence, "agent", now, /*notify=*/false);
  if (presence != Presence::kAvailable) {
    // An agent who steps away keeps assignments but gives back pending offers.
    for (Case* open : OpenSnapshot()) {
      Case& c = *open;
      if (c.state == CaseState::kOffered && c.agent_id == agent_id) {
        ReleaseCapacity(*agent, c.spec.channel, now);
        Requeue(c, now);
        DeskNotice notice;
        notice.kind = DeskNotice::Kind::kOfferRevoked;
        notice.case_id = c.id;
        notice.revocation = RevocationReason::kPresence;
        notice.reason = std::string(RevocationReasonName(notice.revocation));
        Notify(agent_id, std::move(notice));
        Observe([this] { observer_->Offer(OfferResult::kRevoked); });
      }
    }
  }
  return absl::OkStatus();
}

absl::Status Engine::FindHeld(const std::string& agent_id, const std::string& case_id,
                              CaseState state, Case** c, Agent** agent) {
  *c = FindCase(case_id);
  if (*c == nullptr) return UnknownCase(case_id);
  if ((*c)->state != state || (*c)->agent_id != agent_id) {
    return absl::FailedPreconditionError(absl::StrCat(
        "case_id: case '", case_id, "' is not ",
        state == CaseState::kOffered ? "offered to" : "assigned to", " this agent"));
  }
  *agent = FindAgent(agent_id);
  return *agent == nullptr ? UnknownAgent(agent_id) : absl::OkStatus();
}

absl::StatusOr<CaseView> Engine::DoAccept(const std::string& agent_id,
                                          const std::string& case_id, absl::Time now) {
  Case* c;
  Agent* agent;
  if (absl::Status s = FindHeld(agent_id, case_id, CaseState::kOffered, &c, &agent); !s.ok()) {
    return s;
  }
  SetState(*c, CaseState::kAssigned);
  c->offer_expires = absl::InfinitePast();
  c->declined_by.clear();
  c->preferred_agent.clear();
  agent->missed_offers_in_row = 0;
  MarkDirty(*agent);
  Observe([this] { observer_->Offer(OfferResult::kAccepted); });
  if (c->answered_time == absl::InfinitePast()) {
    c->answered_time = now;
    Channel channel = c->spec.channel;
    absl::Duration wait = now - c->created_time;
    bool sla_met = wait <= config_.channels[ChannelIndex(channel)].sla;
    Observe([this, channel, wait, sla_met] { observer_->CaseAnswered(channel, wait, sla_met); });
  }
  Emit("accepted", c->id, agent_id, "");
  return ViewOf(*c, now);
}

absl::Status Engine::DoDecline(const std::string& agent_id, const std::string& case_id,
                               OfferResult why, absl::Time now) {
  Case* c;
  Agent* agent;
  if (absl::Status s = FindHeld(agent_id, case_id, CaseState::kOffered, &c, &agent); !s.ok()) {
    return s;
  }
  ReleaseCapacity(*agent, c->spec.channel, now);
  Requeue(*c, now);
  if (std::find(c->declined_by.begin(), c->declined_by.end(), agent_id) ==
      c->declined_by.end()) {
    c->declined_by.push_back(agent_id);
  }
  c->declined_pass_until = now + config_.decline_pass;
  Observe([this, why] { observer_->Offer(why); });
  Emit(OfferResultName(why), c->id, agent_id, "");
  if (why == OfferResult::kTimedOut) {
    ++agent->missed_offers_in_row;
    if (agent->missed_offers_in_row >= config_.max_missed_offers &&
        agent->presence == Presence::kAvailable) {
      SetAgentPresence(*agent, Presence::kAway, "missed_offers", now, /*notify=*/true);
    }
  } else {
    agent->missed_offers_in_row = 0;
  }
  MarkDirty(*agent);
  return absl::OkStatus();
}

absl::StatusOr<CaseView> Engine::DoComplete(const std::string& agent_id,
                                            const std::string& case_id, const Outcome& outcome,
                                            absl::Time now) {
  if (absl::Status s = ValidateOutcome(outcome); !s.ok()) return s;
  Case* c;
  Agent* agent;
  if (absl::Status s = FindHeld(agent_id, case_id, CaseState::kAssigned, &c, &agent); !s.ok()) {
    return s;
  }
  c->outcome = outcome;
  c->closed_time = now;
  SetState(*c, CaseState::kCompleted);
  Channel channel = c->spec.channel;
  ReleaseCapacity(*agent, channel, now);
  if (agent->presence == Presence::kAvailable) {
    agent->wrap_up_until = now + config_.channels[ChannelIndex(channel)].wrap_up;
    SetAgentPresence(*agent, Presence::kWrapUp, "wrap_up_started", now, /*notify=*/true);
  }
  RecordOutcome(*c, outcome, now);
  std::string topic = TopicLabel(c->spec.topic);
  bool repeat = !c->repeat_of.empty();
  Observe([this, channel, topic, outcome, repeat] {
    observer_->CaseCompleted(channel, topic, outcome, repeat);
  });
  Emit("completed", c->id, agent_id, outcome.resolved ? "resolved" : "unresolved");
  return ViewOf(*c, now);
}

// ---------------------------------------------------------------------------------------------
// Timers.

void Engine::AdvanceTimers(absl::Time now) {
  std::vector<Case*> open = OpenSnapshot();
  // Offers that lapsed.
  for (Case* open_case : open) {
    Case& c = *open_case;
    if (c.state != CaseState::kOffered || c.offer_expires > now) continue;
    std::string agent_id = c.agent_id;
    DeskNotice notice;
    notice.kind = DeskNotice::Kind::kOfferRevoked;
    notice.case_id = c.id;
    notice.revocation = RevocationReason::kTimedOut;
    notice.reason = std::string(RevocationReasonName(notice.revocation));
    Notify(agent_id, std::move(notice));
    (void)DoDecline(agent_id, c.id, OfferResult::kTimedOut, now);
  }
  // Desk sessions that went silent.
  std::vector<std::string> silent;
  for (const auto& [agent_id, session] : sessions_) {
    if (session.last_seen + config_.heartbeat_timeout <= now) silent.push_back(agent_id);
  }
  for (const std::string& agent_id : silent) {
    DeskNotice notice;
    notice.kind = DeskNotice::Kind::kSessionEnded;
    notice.reason = "heartbeat_lost";
    Notify(agent_id, std::move(notice));
    DoCloseSession(agent_id, "heartbeat_lost", now);
  }
  // Wrap-up that ended.
  for (auto& [agent_id, agent] : agents_) {
    if (agent.presence == Presence::kWrapUp && agent.wrap_up_until <= now) {
      SetAgentPresence(agent, Connected(agent_id) ? Presence::kAvailable : Presence::kOffline,
                       "wrap_up_ended", now, /*notify=*/true);
    }
  }
  // Assignments whose agent did not come back within the grace period: route them again,
  // preferring that agent should they return first.
  for (auto it = disconnected_since_.begin(); it != disconnected_since_.end();) {
    if (it->second + config_.reconnect_grace > now) {
      ++it;
      continue;
    }
    const std::string agent_id = it->first;
    it = disconnected_since_.erase(it);
    Agent* agent = FindAgent(agent_id);
    if (agent == nullptr) continue;
    for (Case* open_case : open) {
      Case& c = *open_case;
      if (c.state != CaseState::kAssigned || c.agent_id != agent_id) continue;
      ReleaseCapacity(*agent, c.spec.channel, now);
      c.preferred_agent = agent_id;
      Requeue(c, now);
      Emit("reassigned", c.id, agent_id, "reconnect_grace_expired");
    }
  }
  // Cases nobody could take within their channel's time to live.
  for (Case* open_case : open) {
    Case& c = *open_case;
    if (c.state != CaseState::kQueued) continue;
    if (c.created_time + config_.channels[ChannelIndex(c.spec.channel)].ttl > now) continue;
    c.closed_time = now;
    c.end_reason = "no_agent_within_ttl";
    SetState(c, CaseState::kExpired);
    Channel channel = c.spec.channel;
    Observe([this, channel] { observer_->CaseExpired(channel); });
    Emit("expired", c.id, "", c.end_reason);
  }
}

// ---------------------------------------------------------------------------------------------
// Routing: one global order across every queue of the domain.

void Engine::Route(absl::Time now) {
  std::vector<AgentCandidate> candidates;
  bool anyone_free = false;
  for (auto& [id, agent] : agents_) {
    bool connected = Connected(id);
    candidates.push_back(AgentCandidate{&agent, connected});
    if (connected && agent.presence == Presence::kAvailable) anyone_free = true;
  }
  std::map<std::string, TeamRecord> teams;  // per topic, for this pass
  if (!anyone_free) {
    // Nothing can be offered, but ExplainDecision must still say why a case waits (which
    // agents are excluded, and why). Decide again only for queued cases without a decision
    // since the agents last changed: a quiet queue costs one lookup per case per tick, and a
    // full evaluation happens only for a new case or after an agent changed. When neither
    // happened since the last such pass, the pass is skipped whole (an idle tick stays cheap
    // with a long queue).
    if (explained_agents_epoch_ == agents_epoch_ && explained_queue_version_ == queue_version_) {
      return;
    }
    explained_agents_epoch_ = agents_epoch_;
    explained_queue_version_ = queue_version_;
    for (const auto& [id, open] : open_cases_) {
      Case& c = *open;
      if (c.state != CaseState::kQueued) continue;
      auto it = decisions_.find(c.id);
      if (it != decisions_.end() && it->second.agents_epoch == agents_epoch_) continue;
      Decision decision = Decide(c, candidates, teams, now);
      decision.priority = ScorePriority(c, config_, now);
      decisions_[c.id] = RecordedDecision{std::move(decision), agents_epoch_};
    }
    return;
  }

  absl::Time start = clock_->Now();
  struct Waiting {
    Case* c;
    Score priority;
  };
  std::vector<Waiting> waiting;
  for (const auto& [id, open] : open_cases_) {
    Case& c = *open;
    if (c.state == CaseState::kQueued) waiting.push_back(Waiting{&c, ScorePriority(c, config_, now)});
  }
  if (waiting.empty()) return;
  std::sort(waiting.begin(), waiting.end(), [](const Waiting& a, const Waiting& b) {
    if (a.priority.total != b.priority.total) return a.priority.total > b.priority.total;
    if (a.c->enqueued_time != b.c->enqueued_time) return a.c->enqueued_time < b.c->enqueued_time;
    return a.c->id < b.c->id;
  });
  std::array<int, kExclusionCount> excluded = {};
  int sticky_hits = 0, sticky_misses = 0;
  for (Waiting& w : waiting) {
    Case& c = *w.c;
    Decision decision = Decide(c, candidates, teams, now);
    decision.priority = w.priority;
    for (int i = 0; i < kExclusionCount; ++i) excluded[i] += decision.excluded_by[i];
    if (decision.winner) {
      if (!decision.relationship_agent.empty()) {
        decision.winner->agent_id == decision.relationship_agent ? ++sticky_hits
                                                                 : ++sticky_misses;
      }
      if (decision.authority_waived && !c.needs_supervisor) {
        c.needs_supervisor = true;
        Emit("supervisor_help", c.id, decision.winner->agent_id, "authority_sla_breached");
      }
      MakeOffer(c, agents_.at(decision.winner->agent_id), w.priority, now);
    }
    decisions_[c.id] = RecordedDecision{std::move(decision), agents_epoch_};
  }
  absl::Duration latency = clock_->Now() - start;
  Observe([this, excluded, latency, sticky_hits, sticky_misses] {
    for (int i = 0; i < kExclusionCount; ++i) {
      if (excluded[i] > 0) observer_->Excluded(static_cast<Exclusion>(i), excluded[i]);
    }
    for (int i = 0; i < sticky_hits; ++i) observer_->StickyRouting(true);
    for (int i = 0; i < sticky_misses; ++i) observer_->StickyRouting(false);
    observer_->RoutingPass(latency);
  });
}

Decision Engine::Decide(const Case& c, std::vector<AgentCandidate>& candidates,
                        std::map<std::string, TeamRecord>& teams, absl::Time now) {
  static const std::map<std::string, QualityRecord> kNoQuality;
  static const std::map<std::string, Relationship> kNoRelationships;
  auto team = teams.find(c.spec.topic);
  if (team == teams.end()) team = teams.emplace(c.spec.topic, TeamRecordFor(c.spec.topic)).first;
  auto q = quality_.find(c.spec.topic);
  const auto& topic_quality = q == quality_.end() ? kNoQuality : q->second;
  auto r = relationships_.find(c.spec.customer_id);
  const auto& customer_relationships = r == relationships_.end() ? kNoRelationships : r->second;
  for (AgentCandidate& candidate : candidates) {
    auto qi = topic_quality.find(candidate.agent->id);
    candidate.quality = qi == topic_quality.end() ? nullptr : &qi->second;
    auto ri = customer_relationships.find(candidate.agent->id);
    candidate.relationship = ri == customer_relationships.end() ? nullptr : &ri->second;
  }
  return ChooseAgent(c, candidates, team->second, config_, now);
}

void Engine::MakeOffer(Case& c, Agent& agent, const Score& priority, absl::Time now) {
  SetState(c, CaseState::kOffered);
  c.agent_id = agent.id;
  c.offer_expires = now + config_.offer_timeout;
  ++c.offers_made;
  ++agent.active_cases[ChannelIndex(c.spec.channel)];
  agent.last_offer_time = now;
  MarkDirty(agent);
  DeskNotice notice;
  notice.kind = DeskNotice::Kind::kOffer;
  notice.view = CaseView{c, priority};
  notice.expires = c.offer_expires;
  notice.case_id = c.id;
  Notify(agent.id, std::move(notice));
  Emit("offered", c.id, agent.id, "");
}

// ---------------------------------------------------------------------------------------------
// Small state helpers.

void Engine::SetState(Case& c, CaseState state) {
  c.state = state;
  std::string key = CustomerTopicKey(c.spec);
  if (state == CaseState::kQueued) ++queue_version_;
  if (IsOpen(state)) {
    open_cases_[c.id] = &c;
    open_by_customer_topic_.emplace(key, c.id);
  } else {
    if (open_cases_.erase(c.id) > 0) closed_order_.emplace_back(c.closed_time, c.id);
    auto it = open_by_customer_topic_.find(key);
    if (it != open_by_customer_topic_.end() && it->second == c.id) {
      open_by_customer_topic_.erase(it);
    }
  }
  MarkDirty(c);
}

void Engine::ReleaseCapacity(Agent& agent, Channel channel, absl::Time now) {
  int& active = agent.active_cases[ChannelIndex(channel)];
  active = std::max(0, active - 1);
  if (agent.TotalActive() == 0) agent.idle_since = now;
  MarkDirty(agent);
}

void Engine::Requeue(Case& c, absl::Time now) {
  c.agent_id.clear();
  c.offer_expires = absl::InfinitePast();
  SetState(c, CaseState::kQueued);
}

void Engine::SetAgentPresence(Agent& agent, Presence presence, absl::string_view reason,
                              absl::Time now, bool notify) {
  if (agent.presence == presence) return;
  if (presence == Presence::kAvailable && agent.TotalActive() == 0) agent.idle_since = now;
  agent.presence = presence;
  agent.presence_since = now;
  MarkDirty(agent);
  Emit("presence", "", agent.id, absl::StrCat(PresenceName(presence), ":", reason));
  if (notify) {
    DeskNotice notice;
    notice.kind = DeskNotice::Kind::kPresenceChanged;
    notice.presence = presence;
    notice.reason = std::string(reason);
    Notify(agent.id, std::move(notice));
  }
}

void Engine::EvictExpired(absl::Time now) {
  if (now < next_eviction_) return;
  next_eviction_ = now + absl::Minutes(1);
  // Oldest closed first: the loop stops at the first case still within its retention, so a
  // pass costs the cases it evicts, not every case kept.
  while (!closed_order_.empty() &&
         closed_order_.front().first + config_.closed_retention < now) {
    auto it = cases_.find(closed_order_.front().second);
    closed_order_.pop_front();
    if (it == cases_.end() || IsOpen(it->second.state)) continue;
    const Case& c = it->second;
    idempotency_.erase(c.spec.idempotency_key);
    decisions_.erase(c.id);
    auto last = last_resolved_.find(CustomerTopicKey(c.spec));
    if (last != last_resolved_.end() && last->second == c.id) last_resolved_.erase(last);
    cases_.erase(it);
  }
}

void Engine::ReportState() {
  if (observer_ == nullptr) return;
  PerChannel<int> depth = {0, 0, 0, 0};
  PerChannel<double> value = {0, 0, 0, 0};
  for (const auto& [id, open] : open_cases_) {
    const Case& c = *open;
    if (c.state == CaseState::kAssigned) continue;
    ++depth[ChannelIndex(c.spec.channel)];
    value[ChannelIndex(c.spec.channel)] += c.spec.customer_value;
  }
  observer_->QueueState(depth, value);
  std::array<int, kPresenceCount> by_presence = {};
  double load = 0;
  int logged_in = 0;
  for (const auto& [id, agent] : agents_) {
    Presence p = Connected(id) ? agent.presence : Presence::kOffline;
    ++by_presence[static_cast<int>(p)];
    if (p != Presence::kOffline) {
      ++logged_in;
      load += std::min(1.0, AttentionLoad(agent, config_));
    }
  }
  observer_->AgentState(by_presence, logged_in > 0 ? load / logged_in : 0.0);
}

Batch Engine::TakeBatch(absl::Time now) {
  Batch batch;
  for (const auto& [id, dirty] : dirty_cases_) {
    auto it = cases_.find(id);
    if (it != cases_.end()) batch.cases.push_back(it->second);
  }
  for (const auto& [id, dirty] : dirty_agents_) {
    auto it = agents_.find(id);
    if (it != agents_.end()) batch.agents.push_back(it->second);
  }
  for (const auto& [topic, agent] : dirty_quality_) batch.quality.push_back(quality_[topic][agent]);
  for (const auto& [customer, agent] : dirty_relationships_) {
    batch.relationships.push_back(relationships_[customer][agent]);
  }
  dirty_quality_.clear();
  dirty_relationships_.clear();
  batch.removed_agents.swap(removed_agents_);
  batch.events.swap(events_);
  if (sequence_dirty_) batch.case_sequence = case_sequence_;
  batch.now = now;
  batch.closed_retention = config_.closed_retention;
  dirty_cases_.clear();
  dirty_agents_.clear();
  sequence_dirty_ = false;
  return batch;
}

CaseView Engine::ViewOf(const Case& c, absl::Time now) const {
  return CaseView{c, IsOpen(c.state) ? ScorePriority(c, config_, now) : Score{}};
}

AgentView Engine::AgentViewOf(const Agent& a) const {
  AgentView view{a, Connected(a.id)};
  if (!view.connected) view.agent.presence = Presence::kOffline;
  return view;
}

std::vector<Case*> Engine::OpenSnapshot() const {
  std::vector<Case*> open;
  open.reserve(open_cases_.size());
  for (const auto& [id, c] : open_cases_) open.push_back(c);
  return open;
}

Case* Engine::FindCase(const std::string& id) {
  auto it = cases_.find(id);
  return it == cases_.end() ? nullptr : &it->second;
}

Agent* Engine::FindAgent(const std::string& id) {
  auto it = agents_.find(id);
  return it == agents_.end() ? nullptr : &it->second;
}

bool Engine::Connected(const std::string& agent_id) const {
  return sessions_.count(agent_id) > 0;
}

std::string Engine::TopicLabel(const std::string& topic) const {
  for (const std::string& t : config_.topics) {
    if (t == topic) return topic;
  }
  return "other";
}

// ---------------------------------------------------------------------------------------------
// History: outcomes become the agent's record and the customer's relationship.

std::string Engine::CustomerTopicKey(const CaseSpec& spec) {
  return absl::StrCat(spec.customer_id, "\n", spec.topic);
}

QualityRecord& Engine::QualityOf(const std::string& topic, const std::string& agent_id) {
  QualityRecord& q = quality_[topic][agent_id];
  q.topic = topic;
  q.agent_id = agent_id;
  dirty_quality_.emplace(topic, agent_id);
  return q;
}

Relationship& Engine::RelationshipOf(const std::string& customer, const std::string& agent_id) {
  Relationship& r = relationships_[customer][agent_id];
  r.customer_id = customer;
  r.agent_id = agent_id;
  dirty_relationships_.emplace(customer, agent_id);
  return r;
}

void Engine::RecordOutcome(const Case& c, const Outcome& outcome, absl::Time now) {
  QualityRecord& q = QualityOf(c.spec.topic, c.agent_id);
  ++q.completed;
  if (outcome.resolved) {
    ++q.resolved;
    // Provisional: taken back if the customer comes back within the repeat window. A case
    // that is itself a repeat contact was not resolved at the first contact.
    if (c.repeat_of.empty()) ++q.first_contact_resolutions;
    last_resolved_[CustomerTopicKey(c.spec)] = c.id;
  }
  if (outcome.csat > 0) {
    q.csat_sum += outcome.csat;
    ++q.csat_count;
  }
  if (c.answered_time != absl::InfinitePast()) {
    q.handle_seconds_sum += static_cast<int64_t>(absl::ToDoubleSeconds(now - c.answered_time));
  }
  Relationship& r = RelationshipOf(c.spec.customer_id, c.agent_id);
  ++r.cases;
  if (outcome.resolved) ++r.resolved;
  if (outcome.csat > 0) {
    r.csat_sum += outcome.csat;
    ++r.csat_count;
    // Only a given score replaces the last one: a case without a survey says nothing about how
    // the customer felt, and 0 would lift a low-CSAT spoiler off the relationship.
    r.last_csat = outcome.csat;
  }
  r.last_contact = now;
}

void Engine::DetectRepeatContact(Case& fresh, absl::Time now) {
  auto it = last_resolved_.find(CustomerTopicKey(fresh.spec));
  if (it == last_resolved_.end()) return;
  Case* earlier = FindCase(it->second);
  if (earlier == nullptr || earlier->closed_time + config_.repeat_window < now) return;
  fresh.repeat_of = earlier->id;
  Emit("repeat_contact", fresh.id, earlier->agent_id, earlier->id);
  if (!earlier->came_back) {
    // That "resolution" was not one: correct the agent's record.
    earlier->came_back = true;
    MarkDirty(*earlier);
    QualityRecord& q = QualityOf(earlier->spec.topic, earlier->agent_id);
    ++q.repeats_after_resolved;
    if (earlier->repeat_of.empty() && q.first_contact_resolutions > 0) {
      --q.first_contact_resolutions;
    }
  }
  Channel channel = fresh.spec.channel;
  std::string topic = TopicLabel(fresh.spec.topic);
  Observe([this, channel, topic] { observer_->RepeatContact(channel, topic); });
}

absl::StatusOr<SubmitResult> Engine::JoinOpenCase(Case& open, CaseSpec spec, absl::Time now) {
  // One voice to the customer: a new contact on a topic they already have open joins that case
  // whatever the channel. A live channel makes a waiting case as urgent as the live contact.
  idempotency_[spec.idempotency_key] = open.id;
  if (!spec.subject.empty() && open.messages.size() < kMaxMessagesPerCase) {
    open.messages.push_back(spec.subject);
  }
  const auto urgency = [this](Channel ch) { return config_.channels[ChannelIndex(ch)].urgency; };
  if (open.state == CaseState::kQueued && urgency(spec.channel) > urgency(open.spec.channel)) {
    open.spec.channel = spec.channel;
  }
  MarkDirty(open);
  Emit("joined", open.id, open.agent_id, std::string(ChannelName(spec.channel)));
  if (open.state == CaseState::kAssigned && !spec.subject.empty()) {
    DeskNotice notice;
    notice.kind = DeskNotice::Kind::kCaseMessage;
    notice.case_id = open.id;
    notice.text = std::move(spec.subject);
    notice.channel = spec.channel;
    Notify(open.agent_id, std::move(notice));
  }
  return SubmitResult{ViewOf(open, now), false, true};
}

TeamRecord Engine::TeamRecordFor(const std::string& topic) const {
  TeamRecord team;
  auto it = quality_.find(topic);
  if (it == quality_.end()) return team;
  double completed = 0, fcr = 0, csat_sum = 0, csat_count = 0, handle = 0;
  for (const auto& [agent, q] : it->second) {
    completed += q.completed;
    fcr += q.first_contact_resolutions;
    csat_sum += q.csat_sum;
    csat_count += q.csat_count;
    handle += q.handle_seconds_sum;
  }
  if (completed > 0) {
    team.fcr_rate = fcr / completed;
    team.mean_handle_seconds = handle / completed;
  }
  if (csat_count > 0) team.csat_mean = csat_sum / csat_count;
  return team;
}

}  // namespace caserouter
