// In-process speed of the routing path: one matching decision, a routing pass over a full
// queue, and submissions per tick (group commit) on the in-memory store.
//   cmake --build build --target engine_benchmark && build/router/engine_benchmark
#include <malloc.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "benchmark/benchmark.h"
#include "router/engine/engine.h"
#include "router/engine/engine_test_support.h"
#include "router/policy/matching.h"
#include "router/store/memory_state_store.h"

namespace caserouter {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

// One ChooseAgent call over `agents` eligible agents with history (outcome strategy).
void BM_ChooseAgent(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  std::vector<Agent> agents(n);
  std::vector<QualityRecord> quality(n);
  std::vector<Relationship> relationships(n);
  std::vector<AgentCandidate> candidates;
  for (int i = 0; i < n; ++i) {
    agents[i].id = absl::StrCat("agent-", i);
    agents[i].presence = Presence::kAvailable;
    agents[i].skills = {{"billing", 1 + i % 10}};
    agents[i].idle_since = kNow - absl::Seconds(i);
    quality[i].completed = 50 + i;
    quality[i].first_contact_resolutions = 30 + i % 20;
    relationships[i].cases = i % 7 == 0 ? 2 : 0;
    relationships[i].resolved = relationships[i].cases;
    relationships[i].last_contact = kNow - absl::Hours(i);
  }
  for (int i = 0; i < n; ++i) {
    candidates.push_back({&agents[i], true, &quality[i], &relationships[i]});
  }
  Case c;
  c.id = "c1";
  c.spec.channel = Channel::kChat;
  c.spec.topic = "billing";
  c.spec.customer_id = "cust";
  c.spec.required_skills = {{"billing", 3}};
  c.enqueued_time = kNow - absl::Seconds(45);
  EngineConfig config;
  for (auto _ : state) {
    benchmark::DoNotOptimize(ChooseAgent(c, candidates, TeamRecord{}, config, kNow));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ChooseAgent)->Arg(10)->Arg(100)->Arg(1000);

struct Bench {
  explicit Bench(int agents, const std::string& agent_skill) {
    config.lease_ttl = absl::Hours(1000);
    config.heartbeat_timeout = absl::Hours(1000);
    engine = std::make_unique<Engine>(config, &store, &clock, nullptr, "bench");
    engine->Tick();
    for (int i = 0; i < agents; ++i) {
      Agent a;
      a.id = absl::StrCat("agent-", i);
      a.skills = {{agent_skill, 5}};
      engine->CreateAgent(a, [](absl::StatusOr<AgentView>) {});
      auto desk = std::make_shared<RecordingDesk>();
      desks.push_back(desk);
      engine->OpenSession(a.id, desk, [](absl::StatusOr<Welcome>) {});
      engine->Tick();
      engine->SetPresence(a.id, desk.get(), Presence::kAvailable, [](absl::Status) {});
    }
    engine->Tick();
  }
  void Submit(int n, const std::string& prefix) {
    for (int i = 0; i < n; ++i) {
      CaseSpec spec = Spec(Channel::kChat, absl::StrCat(prefix, i));
      engine->SubmitCase(spec, [](absl::StatusOr<SubmitResult>) {});
    }
  }
  EngineConfig config;
  FakeClock clock;
  MemoryStateStore store;
  std::unique_ptr<Engine> engine;
  std::vector<std::shared_ptr<RecordingDesk>> desks;
};

// A routing pass over `queued` cases that none of `agents` available agents can take (skill
// mismatch): the worst case, every case meets every agent.
void BM_RoutingPassNoMatch(benchmark::State& state) {
  Bench bench(static_cast<int>(state.range(1)), "spanish");
  bench.Submit(static_cast<int>(state.range(0)), "q");
  bench.engine->Tick();
  for (auto _ : state) {
    bench.clock.Advance(absl::Milliseconds(50));
    bench.engine->Tick();
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_RoutingPassNoMatch)->Args({100, 50})->Args({1000, 50})->Args({1000, 200});

// Submissions per second when each tick carries `batch` of them (group commit), nobody is
// logged in, on the in-memory store (the engine's own cost, without Redis). A fixed number of
// iterations, because the queue grows by `batch` each time.
void BM_SubmitGroupCommit(benchmark::State& state) {
  Bench bench(0, "billing");
  int64_t round = 0;
  for (auto _ : state) {
    bench.Submit(static_cast<int>(state.range(0)), absl::StrCat("r", round++, "-"));
    bench.engine->Tick();
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_SubmitGroupCommit)->Arg(1)->Arg(16)->Arg(256)->Iterations(200);

// An idle tick (timers only, nothing to commit) with `open` cases waiting and nobody logged
// in: the engine's fixed cost per tick, paid 20 times a second.
void BM_IdleTick(benchmark::State& state) {
  Bench bench(0, "billing");
  bench.Submit(static_cast<int>(state.range(0)), "open-");
  bench.engine->Tick();
  for (auto _ : state) {
    bench.clock.Advance(absl::Milliseconds(50));
    bench.engine->Tick();
  }
}
BENCHMARK(BM_IdleTick)->Arg(1000)->Arg(10000);

// A tick a minute apart (so the closed-case eviction runs) carrying one submission (so the
// store commits), with `closed` cases kept within their retention: the cost must not grow
// with the cases kept. Before the closed-time indexes, engine and in-memory store both walked
// every kept case here.
void BM_TickWithClosedCases(benchmark::State& state) {
  Bench bench(0, "billing");
  std::vector<std::string> ids;
  for (int i = 0; i < state.range(0); ++i) {
    bench.engine->SubmitCase(Spec(Channel::kEmail, absl::StrCat("closed-", i)),
                             [&ids](absl::StatusOr<SubmitResult> r) {
                               if (r.ok()) ids.push_back(r->view.record.id);
                             });
  }
  bench.engine->Tick();
  for (const std::string& id : ids)
    bench.engine->CancelCase(id, "", [](absl::StatusOr<CaseView>) {});
  bench.engine->Tick();
  int64_t round = 0;
  for (auto _ : state) {
    bench.clock.Advance(absl::Seconds(61));
    bench.Submit(1, absl::StrCat("tick-", round++, "-"));
    bench.engine->Tick();
  }
}
BENCHMARK(BM_TickWithClosedCases)->Arg(1000)->Arg(100000)->Iterations(2000);

// --- A real centre's size (issue: routing work in proportion to what changed) ---
//
// `agents` agents with desks open, AWAY (present, so every one is looked at for the bullseye
// ring), and `queued` email cases waiting. A share of the agents has the cases' skill: 100 %
// ("many eligible") or 1 % ("few"). range(3) = 1 runs the full pass instead, for the ratio.
// A StateStore that keeps nothing but the lease: what the engine itself holds in memory,
// without a second copy in an in-memory store (in production Redis holds that).
class DiscardingStore : public StateStore {
 public:
  absl::StatusOr<int64_t> AcquireLeadership(absl::string_view, absl::Duration,
                                            absl::Time) override {
    return ++epoch_;
  }
  absl::Status RenewLeadership(absl::string_view, int64_t, absl::Duration, absl::Time) override {
    return absl::OkStatus();
  }
  absl::Status ReleaseLeadership(absl::string_view) override { return absl::OkStatus(); }
  absl::Status Commit(const Batch&, int64_t) override { return absl::OkStatus(); }
  absl::StatusOr<StoredState> Load(absl::Time, const LoadProgress&) override {
    return StoredState{};
  }

 private:
  int64_t epoch_ = 0;
};

struct Centre {
  // `observer`: null, as most benchmarks here measure the engine's own work; the server's
  // observer is a real cost of each tick (BM_CentreObservedTick).
  Centre(int agents, int queued, int share_percent, bool full_pass,
         EngineObserver* observer = nullptr) {
    config.max_queue = 10000000;
    config.lease_ttl = absl::Hours(1000);
    config.heartbeat_timeout = absl::InfiniteDuration();
    config.full_routing_pass = full_pass;
    engine = std::make_unique<Engine>(config, &store, &clock, observer, "bench");
    clock.Set(kNow);
    engine->Tick();
    for (int i = 0; i < agents; ++i) {
      Agent a;
      a.id = absl::StrCat("agent-", i);
      bool able = i * 100 < agents * share_percent || (share_percent > 0 && i == 0);
      a.skills = {{able ? "billing" : absl::StrCat("skill-", i % 50), 5}};
      a.languages = {"en"};
      engine->CreateAgent(a, [](absl::StatusOr<AgentView>) {});
      auto desk = std::make_shared<RecordingDesk>();
      desks.push_back(desk);
      engine->OpenSession(a.id, desk, [](absl::StatusOr<Welcome>) {});
    }
    engine->Tick();
    for (int i = 0; i < queued; ++i) {
      engine->SubmitCase(Spec(Channel::kEmail, absl::StrCat("q", i)),
                         [](absl::StatusOr<SubmitResult>) {});
    }
    engine->Tick();
  }
  EngineConfig config;
  FakeClock clock;
  DiscardingStore store;
  std::unique_ptr<Engine> engine;
  std::vector<std::shared_ptr<RecordingDesk>> desks;
};

void CentreArgs(benchmark::internal::Benchmark* b) {
  for (auto [agents, queued] : {std::pair{100, 1000}, {1000, 10000}, {10000, 100000}}) {
    for (int share : {100, 1}) {
      for (int full : {0, 1}) {
        if (full && agents >= 10000) continue;  // about a minute a pass: extrapolated instead
        b->Args({agents, queued, share, full});
      }
    }
  }
}

// One decision: a tick carrying one new chat case, nobody free. Work counted per tick.
void BM_CentreNewCase(benchmark::State& state) {
  Centre centre(state.range(0), state.range(1), state.range(2), state.range(3) == 1);
  int64_t i = 0, decided = 0;
  for (auto _ : state) {
    centre.clock.Advance(absl::Milliseconds(50));
    centre.engine->SubmitCase(Spec(Channel::kChat, absl::StrCat("new", i++)),
                              [](absl::StatusOr<SubmitResult>) {});
    centre.engine->Tick();
    decided += centre.engine->CasesDecidedLastTick();
  }
  state.counters["decided_per_tick"] =
      benchmark::Counter(static_cast<double>(decided) / state.iterations());
}
BENCHMARK(BM_CentreNewCase)->Apply(CentreArgs)->Unit(benchmark::kMicrosecond);

// A tick carrying one desk heartbeat, with an observer (as the server has): what every tick
// costs beside its commands. A desk heartbeats every few seconds, so at 10,000 desks the engine
// runs thousands of such ticks a second.
void BM_CentreObservedTick(benchmark::State& state) {
  EngineObserver observer;  // does nothing: what is measured is what the engine does for it
  Centre centre(state.range(0), 1000, 100, false, &observer);
  const DeskSession* desk = centre.desks[0].get();
  for (auto _ : state) {
    centre.clock.Advance(absl::Milliseconds(5));
    centre.engine->Heartbeat("agent-0", desk);
    centre.engine->Tick();
  }
}
BENCHMARK(BM_CentreObservedTick)->Arg(100)->Arg(1000)->Arg(10000)->Unit(benchmark::kMicrosecond);

// One tick with a change: an agent with the skill becomes available and takes what they can
// (five emails), then steps away and gives them back (two ticks an iteration).
void BM_CentreAgentFreed(benchmark::State& state) {
  Centre centre(state.range(0), state.range(1), state.range(2), state.range(3) == 1);
  const DeskSession* desk = centre.desks[0].get();
  int64_t decided = 0;
  for (auto _ : state) {
    centre.clock.Advance(absl::Milliseconds(50));
    centre.engine->SetPresence("agent-0", desk, Presence::kAvailable, [](absl::Status) {});
    centre.engine->Tick();
    decided += centre.engine->CasesDecidedLastTick();
    centre.engine->SetPresence("agent-0", desk, Presence::kAway, [](absl::Status) {});
    centre.engine->Tick();
    decided += centre.engine->CasesDecidedLastTick();
  }
  state.counters["decided_per_iteration"] =
      benchmark::Counter(static_cast<double>(decided) / state.iterations());
}
BENCHMARK(BM_CentreAgentFreed)->Apply(CentreArgs)->Unit(benchmark::kMicrosecond);

// Bytes in use: the arenas' and the blocks large enough to be mapped on their own (a big hash
// table is one of those, and uordblks alone would not see it).
size_t HeapInUse() {
  struct mallinfo2 m = mallinfo2();
  return m.uordblks + m.hblkhd;
}

// Memory: bytes the engine (and its in-memory store) holds per queued case and per agent,
// from the allocator's count before and after (mallinfo2). The subject is empty: customer
// text is the customer's, whatever the engine does.
void BM_CentreMemory(benchmark::State& state) {
  const int agents = static_cast<int>(state.range(0));
  const int queued = static_cast<int>(state.range(1));
  for (auto _ : state) {
    size_t before = HeapInUse();
    Centre centre(agents, 0, 100, false);
    size_t with_agents = HeapInUse();
    auto submit = [&](int from, int to) {
      for (int i = from; i < to; ++i) {
        CaseSpec spec = Spec(Channel::kEmail, absl::StrCat("m", i));
        spec.subject.clear();
        spec.customer_id = absl::StrCat("cust-", i);
        centre.engine->SubmitCase(spec, [](absl::StatusOr<SubmitResult>) {});
      }
      centre.engine->Tick();
    };
    // Per case, what a second batch adds to a queue that has one already: what the first
    // tick after the agents sets up once (the agents' pools) is not a cost per case.
    submit(0, queued / 2);
    size_t half = HeapInUse();
    submit(queued / 2, queued);
    size_t with_cases = HeapInUse();
    state.counters["bytes_per_agent"] =
        static_cast<double>(with_agents - before) / std::max(1, agents);
    state.counters["bytes_per_queued_case"] =
        static_cast<double>(with_cases - half) / std::max(1, queued - queued / 2);
    state.counters["bytes_first_half_per_case"] =
        static_cast<double>(half - with_agents) / std::max(1, queued / 2);
  }
}
BENCHMARK(BM_CentreMemory)
    ->Args({100, 10000})
    ->Args({100, 100000})
    ->Args({10000, 10000})
    ->Args({10000, 100000})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace caserouter

BENCHMARK_MAIN();
