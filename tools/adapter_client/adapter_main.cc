// caserouter-adapter: a channel adapter on the command line — submit, cancel, read and add
// to cases, or replay a whole case stream.
//
//   caserouter-adapter submit --channel=chat --customer_id=cust-1 --topic=billing
//       --skills=billing:5 --subject="I was charged twice" --customer_value=250
//   caserouter-adapter get --case_id=c-000001
//   caserouter-adapter message --case_id=c-000001 --text="any news?"
//   caserouter-adapter cancel --case_id=c-000001 --reason=customer_left
//   caserouter-adapter replay                                   # synthetic, 2 cases/s, 60 s
//   caserouter-adapter replay --trace=bank --speed=120 --seconds=300
//   caserouter-adapter replay --trace=twcs --path=twcs.csv --max_cases=500 --speed=60
//   caserouter-adapter follow                          # the events of this adapter's cases
//   caserouter-adapter follow --after=1733100000000-0 --max_events=10
//
// follow prints the events of the cases this adapter submitted (CaseIntakeService.FollowCases,
// docs/events.md), one line each: the event id (resume with --after=<id>), its time, type,
// case, agent and — for an agent with one — the agent's contact address. It reconnects and
// resumes on its own (tools/adapter_client/case_follower.h); --target may list several
// addresses, comma-separated. replay follows the same events while it submits (--events) and
// reports from them how many of its cases were offered, assigned, completed, cancelled or
// expired, and the mean wait from submission to assignment: no GetCase polling.
//
// replay submits each case at its arrival time divided by --speed, with the trace's
// idempotency keys (prefixed by --key_prefix, so a second run can submit the same trace
// again), from --concurrency parallel callers, and prints progress every second. It replays
// first contacts only: a trace's follow-up messages (twcs threads) are not sent.
//
// Security (docs/security.md): TLS by default, --tls_ca names the router's CA; the adapter
// authenticates with --token_file (a bearer token for role adapter) or a client certificate
// (--tls_cert, --tls_key); --plaintext only for a router started so.
//
// Exit codes: 0 done, 1 the router answered an error or could not be reached, 2 bad flags.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "caserouter/v1/case_intake.grpc.pb.h"
#include "proto/enum_words.h"
#include "router/service/proto_convert.h"
#include "tools/adapter_client/case_follower.h"
#include "tools/adapter_client/synthetic_workload.h"
#include "tools/client_auth/client_flags.h"
#include "tools/replay/bank_trace.h"
#include "tools/replay/trace.h"
#include "tools/replay/twcs_trace.h"

#ifndef CASEROUTER_DATA_DIR
#define CASEROUTER_DATA_DIR "../shared/data"
#endif

ABSL_FLAG(std::string, target, "127.0.0.1:50051",
          "the router's gRPC address; follow and replay's events: several, comma-separated");
ABSL_FLAG(absl::Duration, timeout, absl::Seconds(10), "deadline of each call");
// submit
ABSL_FLAG(std::string, channel, "chat", "submit: phone, chat, social or email");
ABSL_FLAG(std::string, customer_id, "", "submit: stable customer id");
ABSL_FLAG(std::string, topic, "general", "submit: what the case is about");
ABSL_FLAG(std::string, skills, "", "submit: required skills, name:min_proficiency,...");
ABSL_FLAG(std::string, language, "", "submit: language the customer needs (\"\" = any)");
ABSL_FLAG(int64_t, authority_needed, 0, "submit: credit/refund the resolution needs");
ABSL_FLAG(double, customer_value, 0, "submit: customer value (lifetime value or tier)");
ABSL_FLAG(std::string, sentiment, "", "submit: -1..1; empty = let the router estimate it");
ABSL_FLAG(int64_t, reach, 0, "submit: followers of a public social post");
ABSL_FLAG(bool, public, false, "submit: a public post (vs. a private message)");
ABSL_FLAG(int, priority, 0, "submit: explicit priority 0-100");
ABSL_FLAG(std::string, subject, "", "submit: the customer's message");
ABSL_FLAG(std::string, idempotency_key, "",
          "submit: retry key; empty = a fresh one (printed, so a retry can reuse it)");
