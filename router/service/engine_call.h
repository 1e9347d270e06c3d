// AwaitEngine: runs one engine command from a synchronous gRPC handler and waits for its answer.
//
// The engine answers on its own thread after the tick's commit (router/engine/engine.h). The handler
// thread waits on an absl::Notification until the answer comes, the call's deadline passes
// (kDefaultEngineWait when the client set none), or the client cancels. The answer lands in
// state shared with the callback, so an answer arriving after the handler gave up is dropped
// safely. A timed-out command may still take effect: SubmitCase retries stay safe through the
// idempotency key.
//
//   absl::StatusOr<CaseView> view = AwaitEngine<CaseView>(
//       context, [&](Engine::Callback<CaseView> done) { engine->GetCase(id, std::move(done)); });
//
// Thread safety: call from any handler thread; the callback may run on any thread.
#ifndef CASEROUTER_ROUTER_SERVICE_ENGINE_CALL_H_
#define CASEROUTER_ROUTER_SERVICE_ENGINE_CALL_H_

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <utility>

#include <grpcpp/server_context.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "router/engine/engine.h"

namespace caserouter {

// How long a handler waits for the engine when the client set no deadline.
inline constexpr absl::Duration kDefaultEngineWait = absl::Seconds(10);

namespace internal_engine_call {

// Waits for `done`; false on the deadline or when the client cancelled. The cancellation
// check makes a server drain (which cancels calls at its deadline) release handler threads.
inline absl::Status Wait(grpc::ServerContext* context, absl::Notification& done) {
  absl::Time deadline = absl::Now() + kDefaultEngineWait;
  if (context != nullptr && context->deadline() != std::chrono::system_clock::time_point::max()) {
    deadline = std::min(deadline, absl::FromChrono(context->deadline()));
  }
  while (!done.WaitForNotificationWithDeadline(
      std::min(deadline, absl::Now() + absl::Milliseconds(100)))) {
    if (context != nullptr && context->IsCancelled()) {
      return absl::CancelledError("call cancelled");
    }
    if (absl::Now() >= deadline) {
      return absl::DeadlineExceededError(
          "the engine did not answer in time; the command may still take effect");
    }
  }
  return absl::OkStatus();
}

}  // namespace internal_engine_call

template <typename T>
absl::StatusOr<T> AwaitEngine(grpc::ServerContext* context,
                              const std::function<void(Engine::Callback<T>)>& start) {
  struct Pending {
    absl::Notification done;
    absl::StatusOr<T> result = absl::UnknownError("no answer");
  };
  auto pending = std::make_shared<Pending>();
  start([pending](absl::StatusOr<T> result) {
    pending->result = std::move(result);
    pending->done.Notify();
  });
  if (absl::Status waited = internal_engine_call::Wait(context, pending->done); !waited.ok()) {
    return waited;
  }
  return std::move(pending->result);
}

inline absl::Status AwaitEngineStatus(
    grpc::ServerContext* context, const std::function<void(Engine::StatusCallback)>& start) {
  struct Pending {
    absl::Notification done;
    absl::Status result;
  };
  auto pending = std::make_shared<Pending>();
  start([pending](absl::Status result) {
    pending->result = std::move(result);
    pending->done.Notify();
  });
  if (absl::Status waited = internal_engine_call::Wait(context, pending->done); !waited.ok()) {
    return waited;
  }
  return pending->result;
}

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_ENGINE_CALL_H_
