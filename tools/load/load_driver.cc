#include "tools/load/load_driver.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <thread>
#include <utility>

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "caserouter/v1/agent_desk.grpc.pb.h"
#include "caserouter/v1/case_intake.grpc.pb.h"
#include "caserouter/v1/supervision.grpc.pb.h"
#include "tools/client_auth/client_security.h"
#include "tools/load/latency_histogram.h"
#include "tools/load/process_usage.h"
#include "tools/load/redis_probe.h"
#include "tools/token/token_signer.h"

namespace caserouter::load {
namespace {

// Send times are kept for this many sequence numbers (32 MiB); later cases still run, without
// a submit-to-offer sample.
constexpr int64_t kSeqCapacity = int64_t{1} << 22;

// A monotonic clock for latencies: wall-clock steps must not show up as latency.
int64_t MonoNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

absl::Duration SinceNanos(int64_t start) { return absl::Nanoseconds(MonoNanos() - start); }

// Sleeps until `due` on the monotonic clock in steps of at most 5 ms, so that a stop is seen
// promptly; returns early once `keep_going` turns false.
void SleepUntil(int64_t due, const std::atomic<bool>& keep_going) {
  for (int64_t now = MonoNanos(); now < due && keep_going.load(); now = MonoNanos()) {
    absl::SleepFor(std::min(absl::Nanoseconds(due - now), absl::Milliseconds(5)));
  }
}

// SplitMix64: a case's channel, topic and signals are a pure function of (seed, seq), so
// callbacks on any thread build requests without sharing a random generator.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

int CodeIndex(int code) { return code >= 0 && code < kGrpcCodes ? code : 2 /* UNKNOWN */; }

class AtomicCodes {
 public:
  void Add(int code) { n_[CodeIndex(code)].fetch_add(1, std::memory_order_relaxed); }
  CodeCounts Get() const {
    CodeCounts out{};
    for (int i = 0; i < kGrpcCodes; ++i) out[i] = n_[i].load(std::memory_order_relaxed);
    return out;
  }

 private:
  std::array<std::atomic<int64_t>, kGrpcCodes> n_{};
};

Percentiles PercentilesOf(const LatencyHistogram& h) {
  return {h.count(), h.Percentile(50), h.Percentile(99), h.max()};
}

struct SubmitCounters {
  std::atomic<int64_t> sent{0};
  std::atomic<int64_t> ok{0};
  std::atomic<int64_t> skipped{0};
  std::array<AtomicCodes, kChannels> errors;
  LatencyHistogram ack;
  LatencyHistogram refusal;

  SubmitResult Get() const {
    SubmitResult r;
    r.sent = sent.load();
    r.ok = ok.load();
    r.skipped = skipped.load();
    for (int c = 0; c < kChannels; ++c) r.errors_by_channel[c] = errors[c].Get();
    r.ack = PercentilesOf(ack);
    r.refusal = PercentilesOf(refusal);
    return r;
  }
};

// What one Run call counts. Kept until the session ends: a late callback may still hold it.
struct PhaseState {
  explicit PhaseState(const PhaseOptions& o) : options(o) {}
  const PhaseOptions options;
  std::atomic<bool> issuing{false};
  std::atomic<bool> measuring{false};
  int64_t window_open_nanos = 0;

  SubmitCounters normal;
  SubmitCounters burst;
  std::atomic<int64_t> normal_launched{0};
  std::atomic<int64_t> normal_in_flight{0};
  std::atomic<int64_t> normal_answered{0};
  std::atomic<int64_t> burst_answered{0};
  std::atomic<int64_t> outstanding{0};

  std::atomic<int64_t> offers{0};
  std::atomic<int64_t> accepts{0};
  std::atomic<int64_t> completes{0};
  std::atomic<int64_t> revoked{0};
  AtomicCodes action_errors;
  LatencyHistogram offer_latency;
};

struct SubmitCall {
  grpc::ClientContext context;
  v1::SubmitCaseRequest request;
  v1::SubmitCaseResponse response;
  PhaseState* phase = nullptr;
  int64_t sent_nanos = 0;
  int channel = 0;
  bool burst = false;
};

class Desk;

}  // namespace

class LoadSession::Impl {
 public:
  explicit Impl(const SessionOptions& options);
  ~Impl();

  absl::Status Connect();
  absl::Status CreateAgents();
  absl::Status ConnectDesks();
  absl::StatusOr<LoadResult> Run(const PhaseOptions& phase);
  absl::Status WaitUntilCompleted(absl::Duration timeout);
  // Ends every desk stream; false when some did not end.
  bool CloseDesks();
  absl::Duration setup_time() const { return setup_time_; }
  void set_setup_time(absl::Duration d) { setup_time_ = d; }

  // For the desks.
  const SessionOptions& options() const { return options_; }
  // A token for `role` and `name` signed with the issuer key; "" without one.
  std::string Token(const std::string& role, const std::string& name) const;
  // The sequence number of a case of this session from its customer id; -1 for others.
  int64_t SeqOf(const std::string& customer_id) const;
  // The phase being measured, or nullptr.
  PhaseState* measured() const {
    PhaseState* p = current_.load(std::memory_order_acquire);
    return p != nullptr && p->measuring.load(std::memory_order_relaxed) ? p : nullptr;
  }
  void OnOffer(const v1::Case& c);
  void OnCompleted(int64_t seq);
  void OnDeskReady() { desks_ready_.fetch_add(1); }
  void OnDeskEnded(bool was_ready, bool closing, int code);

 private:
  void OpenWindow(PhaseState* phase);
  void CloseWindow(PhaseState* phase);
  // Stops submitting and waits for outstanding calls; false when they did not drain.
  bool StopAndDrain(PhaseState* phase);
  bool Finished(const PhaseState& phase) const;
  LoadResult Result(const PhaseState& phase) const;