// cancel, get, message
ABSL_FLAG(std::string, case_id, "", "cancel/get/message: the case");
ABSL_FLAG(std::string, reason, "customer_left",
          "cancel: customer_left, post_deleted, duplicate or other");
ABSL_FLAG(std::string, text, "", "message: the customer's further message");
// replay
ABSL_FLAG(std::string, trace, "synthetic", "replay: synthetic, bank or twcs");
ABSL_FLAG(std::string, path, "", "replay: the trace file (default: the shared data set)");
ABSL_FLAG(double, speed, 1, "replay: times real time (60 = an hour of trace per minute)");
ABSL_FLAG(int64_t, max_cases, 0, "replay: at most this many cases (0 = all)");
ABSL_FLAG(double, seconds, 0,
          "replay: stop after this many seconds of wall time (0 = the whole trace; synthetic: "
          "60)");
ABSL_FLAG(double, rate, 2, "replay synthetic: cases per second of trace time");
ABSL_FLAG(int, customers, 500, "replay synthetic: size of the customer pool");
ABSL_FLAG(uint64_t, seed, 1, "replay synthetic: random seed");
ABSL_FLAG(std::string, key_prefix, "", "replay: prefix for the idempotency keys");
ABSL_FLAG(int, concurrency, 8, "replay: calls in flight at most");
ABSL_FLAG(bool, events, true,
          "replay: follow this adapter's case events and report assignments from them");
// follow
ABSL_FLAG(std::string, after, "",
          "follow: the last event id handled (\"\" = from now, \"0\" = every event kept)");
ABSL_FLAG(int64_t, max_events, 0, "follow: exit after this many events (0 = until Ctrl-C)");

namespace caserouter {
namespace {

constexpr int kExitError = 1;
constexpr int kExitBadFlags = 2;

volatile std::sig_atomic_t interrupted = 0;
extern "C" void OnInterrupt(int) { interrupted = 1; }

int BadFlags(absl::string_view message) {
  absl::FPrintF(stderr, "caserouter-adapter: %s\n", message);
  return kExitBadFlags;
}

int RpcError(const grpc::Status& status) {
  absl::FPrintF(stderr, "caserouter-adapter: %s: %s\n",
                absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())),
                status.error_message());
  return kExitError;
}

void SetDeadline(grpc::ClientContext* context) {
  context->set_deadline(absl::ToChronoTime(absl::Now() + absl::GetFlag(FLAGS_timeout)));
}

void PrintCase(const v1::Case& c) {
  absl::PrintF("case %s  %s  %s  topic=%s  customer=%s", c.case_id(), EnumWord(c.state()),
               EnumWord(c.channel()), c.topic(), c.customer_id());
  if (!c.agent_id().empty()) absl::PrintF("  agent=%s", c.agent_id());
  if (c.end_reason() != v1::END_REASON_UNSPECIFIED) {
    absl::PrintF("  reason=%s", EnumWord(c.end_reason()));
  }
  if (!c.repeat_of().empty()) absl::PrintF("  repeat_of=%s", c.repeat_of());
  absl::PrintF("\n  priority %.2f =", c.priority());
  for (int i = 0; i < c.priority_terms_size(); ++i) {
    absl::PrintF("%s %s %.2f", i == 0 ? "" : " +", c.priority_terms(i).name(),
                 c.priority_terms(i).value());
  }
  absl::PrintF("\n");
  if (c.state() == v1::CASE_STATE_COMPLETED) {
    absl::PrintF("  outcome: %s, csat %d%s\n", c.outcome().resolved() ? "resolved" : "unresolved",
                 c.outcome().csat(), c.outcome().follow_up_needed() ? ", follow-up needed" : "");
  }
  if (!c.subject().empty()) absl::PrintF("  subject: %s\n", c.subject());
  for (const std::string& m : c.messages()) absl::PrintF("  message: %s\n", m);
}

