#include "router/service/event_feed.h"

#include <algorithm>
#include <deque>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "router/service/proto_convert.h"
#include "router/service/status_convert.h"

namespace caserouter {
namespace {

// The service layer's own events (audit_log.h): about callers, not about an adapter's cases.
bool IsAuditEvent(absl::string_view type) {
  return type == "call_refused" || type == "supervisor_action" || type == "audit_suppressed";
}

// A case id cache this large is dropped and built again: bounded memory, a GetCase per
// case at worst once more.
constexpr size_t kMaxCachedCases = 500000;
// How stale the agents' contact addresses may get, and how often an unknown agent may make
// the feed read them again.
constexpr absl::Duration kContactsFresh = absl::Seconds(5);
constexpr absl::Duration kContactsRetry = absl::Seconds(1);

v1::RoutingEvent ToProto(const StoredEvent& stored, std::string contact) {
  v1::RoutingEvent out;
  out.set_event_id(stored.id);
  TimeToProto(stored.event.time, out.mutable_time());
  out.set_type(stored.event.type);
  out.set_case_id(stored.event.case_id);
  out.set_agent_id(stored.event.agent_id);
  out.set_detail(stored.event.detail);
  out.set_agent_contact_address(std::move(contact));
  return out;
}

// Waits for one engine answer on the feed thread (the engine answers on its own thread).
template <typename T>
absl::StatusOr<T> AwaitEngine(absl::Duration wait,
                              const std::function<void(Engine::Callback<T>)>& ask) {
  struct Answer {
    absl::Notification done;
    absl::StatusOr<T> value = absl::UnavailableError("no answer");
  };
  auto answer = std::make_shared<Answer>();
  ask([answer](absl::StatusOr<T> value) {
    answer->value = std::move(value);
    answer->done.Notify();
  });
  if (!answer->done.WaitForNotificationWithTimeout(wait)) {
    return absl::UnavailableError("the engine did not answer the event feed in time");
  }
  return std::move(answer->value);
}

}  // namespace

// One open feed: its filter and position (the feed thread's), and what waits to be written
// to its client (shared with gRPC's threads, under mu_).
class EventFeed::Subscription {
 public:
  Subscription(std::optional<std::string> adapter, std::string after)
      : adapter(std::move(adapter)), cursor(std::move(after)) {}
  virtual ~Subscription() = default;

  const std::optional<std::string> adapter;  // the adapter whose cases; nullopt = all
  std::string cursor;                        // the last id read for it; "" = start now
  bool first_read = true;

  virtual int Buffered() = 0;
  virtual bool Done() = 0;
  virtual void Push(std::vector<v1::RoutingEvent> events) = 0;
  virtual void End(absl::Status why) = 0;
};

namespace {

template <typename Response>
class FeedReactor;

// The writer side of one feed. The reactor lives until its OnDone, which comes only after
// Finish, which only Pump calls once: until then `reactor_` may be used without the lock,
// by whichever thread Pump chose to write or finish.
template <typename Response>
class FeedState final : public EventFeed::Subscription {
 public:
  using EventFeed::Subscription::Subscription;

  void Attach(grpc::ServerWriteReactor<Response>* reactor) {
    absl::MutexLock lock(&mu_);
    reactor_ = reactor;
  }

  int Buffered() override {
    absl::MutexLock lock(&mu_);
    return static_cast<int>(pending_.size());
  }
  bool Done() override {
    absl::MutexLock lock(&mu_);
    return final_.has_value();
  }
  void Push(std::vector<v1::RoutingEvent> events) override {
    {
      absl::MutexLock lock(&mu_);
      if (final_.has_value()) return;
      for (v1::RoutingEvent& e : events) {
        Response response;
        *response.mutable_event() = std::move(e);
        pending_.push_back(std::move(response));
      }
    }
    Pump();
  }
  void End(absl::Status why) override {
    {
      absl::MutexLock lock(&mu_);
      EndLocked(ToGrpcStatus(why));
    }
    Pump();
  }