  void Launch(PhaseState* phase, bool burst);
  void OnSubmitDone(SubmitCall* call, const grpc::Status& status);
  void FillRequest(const PhaseState& phase, int64_t seq, bool burst, v1::SubmitCaseRequest* request,
                   int* channel) const;
  void PaceOpenLoop(PhaseState* phase);
  void PaceBurst(PhaseState* phase);
  void Tick();    // heartbeats and handle-time completions, every 100 ms
  void Sample();  // the server's threads and RSS, every 100 ms while measuring

  const SessionOptions options_;
  std::string issuer_key_;        // PEM, when the session issues tokens
  std::string supervisor_token_;  // for creating agents
  std::string session_id_;
  absl::Duration setup_time_;

  std::vector<std::shared_ptr<grpc::Channel>> submit_channels_;
  std::vector<std::shared_ptr<grpc::Channel>> desk_channels_;
  std::vector<std::unique_ptr<v1::CaseIntakeService::Stub>> intake_;
  std::vector<std::unique_ptr<v1::AgentDeskService::Stub>> desk_stubs_;
  std::unique_ptr<v1::SupervisionService::Stub> supervision_;
  std::unique_ptr<RedisProbe> redis_;

  std::unique_ptr<std::atomic<int64_t>[]> sent_nanos_;
  std::atomic<int64_t> next_seq_{0};
  std::atomic<int64_t> ok_total_{0};         // OK submissions, every phase
  std::atomic<int64_t> completed_total_{0};  // completions of this session's cases
  std::atomic<PhaseState*> current_{nullptr};
  std::vector<std::unique_ptr<PhaseState>> phases_;

  std::vector<std::unique_ptr<Desk>> desks_;
  std::atomic<int> desks_ready_{0};
  std::atomic<int> desks_ended_{0};
  std::atomic<int> desks_failed_{0};
  AtomicCodes setup_errors_;
  AtomicCodes stream_ends_;

  std::atomic<bool> stop_threads_{false};
  std::thread ticker_;
  std::thread sampler_;

  // The current window's two ends and peaks.
  absl::Duration window_;
  std::optional<ProcessUsage> server_start_, server_end_;
  std::optional<ProcessUsage> client_start_, client_end_;
  std::optional<RedisCounters> redis_start_, redis_end_;
  mutable absl::Mutex peak_mu_;
  int threads_peak_ ABSL_GUARDED_BY(peak_mu_) = 0;
  int64_t rss_peak_ ABSL_GUARDED_BY(peak_mu_) = 0;
};

namespace {

// One agent desk's Connect stream on the callback API. Writes go out one at a time from a
// queue (a reactor allows one outstanding write); a read is always outstanding.
class Desk final : public grpc::ClientBidiReactor<v1::ConnectRequest, v1::ConnectResponse> {
 public:
  Desk(LoadSession::Impl* session, std::string agent_id)
      : session_(session), agent_id_(std::move(agent_id)) {}

  void Begin(v1::AgentDeskService::Stub* stub) {
    AttachToken(&context_, session_->Token("agent", agent_id_));
    stub->async()->Connect(&context_, this);
    StartRead(&incoming_);
    v1::ConnectRequest hello;
    hello.mutable_hello()->set_agent_id(agent_id_);
    Send(std::move(hello), Kind::kNone, "", -1);
    StartCall();
  }

  // Ends the stream from this side: WritesDone once the queued writes are out.
  void Close() {
    bool writes_done = false;
    {
      absl::MutexLock lock(&mu_);
      close_requested_ = true;
      if (!writing_ && !writes_done_sent_ && !done_) writes_done = writes_done_sent_ = true;
    }
    if (writes_done) StartWritesDone();
  }

  void Cancel() { context_.TryCancel(); }

  bool done() const {
    absl::MutexLock lock(&mu_);
    return done_;
  }

  // Heartbeats and due completions.
  void Tick(int64_t now) {
    std::vector<std::pair<std::string, int64_t>> due;
    bool heartbeat = false;
    {
      absl::MutexLock lock(&mu_);
      if (!ready_ || close_requested_ || done_) return;
      heartbeat = now - last_write_nanos_ >= absl::ToInt64Nanoseconds(heartbeat_interval_);
      while (!due_.empty() && due_.front().due_nanos <= now) {
        due.emplace_back(due_.front().case_id, due_.front().seq);
        due_.pop_front();
      }
    }
    for (auto& [case_id, seq] : due) SendComplete(case_id, seq);
    if (heartbeat) {
      v1::ConnectRequest beat;
      beat.mutable_heartbeat();
      Send(std::move(beat), Kind::kNone, "", -1);
    }
  }

  void OnWriteDone(bool ok) override {
    bool start = false;
    bool writes_done = false;
    {
      absl::MutexLock lock(&mu_);
      if (!ok) {  // the stream is ending; OnDone follows
        writing_ = false;
        queue_.clear();
        return;
      }
      if (!queue_.empty()) {
        current_ = std::move(queue_.front());
        queue_.pop_front();
        start = true;
      } else {
        writing_ = false;
        if (close_requested_ && !writes_done_sent_) writes_done = writes_done_sent_ = true;
      }
    }
    if (start) {
      StartWrite(&current_);
    } else if (writes_done) {
      StartWritesDone();
    }
  }

  void OnReadDone(bool ok) override {
    if (!ok) return;  // the stream is ending; OnDone follows
    Handle(incoming_);
    StartRead(&incoming_);
  }

  void OnDone(const grpc::Status& status) override {
    bool was_ready = false;
    bool closing = false;
    {
      absl::MutexLock lock(&mu_);
      done_ = true;
      was_ready = ready_;
      closing = close_requested_;
    }
    session_->OnDeskEnded(was_ready, closing, status.error_code());
  }

