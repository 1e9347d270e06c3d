#include "router/service/agent_desk_service.h"

#include <deque>
#include <optional>
#include <string>
#include <utility>

#include <grpc/grpc.h>
#include <grpcpp/alarm.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "router/model/validation.h"
#include "router/service/proto_convert.h"
#include "router/service/raw_callback.h"
#include "router/service/status_convert.h"
#include "router/service/wire_checks.h"

namespace caserouter {
namespace {

// ConnectRequest.request_id is documented as 0-2^63: a negative id is a client bug, reported
// rather than echoed back as if it were a valid one.
constexpr char kRequestIdRange[] = "request_id: must be 0 or more";
constexpr char kHelloFirst[] = "hello: the first message must be a Hello";

// The status a stream ends with when the engine ends its session. The engine's reason is a
// closed-set word.
absl::Status SessionEndedStatus(absl::string_view reason) {
  if (absl::StrContains(reason, "replace")) return absl::AbortedError("session replaced");
  if (absl::StrContains(reason, "heartbeat")) return absl::UnavailableError("heartbeat lost");
  if (reason == "removed") return absl::NotFoundError("agent_id: the agent was removed");
  if (reason == kNotLeadingReason) {
    return absl::UnavailableError(
        "this replica stopped leading the routing domain; reconnect to the leader");
  }
  return absl::UnavailableError(absl::StrCat("session ended: ", reason));
}

v1::ConnectResponse AckEvent(int64_t request_id, const absl::Status& status, const CaseView* view) {
  v1::ConnectResponse event;
  v1::Ack* ack = event.mutable_ack();
  ack->set_request_id(request_id);
  ack->set_code(AckCode(status));
  ack->set_message(std::string(status.message()));
  // The desk holds (or was just offered) this case, so it may see the text.
  if (view != nullptr) CaseViewToProto(*view, CaseText::kInclude, ack->mutable_case_());
  return event;
}

// A Connect refused before it started (the replica holds max_streams already).
class RefusedStream final : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer> {
 public:
  explicit RefusedStream(const absl::Status& status) { Finish(ToGrpcStatus(status)); }
  void OnDone() override { delete this; }
};

}  // namespace

// One open stream: the gRPC reactor and the engine's DeskSession at once.
//
// gRPC calls the On* reactions on its threads, the engine calls Deliver and the answers to the
// desk's requests on its thread; all of them only change the state below under mu_ and start
// the next read or write, which never blocks. At most one read and one write are outstanding.
// The object keeps itself alive (self_) until OnDone; the engine may hold it longer and
// Deliver to it, which then does nothing.
class AgentDeskService::DeskStream final
    : public grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>,
      public DeskSession,
      public std::enable_shared_from_this<DeskStream> {
 public:
  DeskStream(AgentDeskService* service, grpc::CallbackServerContext* context, CallTicket ticket)
      : service_(service),
        engine_(service->engine_),
        context_(context),
        caller_(ticket.caller()),
        ticket_(std::move(ticket)) {}

  void Start(std::shared_ptr<DeskStream> self) {
    absl::MutexLock lock(&mu_);
    self_ = std::move(self);
    reading_ = true;
    StartRead(&read_buffer_);
    ArmHelloAlarmLocked();
  }

  // --- DeskSession (engine thread) ---
  void Deliver(DeskNotice notice) override {
    if (notice.kind == DeskNotice::Kind::kSessionEnded) {
      End(SessionEndedStatus(notice.reason));
      return;
    }
    v1::ConnectResponse event;
    if (DeskNoticeToProto(notice, &event)) Push(std::move(event));
  }

  // Ends the stream with `status` once the queued events are written. The first end wins.
  void End(absl::Status status) {
    absl::MutexLock lock(&mu_);
    EndLocked(std::move(status));
  }

  // --- gRPC reactions ---
  void OnReadDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    reading_ = false;
    if (!ok) {
      // The desk's side ended (WritesDone) or the call broke.
      read_done_ = true;
      if (phase_ == Phase::kHello) {
        EndLocked(absl::InvalidArgumentError(kHelloFirst));
      } else if (phase_ == Phase::kOpen) {
        EndLocked(absl::OkStatus());  // the desk left; queued events still go out
      } else {
        // A desk may hang up right after its Hello; it still gets the Hello's verdict
        // (NOT_FOUND for an unknown agent, ...) rather than OK: Opened ends the stream.
        ArmFlushAlarmLocked();
      }
      return;
    }
    if (phase_ == Phase::kHello) {
      ReadHelloLocked();
    } else {
      ReadRequestLocked();
    }
    MaybeReadLocked();
  }

