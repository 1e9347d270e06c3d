// DeskAgent: one agent's desktop session over AgentDeskService.Connect, as a real desktop runs it.
//
// It opens the stream, sends Hello and SetPresence AVAILABLE, keeps the session alive with
// heartbeats at the interval the Welcome asks for, hands every ConnectResponse to a callback, and
// reconnects when the stream breaks (router restart, failover to another replica). It gives up,
// without reconnecting, when the router says the session cannot work: ABORTED (another desk
// took the agent's session over), NOT_FOUND (no such agent), INVALID_ARGUMENT.
//
// Finding the leader. Only the replica that leads the routing domain serves desks: a replica
// that stops leading ends every desk stream with UNAVAILABLE, and a standby refuses the Hello
// with UNAVAILABLE. The desk is given the router's addresses — several (every replica), or one
// name (a Kubernetes Service that routes to the ready replica only, or a DNS name with an
// address per replica). After a session that ended, the next attempt goes to the next address,
// round robin; each attempt opens a fresh channel (so a Service's connection is balanced anew,
// and a DNS name is resolved again) with gRPC's round_robin policy over the name's addresses.
// Between attempts it waits a backoff that starts at kFirstBackoff and doubles, with jitter, up
// to max_backoff once every address has been tried; a session that lasted a while starts it
// afresh. So a desk reaches a new leader within the lease TTL (the time the new leader takes)
// plus its backoff.
//
// A router that stops answering (a process paused, a connection that lost its peer without a
// reset) is noticed by the desk itself: when nothing has arrived on the stream for
// kSilentHeartbeats heartbeat intervals while heartbeats were sent (each is acknowledged), the
// desk cancels the stream and reconnects, with UNAVAILABLE "router silent" as the end.
//
//   DeskAgent desk({"router-0:50051", "router-1:50051"}, {.agent_id = "ana"},
//                  [](const v1::ConnectResponse& e) { ... },
//                  [](const grpc::Status& end, bool reconnecting) { ... });
//   desk.Start();
//   v1::ConnectRequest accept;
//   accept.mutable_accept()->set_case_id("c-000001");
//   desk.Send(accept);             // its Ack arrives through the event callback
//   desk.After(absl::Seconds(5), [&] { ... });  // a timer on the desk's timer thread
//
// Threads: one reads the stream (and runs the event callback), one runs heartbeats and
// timers. Callbacks must not block for long: they delay the events or timers behind them.
// Thread safety: Send and After may be called from any thread, callbacks included; Stop and
// Wait from any thread but the desk's own (not from a callback).
#ifndef CASEROUTER_TOOLS_AGENT_CLIENT_DESK_AGENT_H_
#define CASEROUTER_TOOLS_AGENT_CLIENT_DESK_AGENT_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "caserouter/v1/agent_desk.grpc.pb.h"

namespace caserouter {

class DeskAgent {
 public:
  // The first wait before a reconnection, and how often a router silent for this many
  // heartbeat intervals is given up.
  static constexpr absl::Duration kFirstBackoff = absl::Milliseconds(100);
  static constexpr int kSilentHeartbeats = 3;

  // Opens a channel to one address (a fresh one for every attempt). The default is insecure
  // with keepalive pings every 10 s and the round_robin policy.
  using ChannelFactory = std::function<std::shared_ptr<grpc::Channel>(const std::string& target)>;
  static std::shared_ptr<grpc::Channel> DefaultChannel(const std::string& target);

  struct Options {
    std::string agent_id;
    bool reconnect = true;
    absl::Duration max_backoff = absl::Seconds(10);
    ChannelFactory channel_factory = nullptr;  // empty: DefaultChannel
    uint64_t seed = 1;                         // of the backoff's jitter
  };
  using EventHandler = std::function<void(const v1::ConnectResponse&)>;
  // How a stream ended, and whether the desk will reconnect.
  using EndHandler = std::function<void(const grpc::Status&, bool reconnecting)>;

  // `targets`: the router's addresses, at least one.
  DeskAgent(std::vector<std::string> targets, Options options, EventHandler on_event,
            EndHandler on_end);
  ~DeskAgent();  // Stop()
  DeskAgent(const DeskAgent&) = delete;
  DeskAgent& operator=(const DeskAgent&) = delete;

  void Start();
  // Ends the session (WritesDone) and every thread; idempotent.
  void Stop();
  // Blocks until the desk gave up (a final end) or was stopped.
  void Wait();

  // Sends `request` with a fresh request_id, which it returns; 0 when no stream is open.
  int64_t Send(v1::ConnectRequest request);
  // Runs `action` on the timer thread after `delay` (dropped when the desk stops first).
  void After(absl::Duration delay, std::function<void()> action);

  const std::string& agent_id() const { return options_.agent_id; }
  // The address of the current (or last) session's attempt; in the end handler, the address
  // of the session that ended.
  std::string target() const;

 private:
  void SessionLoop();
  void TimerLoop();
  bool RunSession(grpc::Status* end);  // one stream; false = do not reconnect

  const std::vector<std::string> targets_;
  const Options options_;
  const EventHandler on_event_;
  const EndHandler on_end_;
  std::atomic<int64_t> next_request_id_{1};

  absl::Mutex stream_mu_;  // one writer at a time; guards the pointers below
  grpc::ClientContext* context_ ABSL_GUARDED_BY(stream_mu_) = nullptr;
  grpc::ClientReaderWriter<v1::ConnectRequest, v1::ConnectResponse>* stream_
      ABSL_GUARDED_BY(stream_mu_) = nullptr;

  mutable absl::Mutex mu_;
  size_t target_index_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Time last_heard_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  bool silent_ ABSL_GUARDED_BY(mu_) = false;  // this session was given up as silent
  bool stopped_ ABSL_GUARDED_BY(mu_) = false;
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  absl::Duration heartbeat_every_ ABSL_GUARDED_BY(mu_) = absl::Seconds(1);
  absl::Time next_heartbeat_ ABSL_GUARDED_BY(mu_) = absl::InfiniteFuture();
  std::multimap<absl::Time, std::function<void()>> timers_ ABSL_GUARDED_BY(mu_);

  std::thread session_thread_;
  std::thread timer_thread_;
};

}  // namespace caserouter

#endif  // CASEROUTER_TOOLS_AGENT_CLIENT_DESK_AGENT_H_