 private:
  enum class Kind { kNone, kPresence, kAccept, kComplete };
  struct Pending {
    Kind kind = Kind::kNone;
    std::string case_id;
    int64_t seq = -1;
  };
  struct Due {
    int64_t due_nanos;
    std::string case_id;
    int64_t seq;
  };

  void Send(v1::ConnectRequest request, Kind kind, std::string case_id, int64_t seq) {
    bool start = false;
    {
      absl::MutexLock lock(&mu_);
      if (done_ || close_requested_) return;
      request.set_request_id(++next_request_id_);
      if (kind != Kind::kNone) {
        pending_[request.request_id()] = Pending{kind, std::move(case_id), seq};
      }
      last_write_nanos_ = MonoNanos();
      if (writing_) {
        queue_.push_back(std::move(request));
      } else {
        writing_ = true;
        current_ = std::move(request);
        start = true;
      }
    }
    if (start) StartWrite(&current_);
  }

  void SendComplete(const std::string& case_id, int64_t seq) {
    v1::ConnectRequest complete;
    complete.mutable_complete()->set_case_id(case_id);
    complete.mutable_complete()->mutable_outcome()->set_resolved(true);
    complete.mutable_complete()->mutable_outcome()->set_csat(5);
    Send(std::move(complete), Kind::kComplete, case_id, seq);
  }

  void Handle(const v1::ConnectResponse& event) {
    switch (event.event_case()) {
      case v1::ConnectResponse::kWelcome: {
        {
          absl::MutexLock lock(&mu_);
          const auto& d = event.welcome().heartbeat_interval_duration();
          const absl::Duration every = absl::Seconds(d.seconds()) + absl::Nanoseconds(d.nanos());
          if (every > absl::ZeroDuration()) heartbeat_interval_ = every;
        }
        v1::ConnectRequest presence;
        presence.mutable_set_presence()->set_presence(v1::PRESENCE_AVAILABLE);
        Send(std::move(presence), Kind::kPresence, "", -1);
        break;
      }
      case v1::ConnectResponse::kOffer: {
        const v1::Case& c = event.offer().case_();
        session_->OnOffer(c);
        v1::ConnectRequest accept;
        accept.mutable_accept()->set_case_id(c.case_id());
        Send(std::move(accept), Kind::kAccept, c.case_id(), session_->SeqOf(c.customer_id()));
        break;
      }
      case v1::ConnectResponse::kAck:
        OnAck(event.ack());
        break;
      case v1::ConnectResponse::kOfferRevoked:
        if (PhaseState* p = session_->measured()) p->revoked.fetch_add(1);
        break;
      default:
        break;
    }
  }

  void OnAck(const v1::Ack& ack) {
    Pending pending;
    {
      absl::MutexLock lock(&mu_);
      auto it = pending_.find(ack.request_id());
      if (it == pending_.end()) return;  // a heartbeat's
      pending = std::move(it->second);
      pending_.erase(it);
    }
    const bool ok = ack.code() == 0;
    PhaseState* phase = session_->measured();
    if (!ok && phase != nullptr) phase->action_errors.Add(ack.code());
    switch (pending.kind) {
      case Kind::kPresence: {
        bool first = false;
        {
          absl::MutexLock lock(&mu_);
          first = ok && !ready_;
          if (ok) ready_ = true;
        }
        if (first) session_->OnDeskReady();
        break;
      }
      case Kind::kAccept:
        if (!ok) break;
        if (phase != nullptr) phase->accepts.fetch_add(1, std::memory_order_relaxed);
        if (session_->options().handle_time <= absl::ZeroDuration()) {
          SendComplete(pending.case_id, pending.seq);
        } else {
          absl::MutexLock lock(&mu_);
          due_.push_back(
              Due{MonoNanos() + absl::ToInt64Nanoseconds(session_->options().handle_time),
                  pending.case_id, pending.seq});
        }
        break;
      case Kind::kComplete:
        if (!ok) break;
        if (phase != nullptr) phase->completes.fetch_add(1, std::memory_order_relaxed);
        session_->OnCompleted(pending.seq);
        break;
      case Kind::kNone:
        break;
    }
  }

  LoadSession::Impl* const session_;
  const std::string agent_id_;
  grpc::ClientContext context_;
  v1::ConnectResponse incoming_;  // owned by the one outstanding read

