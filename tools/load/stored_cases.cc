#include "tools/load/stored_cases.h"

#include <algorithm>
#include <memory>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "router/store/redis_state_store.h"
#include "router/store/state_store.h"

namespace caserouter::load {
namespace {

constexpr absl::string_view kSeedOwner = "caserouter-load-seed";

std::string Subject(int bytes) {
  std::string subject;
  while (subject.size() < static_cast<size_t>(bytes)) {
    subject.append("my order arrived late and the invoice is wrong, please help ");
  }
  subject.resize(static_cast<size_t>(std::max(1, bytes)));
  return subject;
}

Case QueuedCase(std::string id, Channel channel, std::string customer, std::string topic,
                std::string subject, absl::Time now) {
  Case c;
  c.id = std::move(id);
  c.spec.channel = channel;
  c.spec.customer_id = customer;
  c.spec.topic = topic;
  c.spec.required_skills.push_back({topic, 1});
  c.spec.language = "en";
  c.spec.customer_value = 1200;
  c.spec.subject = std::move(subject);
  c.spec.idempotency_key = std::move(customer);
  c.state = CaseState::kQueued;
  c.created_time = now;
  c.enqueued_time = now;
  return c;
}

}  // namespace

FieldList SampleCaseRecord(int subject_bytes) {
  return EncodeCase(QueuedCase("c00012345", Channel::kChat, "r1a2b3c4d5-12345", "billing",
                               Subject(subject_bytes), absl::FromUnixSeconds(1800000000)));
}

absl::Status SeedQueue(const SeedOptions& options) {
  if (options.redis_port <= 0 || options.domain.empty() || options.cases < 0 || options.batch < 1) {
    return absl::InvalidArgumentError("seed: a Redis port, a domain, cases >= 0, batch >= 1");
  }
  RedisOptions redis;
  redis.host = "127.0.0.1";
  redis.port = options.redis_port;
  redis.domain = options.domain;
  redis.command_timeout = absl::Seconds(30);  // a commit of a thousand cases
  absl::StatusOr<std::unique_ptr<RedisStateStore>> store = RedisStateStore::Connect(redis);
  if (!store.ok()) return store.status();
  const absl::Time now = options.now == absl::InfinitePast() ? absl::Now() : options.now;
  absl::StatusOr<int64_t> epoch = (*store)->AcquireLeadership(kSeedOwner, absl::Seconds(60), now);
  if (!epoch.ok()) return epoch.status();
  const std::string subject = Subject(options.subject_bytes);
  absl::Status status;
  for (int64_t first = 0; first < options.cases && status.ok(); first += options.batch) {
    Batch batch;
    batch.now = now;
    const int64_t last = std::min(options.cases, first + options.batch);
    batch.cases.reserve(static_cast<size_t>(last - first));
    for (int64_t i = first; i < last; ++i) {
      // Ids outside the engine's form ("c" and 28 base32 characters, router/model/case_id.h),
      // so they never meet a new case's id.
      batch.cases.push_back(QueuedCase(absl::StrFormat("seed%07d", i), Channel::kEmail,
                                       absl::StrCat("seed-", i), "queued.only", subject, now));
    }
    status = (*store)->Commit(batch, *epoch);
  }
  absl::Status released = (*store)->ReleaseLeadership(kSeedOwner);
  return status.ok() ? released : status;
}

}  // namespace caserouter::load