absl::StatusOr<v1::SubmitCaseRequest> SubmitFromFlags() {
  v1::SubmitCaseRequest r;
  std::optional<v1::Channel> channel = EnumFromWord<v1::Channel>(absl::GetFlag(FLAGS_channel));
  if (!channel.has_value()) {
    return absl::InvalidArgumentError("channel: one of phone, chat, social, email");
  }
  r.set_channel(*channel);
  r.set_customer_id(absl::GetFlag(FLAGS_customer_id));
  r.set_topic(absl::GetFlag(FLAGS_topic));
  for (absl::string_view item :
       absl::StrSplit(absl::GetFlag(FLAGS_skills), ',', absl::SkipWhitespace())) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(item, ':');
    int level = 0;
    if (kv.first.empty() || !absl::SimpleAtoi(kv.second, &level)) {
      return absl::InvalidArgumentError("skills: expected name:min_proficiency,...");
    }
    v1::SkillRequirement* s = r.add_required_skills();
    s->set_skill(std::string(kv.first));
    s->set_min_proficiency(level);
  }
  r.set_language(absl::GetFlag(FLAGS_language));
  r.set_authority_needed(absl::GetFlag(FLAGS_authority_needed));
  r.set_customer_value(absl::GetFlag(FLAGS_customer_value));
  if (const std::string s = absl::GetFlag(FLAGS_sentiment); !s.empty()) {
    double sentiment = 0;
    if (!absl::SimpleAtod(s, &sentiment)) {
      return absl::InvalidArgumentError("sentiment: a number -1..1");
    }
    r.set_sentiment(sentiment);
  }
  r.set_reach(absl::GetFlag(FLAGS_reach));
  r.set_is_public(absl::GetFlag(FLAGS_public));
  r.set_explicit_priority(absl::GetFlag(FLAGS_priority));
  r.set_subject(absl::GetFlag(FLAGS_subject));
  std::string key = absl::GetFlag(FLAGS_idempotency_key);
  if (key.empty()) key = absl::StrCat("adapter-", absl::ToUnixNanos(absl::Now()), "-", getpid());
  r.set_idempotency_key(key);
  return r;
}

v1::SubmitCaseRequest RequestFromSpec(const CaseSpec& spec, const std::string& key_prefix) {
  v1::SubmitCaseRequest r;
  r.set_channel(ChannelToProto(spec.channel));
  r.set_customer_id(spec.customer_id);
  r.set_topic(spec.topic);
  for (const SkillRequirement& s : spec.required_skills) {
    v1::SkillRequirement* p = r.add_required_skills();
    p->set_skill(s.skill);
    p->set_min_proficiency(s.min_proficiency);
  }
  r.set_language(spec.language);
  r.set_authority_needed(spec.authority_needed);
  r.set_customer_value(spec.customer_value);
  if (spec.has_sentiment) r.set_sentiment(spec.sentiment);
  r.set_reach(spec.reach);
  r.set_is_public(spec.is_public);
  r.set_explicit_priority(spec.explicit_priority);
  r.set_subject(spec.subject);
  r.set_idempotency_key(absl::StrCat(key_prefix, spec.idempotency_key));
  return r;
}

int Submit(v1::CaseIntakeService::Stub* stub) {
  absl::StatusOr<v1::SubmitCaseRequest> request = SubmitFromFlags();
  if (!request.ok()) return BadFlags(request.status().message());
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::SubmitCaseResponse response;
  grpc::Status status = stub->SubmitCase(&context, *request, &response);
  if (!status.ok()) {
    absl::FPrintF(stderr, "caserouter-adapter: retry with --idempotency_key=%s\n",
                  request->idempotency_key());
    return RpcError(status);
  }
  PrintCase(response.case_());
  absl::PrintF("  idempotency_key=%s%s%s\n", request->idempotency_key(),
               response.deduplicated() ? "  (a retry: the case already existed)" : "",
               response.joined() ? "  (joined the customer's open case)" : "");
  return 0;
}