  mutable absl::Mutex mu_;
  // The one outstanding write: assigned only by whoever turns writing_ on, or by OnWriteDone.
  v1::ConnectRequest current_;
  std::deque<v1::ConnectRequest> queue_ ABSL_GUARDED_BY(mu_);
  bool writing_ ABSL_GUARDED_BY(mu_) = false;
  bool close_requested_ ABSL_GUARDED_BY(mu_) = false;
  bool writes_done_sent_ ABSL_GUARDED_BY(mu_) = false;
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  bool ready_ ABSL_GUARDED_BY(mu_) = false;
  int64_t next_request_id_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t last_write_nanos_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Duration heartbeat_interval_ ABSL_GUARDED_BY(mu_) = absl::Seconds(5);
  absl::flat_hash_map<int64_t, Pending> pending_ ABSL_GUARDED_BY(mu_);
  std::deque<Due> due_ ABSL_GUARDED_BY(mu_);  // in due order: handle time is constant
};

}  // namespace

LoadSession::Impl::Impl(const SessionOptions& options)
    : options_(options), sent_nanos_(new std::atomic<int64_t>[kSeqCapacity]) {
  for (int64_t i = 0; i < kSeqCapacity; ++i) sent_nanos_[i].store(0, std::memory_order_relaxed);
  session_id_ = options.session_id.empty()
                    ? absl::StrFormat("r%x", absl::ToUnixMillis(absl::Now()) & 0xffffffffff)
                    : options.session_id;
}

LoadSession::Impl::~Impl() {
  stop_threads_ = true;
  if (ticker_.joinable()) ticker_.join();
  if (sampler_.joinable()) sampler_.join();
}

std::string LoadSession::Impl::Token(const std::string& role, const std::string& name) const {
  if (issuer_key_.empty()) return "";
  TokenClaims claims;
  claims.role = role;
  claims.subject = name;
  claims.domain = options_.domain;
  claims.issued = absl::Now() - absl::Minutes(1);
  claims.expires = absl::Now() + absl::Hours(12);
  absl::StatusOr<std::string> token = SignToken(claims, issuer_key_);
  return token.ok() ? *token : "";
}

absl::Status LoadSession::Impl::Connect() {
  if (!options_.issuer_key_file.empty()) {
    std::ifstream in(options_.issuer_key_file, std::ios::binary);
    std::ostringstream key;
    key << in.rdbuf();
    if (!in || key.str().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("issuer_key: cannot read ", options_.issuer_key_file));
    }
    issuer_key_ = key.str();
    supervisor_token_ = Token("supervisor", "load-supervisor");
    if (supervisor_token_.empty()) return absl::InvalidArgumentError("issuer_key: cannot sign");
  }
  const std::string adapter_token = Token("adapter", "load-adapter");
  absl::Status opened = absl::OkStatus();
  auto open = [&](int index, const std::string& token) -> std::shared_ptr<grpc::Channel> {
    grpc::ChannelArguments args;
    // A connection of its own for each channel: without a local pool, channels with equal
    // arguments share one subchannel and so one TCP connection.
    args.SetInt(GRPC_ARG_USE_LOCAL_SUBCHANNEL_POOL, 1);
    args.SetInt("caserouter.load.connection", index);
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        OpenChannel(options_.target, options_.security, token, args);
    if (!channel.ok()) {
      opened = channel.status();
      return grpc::CreateChannel(options_.target, grpc::InsecureChannelCredentials());
    }
    return *std::move(channel);
  };
  for (int i = 0; i < options_.submit_connections; ++i) {
    submit_channels_.push_back(open(i, adapter_token));
    intake_.push_back(v1::CaseIntakeService::NewStub(submit_channels_.back()));
  }
  // Each desk stream carries its own agent's token; agents are created with the
  // supervisor's, call by call.
  for (int i = 0; i < options_.desk_connections; ++i) {
    desk_channels_.push_back(open(options_.submit_connections + i, ""));
    desk_stubs_.push_back(v1::AgentDeskService::NewStub(desk_channels_.back()));
  }
  if (!opened.ok()) return opened;
  supervision_ = v1::SupervisionService::NewStub(desk_channels_.front());
  const auto deadline = std::chrono::system_clock::now() + std::chrono::seconds(10);
  for (const auto* channels : {&submit_channels_, &desk_channels_}) {
    for (const auto& channel : *channels) {
      if (!channel->WaitForConnected(deadline)) {
        return absl::UnavailableError(absl::StrCat("cannot connect to ", options_.target));
      }
    }
  }
  if (options_.redis_port > 0) {
    absl::StatusOr<std::unique_ptr<RedisProbe>> redis =
        RedisProbe::Connect("127.0.0.1", options_.redis_port);
    if (!redis.ok()) return redis.status();
    redis_ = *std::move(redis);
  }
  if (options_.server_pid > 0) sampler_ = std::thread([this] { Sample(); });
  return absl::OkStatus();
}

absl::Status LoadSession::Impl::CreateAgents() {
  struct CreateCall {
    grpc::ClientContext context;
    v1::CreateAgentRequest request;
    v1::CreateAgentResponse response;
  };
  std::atomic<int> launched{0};
  std::atomic<int> finished{0};
  std::atomic<int> failed{0};
  const int total = options_.desks;
  // Each completion starts the next creation, so at most setup_parallelism are in flight.
  std::function<void()> start_one = [&]() {
    const int i = launched.fetch_add(1);
    if (i >= total) {
      launched.fetch_sub(1);
      return;
    }
    auto* call = new CreateCall;
    call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    AttachToken(&call->context, supervisor_token_);
    v1::AgentProfile* p = call->request.mutable_profile();
    p->set_agent_id(absl::StrFormat("%s%05d", options_.agent_prefix, i));
    for (size_t t = 0; t < options_.topics.size(); ++t) {
      v1::Skill* skill = p->add_skills();
      skill->set_name(options_.topics[t]);
      skill->set_proficiency(3 + static_cast<int>(Mix(options_.seed + i * 31 + t) % 8));
    }
    p->add_languages("en");
    p->set_authority_limit(1000000);
    p->set_max_phone(1);
    p->set_max_chat(3);
    p->set_max_social(4);
    p->set_max_email(5);
    supervision_->async()->CreateAgent(
        &call->context, &call->request, &call->response, [&, call](grpc::Status status) {
          if (!status.ok() && status.error_code() != grpc::StatusCode::ALREADY_EXISTS) {
            setup_errors_.Add(status.error_code());
            failed.fetch_add(1);
          }
          delete call;
          start_one();
          finished.fetch_add(1);
        });
  };
  for (int i = 0; i < std::min(total, options_.setup_parallelism); ++i) start_one();
  const absl::Time deadline = absl::Now() + options_.setup_timeout;
  while (finished.load() < total && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(5));
  if (finished.load() < total) {
    // Calls in flight refer to this frame: launch no more, and wait for them (each has a
    // deadline of its own).
    launched.fetch_add(total);
    while (finished.load() < launched.load() - total) absl::SleepFor(absl::Milliseconds(50));
    return absl::DeadlineExceededError(
        absl::StrCat("created ", finished.load(), " of ", total, " agents in time"));
  }
  if (failed.load() > 0) {
    return absl::UnavailableError(
        absl::StrCat(failed.load(), " of ", total, " agents could not be created"));
  }
  return absl::OkStatus();
}