  void OnWriteDone(bool ok) override {
    absl::MutexLock lock(&mu_);
    writing_ = false;
    ++writes_done_;
    if (!ok) {
      // The call is gone: nothing more can reach the desk.
      broken_ = true;
      queue_.clear();
      EndLocked(absl::CancelledError("desk stream broken"));
    }
    MaybeWriteLocked();
    MaybeReadLocked();  // room again for the Acks of what it reads
  }

  void OnCancel() override {
    absl::MutexLock lock(&mu_);
    broken_ = true;
    queue_.clear();
    EndLocked(absl::CancelledError("desk stream cancelled"));
  }

  void OnDone() override {
    std::shared_ptr<DeskStream> self;
    bool tell_engine = false;
    {
      absl::MutexLock lock(&mu_);
      done_ = true;
      queue_.clear();
      if (flush_alarm_) flush_alarm_->Cancel();
      if (hello_alarm_) hello_alarm_->Cancel();
      if (stall_alarm_) stall_alarm_->Cancel();
      tell_engine = session_opened_;
      self = std::move(self_);
      ticket_.Release();  // the stream's places: the replica's and the agent's own
    }
    if (tell_engine) engine_->CloseSession(agent_id_, this);
    service_->Forget(this);
    // `self` goes last: it may hold the last reference.
  }

 private:
  enum class Phase {
    kHello,    // waiting for the first message
    kOpening,  // Hello sent to the engine, Welcome not yet back
    kOpen,     // Welcome queued: events may be written
  };

  // The engine's answer to OpenSession. Welcome (then the Hello's Ack) goes out before
  // anything queued meanwhile.
  void Opened(absl::StatusOr<Welcome> welcome, int64_t hello_request_id) {
    absl::MutexLock lock(&mu_);
    if (done_ || end_.has_value()) return;
    if (!welcome.ok()) {
      queue_.clear();  // answers to requests of a session that never opened
      EndLocked(welcome.status());
      return;
    }
    v1::ConnectResponse event;
    WelcomeToProto(*welcome, event.mutable_welcome());
    queue_.push_front(AckEvent(hello_request_id, absl::OkStatus(), nullptr));
    queue_.push_front(std::move(event));
    phase_ = Phase::kOpen;
    if (read_done_) {
      EndLocked(absl::OkStatus());
      return;
    }
    MaybeWriteLocked();
    MaybeReadLocked();
  }

