// EventFeed: the routing domain's event stream delivered over gRPC (issue 13) —
// CaseIntakeService.FollowCases (an adapter's own cases) and
// SupervisionService.WatchDomainEvents (every event), docs/events.md#feeds-over-grpc.
//
// Every feed is a position in the domain's Redis stream (an EventSource) and a filter. One
// thread of the feed reads the stream for every open feed, after each feed's own position:
// a feed that starts from an old position catches up page by page while the others stay
// live, and a feed whose client does not read (kMaxBuffered events waiting to be written)
// is simply not read for until it drains, so a slow client costs memory for a page and
// nothing else. When no feed has anything to read, the thread waits on the stream (a
// blocking read of up to `poll`) for the next event.
//
// The stream holds no adapter: which adapter submitted a case is Case::spec.submitted_by,
// which the feed asks the engine for (GetCase) once per case and keeps (a case's submitter
// never changes). The agent's contact address comes from the engine's agents (ListAgents),
// refreshed at most once a second when an event names an agent the feed has not seen, and
// every few seconds otherwise. Both answers need the engine to lead: on a standby, an
// adapter's feed ends UNAVAILABLE (reconnect to the leader and resume); the supervisor's feed
// reads the stream only and works on any replica.
//
// Delivery is at-least-once by position: a client resumes after the last event id it handled
// and gets every later event of its filter, also from another replica after a failover (the
// stream is the domain's, not a replica's). Events are never reordered. A position older than
// the oldest event the stream keeps (trimmed, docs/events.md) ends the feed OUT_OF_RANGE at
// its first read: events after it may be lost.
//
//   EventFeed feed([] { return OpenSource(); }, &engine, &clock);
//   feed.Start();
//   return feed.OpenAdapterFeed(context, std::move(ticket), after_event_id);  // a reactor
//   ...
//   feed.Stop(absl::UnavailableError("server shutting down"));  // ends every feed
//
// Thread safety: all public methods are thread-safe; feeds are written from the feed thread
// and gRPC's callback threads. `engine` must outlive the feed.
#ifndef CASEROUTER_ROUTER_SERVICE_EVENT_FEED_H_
#define CASEROUTER_ROUTER_SERVICE_EVENT_FEED_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/support/server_callback.h>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "caserouter/v1/case_intake.pb.h"
#include "caserouter/v1/supervision.pb.h"
#include "router/engine/engine.h"
#include "router/service/call_gate.h"
#include "router/service/call_limiter.h"
#include "router/store/event_source.h"

namespace caserouter {

// Opens a reader of the domain's event stream; called on the feed thread, again after a
// failure.
using EventSourceFactory = std::function<absl::StatusOr<std::unique_ptr<EventSource>>()>;

class EventFeed {
 public:
  struct Options {
    absl::Duration poll = absl::Milliseconds(250);  // how long one idle wait on the stream is
    int page = 256;                                 // events read per feed per round
    int max_buffered = 512;  // events waiting for the client before the feed stops reading
    // How long an engine lookup (a case's submitter, the agents) may take before the feed
    // gives up on it (the adapter's feed ends UNAVAILABLE).
    absl::Duration engine_wait = absl::Seconds(5);
  };

  class Subscription;  // one open feed (event_feed.cc)

  // Every feed passes `gate` (its role rule, access_rules.h) and takes a place in `places`
  // (the server's --max_event_feeds) and one of the caller's streams.
  EventFeed(EventSourceFactory open_source, Engine* engine, CallGate* gate, CallLimiter* places,
            Options options);
  EventFeed(EventSourceFactory open_source, Engine* engine, CallGate* gate, CallLimiter* places)
      : EventFeed(std::move(open_source), engine, gate, places, Options()) {}
  ~EventFeed();
  EventFeed(const EventFeed&) = delete;
  EventFeed& operator=(const EventFeed&) = delete;

  void Start();
  // Ends every open feed with `why` and stops the thread; later feeds end with `why` at once.
  // Idempotent.
  void Stop(absl::Status why);

  // The reactor of a FollowCases call (the caller must be an adapter; its cases only).
  grpc::ServerWriteReactor<v1::FollowCasesResponse>* OpenAdapterFeed(
      grpc::CallbackServerContext* context, const v1::FollowCasesRequest& request);
  // The reactor of a WatchDomainEvents call.
  grpc::ServerWriteReactor<v1::WatchDomainEventsResponse>* OpenDomainFeed(
      grpc::CallbackServerContext* context, const v1::WatchDomainEventsRequest& request);
  // What a service without a feed answers: FAILED_PRECONDITION.
  static grpc::ServerWriteReactor<v1::FollowCasesResponse>* NoAdapterFeed();
  static grpc::ServerWriteReactor<v1::WatchDomainEventsResponse>* NoDomainFeed();

  // Feeds open now (for tests and the gauge).
  int open_feeds() const;

 private:
  void Add(std::shared_ptr<Subscription> subscription);
  void Loop();
  // One round over the feeds; true when any of them got events.
  bool ReadRound(const std::vector<std::shared_ptr<Subscription>>& feeds);
  bool ReadFor(Subscription& feed);
  // The adapter that submitted `case_id` ("" when none or unknown), or UNAVAILABLE.
  absl::StatusOr<std::string> SubmitterOf(const std::string& case_id);
  // The agent's contact address ("" when none), or UNAVAILABLE.
  absl::StatusOr<std::string> ContactOf(const std::string& agent_id);

  const EventSourceFactory open_source_;
  Engine* const engine_;
  CallGate* const gate_;
  CallLimiter* const places_;
  const Options options_;

  // The feed thread's own (no lock).
  std::unique_ptr<EventSource> source_;
  std::string tail_;  // the newest id the thread has read; where it waits
  absl::flat_hash_map<std::string, std::string> submitters_;  // case id -> adapter
  absl::flat_hash_map<std::string, std::string> contacts_;    // agent id -> address
  absl::Time contacts_read_ = absl::InfinitePast();

  mutable absl::Mutex mu_;
  std::vector<std::shared_ptr<Subscription>> feeds_ ABSL_GUARDED_BY(mu_);
  std::optional<absl::Status> stopped_ ABSL_GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_EVENT_FEED_H_
