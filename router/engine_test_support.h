// Test support for engine tests: a desk that records what it is told, an observer that counts,
// and a harness that runs commands through one Tick() and returns their answers.
#ifndef CASEROUTER_ROUTER_ENGINE_TEST_SUPPORT_H_
#define CASEROUTER_ROUTER_ENGINE_TEST_SUPPORT_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "router/engine.h"

namespace caserouter {

class RecordingDesk : public DeskSession {
 public:
  void Deliver(DeskNotice notice) override {
    absl::MutexLock lock(&mu_);
    notices_.push_back(std::move(notice));
  }
  // Notices received since the last call.
  std::vector<DeskNotice> Take() {
    absl::MutexLock lock(&mu_);
    std::vector<DeskNotice> out;
    out.swap(notices_);
    return out;
  }
  // Case ids of the offers received since the last call (other notices are dropped).
  std::vector<std::string> TakeOffers() {
    std::vector<std::string> ids;
    for (const DeskNotice& n : Take()) {
      if (n.kind == DeskNotice::Kind::kOffer) ids.push_back(n.case_id);
    }
    return ids;
  }

 private:
  absl::Mutex mu_;
  std::vector<DeskNotice> notices_ ABSL_GUARDED_BY(mu_);
};

class CountingObserver : public EngineObserver {
 public:
  void CaseReceived(Channel) override { ++received; }
  void CaseAnswered(Channel, absl::Duration, bool sla_met) override {
    ++answered;
    if (sla_met) ++sla_met_count;
  }
  void CaseCompleted(Channel, absl::string_view topic, const Outcome&) override {
    ++completed;
    topics.push_back(std::string(topic));
  }
  void RepeatContact(Channel, absl::string_view) override { ++repeats; }
  void CaseAbandoned(Channel) override { ++abandoned; }
  void CaseExpired(Channel) override { ++expired; }
  void Offer(OfferResult result) override { ++offers[static_cast<int>(result)]; }
  void Excluded(Exclusion reason, int count) override {
    exclusions[static_cast<int>(reason)] += count;
  }
  void StickyRouting(bool hit) override { hit ? ++sticky_hits : ++sticky_misses; }
  void QueueState(const PerChannel<int>& d, const PerChannel<double>&) override { depth = d; }
  void StoreBatch(absl::Duration, size_t, bool ok) override { ok ? ++batches : ++batch_errors; }
  void Leadership(bool leader) override { leading = leader; }

  int received = 0, answered = 0, sla_met_count = 0, completed = 0, repeats = 0, abandoned = 0,
      expired = 0, batches = 0, batch_errors = 0, sticky_hits = 0, sticky_misses = 0;
  std::array<int, kOfferResultCount> offers = {};
  std::array<int, kExclusionCount> exclusions = {};
  PerChannel<int> depth = {};
  std::vector<std::string> topics;
  bool leading = false;
};

// Runs one engine command through one tick and returns its answer.
template <typename T>
class Answer {
 public:
  typename Engine::Callback<T> Sink() {
    return [this](absl::StatusOr<T> r) { result_ = std::move(r); };
  }
  bool has_value() const { return result_.has_value(); }
  const absl::StatusOr<T>& get() const { return *result_; }

 private:
  std::optional<absl::StatusOr<T>> result_;
};

class StatusAnswer {
 public:
  Engine::StatusCallback Sink() {
    return [this](absl::Status s) { result_ = std::move(s); };
  }
  bool has_value() const { return result_.has_value(); }
  const absl::Status& get() const { return *result_; }

 private:
  std::optional<absl::Status> result_;
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_TEST_SUPPORT_H_
