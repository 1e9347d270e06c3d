#include "router/service/agent_desk_service.h"

#include <deque>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include <grpc/grpc.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "router/service/proto_convert.h"
#include "router/model/validation.h"
#include "router/service/status_convert.h"
#include "router/service/wire_checks.h"

namespace caserouter {
namespace {

// How long a stream whose desk stopped sending may take to flush its last events before the
// call is cancelled (a desk that half-closed but no longer reads would otherwise hold the
// handler thread).
constexpr absl::Duration kFlushTimeout = absl::Seconds(5);

// ConnectRequest.request_id is documented as 0-2^63: a negative id is a client bug, reported
// rather than echoed back as if it were a valid one.
constexpr char kRequestIdRange[] = "request_id: must be 0 or more";

// The status a stream ends with when the engine ends its session. The engine's reason is a
// closed-set word.
absl::Status SessionEndedStatus(absl::string_view reason) {
  if (absl::StrContains(reason, "replace")) return absl::AbortedError("session replaced");
  if (absl::StrContains(reason, "heartbeat")) return absl::UnavailableError("heartbeat lost");
  if (reason == "removed") return absl::NotFoundError("agent_id: the agent was removed");
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

}  // namespace

// One open stream: the engine's DeskSession for it, and the queue its writer thread drains.
//
// Only the writer thread touches the gRPC stream for writing and the call for cancelling; the
// handler thread only reads. Everything else just queues, so Deliver never blocks the engine.
// The handler joins the writer before it returns, so neither pointer outlives the call; the
// engine may keep the object a little longer and may still Deliver to it, harmlessly.
class AgentDeskService::DeskStream final : public DeskSession {
 public:
  DeskStream(grpc::ServerContext* context, RawServerStream<v1::ConnectResponse>* stream)
      : context_(context), stream_(stream) {}

  // Engine thread.
  void Deliver(DeskNotice notice) override {
    if (notice.kind == DeskNotice::Kind::kSessionEnded) {
      End(SessionEndedStatus(notice.reason));
      return;
    }
    v1::ConnectResponse event;
    if (DeskNoticeToProto(notice, &event)) Push(std::move(event));
  }

  // The engine's answer to OpenSession. Welcome (then the Hello's Ack) goes out before
  // anything queued meanwhile.
  void Opened(absl::StatusOr<Welcome> welcome, int64_t hello_request_id) {
    if (!welcome.ok()) {
      End(welcome.status());
      return;
    }
    v1::ConnectResponse event;
    WelcomeToProto(*welcome, event.mutable_welcome());
    absl::MutexLock lock(&mu_);
    queue_.push_front(AckEvent(hello_request_id, absl::OkStatus(), nullptr));
    queue_.push_front(std::move(event));
    opened_ = true;
  }

  void Ack(int64_t request_id, const absl::Status& status, const CaseView* view) {
    Push(AckEvent(request_id, status, view));
  }

  // Ends the stream with `status` once the queued events are written. The first end wins.
  void End(absl::Status status) {
    absl::MutexLock lock(&mu_);
    if (!end_.has_value()) end_ = std::move(status);
  }

  // The handler saw the desk's side end (or the call die).
  void ReaderDone() {
    absl::MutexLock lock(&mu_);
    reader_done_ = true;
  }

  void RunWriter() {
    for (;;) {
      v1::ConnectResponse event;
      {
        absl::MutexLock lock(&mu_);
        mu_.Await(absl::Condition(this, &DeskStream::WriterHasWork));
        if (opened_ && !queue_.empty()) {
          event = std::move(queue_.front());
          queue_.pop_front();
        } else if (end_.has_value() && !reader_done_) {
          // A status can only reach the desk while the call is alive; cancelling the call
          // with it sends it as the trailers and wakes the handler's Read().
          grpc::Status status = ToGrpcStatus(*end_);
          grpc_call_cancel_with_status(context_->c_call(),
                                       static_cast<grpc_status_code>(status.error_code()),
                                       status.error_message().c_str(), nullptr);
          break;
        } else {
          break;
        }
      }
      if (!stream_->Write(event)) break;  // the call is gone; Read() fails too
    }
    writer_done_.Notify();
  }

