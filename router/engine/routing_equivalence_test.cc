// The incremental routing pass against the full pass it replaced: two engines, one deciding
// every waiting case against every agent at every tick (EngineConfig::full_routing_pass), the
// other only what a change can affect, are driven through the same random contact centre —
// agents with mixed skills, languages, authority and capacity coming and going, cases on every
// channel, accepts, declines, timeouts, completions — and must make the same offers, to the
// same agents, in the same ticks. The work each does is counted, not timed.
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "router/engine/engine.h"
#include "router/engine/engine_test_support.h"

namespace caserouter {
namespace {

struct Replica {
  // `records` are in the store before the engine first loads it: agents with a history.
  explicit Replica(EngineConfig config, const std::vector<QualityRecord>& records = {})
      : engine(config, &store, &clock, nullptr, "r", &random) {
    clock.Set(absl::FromUnixSeconds(1700000000));
    if (!records.empty()) {
      absl::StatusOr<int64_t> epoch =
          store.AcquireLeadership("seed", absl::Seconds(1), clock.Now());
      Batch batch;
      batch.quality = records;
      batch.now = clock.Now();
      EXPECT_TRUE(epoch.ok() && store.Commit(batch, *epoch).ok());
      EXPECT_TRUE(store.ReleaseLeadership("seed").ok());
    }
    engine.Tick();
  }
  FakeClock clock;
  MemoryStateStore store;
  SeededRandomSource random{7};  // both replicas give their cases the same ids
  Engine engine;
  std::map<std::string, std::shared_ptr<RecordingDesk>> desks;
};

// One operation applied to both replicas alike.
class Centre {
 public:
  // `failure_cost`: the hold rule's worth of a failure in mean handle times; large values make
  // cases wait for better agents often, busy ones included (the default rarely holds).
  Centre(uint64_t seed, Strategy strategy, double failure_cost = 1) : random_(seed) {
    EngineConfig config;
    config.strategy = strategy;
    config.matching.hold_failure_cost = failure_cost;
    config.offer_timeout = absl::Seconds(15);
    config.heartbeat_timeout = absl::InfiniteDuration();
    config.lease_ttl = absl::Hours(1000);
    config.decline_pass = absl::Seconds(40);
    EngineConfig full = config;
    full.full_routing_pass = true;
    incremental_ = std::make_unique<Replica>(config);
    full_ = std::make_unique<Replica>(full);
  }

  void AddAgent(int n) {
    Agent a;
    a.id = absl::StrCat("a", n);
    const char* skills[] = {"billing", "tech", "sales"};
    for (const char* s : skills) {
      if (Chance(0.6)) a.skills.push_back({s, Uniform(1, 10)});
    }
    a.languages = {"en"};
    if (Chance(0.3)) a.languages.push_back("de");
    a.authority_limit = Chance(0.4) ? 500 : 50;
    a.max_cases = {1, Uniform(1, 3), Uniform(1, 4), Uniform(0, 5)};
    Both([&](Replica& r) {
      r.engine.CreateAgent(a, [](absl::StatusOr<AgentView> v) { ASSERT_TRUE(v.ok()); });
      auto desk = std::make_shared<RecordingDesk>();
      r.desks[a.id] = desk;
      r.engine.OpenSession(a.id, desk, [](absl::StatusOr<Welcome> w) { ASSERT_TRUE(w.ok()); });
    });
    agents_.push_back(a.id);
  }

  void Submit(int n) {
    CaseSpec spec;
    const Channel channels[] = {Channel::kPhone, Channel::kChat, Channel::kSocial, Channel::kEmail};
    spec.channel = channels[Uniform(0, 3)];
    spec.customer_id = absl::StrCat("cust", Uniform(0, 25));
    const char* topics[] = {"billing", "tech", "sales"};
    spec.topic = topics[Uniform(0, 2)];
    spec.required_skills = {{spec.topic, Uniform(1, 6)}};
    if (Chance(0.2)) spec.language = "de";
    if (Chance(0.2)) spec.authority_needed = 200;
    spec.customer_value = Uniform(0, 1000);
    spec.has_sentiment = true;
    spec.sentiment = Uniform(-10, 10) / 10.0;
    spec.is_public = spec.channel == Channel::kSocial;
    spec.reach = Uniform(0, 100000);
    spec.subject = "help";
    spec.idempotency_key = absl::StrCat("k", n);
    Both([&](Replica& r) {
      r.engine.SubmitCase(spec, [](absl::StatusOr<SubmitResult> s) { ASSERT_TRUE(s.ok()); });
    });
  }