int Cancel(v1::CaseIntakeService::Stub* stub) {
  std::optional<v1::CancelReason> reason =
      EnumFromWord<v1::CancelReason>(absl::GetFlag(FLAGS_reason));
  if (!reason.has_value()) {
    return BadFlags("reason: one of customer_left, post_deleted, duplicate, other");
  }
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::CancelCaseRequest request;
  request.set_case_id(absl::GetFlag(FLAGS_case_id));
  request.set_reason(*reason);
  v1::CancelCaseResponse response;
  grpc::Status status = stub->CancelCase(&context, request, &response);
  if (!status.ok()) return RpcError(status);
  PrintCase(response.case_());
  return 0;
}

int Get(v1::CaseIntakeService::Stub* stub) {
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::GetCaseRequest request;
  request.set_case_id(absl::GetFlag(FLAGS_case_id));
  v1::GetCaseResponse response;
  grpc::Status status = stub->GetCase(&context, request, &response);
  if (!status.ok()) return RpcError(status);
  PrintCase(response.case_());
  return 0;
}

int Message(v1::CaseIntakeService::Stub* stub) {
  grpc::ClientContext context;
  SetDeadline(&context);
  v1::AddMessageRequest request;
  request.set_case_id(absl::GetFlag(FLAGS_case_id));
  request.set_text(absl::GetFlag(FLAGS_text));
  v1::AddMessageResponse response;
  grpc::Status status = stub->AddMessage(&context, request, &response);
  if (!status.ok()) return RpcError(status);
  PrintCase(response.case_());
  return 0;
}

// --- events ---

std::string EventLine(const v1::RoutingEvent& e) {
  std::string line = absl::StrCat(e.event_id(), "  ",
                                  absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ",
                                                   absl::FromUnixSeconds(e.time().seconds()) +
                                                       absl::Nanoseconds(e.time().nanos()),
                                                   absl::UTCTimeZone()),
                                  "  ", e.type(), "  case=", e.case_id());
  if (!e.agent_id().empty()) absl::StrAppend(&line, "  agent=", e.agent_id());
  if (!e.agent_contact_address().empty()) {
    absl::StrAppend(&line, "  contact=", e.agent_contact_address());
  }
  if (!e.detail().empty()) absl::StrAppend(&line, "  detail=", e.detail());
  return line;
}

std::vector<std::string> Targets() {
  return absl::StrSplit(absl::GetFlag(FLAGS_target), ',', absl::SkipWhitespace());
}

CaseFollower::ChannelFactory FollowerChannels(const std::string& token) {
  const ClientSecurity security = ClientSecurityFromFlags();
  return [security, token](const std::string& target) {
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = OpenChannel(target, security, token);
    // The flags were checked when the first channel was opened.
    return channel.ok() ? *channel
                        : grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
  };
}

int Follow(const std::string& token) {
  const int64_t max_events = absl::GetFlag(FLAGS_max_events);
  std::signal(SIGINT, OnInterrupt);
  std::signal(SIGTERM, OnInterrupt);
  std::atomic<int64_t> printed{0};
  std::atomic<bool> gave_up{false};
  grpc::Status last_end;
  absl::Mutex end_mu;
  CaseFollower follower(
      Targets(),
      CaseFollower::Options{.after_event_id = absl::GetFlag(FLAGS_after),
                            .token = "",  // the channel's
                            .channel_factory = FollowerChannels(token)},
      [&](const v1::RoutingEvent& e) {
        absl::PrintF("%s\n", EventLine(e));
        std::fflush(stdout);
        ++printed;
      },
      [&](const grpc::Status& end, bool resuming) {
        if (!resuming) gave_up = true;
        absl::MutexLock lock(&end_mu);
        last_end = end;
        if (resuming && !interrupted) {
          absl::FPrintF(stderr, "caserouter-adapter: feed ended (%s); resuming\n",
                        end.error_message());
        }
      });
  follower.Start();
  while (!interrupted && !gave_up && (max_events == 0 || printed < max_events)) {
    absl::SleepFor(absl::Milliseconds(50));
  }
  follower.Stop();
  if (gave_up && !interrupted && (max_events == 0 || printed < max_events)) {
    absl::MutexLock lock(&end_mu);
    return RpcError(last_end);
  }
  absl::FPrintF(stderr, "caserouter-adapter: last event id %s\n", follower.last_event_id());
  return 0;
}

