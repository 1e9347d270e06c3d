#include "router/service/queue_metrics.h"

#include <utility>

namespace caserouter {
namespace {

constexpr char kOther[] = "other";
constexpr size_t kMaxQueues = 128;

}  // namespace

QueueMetrics::QueueMetrics(prometheus::Registry* registry)
    : waiting_(prometheus::BuildGauge()
                   .Name("caserouter_queue_waiting")
                   .Help("Cases waiting in each configured queue (issue 16).")
                   .Register(*registry)),
      oldest_(prometheus::BuildGauge()
                  .Name("caserouter_queue_oldest_enqueued_timestamp_seconds")
                  .Help("Enqueue time of the oldest case waiting in the queue (0: none waits); "
                        "the longest wait is time() minus it.")
                  .Register(*registry)),
      answered_(prometheus::BuildCounter()
                    .Name("caserouter_queue_answered_total")
                    .Help("Cases of the queue answered (first acceptance), by whether within "
                          "the queue's service-level target.")
                    .Register(*registry)),
      abandoned_(prometheus::BuildCounter()
                     .Name("caserouter_queue_abandoned_total")
                     .Help("Cases of the queue the customer left before an agent answered.")
                     .Register(*registry)),
      overflowed_(prometheus::BuildCounter()
                      .Name("caserouter_queue_overflowed_total")
                      .Help("Cases that overflowed out of the queue, by the queue they went to.")
                      .Register(*registry)) {}

void QueueMetrics::AddLocked(const std::string& queue) {
  if (series_.count(queue) > 0) return;
  const prometheus::Labels labels = {{"queue", queue}};
  Series s;
  s.waiting = &waiting_.Add(labels);
  s.oldest = &oldest_.Add(labels);
  s.within = &answered_.Add({{"queue", queue}, {"result", "within_target"}});
  s.over = &answered_.Add({{"queue", queue}, {"result", "over_target"}});
  s.abandoned = &abandoned_.Add(labels);
  series_.emplace(queue, s);
}

const std::string& QueueMetrics::LabelLocked(absl::string_view queue) {
  auto it = series_.find(queue);
  if (it != series_.end()) return it->first;
  // Names come from the engine's compiled queues, that is from the configuration (at most 100
  // and "default", of [a-z0-9_.-]); the cap only guards the label set against a mistake.
  const bool word = !queue.empty() && queue.find_first_not_of(
                                          "abcdefghijklmnopqrstuvwxyz"
                                          "0123456789_.-") == absl::string_view::npos;
  const std::string label = word && series_.size() < kMaxQueues ? std::string(queue) : kOther;
  AddLocked(label);
  return series_.find(label)->first;
}

void QueueMetrics::SetQueues(const std::vector<QueueConfig>& queues) {
  if (queues.empty()) return;
  absl::MutexLock lock(&mu_);
  for (const QueueConfig& q : queues) AddLocked(q.name);
  AddLocked(kDefaultQueue);
}

void QueueMetrics::Answered(absl::string_view queue, bool within_target) {
  absl::MutexLock lock(&mu_);
  const Series& s = series_.at(LabelLocked(queue));
  (within_target ? s.within : s.over)->Increment();
}

void QueueMetrics::Abandoned(absl::string_view queue) {
  absl::MutexLock lock(&mu_);
  series_.at(LabelLocked(queue)).abandoned->Increment();
}

void QueueMetrics::Overflowed(absl::string_view from, absl::string_view to) {
  absl::MutexLock lock(&mu_);
  std::pair<std::string, std::string> key(LabelLocked(from), LabelLocked(to));
  auto it = overflows_.find(key);
  if (it == overflows_.end()) {
    it =
        overflows_.emplace(key, &overflowed_.Add({{"queue", key.first}, {"to", key.second}})).first;
  }
  it->second->Increment();
}

void QueueMetrics::State(const std::vector<EngineObserver::QueueFigures>& queues) {
  absl::MutexLock lock(&mu_);
  for (const EngineObserver::QueueFigures& f : queues) {
    const Series& s = series_.at(LabelLocked(f.queue));
    s.waiting->Set(f.waiting);
    s.oldest->Set(f.oldest == absl::InfiniteFuture() ? 0 : absl::ToUnixSeconds(f.oldest));
  }
}

}  // namespace caserouter