  // The reactor's.
  void WriteDone(bool ok) {
    {
      absl::MutexLock lock(&mu_);
      writing_ = false;
      if (!pending_.empty()) pending_.pop_front();
      if (!ok) EndLocked(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
    }
    Pump();
  }
  void Cancelled() {
    {
      absl::MutexLock lock(&mu_);
      EndLocked(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
    }
    Pump();
  }
  void Detach() {
    absl::MutexLock lock(&mu_);
    reactor_ = nullptr;
  }

 private:
  // Ends the feed once: what was not written yet is dropped (the client resumes after the
  // last event it got), except the event being written.
  void EndLocked(grpc::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (final_.has_value()) return;
    final_ = std::move(status);
    while (pending_.size() > (writing_ ? 1u : 0u)) pending_.pop_back();
  }

  // Starts the next write, or the Finish, when nothing is being written.
  void Pump() {
    grpc::ServerWriteReactor<Response>* reactor = nullptr;
    const Response* write = nullptr;
    std::optional<grpc::Status> finish;
    {
      absl::MutexLock lock(&mu_);
      if (reactor_ == nullptr || finish_called_ || writing_) return;
      reactor = reactor_;
      if (!pending_.empty() && !final_.has_value()) {
        writing_ = true;
        write = &pending_.front();
      } else if (final_.has_value()) {
        finish_called_ = true;
        finish = *final_;
      } else {
        return;
      }
    }
    if (write != nullptr) {
      reactor->StartWrite(write);
    } else {
      reactor->Finish(*finish);
    }
  }

  absl::Mutex mu_;
  grpc::ServerWriteReactor<Response>* reactor_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::deque<Response> pending_ ABSL_GUARDED_BY(mu_);  // front: being written when writing_
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<grpc::Status> final_ ABSL_GUARDED_BY(mu_);
  bool finish_called_ ABSL_GUARDED_BY(mu_) = false;
};

template <typename Response>
class FeedReactor final : public grpc::ServerWriteReactor<Response> {
 public:
  FeedReactor(CallTicket ticket, std::shared_ptr<FeedState<Response>> state)
      : ticket_(std::move(ticket)), state_(std::move(state)) {}

  void OnWriteDone(bool ok) override { state_->WriteDone(ok); }
  void OnCancel() override { state_->Cancelled(); }
  void OnDone() override {
    state_->Detach();
    delete this;  // the ticket gives its places back
  }

 private:
  CallTicket ticket_;
  std::shared_ptr<FeedState<Response>> state_;
};

// A feed that ends at once with `why`.
template <typename Response>
grpc::ServerWriteReactor<Response>* Refused(const absl::Status& why) {
  class Refusal final : public grpc::ServerWriteReactor<Response> {
   public:
    explicit Refusal(grpc::Status status) { this->Finish(std::move(status)); }
    void OnDone() override { delete this; }
  };
  return new Refusal(ToGrpcStatus(why));
}

template <typename Response>
std::pair<grpc::ServerWriteReactor<Response>*, std::shared_ptr<FeedState<Response>>> Open(
    CallTicket ticket, std::optional<std::string> adapter, std::string after) {
  auto state = std::make_shared<FeedState<Response>>(std::move(adapter), std::move(after));
  auto* reactor = new FeedReactor<Response>(std::move(ticket), state);
  state->Attach(reactor);
  return {reactor, state};
}

absl::Status CheckPosition(const std::string& after) {
  if (after.empty() || IsEventPosition(after)) return absl::OkStatus();
  return absl::InvalidArgumentError(
      "after_event_id: not an event id (\"<unix ms>-<n>\", \"0\" or empty)");
}

}  // namespace

EventFeed::EventFeed(EventSourceFactory open_source, Engine* engine, CallGate* gate,
                     CallLimiter* places, Options options)
    : open_source_(std::move(open_source)),
      engine_(engine),
      gate_(gate),
      places_(places),
      options_(options) {}

grpc::ServerWriteReactor<v1::FollowCasesResponse>* EventFeed::NoAdapterFeed() {
  return Refused<v1::FollowCasesResponse>(
      absl::FailedPreconditionError("this router was started without an event stream"));
}

grpc::ServerWriteReactor<v1::WatchDomainEventsResponse>* EventFeed::NoDomainFeed() {
  return Refused<v1::WatchDomainEventsResponse>(
      absl::FailedPreconditionError("this router was started without an event stream"));
}

EventFeed::~EventFeed() { Stop(absl::UnavailableError("server shutting down")); }

void EventFeed::Start() {
  absl::MutexLock lock(&mu_);
  if (thread_.joinable() || stopped_.has_value()) return;
  thread_ = std::thread([this] { Loop(); });
}

void EventFeed::Stop(absl::Status why) {
  std::vector<std::shared_ptr<Subscription>> feeds;
  {
    absl::MutexLock lock(&mu_);
    if (!stopped_.has_value()) stopped_ = why;
    feeds.swap(feeds_);
  }
  for (const auto& feed : feeds) feed->End(why);
  if (thread_.joinable()) thread_.join();
}

int EventFeed::open_feeds() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(feeds_.size());
}

grpc::ServerWriteReactor<v1::FollowCasesResponse>* EventFeed::OpenAdapterFeed(
    grpc::CallbackServerContext* context, const v1::FollowCasesRequest& request) {
  absl::StatusOr<CallTicket> ticket = gate_->EnterStream(*context, Rpc::kFollowCases, places_);
  if (!ticket.ok()) return Refused<v1::FollowCasesResponse>(ticket.status());
  if (absl::Status s = CheckPosition(request.after_event_id()); !s.ok()) {
    return Refused<v1::FollowCasesResponse>(s);
  }
  std::string adapter = ticket->caller().name;
  auto [reactor, state] = Open<v1::FollowCasesResponse>(*std::move(ticket), std::move(adapter),
                                                        request.after_event_id());
  Add(std::move(state));
  return reactor;
}

grpc::ServerWriteReactor<v1::WatchDomainEventsResponse>* EventFeed::OpenDomainFeed(
    grpc::CallbackServerContext* context, const v1::WatchDomainEventsRequest& request) {
  absl::StatusOr<CallTicket> ticket =
      gate_->EnterStream(*context, Rpc::kWatchDomainEvents, places_);
  if (!ticket.ok()) return Refused<v1::WatchDomainEventsResponse>(ticket.status());
  if (absl::Status s = CheckPosition(request.after_event_id()); !s.ok()) {
    return Refused<v1::WatchDomainEventsResponse>(s);
  }
  gate_->SupervisorAction(ticket->caller(), Rpc::kWatchDomainEvents, "", "");
  auto [reactor, state] = Open<v1::WatchDomainEventsResponse>(*std::move(ticket), std::nullopt,
                                                              request.after_event_id());
  Add(std::move(state));
  return reactor;
}

void EventFeed::Add(std::shared_ptr<Subscription> subscription) {
  std::optional<absl::Status> stopped;
  {
    absl::MutexLock lock(&mu_);
    if (stopped_.has_value()) {
      stopped = *stopped_;
    } else {
      feeds_.push_back(subscription);
    }
  }
  if (stopped.has_value()) subscription->End(*stopped);
}

void EventFeed::Loop() {
  while (true) {
    std::vector<std::shared_ptr<Subscription>> feeds;
    {
      absl::MutexLock lock(&mu_);
      feeds_.erase(std::remove_if(feeds_.begin(), feeds_.end(),
                                  [](const std::shared_ptr<Subscription>& f) { return f->Done(); }),
                   feeds_.end());
      if (stopped_.has_value()) return;
      if (feeds_.empty()) {
        mu_.AwaitWithTimeout(absl::Condition(
                                 +[](EventFeed* feed) ABSL_NO_THREAD_SAFETY_ANALYSIS {
                                   return !feed->feeds_.empty() || feed->stopped_.has_value();
                                 },
                                 this),
                             options_.poll);
        continue;
      }
      feeds = feeds_;
    }
    if (source_ == nullptr) {
      absl::StatusOr<std::unique_ptr<EventSource>> source = open_source_();
      if (!source.ok()) {
        for (const auto& feed : feeds) {
          feed->End(absl::UnavailableError("the event stream cannot be read; resume later"));
        }
        absl::SleepFor(options_.poll);
        continue;
      }
      source_ = *std::move(source);
    }
    if (ReadRound(feeds) || source_ == nullptr) continue;
    // Nobody had anything: wait on the stream for its next event.
    if (tail_.empty()) {
      absl::StatusOr<std::string> last = source_->LastId();
      if (!last.ok()) {
        source_.reset();
        continue;
      }
      tail_ = last->empty() ? "0" : *last;
    }
    // What came is read by each feed from its own position; the wait moves on past it, so
    // that feeds which cannot take it yet (clients not reading) do not make this loop spin.
    absl::StatusOr<EventPage> next = source_->ReadAfter(tail_, 1, options_.poll);
    if (!next.ok()) {
      source_.reset();
    } else if (!next->events.empty()) {
      tail_ = next->events.back().id;
    }
  }
}

bool EventFeed::ReadRound(const std::vector<std::shared_ptr<Subscription>>& feeds) {
  bool any = false;
  for (const auto& feed : feeds) {
    if (source_ == nullptr) break;
    if (feed->Done() || feed->Buffered() >= options_.max_buffered) continue;
    any = ReadFor(*feed) || any;
  }
  return any;
}

bool EventFeed::ReadFor(Subscription& feed) {
  const absl::Status unavailable =
      absl::UnavailableError("the event stream cannot be read now; resume after the last id");
  if (feed.cursor.empty()) {
    absl::StatusOr<std::string> last = source_->LastId();
    if (!last.ok()) {
      source_.reset();
      feed.End(unavailable);
      return false;
    }
    feed.cursor = last->empty() ? "0" : *last;
    feed.first_read = false;  // from now: nothing before it is owed
    if (tail_.empty() || StreamIdBefore(tail_, feed.cursor)) tail_ = feed.cursor;
  }
  absl::StatusOr<EventPage> page =
      source_->ReadAfter(feed.cursor, options_.page, absl::ZeroDuration());
  if (!page.ok()) {
    source_.reset();
    feed.End(unavailable);
    return false;
  }
  if (feed.first_read) {
    feed.first_read = false;
    if (feed.cursor != "0" && !page->first_kept.empty() &&
        StreamIdBefore(feed.cursor, page->first_kept)) {
      feed.End(absl::OutOfRangeError(
          "after_event_id: the stream now starts after it and events may have been trimmed; "
          "resume from \"0\" to read what it keeps"));
      return false;
    }
  }
  if (page->events.empty()) return false;
  std::vector<v1::RoutingEvent> out;
  for (const StoredEvent& stored : page->events) {
    const Event& e = stored.event;
    if (feed.adapter.has_value()) {
      if (e.case_id.empty() || IsAuditEvent(e.type)) {
        feed.cursor = stored.id;
        continue;
      }
      absl::StatusOr<std::string> submitter = SubmitterOf(e.case_id);
      if (!submitter.ok()) {
        feed.Push(std::move(out));
        feed.End(absl::UnavailableError(
            "this replica cannot tell whose cases the events are about (not the leader?); "
            "resume on the leader after the last id"));
        return true;
      }
      if (*submitter != *feed.adapter) {
        feed.cursor = stored.id;
        continue;
      }
    }
    std::string contact;
    if (!e.agent_id.empty()) {
      absl::StatusOr<std::string> found = ContactOf(e.agent_id);
      if (found.ok()) {
        contact = *std::move(found);
      } else if (feed.adapter.has_value()) {
        feed.Push(std::move(out));
        feed.End(absl::UnavailableError(
            "this replica cannot read the agents now (not the leader?); resume on the leader "
            "after the last id"));
        return true;
      }
    }
    out.push_back(ToProto(stored, std::move(contact)));
    feed.cursor = stored.id;
  }
  if (tail_.empty() || StreamIdBefore(tail_, page->events.back().id)) {
    tail_ = page->events.back().id;
  }
  feed.Push(std::move(out));
  return true;
}

absl::StatusOr<std::string> EventFeed::SubmitterOf(const std::string& case_id) {
  if (auto it = submitters_.find(case_id); it != submitters_.end()) return it->second;
  absl::StatusOr<CaseView> view = AwaitEngine<CaseView>(
      options_.engine_wait,
      [&](Engine::Callback<CaseView> done) { engine_->GetCase(case_id, std::move(done)); });
  std::string submitter;
  if (view.ok()) {
    submitter = view->record.spec.submitted_by;
  } else if (!absl::IsNotFound(view.status())) {
    return view.status();
  }
  if (submitters_.size() >= kMaxCachedCases) submitters_.clear();
  submitters_.emplace(case_id, submitter);
  return submitter;
}

absl::StatusOr<std::string> EventFeed::ContactOf(const std::string& agent_id) {
  const absl::Time now = absl::Now();
  auto it = contacts_.find(agent_id);
  const bool stale = now - contacts_read_ >= kContactsFresh;
  const bool may_retry = now - contacts_read_ >= kContactsRetry;
  if ((it == contacts_.end() && may_retry) || stale) {
    contacts_read_ = now;
    absl::StatusOr<std::vector<AgentView>> agents = AwaitEngine<std::vector<AgentView>>(
        options_.engine_wait, [&](Engine::Callback<std::vector<AgentView>> done) {
          engine_->ListAgents(std::move(done));
        });
    if (!agents.ok()) return agents.status();
    contacts_.clear();
    for (const AgentView& a : *agents) contacts_.emplace(a.agent.id, a.agent.contact_address);
    it = contacts_.find(agent_id);
  }
  return it == contacts_.end() ? std::string() : it->second;
}

}  // namespace caserouter