absl::Status LoadSession::Impl::ConnectDesks() {
  const absl::Time deadline = absl::Now() + options_.setup_timeout;
  for (int i = 0; i < options_.desks && absl::Now() < deadline; ++i) {
    // At most setup_parallelism desks between Connect and AVAILABLE.
    while (static_cast<int>(desks_.size()) - desks_ready_.load() - desks_failed_.load() >=
               options_.setup_parallelism &&
           absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(1));
    }
    desks_.push_back(
        std::make_unique<Desk>(this, absl::StrFormat("%s%05d", options_.agent_prefix, i)));
    desks_.back()->Begin(desk_stubs_[i % desk_stubs_.size()].get());
  }
  while (desks_ready_.load() + desks_failed_.load() < static_cast<int>(desks_.size()) &&
         absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  ticker_ = std::thread([this] { Tick(); });
  if (desks_ready_.load() < options_.desks) {
    return absl::DeadlineExceededError(absl::StrCat(desks_ready_.load(), " of ", options_.desks,
                                                    " desks connected and AVAILABLE"));
  }
  return absl::OkStatus();
}

absl::StatusOr<LoadResult> LoadSession::Impl::Run(const PhaseOptions& options) {
  if (absl::Status s = ValidatePhaseOptions(options); !s.ok()) return s;
  phases_.push_back(std::make_unique<PhaseState>(options));
  PhaseState* phase = phases_.back().get();
  current_.store(phase, std::memory_order_release);

  // Without a warm-up the window is open before the first call, so that every call counts.
  const bool warm = options.warmup > absl::ZeroDuration();
  if (!warm) OpenWindow(phase);
  std::thread pacer;
  phase->issuing = true;
  if (options.in_flight > 0) {
    for (int i = 0; i < options.in_flight; ++i) Launch(phase, false);
  } else {
    pacer = std::thread([this, phase] { PaceOpenLoop(phase); });
  }
  if (warm) {
    absl::SleepFor(options.warmup);
    OpenWindow(phase);
  }
  std::thread burster;
  if (options.burst_cases > 0) burster = std::thread([this, phase] { PaceBurst(phase); });
  const absl::Time end = absl::Now() + options.duration;
  while (absl::Now() < end && !Finished(*phase)) absl::SleepFor(absl::Milliseconds(10));
  CloseWindow(phase);

  phase->issuing = false;
  if (pacer.joinable()) pacer.join();
  if (burster.joinable()) burster.join();
  if (!StopAndDrain(phase)) {
    return absl::DeadlineExceededError(absl::StrCat(
        phase->outstanding.load(), " submissions did not drain within the call timeout"));
  }
  return Result(*phase);
}

absl::Status LoadSession::Impl::WaitUntilCompleted(absl::Duration timeout) {
  if (options_.desks == 0) return absl::OkStatus();
  const absl::Time deadline = absl::Now() + timeout;
  while (completed_total_.load() < ok_total_.load() && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(10));
  }
  const int64_t left = ok_total_.load() - completed_total_.load();
  if (left > 0) {
    return absl::DeadlineExceededError(absl::StrCat(left, " cases not completed in time"));
  }
  return absl::OkStatus();
}

void LoadSession::Impl::OpenWindow(PhaseState* phase) {
  if (options_.server_pid > 0) {
    absl::StatusOr<ProcessUsage> usage = ReadProcessUsage(options_.server_pid);
    server_start_.reset();
    if (usage.ok()) {
      server_start_ = *usage;
      absl::MutexLock lock(&peak_mu_);
      threads_peak_ = usage->threads;
      rss_peak_ = usage->rss_bytes;
    }
  }
  redis_start_.reset();
  if (redis_ != nullptr) {
    absl::StatusOr<RedisCounters> counters = redis_->Counters();
    if (counters.ok()) redis_start_ = *counters;
  }
  client_start_.reset();
  if (absl::StatusOr<ProcessUsage> self = ReadProcessUsage(getpid()); self.ok()) {
    client_start_ = *self;
  }
  phase->window_open_nanos = MonoNanos();
  phase->measuring = true;
}

void LoadSession::Impl::CloseWindow(PhaseState* phase) {
  phase->measuring = false;
  window_ = SinceNanos(phase->window_open_nanos);
  server_end_.reset();
  if (options_.server_pid > 0) {
    absl::StatusOr<ProcessUsage> usage = ReadProcessUsage(options_.server_pid);
    if (usage.ok()) server_end_ = *usage;
  }
  redis_end_.reset();
  if (redis_ != nullptr) {
    absl::StatusOr<RedisCounters> counters = redis_->Counters();
    if (counters.ok()) redis_end_ = *counters;
  }
  client_end_.reset();
  if (absl::StatusOr<ProcessUsage> self = ReadProcessUsage(getpid()); self.ok()) {
    client_end_ = *self;
  }
}

bool LoadSession::Impl::Finished(const PhaseState& phase) const {
  const int64_t max = phase.options.max_cases;
  if (max <= 0 || phase.normal_answered.load() < max) return false;
  if (phase.burst_answered.load() < phase.options.burst_cases) return false;
  return options_.desks == 0 || completed_total_.load() >= ok_total_.load();
}

bool LoadSession::Impl::StopAndDrain(PhaseState* phase) {
  const absl::Time deadline =
      absl::Now() + phase->options.call_timeout + phase->options.drain_timeout;
  while (phase->outstanding.load() > 0 && absl::Now() < deadline) {
    absl::SleepFor(absl::Milliseconds(5));
  }
  return phase->outstanding.load() == 0;
}

