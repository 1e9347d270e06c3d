// CaseFollower: an adapter's event feed (CaseIntakeService.FollowCases, issue 13) followed as
// a real adapter follows it — across reconnections and router failovers, without missing an
// event.
//
// It opens the feed after the last event id it handled (at first Options::after_event_id),
// hands every event to a callback, and when the feed ends — a replica shutting down or
// deposed (UNAVAILABLE), a connection lost — opens it again on the next address, round robin,
// after a backoff (kFirstBackoff doubling to max_backoff, afresh after a feed that delivered
// something), resuming after the last id. The router delivers at least once; the follower
// drops what it has seen (an id not after the last one), so the callback sees every event of
// the adapter's cases exactly once, in stream order. It gives up on what a retry cannot mend:
// INVALID_ARGUMENT, UNAUTHENTICATED, PERMISSION_DENIED, FAILED_PRECONDITION (no event stream)
// and OUT_OF_RANGE (the position was trimmed from the stream: events may be lost; start again
// from "0").
//
//   CaseFollower follower({"router-0:50051", "router-1:50051"},
//                         {.channel_factory = open_channel},   // carries the adapter's token
//                         [](const v1::RoutingEvent& e) { ... e.type() ... },
//                         [](const grpc::Status& end, bool resuming) { ... });
//   follower.Start();
//   ... follower.last_event_id() ...   // persist it to resume after a restart
//   follower.Stop();
//
// Threads: one, which reads the feed and runs the callbacks (keep them short). Thread safety:
// all methods may be called from any thread but the follower's own (Stop, not from a
// callback).
#ifndef CASEROUTER_TOOLS_ADAPTER_CLIENT_CASE_FOLLOWER_H_
#define CASEROUTER_TOOLS_ADAPTER_CLIENT_CASE_FOLLOWER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/base/thread_annotations.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "caserouter/v1/case_intake.grpc.pb.h"

namespace caserouter {

class CaseFollower {
 public:
  static constexpr absl::Duration kFirstBackoff = absl::Milliseconds(100);

  // Opens a channel to one address (a fresh one for every attempt).
  using ChannelFactory = std::function<std::shared_ptr<grpc::Channel>(const std::string& target)>;

  struct Options {
    std::string after_event_id;  // where to start: "" = from now, "0" = the oldest kept
    std::string token;           // the adapter's bearer token; "" = the channel's credential
    ChannelFactory channel_factory = nullptr;  // required
    absl::Duration max_backoff = absl::Seconds(5);
  };
  using EventHandler = std::function<void(const v1::RoutingEvent&)>;
  // How a feed ended, and whether the follower opens it again.
  using EndHandler = std::function<void(const grpc::Status&, bool resuming)>;

  CaseFollower(std::vector<std::string> targets, Options options, EventHandler on_event,
               EndHandler on_end);
  ~CaseFollower();  // Stop()
  CaseFollower(const CaseFollower&) = delete;
  CaseFollower& operator=(const CaseFollower&) = delete;

  void Start();
  // Cancels the feed and joins the thread; idempotent.
  void Stop();
  // Blocks until the follower gave up or was stopped.
  void Wait();

  // The id of the last event handed to the callback ("" before the first, with from-now).
  std::string last_event_id() const;
  // Events the router delivered again (at-least-once) and the follower dropped.
  int64_t duplicates() const;
  // Feeds opened so far (1 + reconnections).
  int feeds_opened() const;

  // True when stream id `a` comes before `b` ("0" first).
  static bool IdBefore(absl::string_view a, absl::string_view b);

 private:
  void Loop();
  // One feed; false when it must not be opened again.
  bool RunFeed(const std::string& target, grpc::Status* end, bool* delivered);

  const std::vector<std::string> targets_;
  const Options options_;
  const EventHandler on_event_;
  const EndHandler on_end_;

  mutable absl::Mutex mu_;
  std::string last_id_ ABSL_GUARDED_BY(mu_);
  int64_t duplicates_ ABSL_GUARDED_BY(mu_) = 0;
  int feeds_opened_ ABSL_GUARDED_BY(mu_) = 0;
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  grpc::ClientContext* context_ ABSL_GUARDED_BY(mu_) = nullptr;
  std::thread thread_;
};

}  // namespace caserouter

#endif  // CASEROUTER_TOOLS_ADAPTER_CLIENT_CASE_FOLLOWER_H_
