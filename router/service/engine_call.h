// UnaryCall: one engine command from a raw callback unary method, finished from the engine's
// answer; no thread waits for it.
//
// Every unary method has the same shape: pass the call gate (call_gate.h: the caller's
// credential and role, then a place among the calls in flight and among the caller's own;
// UNAUTHENTICATED, PERMISSION_DENIED or RESOURCE_EXHAUSTED at once), parse the request (the
// wire checks, raw_callback.h; a malformed one is counted, not logged), audit a supervisor's
// call, convert it (conversion checks only; the domain rules run in the engine), start one
// engine command, and return the call's reactor to gRPC. The engine answers on its
// own thread after the tick's commit (router/engine/engine.h); the answer is converted into
// the response, serialized, and the reactor finished right there. UnaryCall is that shape,
// once:
//
//   grpc::ServerUnaryReactor* CaseIntakeService::GetCase(grpc::CallbackServerContext* context,
//                                                        const grpc::ByteBuffer* request,
//                                                        grpc::ByteBuffer* response) {
//     return UnaryCall<CaseView, v1::GetCaseRequest, v1::GetCaseResponse>(
//         context, request, response, gate_, Rpc::kGetCase, calls_,
//         [](const v1::GetCaseRequest& r) -> absl::StatusOr<std::string> { return r.case_id(); },
//         [this](std::string id, Engine::Callback<CaseView> done) {
//           engine_->GetCase(std::move(id), std::move(done));
//         },
//         [](const CaseView& view, v1::GetCaseResponse* out) { ... });
//   }
//
// UnaryCall<void, ...> is for commands that answer with a status only (Engine::StatusCallback);
// its convert_out takes the response alone. convert_in may take the caller's Identity as a
// second argument, for the checks that depend on who calls (an agent's own cases). `engine_call`
// may also be any other asynchronous source of one answer (the configuration reload).
//
// Who finishes: exactly one of the engine's answer, the client's cancellation (or deadline:
// gRPC cancels the call then), or, when the client set no deadline or one beyond it,
// kDefaultEngineWait (DEADLINE_EXCEEDED). The others find the call finished and drop what
// they have. A command whose call ended early may still take effect: SubmitCase retries stay
// safe through the idempotency key. The call's places (its CallTicket) are given back once
// the call is finished *and* the engine answered (at once for a call refused before any
// command), so callers that hang up cannot queue more commands than the limit, and a refusal
// does not hold a place while gRPC sends it.
//
// Thread safety: call from gRPC's callback threads; the answer may arrive on any thread.
// Nothing here blocks: the engine's callbacks must not (engine.h).
#ifndef CASEROUTER_ROUTER_SERVICE_ENGINE_CALL_H_
#define CASEROUTER_ROUTER_SERVICE_ENGINE_CALL_H_

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include <grpcpp/alarm.h>
#include <grpcpp/server_context.h>
#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/server_callback.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "caserouter/v1/case_intake.pb.h"
#include "caserouter/v1/supervision.pb.h"
#include "router/engine/engine.h"
#include "router/service/access_rules.h"
#include "router/service/call_gate.h"
#include "router/service/call_limiter.h"
#include "router/service/raw_callback.h"
#include "router/service/status_convert.h"

namespace caserouter {

// How long a call waits for the engine when the client set no (or a longer) deadline.
inline constexpr absl::Duration kDefaultEngineWait = absl::Seconds(10);

namespace internal_engine_call {

// One unary call's reactor. Deletes itself when gRPC is done with the call.
class EngineReactor final : public grpc::ServerUnaryReactor {
 public:
  // What the reactor shares with whoever may finish it. The call's place in `limiter` is held
  // twice: by the finish (given back by whoever finishes) and by the engine's command (given
  // back when the engine answered, or at once when no command was started).
  struct Shared {
    explicit Shared(CallTicket t) : ticket(std::move(t)) {}
    // True for the one caller that may finish the call.
    bool Claim() { return !claimed.exchange(true, std::memory_order_acq_rel); }
    void Let() {
      if (holds.fetch_sub(1, std::memory_order_acq_rel) == 1) ticket.Release();
    }
    // The claimant finishes the call, then lets its hold go.
    void Finish(const grpc::Status& status) {
      reactor->Finish(status);
      Let();
    }

    CallTicket ticket;  // released by the last hold only
    std::atomic<bool> claimed{false};
    std::atomic<int> holds{2};
    EngineReactor* reactor = nullptr;      // valid for the claimant only
    grpc::ByteBuffer* response = nullptr;  // likewise
  };

  // The engine command's hold: let go when the command's callback is destroyed (after it ran,
  // or with an engine that never ran it).
  struct EngineHold {
    explicit EngineHold(std::shared_ptr<Shared> s) : shared(std::move(s)) {}
    ~EngineHold() { shared->Let(); }
    EngineHold(const EngineHold&) = delete;
    EngineHold& operator=(const EngineHold&) = delete;
    const std::shared_ptr<Shared> shared;
  };

  EngineReactor(grpc::ByteBuffer* response, CallTicket ticket)
      : shared_(std::make_shared<Shared>(std::move(ticket))) {
    shared_->reactor = this;
    shared_->response = response;
  }

  // The engine's command will answer; returns its hold.
  std::shared_ptr<EngineHold> StartEngine(grpc::CallbackServerContext* context) {
    // Without a client deadline (or with one beyond it), the call gives up after
    // kDefaultEngineWait; with one, gRPC cancels the call at the deadline (OnCancel).
    const auto fallback = absl::ToChronoTime(absl::Now() + kDefaultEngineWait);
    if (context->deadline() > fallback) {
      std::shared_ptr<Shared> shared = shared_;
      alarm_.emplace();
      alarm_->Set(fallback, [shared](bool fired) {
        if (fired && shared->Claim()) {
          shared->Finish(ToGrpcStatus(absl::DeadlineExceededError(
              "the engine did not answer in time; the command may still take effect")));
        }
      });
    }
    return std::make_shared<EngineHold>(shared_);
  }