// What the replay learns of its cases from their events.
class ReplayOutcomes {
 public:
  void Add(const v1::RoutingEvent& e) {
    absl::MutexLock lock(&mu_);
    const absl::Time at =
        absl::FromUnixSeconds(e.time().seconds()) + absl::Nanoseconds(e.time().nanos());
    if (e.type() == "submitted") {
      submitted_at_[e.case_id()] = at;
    } else if (e.type() == "offered") {
      ++offered_;
    } else if (e.type() == "accepted") {
      if (auto it = submitted_at_.find(e.case_id()); it != submitted_at_.end()) {
        wait_ += at - it->second;
        ++waited_;
        submitted_at_.erase(it);
      }
      ++assigned_;
    } else if (e.type() == "completed") {
      ++completed_;
    } else if (e.type() == "cancelled") {
      ++cancelled_;
    } else if (e.type() == "expired") {
      ++expired_;
    }
  }
  std::string Line() {
    absl::MutexLock lock(&mu_);
    return absl::StrFormat(
        "events: offered=%d assigned=%d completed=%d cancelled=%d expired=%d "
        "mean_wait_to_assign=%s",
        offered_, assigned_, completed_, cancelled_, expired_,
        waited_ == 0 ? std::string("-")
                     : absl::FormatDuration(absl::Trunc(wait_ / waited_, absl::Milliseconds(1))));
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, absl::Time> submitted_at_ ABSL_GUARDED_BY(mu_);
  int64_t offered_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t assigned_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t completed_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t cancelled_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t expired_ ABSL_GUARDED_BY(mu_) = 0;
  absl::Duration wait_ ABSL_GUARDED_BY(mu_);
  int64_t waited_ ABSL_GUARDED_BY(mu_) = 0;
};

// --- replay ---

absl::StatusOr<Trace> LoadTrace() {
  const std::string kind = absl::GetFlag(FLAGS_trace);
  const int64_t max_cases = absl::GetFlag(FLAGS_max_cases);
  std::string path = absl::GetFlag(FLAGS_path);
  if (kind == "synthetic") {
    SyntheticOptions options;
    options.seed = absl::GetFlag(FLAGS_seed);
    options.cases_per_second = absl::GetFlag(FLAGS_rate);
    options.customers = absl::GetFlag(FLAGS_customers);
    double seconds = absl::GetFlag(FLAGS_seconds);
    if (seconds <= 0) seconds = 60;
    // Enough trace time to fill the wall-clock run at the chosen speed.
    options.duration = absl::Seconds(seconds * absl::GetFlag(FLAGS_speed));
    if (max_cases > 0) options.max_cases = max_cases;
    if (absl::Status s = ValidateSyntheticOptions(options); !s.ok()) return s;
    return GenerateSyntheticTrace(options);
  }
  if (kind == "bank") {
    if (path.empty()) {
      path = absl::StrCat(CASEROUTER_DATA_DIR, "/anonymous-bank/anonymous_bank_february_1999.tsv");
    }
    BankTraceOptions options;
    if (max_cases > 0) options.max_cases = max_cases;
    return ReadBankTraceFile(path, options);
  }
  if (kind == "twcs") {
    if (path.empty()) path = absl::StrCat(CASEROUTER_DATA_DIR, "/twcs-sample/twcs_first5000.csv");
    TwcsTraceOptions options;
    if (max_cases > 0) options.max_cases = max_cases;
    return ReadTwcsTraceFile(path, options);
  }
  return absl::InvalidArgumentError("trace: one of synthetic, bank, twcs");
}

class Replay {
 public:
  Replay(v1::CaseIntakeService::Stub* stub, int concurrency) : stub_(stub) {
    for (int i = 0; i < concurrency; ++i) workers_.emplace_back([this] { Work(); });
  }

