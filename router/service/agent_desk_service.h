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
//   - the engine ends the session: ABORTED "session replaced" (the agent connected again) or
//     UNAVAILABLE "heartbeat lost";
//   - the server shuts down (EndAllStreams): UNAVAILABLE, so desks reconnect to the new leader.
//
// Threads (known limit): the synchronous gRPC API blocks a thread in Read() for the life of
// each stream, and a second thread per stream writes, so that engine notices never wait for a
// slow desk. That is 2 threads (about 2 x 8 MiB of reserved stack, little of it touched) per
// connected agent; `max_streams` bounds them, and Connect beyond it is RESOURCE_EXHAUSTED.
// A few thousand agents per replica fit; beyond that the callback API is the way.
// A desk that stops reading gets at most kMaxQueuedEvents queued events before its stream is
// ended with RESOURCE_EXHAUSTED, so the engine thread never blocks on it.
//
// Thread safety: all public methods are thread-safe. `engine` must outlive the service.
#ifndef CASEROUTER_ROUTER_SERVICE_AGENT_DESK_SERVICE_H_
#define CASEROUTER_ROUTER_SERVICE_AGENT_DESK_SERVICE_H_

#include <memory>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "caserouter/v1/agent_desk.pb.h"
#include "router/engine/engine.h"
#include "router/service/raw_sync_service.h"

namespace caserouter {

class AgentDeskService final : public RawSyncService {
 public:
  // Events a stream may hold for a desk that is not reading.
  static constexpr int kMaxQueuedEvents = 1024;

  AgentDeskService(Engine* engine, int max_streams);
  ~AgentDeskService() override;

  grpc::Status Connect(grpc::ServerContext* context, RawServerStream<v1::ConnectResponse>* stream);

  // Ends every open stream with `status` after the events already queued for it.
  void EndAllStreams(const absl::Status& status);
  int open_streams() const;

 private:
  class DeskStream;

  void Dispatch(const std::string& agent_id, const std::shared_ptr<DeskStream>& desk,
                const v1::ConnectRequest& request);

  Engine* const engine_;
  const int max_streams_;
  mutable absl::Mutex mu_;
  absl::flat_hash_set<DeskStream*> streams_ ABSL_GUARDED_BY(mu_);
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_AGENT_DESK_SERVICE_H_