bool LoadSession::Impl::CloseDesks() {
  for (auto& desk : desks_) desk->Close();
  auto all_ended = [&] { return desks_ended_.load() >= static_cast<int>(desks_.size()); };
  absl::Time deadline = absl::Now() + absl::Seconds(15);
  while (!all_ended() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(5));
  if (!all_ended()) {
    for (auto& desk : desks_) {
      if (!desk->done()) desk->Cancel();
    }
    deadline = absl::Now() + absl::Seconds(15);
    while (!all_ended() && absl::Now() < deadline) absl::SleepFor(absl::Milliseconds(5));
  }
  stop_threads_ = true;
  if (ticker_.joinable()) ticker_.join();
  if (sampler_.joinable()) sampler_.join();
  return all_ended();
}

int64_t LoadSession::Impl::SeqOf(const std::string& customer_id) const {
  absl::string_view id = customer_id;
  if (!absl::ConsumePrefix(&id, session_id_) || !absl::ConsumePrefix(&id, "-")) return -1;
  int64_t seq = -1;
  return absl::SimpleAtoi(id, &seq) ? seq : -1;
}

void LoadSession::Impl::OnOffer(const v1::Case& c) {
  PhaseState* phase = measured();
  if (phase == nullptr) return;
  phase->offers.fetch_add(1, std::memory_order_relaxed);
  const int64_t seq = SeqOf(c.customer_id());
  if (seq < 0 || seq >= kSeqCapacity) return;
  // The send time is negated once the case's first offer is seen: a second offer of the same
  // case (after a decline or a timeout) is not its submit-to-offer time.
  int64_t sent = sent_nanos_[seq].load(std::memory_order_acquire);
  if (sent > 0 &&
      sent_nanos_[seq].compare_exchange_strong(sent, -sent, std::memory_order_acq_rel)) {
    phase->offer_latency.Record(SinceNanos(sent));
  }
}

void LoadSession::Impl::OnCompleted(int64_t seq) {
  if (seq >= 0) completed_total_.fetch_add(1, std::memory_order_relaxed);
}

void LoadSession::Impl::OnDeskEnded(bool was_ready, bool closing, int code) {
  if (!was_ready) {
    setup_errors_.Add(code == 0 ? grpc::StatusCode::UNKNOWN : code);
    desks_failed_.fetch_add(1);
  } else if (!closing) {
    stream_ends_.Add(code);
  }
  desks_ended_.fetch_add(1);
}

void LoadSession::Impl::FillRequest(const PhaseState& phase, int64_t seq, bool burst,
                                    v1::SubmitCaseRequest* r, int* channel) const {
  const uint64_t h = Mix(options_.seed * 0x2545f4914f6cdd1dULL + static_cast<uint64_t>(seq));
  int ch = v1::CHANNEL_SOCIAL;
  if (!burst) {
    const std::array<double, 4>& mix = phase.options.channel_mix;
    const double total = mix[0] + mix[1] + mix[2] + mix[3];
    double u = static_cast<double>(h >> 11) * 0x1.0p-53 * total;
    ch = v1::CHANNEL_EMAIL;
    for (int i = 0; i < 4; ++i) {
      if (u < mix[i]) {
        ch = v1::CHANNEL_PHONE + i;
        break;
      }
      u -= mix[i];
    }
  }
  *channel = ch;
  const std::string id = absl::StrCat(session_id_, "-", seq);
  const std::string& topic = options_.topics[(h >> 7) % options_.topics.size()];
  r->set_channel(static_cast<v1::Channel>(ch));
  r->set_customer_id(id);
  r->set_idempotency_key(id);
  r->set_topic(topic);
  v1::SkillRequirement* skill = r->add_required_skills();
  skill->set_skill(topic);
  skill->set_min_proficiency(1);
  r->set_language("en");
  r->set_customer_value(static_cast<double>((h >> 17) % 5000));
  if (ch == v1::CHANNEL_SOCIAL) {
    r->set_is_public(burst || (h & 1) != 0);
    r->set_reach(static_cast<int64_t>(burst ? 1000 + (h >> 29) % 100000 : (h >> 29) % 5000));
  }
  // Plain ASCII words, so that the engine's sentiment estimate has something to read.
  std::string* subject = r->mutable_subject();
  const size_t bytes = static_cast<size_t>(phase.options.subject_bytes);
  subject->reserve(bytes);
  while (subject->size() < bytes) {
    subject->append("my order arrived late and the invoice is wrong, please help ");
  }
  subject->resize(bytes);
}

void LoadSession::Impl::Launch(PhaseState* phase, bool burst) {
  const PhaseOptions& o = phase->options;
  if (!burst && o.max_cases > 0 &&
      phase->normal_launched.fetch_add(1, std::memory_order_relaxed) >= o.max_cases) {
    return;
  }
  const int64_t seq = next_seq_.fetch_add(1, std::memory_order_relaxed);
  auto* call = new SubmitCall;
  call->phase = phase;
  call->burst = burst;
  FillRequest(*phase, seq, burst, &call->request, &call->channel);
  call->context.set_deadline(std::chrono::system_clock::now() +
                             absl::ToChronoNanoseconds(o.call_timeout));
  SubmitCounters& counters = burst ? phase->burst : phase->normal;
  if (burst || phase->measuring.load()) counters.sent.fetch_add(1, std::memory_order_relaxed);
  phase->outstanding.fetch_add(1, std::memory_order_relaxed);
  if (!burst) phase->normal_in_flight.fetch_add(1, std::memory_order_relaxed);
  call->sent_nanos = MonoNanos();
  if (seq < kSeqCapacity) sent_nanos_[seq].store(call->sent_nanos, std::memory_order_release);
  intake_[static_cast<size_t>(seq) % intake_.size()]->async()->SubmitCase(
      &call->context, &call->request, &call->response,
      [this, call](grpc::Status status) { OnSubmitDone(call, status); });
}