  void Push(v1::SubmitCaseRequest request) {
    absl::MutexLock lock(&mu_);
    queue_.push_back(std::move(request));
    ++submitted_;
  }

  // Waits for the calls still queued or in flight, then stops the workers.
  void Finish() {
    {
      absl::MutexLock lock(&mu_);
      done_ = true;
    }
    for (std::thread& t : workers_) t.join();
  }

  void PrintProgress(absl::Duration elapsed, FILE* out) {
    absl::MutexLock lock(&mu_);
    const double seconds = std::max(absl::ToDoubleSeconds(elapsed), 1e-3);
    absl::FPrintF(out,
                  "t=%.0fs submitted=%d accepted=%d deduplicated=%d errors=%d rate=%.1f/s "
                  "backlog=%d\n",
                  seconds, submitted_, accepted_, deduplicated_, errors_,
                  (accepted_ + errors_) / seconds, queue_.size() + in_flight_);
    for (const auto& [code, n] : errors_by_code_) {
      if (out == stdout) absl::FPrintF(out, "  %s: %d\n", code, n);
    }
    std::fflush(out);
  }

  int errors() {
    absl::MutexLock lock(&mu_);
    return errors_;
  }

 private:
  void Work() {
    for (;;) {
      v1::SubmitCaseRequest request;
      {
        absl::MutexLock lock(&mu_);
        auto ready = [this]()
                         ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return done_ || !queue_.empty(); };
        mu_.Await(absl::Condition(&ready));
        if (queue_.empty()) return;
        request = std::move(queue_.front());
        queue_.pop_front();
        ++in_flight_;
      }
      grpc::ClientContext context;
      SetDeadline(&context);
      v1::SubmitCaseResponse response;
      grpc::Status status = stub_->SubmitCase(&context, request, &response);
      absl::MutexLock lock(&mu_);
      --in_flight_;
      if (status.ok()) {
        ++accepted_;
        if (response.deduplicated()) ++deduplicated_;
      } else {
        ++errors_;
        ++errors_by_code_[absl::StatusCodeToString(
            static_cast<absl::StatusCode>(status.error_code()))];
      }
    }
  }

  v1::CaseIntakeService::Stub* const stub_;
  absl::Mutex mu_;
  std::deque<v1::SubmitCaseRequest> queue_ ABSL_GUARDED_BY(mu_);
  bool done_ ABSL_GUARDED_BY(mu_) = false;
  int64_t submitted_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t accepted_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t deduplicated_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t errors_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t in_flight_ ABSL_GUARDED_BY(mu_) = 0;
  std::map<std::string, int64_t> errors_by_code_ ABSL_GUARDED_BY(mu_);
  std::vector<std::thread> workers_;
};