  // Every agent answers the offers they hold: accept, decline or let it lapse; assigned cases
  // are completed now and then.
  void Answer() {
    for (const std::string& id : agents_) {
      for (const std::string& case_id : offers_[id]) {
        int roll = Uniform(0, 9);
        Both([&](Replica& r) {
          const DeskSession* desk = r.desks[id].get();
          if (roll < 6) {
            r.engine.Accept(id, desk, case_id, [](absl::StatusOr<CaseView>) {});
          } else if (roll < 8) {
            r.engine.Decline(id, desk, case_id, [](absl::Status) {});
          }
        });
        if (roll < 6) held_[id].push_back(case_id);
      }
      offers_[id].clear();
      std::vector<std::string> still;
      for (const std::string& case_id : held_[id]) {
        if (!Chance(0.3)) {
          still.push_back(case_id);
          continue;
        }
        Outcome outcome{Chance(0.7), Uniform(0, 5), false};
        Both([&](Replica& r) {
          r.engine.Complete(id, r.desks[id].get(), case_id, outcome,
                            [](absl::StatusOr<CaseView>) {});
        });
      }
      held_[id] = still;
    }
  }

  void ChangePresence() {
    const std::string& id = agents_[Uniform(0, static_cast<int>(agents_.size()) - 1)];
    Presence p = Chance(0.7) ? Presence::kAvailable : Presence::kAway;
    Both([&](Replica& r) { r.engine.SetPresence(id, r.desks[id].get(), p, [](absl::Status) {}); });
  }

  // Ticks both and compares what every desk was offered.
  void TickAndCompare(absl::Duration advance) {
    Both([&](Replica& r) {
      r.clock.Advance(advance);
      r.engine.Tick();
    });
    for (const std::string& id : agents_) {
      std::vector<std::string> a = incremental_->desks[id]->TakeOffers();
      std::vector<std::string> b = full_->desks[id]->TakeOffers();
      EXPECT_EQ(a, b) << "agent " << id << " at tick " << ticks_;
      offers_[id] = a;
      offered_ += a.size();
    }
    ++ticks_;
  }

  Replica& incremental() { return *incremental_; }
  int64_t offered() const { return offered_; }

  // Queued cases the incremental replica holds for an agent of their ring now.
  int HeldNow() {
    int held = 0;
    std::vector<std::string> queued;
    incremental_->engine.ListQueue(0, [&](absl::StatusOr<QueueSnapshot> q) {
      ASSERT_TRUE(q.ok());
      for (const CaseView& v : q->cases) {
        if (v.record.state == CaseState::kQueued) queued.push_back(v.record.id);
      }
    });
    incremental_->engine.Tick();
    for (const std::string& id : queued) {
      incremental_->engine.ExplainDecision(id, [&](absl::StatusOr<Explanation> e) {
        if (e.ok() && e->decision.waiting_for_preferred) ++held;
      });
    }
    incremental_->engine.Tick();
    return held;
  }

 private:
  template <typename F>
  void Both(F f) {
    f(*incremental_);
    f(*full_);
  }
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(random_); }
  bool Chance(double p) { return std::bernoulli_distribution(p)(random_); }

