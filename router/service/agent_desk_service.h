// AgentDeskService: caserouter.v1.AgentDeskService.Connect, one bidirectional stream per desk.
//
// A stream opens with a Hello (anything else first: INVALID_ARGUMENT on the stream). The
// service then opens an engine DeskSession for the agent, sends Welcome, and answers every
// request with an Ack carrying its request_id and a google.rpc.Code. Any message counts as a
// heartbeat. Offers, revocations, presence changes and customer messages arrive as responses
// in the order the engine delivered them, after Welcome.
//
// The stream ends when:
//   - the desk closes or cancels it, or the transport breaks: the service tells the engine
//     (CloseSession), which returns the agent's offers to the queue at once;
//   - the engine ends the session: ABORTED "session replaced" (the agent connected again),
//     UNAVAILABLE "heartbeat lost", NOT_FOUND (the agent was removed), UNAVAILABLE when the
//     replica stops leading its domain (every stream at once: desks reconnect to the leader);
//   - the server shuts down (EndAllStreams): UNAVAILABLE, so desks reconnect to the new leader;
//   - the desk stops reading: RESOURCE_EXHAUSTED "desk is not reading its events" once
//     kMaxQueuedEvents wait for it, at once and without blocking the engine.
// An ending stream first writes what is queued for it; a desk that does not take it within
// kFlushTimeout has its call cancelled with the same status.
//
// Threads: none of its own. Each stream is a callback reactor (raw_callback.h): gRPC runs its
// reactions (a message read, a write done, the end) on gRPC's small pool, and a stream holds
// no thread between them. Engine notices are queued and written one at a time (StartWrite,
// then the next from OnWriteDone), so the engine thread only queues. A stream reads its
// desk's next message only once fewer than kMaxPendingRequests of its requests wait for the
// engine, so one desk cannot flood the engine's command queue; and it tells the engine a
// heartbeat at most once per kHeartbeatCoalesce, whatever the number of messages. `max_streams`
// bounds the streams of the replica (counted, CallLimiter); Connect beyond it is
// RESOURCE_EXHAUSTED at once.
//
// Thread safety: all public methods are thread-safe. `engine`, `clock` and `metrics` (may be
// null) must outlive the service; the gRPC server must be shut down (every stream done)
// before the service is destroyed.
#ifndef CASEROUTER_ROUTER_SERVICE_AGENT_DESK_SERVICE_H_
#define CASEROUTER_ROUTER_SERVICE_AGENT_DESK_SERVICE_H_

#include <memory>
#include <string>

#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/server_callback.h>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "caserouter/v1/agent_desk.grpc.pb.h"
#include "router/engine/engine.h"
#include "router/model/clock.h"
#include "router/service/call_limiter.h"
#include "router/service/server_metrics.h"

namespace caserouter {

// Connect raw and callback (raw_callback.h).
using AgentDeskServiceBase =
    v1::AgentDeskService::WithRawCallbackMethod_Connect<v1::AgentDeskService::Service>;

class AgentDeskService final : public AgentDeskServiceBase {
 public:
  // Events a stream may hold for a desk that is not reading.
  static constexpr int kMaxQueuedEvents = 1024;
  // Requests of one desk waiting for the engine before the stream stops reading.
  static constexpr int kMaxPendingRequests = 64;
  // At most one engine heartbeat per desk in this time: shorter than the engine's smallest
  // heartbeat timeout (0.1 s), so a desk's liveness is never judged on stale news.
  static constexpr absl::Duration kHeartbeatCoalesce = absl::Milliseconds(50);
  // How long an ending stream may take to write what is queued for it.
  static constexpr absl::Duration kFlushTimeout = absl::Seconds(5);

  AgentDeskService(Engine* engine, Clock* clock, int max_streams, ServerMetrics* metrics);
  ~AgentDeskService() override;

  grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* Connect(
      grpc::CallbackServerContext* context) override;

  // Ends every open stream with `status` after the events already queued for it.
  void EndAllStreams(const absl::Status& status);
  int open_streams() const;

 private:
  class DeskStream;

  void Forget(DeskStream* stream);

  Engine* const engine_;
  Clock* const clock_;
  ServerMetrics* const metrics_;
  CallLimiter streams_limit_;
  mutable absl::Mutex mu_;
  absl::flat_hash_set<DeskStream*> streams_ ABSL_GUARDED_BY(mu_);
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_AGENT_DESK_SERVICE_H_
