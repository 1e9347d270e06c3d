// UnaryCall and AwaitEngine: one engine command from a synchronous gRPC handler.
//
// Every unary handler has the same shape: convert the request (conversion checks only: the
// wire checks ran when it was parsed, the domain rules run in the engine), run one engine
// command and wait for its answer, convert the answer into the response. UnaryCall is that
// shape, once:
//
//   grpc::Status CaseIntakeService::GetCase(grpc::ServerContext* context,
//                                           const v1::GetCaseRequest& request,
//                                           v1::GetCaseResponse* response) {
//     return UnaryCall<CaseView>(
//         context, request, response,
//         [](const v1::GetCaseRequest& r) -> absl::StatusOr<std::string> { return r.case_id(); },
//         [this](std::string id, Engine::Callback<CaseView> done) {
//           engine_->GetCase(std::move(id), std::move(done));
//         },
//         [](const CaseView& view, v1::GetCaseResponse* out) { ... });
//   }
//
// UnaryCall<void> is for commands that answer with a status only (Engine::StatusCallback);
// its convert_out takes the response alone.
//
// The engine answers on its own thread after the tick's commit (router/engine/engine.h). The
// handler thread waits on an absl::Notification until the answer comes, the call's deadline
// passes (kDefaultEngineWait when the client set none), or the client cancels. The answer
// lands in state shared with the callback, so an answer arriving after the handler gave up is
// dropped safely. A timed-out command may still take effect: SubmitCase retries stay safe
// through the idempotency key.
//
// Thread safety: call from any handler thread; the callback may run on any thread.
#ifndef CASEROUTER_ROUTER_SERVICE_ENGINE_CALL_H_
#define CASEROUTER_ROUTER_SERVICE_ENGINE_CALL_H_

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <type_traits>
#include <utility>

#include <grpcpp/server_context.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/notification.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "router/engine/engine.h"
#include "router/service/status_convert.h"

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

// Converts `request` with `convert_in` (returning absl::StatusOr<In>), runs
// `engine_call(In, Engine::Callback<Out>)` (or `(In, Engine::StatusCallback)` for Out = void)
// and waits for it, then fills `response` with `convert_out(const Out&, Response*)` (or
// `convert_out(Response*)`). The first error ends the call with that status.
template <typename Out, typename Request, typename Response, typename ConvertIn,
          typename EngineCall, typename ConvertOut>
grpc::Status UnaryCall(grpc::ServerContext* context, const Request& request, Response* response,
                       ConvertIn convert_in, EngineCall engine_call, ConvertOut convert_out) {
  auto in = convert_in(request);
  if (!in.ok()) return ToGrpcStatus(in.status());
  if constexpr (std::is_void_v<Out>) {
    absl::Status done = AwaitEngineStatus(context, [&](Engine::StatusCallback callback) {
      engine_call(*std::move(in), std::move(callback));
    });
    if (!done.ok()) return ToGrpcStatus(done);
    convert_out(response);
  } else {
    absl::StatusOr<Out> out = AwaitEngine<Out>(context, [&](Engine::Callback<Out> callback) {
      engine_call(*std::move(in), std::move(callback));
    });
    if (!out.ok()) return ToGrpcStatus(out.status());
    convert_out(*out, response);
  }
  return grpc::Status::OK;
}

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_ENGINE_CALL_H_