  std::mt19937_64 random_;
  std::unique_ptr<Replica> incremental_;
  std::unique_ptr<Replica> full_;
  std::vector<std::string> agents_;
  std::map<std::string, std::vector<std::string>> offers_;
  std::map<std::string, std::vector<std::string>> held_;
  int ticks_ = 0;
  int64_t offered_ = 0;
};

class RoutingEquivalenceTest : public testing::TestWithParam<std::tuple<Strategy, uint64_t>> {};

TEST_P(RoutingEquivalenceTest, TheIncrementalPassOffersWhatTheFullPassOffers) {
  auto [strategy, seed] = GetParam();
  Centre centre(seed, strategy);
  for (int i = 0; i < 16; ++i) centre.AddAgent(i);
  int submitted = 0;
  for (int step = 0; step < 500; ++step) {
    int arrivals = step % 50 < 10 ? 4 : 1;  // bursts now and then
    for (int i = 0; i < arrivals; ++i) centre.Submit(submitted++);
    if (step % 3 == 0) centre.ChangePresence();
    if (step == 150) centre.AddAgent(100);
    centre.Answer();
    centre.TickAndCompare(absl::Seconds(step % 7 == 0 ? 25 : 2));
    if (HasFailure()) return;
  }
  EXPECT_GT(centre.offered(), 100);  // the scenario really routed
}

// The default strategy with the hold rule pushed to hold often (a failure worth 50 handle
// times): cases wait for agents in wrap-up and for busy ones, and holds end at their bound.
class HoldingEquivalenceTest : public testing::TestWithParam<uint64_t> {};

TEST_P(HoldingEquivalenceTest, HeldCasesAreReleasedAlikeByBothPasses) {
  Centre centre(GetParam(), Strategy::kOutcome, /*failure_cost=*/50);
  for (int i = 0; i < 16; ++i) centre.AddAgent(i);
  int submitted = 0, held = 0;
  for (int step = 0; step < 500; ++step) {
    int arrivals = step % 50 < 10 ? 4 : 1;
    for (int i = 0; i < arrivals; ++i) centre.Submit(submitted++);
    if (step % 3 == 0) centre.ChangePresence();
    centre.Answer();
    centre.TickAndCompare(absl::Seconds(step % 7 == 0 ? 25 : 2));
    if (HasFailure()) return;
    // Looking costs the incremental replica two ticks of its own, without time passing:
    // nothing changes for it, and both replicas still agree afterwards.
    if (step % 25 == 24) held += centre.HeldNow();
  }
  EXPECT_GT(centre.offered(), 100);
  EXPECT_GT(held, 0) << "the scenario never held a case: it tests nothing about holds";
}

INSTANTIATE_TEST_SUITE_P(Seeds, HoldingEquivalenceTest, testing::Values(1u, 2u, 3u, 4u));

INSTANTIATE_TEST_SUITE_P(
    Strategies, RoutingEquivalenceTest,
    testing::Combine(testing::Values(Strategy::kOutcome, Strategy::kLongestIdle,
                                     Strategy::kRoundRobin, Strategy::kLeastOccupied,
                                     Strategy::kFastestHandle),
                     testing::Values(1u, 2u, 3u, 4u, 5u, 6u)));

// A scripted centre: the same commands to both replicas, each ticked once per step.
class Script {
 public:
  explicit Script(EngineConfig config, const std::vector<QualityRecord>& records = {}) {
    config.heartbeat_timeout = absl::InfiniteDuration();
    config.lease_ttl = absl::Hours(1000);
    EngineConfig full = config;
    full.full_routing_pass = true;
    replicas_.push_back(std::make_unique<Replica>(config, records));
    replicas_.push_back(std::make_unique<Replica>(full, records));
  }
  void Agent(const std::string& id, bool available) {
    for (auto& r : replicas_) {
      caserouter::Agent a;
      a.id = id;
      a.skills = {{"billing", 5}};
      a.languages = {"en"};
      r->engine.CreateAgent(a, [](absl::StatusOr<AgentView> v) { ASSERT_TRUE(v.ok()); });
      r->desks[id] = std::make_shared<RecordingDesk>();
      r->engine.OpenSession(id, r->desks[id], [](absl::StatusOr<Welcome>) {});
    }
    if (available) Presence(id, Presence::kAvailable);
    Tick();
  }
  void Presence(const std::string& id, caserouter::Presence p) {
    for (auto& r : replicas_) r->engine.SetPresence(id, r->desks[id].get(), p, [](absl::Status) {});
  }
  void Submit(const std::string& key, const std::string& customer, const std::string& topic,
              int explicit_priority = 0) {
    CaseSpec spec;
    spec.channel = Channel::kChat;
    spec.customer_id = customer;
    spec.topic = topic;
    spec.required_skills = {{"billing", 1}};
    spec.explicit_priority = explicit_priority;
    spec.has_sentiment = true;
    spec.idempotency_key = key;
    for (auto& r : replicas_) {
      r->engine.SubmitCase(spec, [this, key](absl::StatusOr<SubmitResult> s) {
        ASSERT_TRUE(s.ok());
        ids_[key] = s->view.record.id;
      });
    }
  }
  void Accept(const std::string& agent, const std::string& key) {
    for (auto& r : replicas_) {
      r->engine.Accept(agent, r->desks[agent].get(), ids_[key],
                       [](absl::StatusOr<CaseView> v) { ASSERT_TRUE(v.ok()) << v.status(); });
    }
  }
  void Complete(const std::string& agent, const std::string& key) {
    for (auto& r : replicas_) {
      r->engine.Complete(agent, r->desks[agent].get(), ids_[key], Outcome{true, 5, false},
                         [](absl::StatusOr<CaseView> v) { ASSERT_TRUE(v.ok()) << v.status(); });
    }
  }
  // Ticks both; returns the offers the incremental replica made, by agent, after checking the
  // full pass made the same.
  std::map<std::string, std::vector<std::string>> Tick(absl::Duration advance = absl::Seconds(1)) {
    std::map<std::string, std::vector<std::string>> offers[2];
    for (int i = 0; i < 2; ++i) {
      replicas_[i]->clock.Advance(advance);
      replicas_[i]->engine.Tick();
      for (auto& [id, desk] : replicas_[i]->desks) {
        std::vector<std::string> got = desk->TakeOffers();
        if (!got.empty()) offers[i][id] = got;
      }
    }
    EXPECT_EQ(offers[0], offers[1]);
    return offers[0];
  }
  const std::string& id(const std::string& key) { return ids_[key]; }

