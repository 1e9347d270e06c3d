// AgentDeskService: caserouter.v1.AgentDeskService.Connect, one bidirectional stream per desk.
//
// Connect passes the call gate first (call_gate.h): an agent's credential, a place among the
// replica's desk streams and among the agent's own (UNAUTHENTICATED, PERMISSION_DENIED or
// RESOURCE_EXHAUSTED at once, before anything is read). A stream opens with a Hello
// (anything else first: INVALID_ARGUMENT on the stream) for the agent the credential names
// (another agent id: PERMISSION_DENIED, audited), within hello_timeout (else
// DEADLINE_EXCEEDED: a stream that never says who it is holds nothing for long). The service
// then opens an engine DeskSession for the agent, sends Welcome, and answers every request
// with an Ack carrying its request_id and a google.rpc.Code. The desk's next message is read
// only once Welcome is queued, so a desk that sends ahead of its Welcome waits in gRPC's
// flow control rather than filling the stream's queue. Any message counts as a heartbeat.
// Offers, revocations, presence changes and customer messages arrive as responses in the
// order the engine delivered them, after Welcome. The engine lets an agent act only on its
// own offers and cases (another agent's: PERMISSION_DENIED in the Ack).
//
// The stream ends when:
//   - the desk closes or cancels it, or the transport breaks: the service tells the engine
//     (CloseSession), which returns the agent's offers to the queue at once;
//   - the engine ends the session: ABORTED "session replaced" (the agent connected again),
//     UNAVAILABLE "heartbeat lost", NOT_FOUND (the agent was removed), UNAVAILABLE when the
//     replica stops leading its domain (every stream at once: desks reconnect to the leader);
//   - the server shuts down (EndAllStreams): UNAVAILABLE, so desks reconnect to the new leader;
//   - the desk stops reading: RESOURCE_EXHAUSTED "desk is not reading its events" once
//     kMaxQueuedEvents wait for it, or when events wait and the desk takes not one of them
//     for kWriteStallTimeout; without blocking the engine.
// An ending stream first writes what is queued for it; a desk that does not take it within
// kFlushTimeout has its call cancelled with the same status.
//
// Threads: none of its own. Each stream is a callback reactor (raw_callback.h): gRPC runs its
// reactions (a message read, a write done, the end) on gRPC's small pool, and a stream holds
// no thread between them. Engine notices are queued and written one at a time (StartWrite,
// then the next from OnWriteDone), so the engine thread only queues. A stream reads its
// desk's next message only once fewer than kMaxPendingRequests of its requests wait for the
// engine, so one desk cannot flood the engine's command queue, and only while fewer than
// kReadAheadEvents wait to be written to it, so a desk's own requests (each answered with an
// Ack) cannot fill its queue however fast it sends: a desk ahead of its answers waits in
// gRPC's flow control. It tells the engine a heartbeat at most once per kHeartbeatCoalesce,
// whatever the number of messages.
// `max_streams` bounds the streams of the replica (counted, CallLimiter); Connect beyond it
// is RESOURCE_EXHAUSTED at once. A request the wire checks refuse is answered in its Ack and
// counted (ServerMetrics::Malformed), never logged.
//
// Thread safety: all public methods are thread-safe. `engine`, `clock`, `gate` and `metrics`
// (may be null) must outlive the service; the gRPC server must be shut down (every stream
// done) before the service is destroyed.
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
#include "router/service/call_gate.h"
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
  // The stream reads the desk's next request only while fewer events than this wait.
  static constexpr int kReadAheadEvents = kMaxQueuedEvents / 4;
  // A desk that takes none of the events waiting for it for this long is not reading.
  static constexpr absl::Duration kWriteStallTimeout = absl::Seconds(5);
  // Requests of one desk waiting for the engine before the stream stops reading.
  static constexpr int kMaxPendingRequests = 64;
  // At most one engine heartbeat per desk in this time: shorter than the engine's smallest
  // heartbeat timeout (0.1 s), so a desk's liveness is never judged on stale news.
  static constexpr absl::Duration kHeartbeatCoalesce = absl::Milliseconds(50);
  // How long an ending stream may take to write what is queued for it.
  static constexpr absl::Duration kFlushTimeout = absl::Seconds(5);

  struct Options {
    int max_streams = 10000;  // desk streams of the replica
    // A stream without its Hello by then ends with DEADLINE_EXCEEDED.
    absl::Duration hello_timeout = absl::Seconds(5);
  };

  AgentDeskService(Engine* engine, Clock* clock, CallGate* gate, Options options,
                   ServerMetrics* metrics);
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
  CallGate* const gate_;
  const Options options_;
  ServerMetrics* const metrics_;
  CallLimiter streams_limit_;
  mutable absl::Mutex mu_;
  absl::flat_hash_set<DeskStream*> streams_ ABSL_GUARDED_BY(mu_);
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_AGENT_DESK_SERVICE_H_