void LoadSession::Impl::OnSubmitDone(SubmitCall* call, const grpc::Status& status) {
  const absl::Duration latency = SinceNanos(call->sent_nanos);
  PhaseState* phase = call->phase;
  const bool burst = call->burst;
  SubmitCounters& counters = burst ? phase->burst : phase->normal;
  if (burst || phase->measuring.load(std::memory_order_relaxed)) {
    if (status.ok()) {
      counters.ok.fetch_add(1, std::memory_order_relaxed);
      counters.ack.Record(latency);
    } else {
      counters.errors[call->channel].Add(status.error_code());
      if (status.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
        counters.refusal.Record(latency);
      }
    }
  }
  if (status.ok()) ok_total_.fetch_add(1, std::memory_order_relaxed);
  if (burst) {
    phase->burst_answered.fetch_add(1, std::memory_order_relaxed);
  } else {
    phase->normal_answered.fetch_add(1, std::memory_order_relaxed);
    phase->normal_in_flight.fetch_sub(1, std::memory_order_relaxed);
  }
  delete call;
  if (!burst && phase->options.in_flight > 0 && phase->issuing.load(std::memory_order_relaxed)) {
    Launch(phase, false);
  }
  phase->outstanding.fetch_sub(1, std::memory_order_acq_rel);
}