  // Finishes with `status` before any command was started.
  void Refuse(const absl::Status& status) {
    shared_->Let();  // no engine command will hold the place
    if (shared_->Claim()) shared_->Finish(ToGrpcStatus(status));
  }

  void OnCancel() override {
    if (shared_->Claim()) {
      shared_->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled"));
    }
  }
  void OnDone() override { delete this; }

 private:
  std::shared_ptr<Shared> shared_;
  std::optional<grpc::Alarm> alarm_;  // destroyed (cancelled) with the reactor
};

// Finishes a claimed call with the engine's answer.
template <typename Response, typename Fill>
void FinishWith(const std::shared_ptr<EngineReactor::Shared>& shared, const absl::Status& status,
                Fill fill) {
  if (!shared->Claim()) return;  // cancelled or timed out meanwhile
  if (!status.ok()) {
    shared->Finish(ToGrpcStatus(status));
    return;
  }
  Response response;
  fill(&response);
  SerializeResponse(response, shared->response);
  shared->Finish(grpc::Status::OK);
}

}  // namespace internal_engine_call

// A call refused before any work: RESOURCE_EXHAUSTED and the like.
grpc::ServerUnaryReactor* RefuseCall(grpc::CallbackServerContext* context,
                                     const absl::Status& status);

// Whether a request names a case / an agent (the supervisor controls of issue 14 do).
template <typename R, typename = void>
struct NamesCase : std::false_type {};
template <typename R>
struct NamesCase<R, std::void_t<decltype(std::declval<const R&>().case_id())>> : std::true_type {};
template <typename R, typename = void>
struct NamesAgent : std::false_type {};
template <typename R>
struct NamesAgent<R, std::void_t<decltype(std::declval<const R&>().agent_id())>> : std::true_type {
};

// What a supervisor's call is about, for its audit event: the case or the agent it names.
template <typename Request>
std::pair<std::string, std::string> AuditSubject(const Request& request) {
  if constexpr (std::is_same_v<Request, v1::CreateAgentRequest> ||
                std::is_same_v<Request, v1::UpdateAgentRequest>) {
    return {"", request.profile().agent_id()};
  } else if constexpr (std::is_same_v<Request, v1::DeleteAgentRequest>) {
    return {"", request.agent_id()};
  } else if constexpr (std::is_same_v<Request, v1::GetCaseRequest> ||
                       std::is_same_v<Request, v1::ExplainDecisionRequest>) {
    return {request.case_id(), ""};
  } else {
    std::pair<std::string, std::string> subject;
    if constexpr (NamesCase<Request>::value) subject.first = request.case_id();
    if constexpr (NamesAgent<Request>::value) subject.second = request.agent_id();
    return subject;
  }
}

// Passes `gate` for `rpc` (a place in `limiter` and among the caller's own), parses the
// request with the wire checks, converts it with `convert_in(request)` or
// `convert_in(request, caller)` (returning absl::StatusOr<In>), runs
// `engine_call(In, Engine::Callback<Out>)` (or `(In, Engine::StatusCallback)` for Out =
// void), then fills the response with `convert_out(const Out&, Response*)` (or
// `convert_out(Response*)`). The first error finishes the call with that status.
template <typename Out, typename Request, typename Response, typename ConvertIn,
          typename EngineCall, typename ConvertOut>
grpc::ServerUnaryReactor* UnaryCall(grpc::CallbackServerContext* context,
                                    const grpc::ByteBuffer* raw, grpc::ByteBuffer* response,
                                    CallGate* gate, Rpc rpc, CallLimiter* limiter,
                                    ConvertIn convert_in, EngineCall engine_call,
                                    ConvertOut convert_out) {
  using internal_engine_call::EngineReactor;
  using internal_engine_call::FinishWith;
  absl::StatusOr<CallTicket> ticket = gate->EnterCall(*context, rpc, limiter);
  if (!ticket.ok()) return RefuseCall(context, ticket.status());
  const Identity caller = ticket->caller();
  auto* reactor = new EngineReactor(response, *std::move(ticket));
  Request request;
  if (absl::Status parsed = ParseRequest(*raw, &request); !parsed.ok()) {
    gate->Malformed(rpc);
    reactor->Refuse(parsed);
    return reactor;
  }
  if (caller.role == Role::kSupervisor) {
    auto [case_id, agent_id] = AuditSubject(request);
    gate->SupervisorAction(caller, rpc, case_id, agent_id);
  }
  auto in = [&] {
    if constexpr (std::is_invocable_v<ConvertIn, const Request&, const Identity&>) {
      return convert_in(request, caller);
    } else {
      return convert_in(request);
    }
  }();
  if (!in.ok()) {
    reactor->Refuse(in.status());
    return reactor;
  }
  std::shared_ptr<EngineReactor::EngineHold> hold = reactor->StartEngine(context);
  if constexpr (std::is_void_v<Out>) {
    engine_call(*std::move(in), [hold, convert_out](absl::Status status) {
      FinishWith<Response>(hold->shared, status, [&](Response* out) { convert_out(out); });
    });
  } else {
    engine_call(*std::move(in), [hold, convert_out](absl::StatusOr<Out> out) {
      FinishWith<Response>(hold->shared, out.status(), [&](Response* r) { convert_out(*out, r); });
    });
  }
  return reactor;
}

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_ENGINE_CALL_H_