  void ReadHelloLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    v1::ConnectRequest first;
    if (absl::Status parsed = ParseRequest(read_buffer_, &first); !parsed.ok()) {
      service_->gate_->Malformed(Rpc::kConnect);
      EndLocked(parsed);
      return;
    }
    if (!first.has_hello()) {
      EndLocked(absl::InvalidArgumentError(kHelloFirst));
      return;
    }
    if (first.request_id() < 0) {
      EndLocked(absl::InvalidArgumentError(kRequestIdRange));
      return;
    }
    // Checked before the engine sees it (the engine checks it again with the same rule).
    if (absl::Status s = ValidateAgentId("hello.agent_id", first.hello().agent_id()); !s.ok()) {
      EndLocked(s);
      return;
    }
    // An agent opens only its own session: another agent's id would take that agent's
    // session over, its offers and the customer text with them.
    if (first.hello().agent_id() != caller_.name) {
      service_->gate_->Denied(caller_, Rpc::kConnect, context_->peer());
      EndLocked(absl::PermissionDeniedError(
          "hello.agent_id: the credential is for another agent; connect as yourself"));
      return;
    }
    agent_id_ = first.hello().agent_id();
    phase_ = Phase::kOpening;
    if (hello_alarm_) hello_alarm_->Cancel();
    session_opened_ = true;
    const int64_t hello_id = first.request_id();
    std::shared_ptr<DeskStream> self = shared_from_this();
    engine_->OpenSession(agent_id_, self, [self, hello_id](absl::StatusOr<Welcome> welcome) {
      self->Opened(std::move(welcome), hello_id);
    });
  }

  void ReadRequestLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const absl::Time now = service_->clock_->Now();
    if (now - last_heartbeat_ >= kHeartbeatCoalesce) {
      last_heartbeat_ = now;
      engine_->Heartbeat(agent_id_, this);
    }
    v1::ConnectRequest request;
    if (absl::Status parsed = ParseRequest(read_buffer_, &request); !parsed.ok()) {
      service_->gate_->Malformed(Rpc::kConnect);
      // The Ack still carries the request's id, so the desk can tell which request it was.
      ParseRequestNumbers(read_buffer_, &request);
      PushLocked(AckEvent(request.request_id(), parsed, nullptr));
      return;
    }
    DispatchLocked(request);
  }

  // Runs one desk request: an Ack at once, or an engine command whose answer is the Ack.
  void DispatchLocked(const v1::ConnectRequest& request) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    const int64_t id = request.request_id();
    auto ack_now = [this, id](const absl::Status& status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
      PushLocked(AckEvent(id, status, nullptr));
    };
    if (id < 0) {
      ack_now(absl::InvalidArgumentError(kRequestIdRange));
      return;
    }
    std::shared_ptr<DeskStream> self = shared_from_this();
    auto ack_status = [self, id](absl::Status status) { self->Answered(id, status, nullptr); };
    auto ack_case = [self, id](absl::StatusOr<CaseView> view) {
      self->Answered(id, view.status(), view.ok() ? &*view : nullptr);
    };
    switch (request.action_case()) {
      case v1::ConnectRequest::kHello:
        ack_now(absl::InvalidArgumentError("hello: already sent on this stream"));
        return;
      case v1::ConnectRequest::kHeartbeat:
        ack_now(absl::OkStatus());
        return;
      case v1::ConnectRequest::kSetPresence: {
        // Which presences a desk may set (not WRAP_UP) is the engine's rule.
        absl::StatusOr<Presence> presence =
            PresenceFromProto(request.set_presence().presence(), "set_presence.presence");
        if (!presence.ok()) {
          ack_now(presence.status());
          return;
        }
        const std::string& away_reason = request.set_presence().away_reason();
        if (!away_reason.empty()) {  // issue 14: AWAY with a reason from the closed list
          if (*presence != Presence::kAway) {
            ack_now(absl::InvalidArgumentError("set_presence.away_reason: only with AWAY"));
            return;
          }
          ++pending_;
          engine_->SetAway(agent_id_, this, away_reason, ack_status);
          return;
        }
        ++pending_;
        engine_->SetPresence(agent_id_, this, *presence, ack_status);
        return;
      }
      case v1::ConnectRequest::kGetContext: {
        const std::string& case_id = request.get_context().case_id();
        if (absl::Status s = ValidateId("get_context.case_id", case_id); !s.ok()) {
          ack_now(s);
          return;
        }
        ++pending_;
        engine_->GetContext(agent_id_, this, case_id,
                            [self, id](absl::StatusOr<AgentContext> context) {
                              self->AnsweredContext(id, context);
                            });
        return;
      }
      case v1::ConnectRequest::kEndWrapUp:
        ++pending_;
        engine_->EndWrapUp(agent_id_, this, ack_status);
        return;
      case v1::ConnectRequest::kExtendWrapUp: {
        const int seconds = request.extend_wrap_up().seconds();
        if (seconds < 1 || seconds > 3600) {
          ack_now(absl::InvalidArgumentError("extend_wrap_up.seconds: must be 1-3600"));
          return;
        }
        ++pending_;
        engine_->ExtendWrapUp(agent_id_, this, absl::Seconds(seconds), ack_status);
        return;
      }
      case v1::ConnectRequest::kAccept: {
        const std::string& case_id = request.accept().case_id();
        if (absl::Status s = ValidateId("accept.case_id", case_id); !s.ok()) {
          ack_now(s);
          return;
        }
        ++pending_;
        engine_->Accept(agent_id_, this, case_id, ack_case);
        return;
      }
      case v1::ConnectRequest::kDecline: {
        const std::string& case_id = request.decline().case_id();
        if (absl::Status s = ValidateId("decline.case_id", case_id); !s.ok()) {
          ack_now(s);
          return;
        }
        ++pending_;
        engine_->Decline(agent_id_, this, case_id, ack_status);
        return;
      }
      case v1::ConnectRequest::kComplete: {
        const v1::Complete& complete = request.complete();
        if (absl::Status s = ValidateId("complete.case_id", complete.case_id()); !s.ok()) {
          ack_now(s);
          return;
        }
        if (!complete.has_outcome()) {
          ack_now(absl::InvalidArgumentError("complete.outcome: required"));
          return;
        }
        ++pending_;
        if (!complete.outcome().disposition_code().empty()) {  // issue 14
          engine_->CompleteWithCode(agent_id_, this, complete.case_id(),
                                    OutcomeFromProto(complete.outcome()),
                                    complete.outcome().disposition_code(), ack_case);
          return;
        }
        engine_->Complete(agent_id_, this, complete.case_id(), OutcomeFromProto(complete.outcome()),
                          ack_case);
        return;
      }
      case v1::ConnectRequest::kRelease: {
        const std::string& case_id = request.release().case_id();
        if (absl::Status s = ValidateId("release.case_id", case_id); !s.ok()) {
          ack_now(s);
          return;
        }
        ++pending_;
        engine_->Release(agent_id_, this, case_id, ack_case);
        return;
      }
      case v1::ConnectRequest::kSetPending: {
        const std::string& case_id = request.set_pending().case_id();
        if (absl::Status s = ValidateId("set_pending.case_id", case_id); !s.ok()) {
          ack_now(s);
          return;
        }
        ++pending_;
        engine_->MarkPending(agent_id_, this, case_id, ack_case);
        return;
      }
      case v1::ConnectRequest::kTransfer: {
        absl::StatusOr<TransferRequest> transfer = TransferFromProto(request.transfer());
        if (!transfer.ok()) {
          ack_now(transfer.status());
          return;
        }
        ++pending_;
        engine_->Transfer(agent_id_, this, request.transfer().case_id(), *std::move(transfer),
                          ack_case);
        return;
      }
      case v1::ConnectRequest::ACTION_NOT_SET:
        ack_now(absl::InvalidArgumentError("action: required"));
        return;
    }
  }

  // The engine answered a GetContext (issue 14; engine thread).
  void AnsweredContext(int64_t id, const absl::StatusOr<AgentContext>& context) {
    v1::ConnectResponse event = AckEvent(id, context.status(), nullptr);
    if (context.ok()) AgentContextToProto(*context, event.mutable_ack()->mutable_context());
    absl::MutexLock lock(&mu_);
    --pending_;
    if (done_) return;
    PushLocked(std::move(event));
    MaybeReadLocked();
  }

  // The engine answered request `id` (engine thread).
  void Answered(int64_t id, const absl::Status& status, const CaseView* view) {
    absl::MutexLock lock(&mu_);
    --pending_;
    if (done_) return;
    PushLocked(AckEvent(id, status, view));
    MaybeReadLocked();
  }

  void Push(v1::ConnectResponse event) {
    absl::MutexLock lock(&mu_);
    PushLocked(std::move(event));
  }

  void PushLocked(v1::ConnectResponse event) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (done_ || end_.has_value()) return;
    if (queue_.size() >= static_cast<size_t>(kMaxQueuedEvents)) {
      if (service_->metrics_ != nullptr) service_->metrics_->Refused(ServerLimit::kDeskNotReading);
      TerminateLocked(absl::ResourceExhaustedError("desk is not reading its events"));
      return;
    }
    queue_.push_back(std::move(event));
    MaybeWriteLocked();
    if (writing_ && queue_.size() > 1) ArmStallAlarmLocked();  // a write waits: watch it
  }

  // Reads the next message unless one is outstanding, the stream ends, the Hello is still
  // with the engine (Opened resumes reading: requests read before Welcome could only queue
  // Acks that cannot be written yet), or too many of the desk's requests wait for the engine
  // (then the next answer resumes reading).
  void MaybeReadLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (reading_ || read_done_ || end_.has_value() || done_) return;
    if (phase_ == Phase::kOpening) return;
    if (pending_ >= kMaxPendingRequests) return;
    if (queue_.size() >= static_cast<size_t>(kReadAheadEvents)) {
      ArmStallAlarmLocked();  // OnWriteDone resumes reading; a desk that takes nothing ends
      return;
    }
    reading_ = true;
    StartRead(&read_buffer_);
  }

  // Writes the next queued event, or finishes once an ending stream has written them all.
  void MaybeWriteLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (writing_ || finished_) return;
    if (phase_ == Phase::kOpen && !broken_ && !queue_.empty()) {
      SerializeResponse(queue_.front(), &write_buffer_);
      queue_.pop_front();
      writing_ = true;
      StartWrite(&write_buffer_);
      return;
    }
    if (end_.has_value() && (queue_.empty() || phase_ != Phase::kOpen || broken_)) {
      finished_ = true;
      Finish(ToGrpcStatus(*end_));
    }
  }

  void EndLocked(absl::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!end_.has_value()) end_ = std::move(status);
    MaybeWriteLocked();
    if (!finished_) ArmFlushAlarmLocked();
  }

  // Ends the call now with `status`, dropping what is queued. Cancelling the call with the
  // status sends it to the desk even when the desk reads nothing (a write would wait).
  void TerminateLocked(absl::Status status) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (!end_.has_value()) end_ = std::move(status);
    queue_.clear();
    if (!finished_ && !broken_) {
      broken_ = true;
      grpc::Status wire = ToGrpcStatus(*end_);
      // Runs no reaction of ours on this thread: gRPC hands them to its own threads.
      grpc_call_cancel_with_status(context_->c_call(),
                                   static_cast<grpc_status_code>(wire.error_code()),
                                   wire.error_message().c_str(), nullptr);
    }
    MaybeWriteLocked();  // finishes now, or from OnWriteDone(false)
  }

  // A stream that has to end may take kFlushTimeout to write what is queued; then its call is
  // cancelled with its status.
  void ArmFlushAlarmLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (flush_alarm_ || done_) return;
    flush_alarm_.emplace();
    std::shared_ptr<DeskStream> self = shared_from_this();
    flush_alarm_->Set(absl::ToChronoTime(absl::Now() + kFlushTimeout), [self](bool fired) {
      if (!fired) return;  // cancelled: the stream was done in time
      absl::MutexLock lock(&self->mu_);
      if (self->finished_ || self->done_) return;
      if (!self->end_.has_value()) {
        self->end_ = absl::UnavailableError("the router did not answer the Hello in time");
      }
      self->TerminateLocked(*self->end_);
    });
  }

  // Events wait behind a write (or reading has paused with kReadAheadEvents waiting): a desk
  // that takes not one of them for kWriteStallTimeout is not reading, and its stream ends (it
  // would otherwise hold its session and its offers, and the events pile up for it).
  void ArmStallAlarmLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    if (stall_alarm_armed_ || done_) return;
    stall_alarm_armed_ = true;
    // The last alarm may be the one whose callback re-arms: it is kept, not destroyed, while
    // that callback runs (the one before it fired kWriteStallTimeout ago).
    retired_stall_alarm_ = std::move(stall_alarm_);
    stall_alarm_ = std::make_unique<grpc::Alarm>();
    std::shared_ptr<DeskStream> self = shared_from_this();
    const int64_t writes_then = writes_done_;
    stall_alarm_->Set(
        absl::ToChronoTime(absl::Now() + kWriteStallTimeout), [self, writes_then](bool fired) {
          absl::MutexLock lock(&self->mu_);
          self->stall_alarm_armed_ = false;
          if (!fired || self->finished_ || self->done_) return;
          if (self->writes_done_ == writes_then && !self->queue_.empty()) {
            if (self->service_->metrics_ != nullptr) {
              self->service_->metrics_->Refused(ServerLimit::kDeskNotReading);
            }
            self->TerminateLocked(absl::ResourceExhaustedError("desk is not reading its events"));
            return;
          }
          if (!self->queue_.empty() && self->writing_) {
            self->ArmStallAlarmLocked();  // behind, but taking: watch on
          } else {
            self->MaybeReadLocked();  // re-arms if reading is still paused
          }
        });
  }

  // A stream that has not said who it is within hello_timeout is ended: it would otherwise
  // hold a place among the desk streams for as long as its peer likes.
  void ArmHelloAlarmLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    hello_alarm_.emplace();
    std::shared_ptr<DeskStream> self = shared_from_this();
    hello_alarm_->Set(
        absl::ToChronoTime(absl::Now() + service_->options_.hello_timeout), [self](bool fired) {
          if (!fired) return;  // cancelled: the Hello came, or the stream is done
          absl::MutexLock lock(&self->mu_);
          if (self->phase_ != Phase::kHello || self->finished_ || self->done_) return;
          if (self->service_->metrics_ != nullptr) {
            self->service_->metrics_->Refused(ServerLimit::kHelloTimeout);
          }
          self->TerminateLocked(absl::DeadlineExceededError(absl::StrCat(
              "hello: none within ", absl::FormatDuration(self->service_->options_.hello_timeout),
              " of Connect")));
        });
  }

  AgentDeskService* const service_;
  Engine* const engine_;
  grpc::CallbackServerContext* const context_;
  const Identity caller_;
  // Only the read path touches these, one read at a time.
  grpc::ByteBuffer read_buffer_;
  std::string agent_id_;  // set with the Hello, read-only after
  absl::Time last_heartbeat_ = absl::InfinitePast();

  absl::Mutex mu_;
  std::shared_ptr<DeskStream> self_ ABSL_GUARDED_BY(mu_);
  Phase phase_ ABSL_GUARDED_BY(mu_) = Phase::kHello;
  std::deque<v1::ConnectResponse> queue_ ABSL_GUARDED_BY(mu_);
  grpc::ByteBuffer write_buffer_ ABSL_GUARDED_BY(mu_);  // the write outstanding
  bool reading_ ABSL_GUARDED_BY(mu_) = false;
  bool read_done_ ABSL_GUARDED_BY(mu_) = false;
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool broken_ ABSL_GUARDED_BY(mu_) = false;  // nothing more can be written
  bool finished_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  bool session_opened_ ABSL_GUARDED_BY(mu_) = false;
  int pending_ ABSL_GUARDED_BY(mu_) = 0;
  std::optional<absl::Status> end_ ABSL_GUARDED_BY(mu_);
  std::optional<grpc::Alarm> flush_alarm_ ABSL_GUARDED_BY(mu_);
  std::optional<grpc::Alarm> hello_alarm_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<grpc::Alarm> stall_alarm_ ABSL_GUARDED_BY(mu_);
  std::unique_ptr<grpc::Alarm> retired_stall_alarm_ ABSL_GUARDED_BY(mu_);
  bool stall_alarm_armed_ ABSL_GUARDED_BY(mu_) = false;
  int64_t writes_done_ ABSL_GUARDED_BY(mu_) = 0;
  CallTicket ticket_ ABSL_GUARDED_BY(mu_);
};