int RunReplay(v1::CaseIntakeService::Stub* stub, const std::string& token) {
  const double speed = absl::GetFlag(FLAGS_speed);
  if (!(speed > 0)) return BadFlags("speed: must be positive");
  if (absl::GetFlag(FLAGS_concurrency) < 1) return BadFlags("concurrency: at least 1");
  absl::StatusOr<Trace> trace = LoadTrace();
  if (!trace.ok()) {
    return absl::IsInvalidArgument(trace.status()) || absl::IsNotFound(trace.status())
               ? BadFlags(trace.status().message())
               : RpcError(grpc::Status(grpc::StatusCode::INTERNAL,
                                       std::string(trace.status().message())));
  }
  const double seconds = absl::GetFlag(FLAGS_seconds);
  const absl::Duration limit = seconds > 0 ? absl::Seconds(seconds) : absl::InfiniteDuration();
  absl::FPrintF(stderr, "replaying %s: %d cases over %s of trace time at %gx\n", trace->name,
                trace->cases.size(),
                absl::FormatDuration(trace->cases.empty() ? absl::ZeroDuration()
                                                          : trace->cases.back().arrival),
                speed);
  std::signal(SIGINT, OnInterrupt);
  std::signal(SIGTERM, OnInterrupt);

  // The events of this adapter's cases from now on. The feed takes its position at its first
  // read, within a fraction of a second: the replay starts after a short pause so that its
  // first cases' events are not before it.
  ReplayOutcomes outcomes;
  std::unique_ptr<CaseFollower> follower;
  if (absl::GetFlag(FLAGS_events)) {
    follower = std::make_unique<CaseFollower>(
        Targets(),
        CaseFollower::Options{.after_event_id = "",  // from now
                              .token = "",           // the channel's
                              .channel_factory = FollowerChannels(token)},
        [&outcomes](const v1::RoutingEvent& e) { outcomes.Add(e); }, nullptr);
    follower->Start();
    absl::SleepFor(absl::Seconds(1));
  }
  const std::string prefix = absl::GetFlag(FLAGS_key_prefix);
  Replay replay(stub, absl::GetFlag(FLAGS_concurrency));
  const absl::Time start = absl::Now();
  absl::Time next_progress = start + absl::Seconds(1);
  for (const TraceCase& c : trace->cases) {
    const absl::Duration offset = c.arrival / speed;
    if (offset >= limit) break;
    const absl::Time due = start + offset;
    // Sleep in short slices: progress lines keep coming and Ctrl-C is noticed.
    while (absl::Now() < due && !interrupted) {
      absl::SleepFor(std::min(due - absl::Now(), absl::Milliseconds(100)));
      if (absl::Now() >= next_progress) {
        replay.PrintProgress(absl::Now() - start, stderr);
        if (follower != nullptr) absl::FPrintF(stderr, "  %s\n", outcomes.Line());
        next_progress += absl::Seconds(1);
      }
    }
    if (interrupted) break;
    replay.Push(RequestFromSpec(c.spec, prefix));
  }
  replay.Finish();
  replay.PrintProgress(absl::Now() - start, stdout);
  if (follower != nullptr) {
    absl::SleepFor(absl::Seconds(1));  // the last cases' first events
    follower->Stop();
    absl::PrintF("%s\n", outcomes.Line());
  }
  return replay.errors() == 0 ? 0 : kExitError;
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "caserouter-adapter submit|cancel|get|message|replay|follow [flags]: a channel adapter for "
      "caserouter on the command line.");
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  if (rest.size() != 2)
    return BadFlags("expected one command: submit, cancel, get, message, replay, follow");
  const std::string command = rest[1];
  absl::StatusOr<std::string> token = TokenFromFlags();
  if (!token.ok()) return BadFlags(std::string(token.status().message()));
  const std::vector<std::string> targets = Targets();
  if (targets.empty()) return BadFlags("target: required");
  absl::StatusOr<std::shared_ptr<grpc::Channel>> opened =
      OpenChannel(targets.front(), ClientSecurityFromFlags(), *token);
  if (!opened.ok()) return BadFlags(std::string(opened.status().message()));
  std::shared_ptr<grpc::Channel> channel = *std::move(opened);
  std::unique_ptr<v1::CaseIntakeService::Stub> stub = v1::CaseIntakeService::NewStub(channel);
  if (command == "submit") return Submit(stub.get());
  if (command == "cancel") return Cancel(stub.get());
  if (command == "get") return Get(stub.get());
  if (command == "message") return Message(stub.get());
  if (command == "replay") return RunReplay(stub.get(), *token);
  if (command == "follow") return Follow(*token);
  return BadFlags(absl::StrCat("unknown command \"", command, "\""));
}

}  // namespace
}  // namespace caserouter

int main(int argc, char** argv) { return caserouter::Main(argc, argv); }
