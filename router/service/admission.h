// Admission: which submissions the gRPC layer refuses at once, before they reach the engine.
//
// Why before the tick: the engine refuses a submission beyond limits.max_queue only when the
// tick runs it, after the commands queued before it, so a refusal waited for a tick and its
// commit (p50 227 ms under a burst), and a burst of public posts was refused no sooner and no
// differently than the calls behind it. Admission answers in the handler, from counts:
//
//   1. Queue room. `occupied` = the engine's open cases as of its last commit
//      (Engine::OpenCaseSnapshot) + the submissions admitted and not yet answered + those
//      answered with a new case that the engine has not published yet (it publishes at the end
//      of a tick, after the tick's answers, with a new version: an answer seen before a
//      version is in that version's count, so nothing is counted twice or missed). At
//      limits.max_queue every channel is refused ("queue_full"). Social and email are refused
//      earlier, once `occupied` reaches max_queue - ceil(max_queue x live_reserve_share)
//      ("live_reserve"): that room is kept for phone and chat, where a person waits on the
//      line, so a social burst cannot push them out.
//   2. Room among the calls in flight. Social and email submissions admitted and not yet
//      answered may hold at most max_calls_in_flight x (1 - live_reserve_share) of the
//      server's places for unary calls (call_limiter.h) ("live_reserve"), so a burst of posts
//      waiting for the engine cannot take the places phone and chat need.
//   3. Rate. Each channel with a rate has a token bucket holding `burst` submissions and
//      refilling at `rate_per_second`; a submission finding it empty is refused ("rate").
//      Phone and chat have no rate by default.
//
// The room checks come first and take no token, so a full queue does not drain a channel's
// bucket. A refusal is RESOURCE_EXHAUSTED naming the channel and the limit (never the
// request's content); the adapter retries later with the same idempotency key. The engine's
// own max_queue check stays the rule (cases also close between publications, so the count is
// an upper bound until the next one). A retry of a case already stored is refused like a new
// one while the queue is full: it was stored once and stays so.
//
//   Admission admission(config, /*max_calls_in_flight=*/2048,
//                       [&engine] { return engine.OpenCaseSnapshot(); }, &clock, &metrics);
//   if (absl::Status s = admission.Admit(Channel::kSocial); !s.ok()) return s;
//   engine.SubmitCase(spec, [&](auto result) {
//     admission.Answered(Channel::kSocial, /*added=*/...);
//     ...
//   });
//
// Thread safety: all methods are thread-safe (one mutex held for a few arithmetic
// operations). `open_cases` is called from any thread, under that mutex; `clock` and
// `metrics` (which may be null) must outlive the admission.
#ifndef CASEROUTER_ROUTER_SERVICE_ADMISSION_H_
#define CASEROUTER_ROUTER_SERVICE_ADMISSION_H_

#include <cstdint>
#include <functional>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "agents/channel.h"
#include "router/engine/engine.h"
#include "router/model/clock.h"
#include "router/model/engine_config.h"
#include "router/service/server_metrics.h"

namespace caserouter {

class Admission {
 public:
  // `max_calls_in_flight`: the server's limit on unary calls (at least 1).
  Admission(const EngineConfig& config, int max_calls_in_flight,
            std::function<OpenCases()> open_cases, Clock* clock, ServerMetrics* metrics);
  Admission(const Admission&) = delete;
  Admission& operator=(const Admission&) = delete;

  // Takes the limits of a new configuration (a reload). Buckets keep their level, capped at
  // the new burst, so a reload neither refills nor empties them.
  void Configure(const EngineConfig& config);

  // OK: the submission may be enqueued, and Answered() must follow once the engine answered
  // it. RESOURCE_EXHAUSTED: refused, counted by channel and reason; nothing to undo.
  absl::Status Admit(Channel channel);
  // The engine answered a submission admitted on `channel`; `added`: with a new open case
  // (not an error, a duplicate or a join). Call it from the engine's answer.
  void Answered(Channel channel, bool added);

  // Submissions admitted and not yet answered.
  int64_t pending() const;

 private:
  struct Bucket {
    double rate_per_second = 0;  // 0: no limit
    double burst = 0;
    double tokens = 0;
    absl::Time refilled = absl::InfinitePast();
  };

  void ConfigureLocked(const EngineConfig& config) ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // The engine's count now; forgets the answered cases a newer version holds.
  OpenCases SyncLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  absl::Status Refuse(Channel channel, AdmissionRefusal reason, absl::Status status);

  const int max_calls_in_flight_;
  const std::function<OpenCases()> open_cases_;
  Clock* const clock_;
  ServerMetrics* const metrics_;

  mutable absl::Mutex mu_;
  int64_t max_queue_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t deferred_limit_ ABSL_GUARDED_BY(mu_) = 0;      // social and email stop here
  int64_t deferred_in_flight_ ABSL_GUARDED_BY(mu_) = 0;  // and here among the calls
  PerChannel<Bucket> buckets_ ABSL_GUARDED_BY(mu_);
  int64_t pending_ ABSL_GUARDED_BY(mu_) = 0;
  int64_t pending_deferred_ ABSL_GUARDED_BY(mu_) = 0;  // of them, social and email
  // New cases answered since the engine published `answered_version_`.
  int64_t answered_added_ ABSL_GUARDED_BY(mu_) = 0;
  uint32_t answered_version_ ABSL_GUARDED_BY(mu_) = 0;
};

// True for the channels where a person waits on the line (phone, chat): never limited by a
// rate by default, and the only ones that may fill the live reserve.
bool IsLiveChannel(Channel channel);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_ADMISSION_H_