 private:
  std::vector<std::unique_ptr<Replica>> replicas_;
  std::map<std::string, std::string> ids_;
};

QualityRecord Billing(const std::string& agent, int64_t resolved_of_100) {
  QualityRecord q;
  q.agent_id = agent;
  q.topic = "billing";
  q.completed = 100;
  q.resolved = q.first_contact_resolutions = q.evidence_resolutions = resolved_of_100;
  q.handle_seconds_sum = 100 * 300;
  return q;
}

// The occupancy cap holds an over-cap agent back only while someone below it is eligible, so
// an offer that takes the last agent below the cap can let a held case go to an agent held
// back until then, in the same pass. Both passes see it.
TEST(RoutingEquivalenceScriptTest, AnOfferThatFillsTheLastAgentBelowTheCapReleasesAHold) {
  EngineConfig config;
  config.topic_strategy["sales"] = Strategy::kLongestIdle;  // D: no hold of its own
  // On billing: Zed the best, Rita nearly as good, Xavi weak.
  Script s(config, {Billing("rita", 97), Billing("xavi", 40), Billing("zed", 99)});
  s.Agent("zed", /*available=*/true);
  s.Agent("rita", /*available=*/false);
  s.Agent("xavi", /*available=*/false);
  s.Submit("k0", "cust-0", "billing");
  auto offers = s.Tick();
  ASSERT_EQ(offers["zed"], std::vector<std::string>{s.id("k0")});
  s.Accept("zed", "k0");
  s.Presence("zed", Presence::kAway);
  s.Presence("rita", Presence::kAvailable);
  s.Tick();
  // Rita holds two chats (load 0.68: a third would pass the 0.9 cap), Xavi one (0.34).
  s.Submit("k1", "cust-1", "billing");
  s.Submit("k2", "cust-2", "billing");
  offers = s.Tick();
  ASSERT_EQ(offers["rita"].size(), 2u);
  s.Accept("rita", "k1");
  s.Accept("rita", "k2");
  s.Presence("xavi", Presence::kAvailable);
  s.Submit("k3", "cust-3", "sales");
  offers = s.Tick();
  ASSERT_EQ(offers["xavi"], std::vector<std::string>{s.id("k3")});
  s.Accept("xavi", "k3");
  s.Presence("zed", Presence::kAvailable);
  s.Complete("zed", "k0");  // Zed wraps up for 10 s
  s.Tick();
  // Xavi is the only agent below the cap and far weaker than Zed, who is free in 10 s: the
  // chat waits for Zed.
  s.Submit("c", "cust-c", "billing");
  EXPECT_TRUE(s.Tick().empty());
  // A more urgent sales chat takes Xavi past the cap: nobody is below it, Rita may have chats
  // again, and she is about as good as Zed: no reason to wait any more.
  s.Submit("d", "cust-d", "sales", /*explicit_priority=*/100);
  offers = s.Tick();
  EXPECT_EQ(offers["xavi"], std::vector<std::string>{s.id("d")});
  EXPECT_EQ(offers["rita"], std::vector<std::string>{s.id("c")});
}

// A hold for an agent busy with a case lasts only while that agent, expected free after a
// mean handle time and a wrap-up, would still come before the bound: then the case goes to
// the free agent, with nothing else changing. Both passes release it at the same tick.
TEST(RoutingEquivalenceScriptTest, AHoldForABusyAgentEndsOnTimeAlone) {
  EngineConfig config;
  config.matching.hold_failure_cost = 50;  // a failure worth 50 handle times: holds pay
  QualityRecord zed = Billing("zed", 99), xavi = Billing("xavi", 40);
  zed.handle_seconds_sum = xavi.handle_seconds_sum = 100 * 2;  // 2 s cases
  Script s(config, {zed, xavi});
  s.Agent("zed", /*available=*/true);
  s.Agent("xavi", /*available=*/false);
  s.Submit("k0", "cust-0", "billing");
  s.Submit("k1", "cust-1", "billing");
  s.Submit("k2", "cust-2", "billing");
  auto offers = s.Tick();
  ASSERT_EQ(offers["zed"].size(), 3u);  // three chats: Zed is full
  for (const char* k : {"k0", "k1", "k2"}) s.Accept("zed", k);
  s.Presence("xavi", Presence::kAvailable);
  s.Tick();
  // Chat: bound 20 s after arrival; Zed expected free in 2 s + 10 s of wrap-up, so the case
  // may wait for him until 8 s after it arrived.
  s.Submit("c", "cust-c", "billing");
  EXPECT_TRUE(s.Tick().empty());
  for (int second = 1; second < 7; ++second) {
    EXPECT_TRUE(s.Tick(absl::Seconds(1)).empty()) << "at " << second << " s";
  }
  offers = s.Tick(absl::Seconds(2));  // 8 s after it arrived
  EXPECT_EQ(offers["xavi"], std::vector<std::string>{s.id("c")});
}

// Work in proportion to what changed, counted in cases decided by a routing pass.
class RoutingWorkTest : public EngineTest {
 protected:
  int64_t DecidedByATick() {
    engine_->Tick();
    return engine_->CasesDecidedLastTick();
  }
};

TEST_F(RoutingWorkTest, AQuietTickDecidesNothingAndAFreedAgentOnlyWhatTheyCanTake) {
  AddAgent("ana");
  auto ana = Connect("ana", /*available=*/false);
  for (int i = 0; i < 2000; ++i) SubmitOk(Spec(Channel::kEmail, absl::StrCat("k", i)));
  // Nobody free: each case was decided once, when it came in; a quiet tick decides none.
  clock_.Advance(absl::Seconds(30));
  EXPECT_EQ(DecidedByATick(), 0);
  // Ana becomes available for emails (capacity 5 by default): the pass walks the queue in
  // priority order only until she is taken, not the whole queue.
  StatusAnswer available;
  engine_->SetPresence("ana", ana.get(), Presence::kAvailable, available.Sink());
  EXPECT_LE(DecidedByATick(), 6);
  ASSERT_TRUE(available.get().ok());
  EXPECT_EQ(ana->TakeOffers().size(), 5u);
  EXPECT_EQ(DecidedByATick(), 0);
}

TEST_F(RoutingWorkTest, ANewCaseIsDecidedAloneWhateverTheQueue) {
  AddAgent("ana");
  Connect("ana", /*available=*/false);
  for (int i = 0; i < 1000; ++i) SubmitOk(Spec(Channel::kEmail, absl::StrCat("k", i)));
  Answer<SubmitResult> one;
  engine_->SubmitCase(Spec(Channel::kChat, "chat"), one.Sink());
  EXPECT_EQ(DecidedByATick(), 1);
  ASSERT_TRUE(one.get().ok());
}

}  // namespace
}  // namespace caserouter