AgentDeskService::AgentDeskService(Engine* engine, Clock* clock, CallGate* gate, Options options,
                                   ServerMetrics* metrics)
    : engine_(engine),
      clock_(clock),
      gate_(gate),
      options_(options),
      metrics_(metrics),
      streams_limit_(options.max_streams, ServerLimit::kDeskStreams, metrics) {}

AgentDeskService::~AgentDeskService() = default;

int AgentDeskService::open_streams() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(streams_.size());
}

void AgentDeskService::EndAllStreams(const absl::Status& status) {
  absl::MutexLock lock(&mu_);
  for (DeskStream* stream : streams_) stream->End(status);
}

void AgentDeskService::Forget(DeskStream* stream) {
  absl::MutexLock lock(&mu_);
  streams_.erase(stream);
}

grpc::ServerBidiReactor<grpc::ByteBuffer, grpc::ByteBuffer>* AgentDeskService::Connect(
    grpc::CallbackServerContext* context) {
  absl::StatusOr<CallTicket> ticket = gate_->EnterStream(*context, Rpc::kConnect, &streams_limit_);
  if (!ticket.ok()) return new RefusedStream(ticket.status());
  auto stream = std::make_shared<DeskStream>(this, context, *std::move(ticket));
  {
    absl::MutexLock lock(&mu_);
    streams_.insert(stream.get());
  }
  stream->Start(stream);
  return stream.get();
}

}  // namespace caserouter