  // Waits (at most kFlushTimeout) until the engine answered the Hello: opened or ended.
  void AwaitHelloAnswer() {
    absl::MutexLock lock(&mu_);
    mu_.AwaitWithTimeout(absl::Condition(this, &DeskStream::HelloAnswered), kFlushTimeout);
  }

  // After ReaderDone: waits for the writer to flush, cancelling the call if it cannot.
  void AwaitWriter() {
    if (!writer_done_.WaitForNotificationWithTimeout(kFlushTimeout)) context_->TryCancel();
    writer_done_.WaitForNotification();
  }

  // What the handler returns: the session's end status, or OK when the desk left.
  grpc::Status FinalStatus() {
    absl::MutexLock lock(&mu_);
    return end_.has_value() ? ToGrpcStatus(*end_) : grpc::Status::OK;
  }

 private:
  bool HelloAnswered() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return opened_ || end_.has_value();
  }

  bool WriterHasWork() const ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) {
    return (opened_ && !queue_.empty()) || end_.has_value() || reader_done_;
  }

  void Push(v1::ConnectResponse event) {
    absl::MutexLock lock(&mu_);
    if (reader_done_ || end_.has_value()) return;
    if (queue_.size() >= static_cast<size_t>(kMaxQueuedEvents)) {
      end_ = absl::ResourceExhaustedError("desk is not reading its events");
      return;
    }
    queue_.push_back(std::move(event));
  }

  grpc::ServerContext* const context_;
  RawServerStream<v1::ConnectResponse>* const stream_;
  absl::Notification writer_done_;

  absl::Mutex mu_;
  std::deque<v1::ConnectResponse> queue_ ABSL_GUARDED_BY(mu_);
  bool opened_ ABSL_GUARDED_BY(mu_) = false;  // Welcome queued: the writer may write
  bool reader_done_ ABSL_GUARDED_BY(mu_) = false;
  std::optional<absl::Status> end_ ABSL_GUARDED_BY(mu_);
};

AgentDeskService::AgentDeskService(Engine* engine, int max_streams)
    : RawSyncService("caserouter.v1.AgentDeskService"), engine_(engine), max_streams_(max_streams) {
  AddBidi("Connect", &AgentDeskService::Connect,
          static_cast<const v1::ConnectRequest*>(nullptr));
}

AgentDeskService::~AgentDeskService() = default;

int AgentDeskService::open_streams() const {
  absl::MutexLock lock(&mu_);
  return static_cast<int>(streams_.size());
}

void AgentDeskService::EndAllStreams(const absl::Status& status) {
  absl::MutexLock lock(&mu_);
  for (DeskStream* desk : streams_) desk->End(status);
}