void LoadSession::Impl::PaceOpenLoop(PhaseState* phase) {
  const int64_t start = MonoNanos();
  const double gap_nanos = 1e9 / phase->options.rate;
  for (int64_t i = 0; phase->issuing.load(); ++i) {
    if (phase->options.max_cases > 0 && i >= phase->options.max_cases) break;
    // A late pacer catches up at once: the schedule, not the pacer, sets the rate.
    SleepUntil(start + static_cast<int64_t>(i * gap_nanos), phase->issuing);
    if (!phase->issuing.load()) break;
    if (phase->normal_in_flight.load(std::memory_order_relaxed) >= phase->options.max_in_flight) {
      if (phase->measuring.load()) phase->normal.skipped.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    Launch(phase, false);
  }
}

void LoadSession::Impl::PaceBurst(PhaseState* phase) {
  const PhaseOptions& o = phase->options;
  const int64_t start = phase->window_open_nanos + absl::ToInt64Nanoseconds(o.burst_at);
  const double gap_nanos = absl::ToDoubleNanoseconds(o.burst_length) / o.burst_cases;
  for (int i = 0; i < o.burst_cases && phase->issuing.load(); ++i) {
    SleepUntil(start + static_cast<int64_t>(i * gap_nanos), phase->issuing);
    if (!phase->issuing.load()) break;
    Launch(phase, true);
  }
}

void LoadSession::Impl::Tick() {
  while (!stop_threads_.load()) {
    const int64_t now = MonoNanos();
    for (auto& desk : desks_) desk->Tick(now);
    absl::SleepFor(absl::Milliseconds(100));
  }
}

void LoadSession::Impl::Sample() {
  while (!stop_threads_.load()) {
    if (measured() != nullptr) {
      absl::StatusOr<ProcessUsage> usage = ReadProcessUsage(options_.server_pid);
      if (usage.ok()) {
        absl::MutexLock lock(&peak_mu_);
        threads_peak_ = std::max(threads_peak_, usage->threads);
        rss_peak_ = std::max(rss_peak_, usage->rss_bytes);
      }
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
}

LoadResult LoadSession::Impl::Result(const PhaseState& phase) const {
  LoadResult r;
  r.window = window_;
  r.normal = phase.normal.Get();
  r.burst = phase.burst.Get();
  r.desks.requested = options_.desks;
  r.desks.connected = desks_ready_.load();
  r.desks.setup_errors = setup_errors_.Get();
  r.desks.offers = phase.offers.load();
  r.desks.accepts = phase.accepts.load();
  r.desks.completes = phase.completes.load();
  r.desks.revoked = phase.revoked.load();
  r.desks.action_errors = phase.action_errors.Get();
  r.desks.stream_ends = stream_ends_.Get();
  r.desks.offer = PercentilesOf(phase.offer_latency);
  if (server_start_ && server_end_) {
    r.server.measured = true;
    r.server.cpu = server_end_->cpu - server_start_->cpu;
    r.server.threads_start = server_start_->threads;
    r.server.threads_end = server_end_->threads;
    r.server.rss_start = server_start_->rss_bytes;
    r.server.rss_end = server_end_->rss_bytes;
    absl::MutexLock lock(&peak_mu_);
    r.server.threads_peak = std::max(threads_peak_, server_end_->threads);
    r.server.rss_peak = std::max(rss_peak_, server_end_->rss_bytes);
  }
  if (redis_start_ && redis_end_) {
    r.redis.measured = true;
    r.redis.round_trips = redis_end_->round_trips - redis_start_->round_trips;
    r.redis.commands = redis_end_->commands - redis_start_->commands;
  }
  if (client_start_ && client_end_) r.client_cpu = client_end_->cpu - client_start_->cpu;
  return r;
}

// --- LoadSession ---

absl::StatusOr<std::unique_ptr<LoadSession>> LoadSession::Open(const SessionOptions& options) {
  if (absl::Status s = ValidateSessionOptions(options); !s.ok()) return s;
  auto impl = std::make_unique<Impl>(options);
  const absl::Time start = absl::Now();
  absl::Status status = impl->Connect();
  if (status.ok() && options.desks > 0) {
    if (options.create_agents) status = impl->CreateAgents();
    if (status.ok()) status = impl->ConnectDesks();
  }
  impl->set_setup_time(absl::Now() - start);
  if (!status.ok()) {
    // Close what connected; if some stream would not end, its reactor still refers to the
    // session, which must then outlive it.
    if (!impl->CloseDesks()) impl.release();
    return status;
  }
  return std::unique_ptr<LoadSession>(new LoadSession(impl.release()));
}

LoadSession::~LoadSession() {
  if (impl_->CloseDesks()) delete impl_;
}

absl::StatusOr<LoadResult> LoadSession::Run(const PhaseOptions& phase) { return impl_->Run(phase); }

absl::Status LoadSession::WaitUntilCompleted(absl::Duration timeout) {
  return impl_->WaitUntilCompleted(timeout);
}

absl::Duration LoadSession::setup_time() const { return impl_->setup_time(); }

absl::StatusOr<LoadResult> RunLoad(const SessionOptions& session, const PhaseOptions& phase) {
  absl::StatusOr<std::unique_ptr<LoadSession>> load = LoadSession::Open(session);
  if (!load.ok()) return load.status();
  return (*load)->Run(phase);
}

// --- results and options ---

CodeCounts SubmitResult::errors() const {
  CodeCounts total{};
  for (const CodeCounts& by_code : errors_by_channel) {
    for (int code = 0; code < kGrpcCodes; ++code) total[code] += by_code[code];
  }
  return total;
}

int64_t SubmitResult::error_total() const {
  int64_t n = 0;
  for (int64_t e : errors()) n += e;
  return n;
}

double LoadResult::throughput() const {
  const double seconds = absl::ToDoubleSeconds(window);
  return seconds > 0 ? normal.ok / seconds : 0;
}

absl::Status ValidateSessionOptions(const SessionOptions& o) {
  if (!absl::StartsWith(o.target, "127.0.0.1:")) {
    return absl::InvalidArgumentError("target: 127.0.0.1:<port> only (load stays on this machine)");
  }
  if (o.submit_connections < 1 || o.submit_connections > 64) {
    return absl::InvalidArgumentError("submit_connections: 1-64");
  }
  if (o.desk_connections < 1 || o.desk_connections > 64) {
    return absl::InvalidArgumentError("desk_connections: 1-64");
  }
  if (o.topics.empty()) return absl::InvalidArgumentError("topics: at least one");
  if (o.desks < 0 || o.desks > 100000) return absl::InvalidArgumentError("desks: 0-100000");
  if (o.setup_parallelism < 1) return absl::InvalidArgumentError("setup_parallelism: >= 1");
  if (o.setup_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("setup_timeout: > 0");
  }
  if (o.handle_time < absl::ZeroDuration()) return absl::InvalidArgumentError("handle_time: >= 0");
  if (o.redis_port < 0 || o.redis_port > 65535) {
    return absl::InvalidArgumentError("redis_port: 0-65535");
  }
  return absl::OkStatus();
}

absl::Status ValidatePhaseOptions(const PhaseOptions& o) {
  if (o.in_flight < 0 || o.in_flight > 100000) {
    return absl::InvalidArgumentError("in_flight: 0-100000");
  }
  if (o.in_flight == 0 && !(o.rate > 0 && o.rate <= 1e6)) {
    return absl::InvalidArgumentError("rate: (0, 1000000] cases/s when in_flight is 0");
  }
  if (o.max_in_flight < 1) return absl::InvalidArgumentError("max_in_flight: >= 1");
  double mix = 0;
  for (double w : o.channel_mix) {
    if (!(w >= 0)) return absl::InvalidArgumentError("channel_mix: weights must be >= 0");
    mix += w;
  }
  if (mix <= 0) return absl::InvalidArgumentError("channel_mix: some weight must be positive");
  if (o.subject_bytes < 1 || o.subject_bytes > 8192) {
    return absl::InvalidArgumentError("subject_bytes: 1-8192");
  }
  if (o.call_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("call_timeout: > 0");
  }
  if (o.warmup < absl::ZeroDuration()) return absl::InvalidArgumentError("warmup: >= 0");
  if (o.duration <= absl::ZeroDuration() || o.duration > absl::Hours(1)) {
    return absl::InvalidArgumentError("duration: (0, 1h]");
  }
  if (o.burst_cases < 0 || o.burst_cases > 1000000) {
    return absl::InvalidArgumentError("burst_cases: 0-1000000");
  }
  if (o.burst_cases > 0 &&
      (o.burst_length <= absl::ZeroDuration() || o.burst_at < absl::ZeroDuration())) {
    return absl::InvalidArgumentError("burst_length: > 0 and burst_at: >= 0");
  }
  return absl::OkStatus();
}

absl::Status WaitForServing(const std::string& target, absl::Duration timeout,
                            const ClientSecurity& security) {
  if (!absl::StartsWith(target, "127.0.0.1:")) {
    return absl::InvalidArgumentError("target: 127.0.0.1:<port> only");
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> opened = OpenChannel(target, security, "");
  if (!opened.ok()) return opened.status();
  std::shared_ptr<grpc::Channel> channel = *std::move(opened);
  grpc::GenericStub stub(channel);
  const absl::Time deadline = absl::Now() + timeout;
  std::string last = "no answer";
  while (absl::Now() < deadline) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(1));
    // HealthCheckRequest{service: ""} is the empty message.
    grpc::Slice empty("");
    grpc::ByteBuffer request(&empty, 1);
    grpc::ByteBuffer response;
    absl::Notification done;
    grpc::Status result;
    stub.UnaryCall(&context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request,
                   &response, [&](grpc::Status s) {
                     result = std::move(s);
                     done.Notify();
                   });
    done.WaitForNotification();
    if (result.ok()) {
      grpc::Slice slice;
      // HealthCheckResponse{status: SERVING} is the two bytes 08 01.
      if (response.DumpToSingleSlice(&slice).ok() && slice.size() == 2 &&
          slice.begin()[0] == 0x08 && slice.begin()[1] == 0x01) {
        return absl::OkStatus();
      }
      last = "not SERVING";
    } else {
      last = result.error_message();
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  return absl::UnavailableError(absl::StrCat(target, " health: ", last));
}

}  // namespace caserouter::load
