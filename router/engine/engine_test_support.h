// Test support for engine tests: a desk that records what it is told, an observer that counts,
// and a harness that runs commands through one Tick() and returns their answers.
#ifndef CASEROUTER_ROUTER_ENGINE_ENGINE_TEST_SUPPORT_H_
#define CASEROUTER_ROUTER_ENGINE_ENGINE_TEST_SUPPORT_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "gtest/gtest.h"
#include "router/engine/engine.h"
#include "router/store/memory_state_store.h"

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
  void CaseCompleted(Channel, absl::string_view topic, const Outcome& outcome,
                     bool repeat_contact) override {
    ++completed;
    if (outcome.resolved && !repeat_contact) ++first_contact_resolutions;
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
  // Issue 16: reporting by queue.
  void QueueOverflowed(absl::string_view from, absl::string_view to) override {
    overflows.push_back(absl::StrCat(from, ">", to));
  }
  void QueueAnswered(absl::string_view queue, bool within_target) override {
    queue_answers.push_back(absl::StrCat(queue, within_target ? ":within" : ":over"));
  }
  void QueueAbandoned(absl::string_view queue) override {
    queue_abandoned.push_back(std::string(queue));
  }
  void QueuesState(const std::vector<QueueFigures>& queues) override { queue_figures = queues; }

  int received = 0, answered = 0, sla_met_count = 0, completed = 0, repeats = 0, abandoned = 0,
      expired = 0, batches = 0, batch_errors = 0, sticky_hits = 0, sticky_misses = 0,
      first_contact_resolutions = 0;
  std::array<int, kOfferResultCount> offers = {};
  std::array<int, kExclusionCount> exclusions = {};
  PerChannel<int> depth = {};
  std::vector<std::string> topics;
  bool leading = false;
  std::vector<std::string> overflows, queue_answers, queue_abandoned;
  std::vector<QueueFigures> queue_figures;
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

// Engine on a fake clock and the in-memory store, with one helper per command.
inline CaseSpec Spec(Channel channel, const std::string& key,
                     const std::string& skill = "billing") {
  CaseSpec spec;
  spec.channel = channel;
  spec.customer_id = "cust-" + key;
  spec.topic = "billing";
  spec.required_skills = {{skill, 1}};
  spec.subject = "my bill is wrong";
  spec.idempotency_key = key;
  return spec;
}

class EngineTest : public testing::Test {
 protected:
  EngineTest() {
    config_.offer_timeout = absl::Seconds(10);
    config_.heartbeat_timeout = absl::Minutes(10);
    config_.reconnect_grace = absl::Seconds(60);
    config_.max_missed_offers = 2;
    // Long enough that the fake clock's jumps never lapse the lease unless a test means to.
    config_.lease_ttl = absl::Hours(100);
    engine_ = MakeEngine(&store_, "replica-a");
  }

  std::unique_ptr<Engine> MakeEngine(StateStore* store, const std::string& id) {
    auto engine = std::make_unique<Engine>(config_, store, &clock_, &observer_, id, &random_);
    engine->Tick();  // takes the lease
    return engine;
  }

  // Restarts the replica with a short lease, for tests of lapsed leases.
  void UseLeaseTtl(absl::Duration ttl) {
    engine_.reset();
    ASSERT_TRUE(store_.ReleaseLeadership("replica-a").ok());
    config_.lease_ttl = ttl;
    engine_ = MakeEngine(&store_, "replica-a");
  }

  absl::StatusOr<SubmitResult> Submit(const CaseSpec& spec) {
    Answer<SubmitResult> answer;
    engine_->SubmitCase(spec, answer.Sink());
    engine_->Tick();
    EXPECT_TRUE(answer.has_value());
    return answer.get();
  }

  std::string SubmitOk(const CaseSpec& spec) {
    absl::StatusOr<SubmitResult> r = Submit(spec);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->view.record.id : "";
  }

  void AddAgent(const std::string& id, int billing = 5, int64_t authority = 0) {
    Agent profile;
    profile.id = id;
    profile.skills = {{"billing", billing}};
    profile.languages = {"en"};
    profile.authority_limit = authority;
    Answer<AgentView> answer;
    engine_->CreateAgent(profile, answer.Sink());
    engine_->Tick();
    ASSERT_TRUE(answer.get().ok()) << answer.get().status();
  }

  std::shared_ptr<RecordingDesk> Connect(const std::string& id, bool available = true) {
    auto desk = std::make_shared<RecordingDesk>();
    Answer<Welcome> welcome;
    engine_->OpenSession(id, desk, welcome.Sink());
    engine_->Tick();
    EXPECT_TRUE(welcome.get().ok()) << welcome.get().status();
    if (available) {
      StatusAnswer s;
      engine_->SetPresence(id, desk.get(), Presence::kAvailable, s.Sink());
      engine_->Tick();
      EXPECT_TRUE(s.get().ok()) << s.get();
    }
    return desk;
  }

  absl::StatusOr<CaseView> Accept(const std::string& agent, RecordingDesk* desk,
                                  const std::string& case_id) {
    Answer<CaseView> answer;
    engine_->Accept(agent, desk, case_id, answer.Sink());
    engine_->Tick();
    return answer.get();
  }

  absl::Status Decline(const std::string& agent, RecordingDesk* desk, const std::string& id) {
    StatusAnswer answer;
    engine_->Decline(agent, desk, id, answer.Sink());
    engine_->Tick();
    return answer.get();
  }

  absl::StatusOr<CaseView> Complete(const std::string& agent, RecordingDesk* desk,
                                    const std::string& case_id, Outcome outcome) {
    Answer<CaseView> answer;
    engine_->Complete(agent, desk, case_id, outcome, answer.Sink());
    engine_->Tick();
    return answer.get();
  }

  Case Get(const std::string& id) {
    Answer<CaseView> answer;
    engine_->GetCase(id, answer.Sink());
    engine_->Tick();
    EXPECT_TRUE(answer.get().ok()) << answer.get().status();
    return answer.get().ok() ? answer.get()->record : Case{};
  }

  std::vector<AgentView> Agents() {
    Answer<std::vector<AgentView>> answer;
    engine_->ListAgents(answer.Sink());
    engine_->Tick();
    return *answer.get();
  }

  EngineConfig config_;
  FakeClock clock_;
  SeededRandomSource random_{1};  // case ids: deterministic tests
  MemoryStateStore store_;
  CountingObserver observer_;
  std::unique_ptr<Engine> engine_;
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_ENGINE_TEST_SUPPORT_H_