grpc::Status AgentDeskService::Connect(grpc::ServerContext* context,
                                       RawServerStream<v1::ConnectResponse>* stream) {
  grpc::ByteBuffer raw;
  v1::ConnectRequest first;
  if (!stream->Read(&raw)) {
    return ToGrpcStatus(absl::InvalidArgumentError("hello: the first message must be a Hello"));
  }
  if (absl::Status parsed = ParseRequest(raw, &first); !parsed.ok()) {
    return ToGrpcStatus(parsed);
  }
  if (!first.has_hello()) {
    return ToGrpcStatus(absl::InvalidArgumentError("hello: the first message must be a Hello"));
  }
  if (first.request_id() < 0) {
    return ToGrpcStatus(absl::InvalidArgumentError(kRequestIdRange));
  }
  const std::string agent_id = first.hello().agent_id();
  // Checked before the stream takes a place among the desk streams (the engine checks it
  // again with the same rule).
  if (absl::Status s = ValidateAgentId("hello.agent_id", agent_id); !s.ok()) {
    return ToGrpcStatus(s);
  }

  auto desk = std::make_shared<DeskStream>(context, stream);
  {
    absl::MutexLock lock(&mu_);
    if (static_cast<int>(streams_.size()) >= max_streams_) {
      return ToGrpcStatus(absl::ResourceExhaustedError("too many desk streams on this replica"));
    }
    streams_.insert(desk.get());
  }
  std::thread writer([desk] { desk->RunWriter(); });

  const int64_t hello_id = first.request_id();
  engine_->OpenSession(agent_id, desk, [desk, hello_id](absl::StatusOr<Welcome> welcome) {
    desk->Opened(std::move(welcome), hello_id);
  });
  while (stream->Read(&raw)) {
    engine_->Heartbeat(agent_id, desk.get());
    v1::ConnectRequest request;
    if (absl::Status parsed = ParseRequest(raw, &request); !parsed.ok()) {
      // The Ack still carries the request's id, so the desk can tell which request it was.
      ParseRequestNumbers(raw, &request);
      desk->Ack(request.request_id(), parsed, nullptr);
      continue;
    }
    Dispatch(agent_id, desk, request);
  }

  // A desk may hang up right after its Hello; it still gets the Hello's verdict (NOT_FOUND
  // for an unknown agent, ...) rather than OK, whatever the engine's tick took.
  desk->AwaitHelloAnswer();
  desk->ReaderDone();
  desk->AwaitWriter();
  writer.join();
  engine_->CloseSession(agent_id, desk.get());
  {
    absl::MutexLock lock(&mu_);
    streams_.erase(desk.get());
  }
  return desk->FinalStatus();
}

void AgentDeskService::Dispatch(const std::string& agent_id,
                                const std::shared_ptr<DeskStream>& desk,
                                const v1::ConnectRequest& request) {
  const int64_t id = request.request_id();
  auto ack_status = [desk, id](absl::Status status) { desk->Ack(id, status, nullptr); };
  if (id < 0) {
    ack_status(absl::InvalidArgumentError(kRequestIdRange));
    return;
  }
  auto ack_case = [desk, id](absl::StatusOr<CaseView> view) {
    desk->Ack(id, view.status(), view.ok() ? &*view : nullptr);
  };
  switch (request.action_case()) {
    case v1::ConnectRequest::kHello:
      ack_status(absl::InvalidArgumentError("hello: already sent on this stream"));
      return;
    case v1::ConnectRequest::kHeartbeat:
      ack_status(absl::OkStatus());
      return;
    case v1::ConnectRequest::kSetPresence: {
      // Which presences a desk may set (not WRAP_UP) is the engine's rule.
      absl::StatusOr<Presence> presence =
          PresenceFromProto(request.set_presence().presence(), "set_presence.presence");
      if (!presence.ok()) {
        ack_status(presence.status());
        return;
      }
      engine_->SetPresence(agent_id, desk.get(), *presence, ack_status);
      return;
    }
    case v1::ConnectRequest::kAccept: {
      const std::string& case_id = request.accept().case_id();
      if (absl::Status s = ValidateId("accept.case_id", case_id); !s.ok()) {
        ack_status(s);
        return;
      }
      engine_->Accept(agent_id, desk.get(), case_id, ack_case);
      return;
    }
    case v1::ConnectRequest::kDecline: {
      const std::string& case_id = request.decline().case_id();
      if (absl::Status s = ValidateId("decline.case_id", case_id); !s.ok()) {
        ack_status(s);
        return;
      }
      engine_->Decline(agent_id, desk.get(), case_id, ack_status);
      return;
    }
    case v1::ConnectRequest::kComplete: {
      const v1::Complete& complete = request.complete();
      if (absl::Status s = ValidateId("complete.case_id", complete.case_id()); !s.ok()) {
        ack_status(s);
        return;
      }
      if (!complete.has_outcome()) {
        ack_status(absl::InvalidArgumentError("complete.outcome: required"));
        return;
      }
      engine_->Complete(agent_id, desk.get(), complete.case_id(),
                        OutcomeFromProto(complete.outcome()), ack_case);
      return;
    }
    case v1::ConnectRequest::ACTION_NOT_SET:
      ack_status(absl::InvalidArgumentError("action: required"));
      return;
  }
}

}  // namespace caserouter
