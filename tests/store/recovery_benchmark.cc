// Recovery benchmark: how long a new leader takes, against a real redis-server, from its first
// tick to its first answered request, with N open cases and 10,000 agents stored.
//
//   cmake --build build --target recovery_benchmark
//   build/tests/store/recovery_benchmark                      # 100k and 1M open cases
//   build/tests/store/recovery_benchmark --benchmark_filter=/100000
//
// The process starts its own redis-server on a free loopback port (tests/support), fills one
// domain per size with the store's own Commit (batches of kBatchCases cases, two connections
// committing at once so that encoding overlaps Redis' work), then measures:
//   BM_Load/N                  RedisStateStore::Load alone (the store's part of recovery);
//   BM_RecoverToServing/N      the recovery alone: take the lease, load and rebuild holding
//                              it, commit what the rebuild changed (the engine's rooms driven
//                              as Engine::EnsureLeadership drives them, no routing pass);
//   BM_RecoverToFirstAnswer/N  a fresh Engine on the real clock and the RedisStateStore, and a
//                              client calling GetCase with a 5 s deadline: sent before the
//                              first tick, sent again after a refusal or a late answer, Tick()
//                              until one is answered OK in time. The time a caller waits after
//                              a failover, first tick (and its routing pass) included.
// Counters: loads (Load calls; 1 when recovery converges), renewals (lease renewals during
// it), late (answers past the deadline), load_s (the last Load's wall time), serving_s (when
// the engine started serving), cases (loaded). A run that has not answered after kGiveUp
// stops and reports answered=0.
//
// Each iteration starts from the same stored state: the previous engine gives its lease up,
// and the agents it set OFFLINE are stored AVAILABLE again (outside the timing), as a crashed
// leader would have left them.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "benchmark/benchmark.h"
#include "router/engine/desk_sessions.h"
#include "router/engine/domain_state.h"
#include "router/engine/engine.h"
#include "router/engine/leadership.h"
#include "router/engine/recovery.h"
#include "router/engine/tick_context.h"
#include "router/engine/tick_outbox.h"
#include "router/model/clock.h"
#include "router/store/redis_state_store.h"
#include "tests/support/redis_server.h"

namespace caserouter {
namespace {

constexpr int kAssignedPerAgent = 2;  // open cases held by an agent when the leader died
constexpr size_t kBatchCases = 2000;
constexpr absl::Duration kGiveUp = absl::Seconds(60);
// A client's deadline for one call: an answer later than this is one the caller stopped
// waiting for (it has retried), as gRPC callers with a deadline do.
constexpr absl::Duration kClientDeadline = absl::Seconds(5);

// A StateStore that forwards to another and counts what recovery asks of it.
class CountingStore : public StateStore {
 public:
  explicit CountingStore(StateStore* inner) : inner_(inner) {}

  absl::StatusOr<int64_t> AcquireLeadership(absl::string_view owner, absl::Duration ttl,
                                            absl::Time now) override {
    ++acquires;
    return inner_->AcquireLeadership(owner, ttl, now);
  }
  absl::Status RenewLeadership(absl::string_view owner, int64_t epoch, absl::Duration ttl,
                               absl::Time now) override {
    ++renewals;
    return inner_->RenewLeadership(owner, epoch, ttl, now);
  }
  absl::Status ReleaseLeadership(absl::string_view owner) override {
    return inner_->ReleaseLeadership(owner);
  }
  absl::Status Commit(const Batch& batch, int64_t epoch) override {
    return inner_->Commit(batch, epoch);
  }
  using StateStore::Load;
  absl::StatusOr<StoredState> Load(absl::Time now, const LoadProgress& progress) override {
    ++loads;
    absl::Time start = absl::Now();
    absl::StatusOr<StoredState> state = inner_->Load(now, progress);
    last_load = absl::Now() - start;
    if (state.ok()) last_cases = state->cases.size();
    return state;
  }

  int acquires = 0, renewals = 0, loads = 0;
  absl::Duration last_load;
  size_t last_cases = 0;

 private:
  StateStore* const inner_;
};

// CPU time (user + system) the process `pid` has used so far; zero if it cannot be read.
absl::Duration CpuTimeOf(pid_t pid) {
  std::ifstream stat(absl::StrCat("/proc/", pid, "/stat"));
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // Fields after the command name (which is in parentheses and may hold spaces): utime and
  // stime are the 12th and 13th of them.
  size_t close = text.rfind(')');
  if (close == std::string::npos) return absl::ZeroDuration();
  std::vector<absl::string_view> fields =
      absl::StrSplit(absl::string_view(text).substr(close + 2), ' ');
  int64_t utime = 0, stime = 0;
  if (fields.size() < 13 || !absl::SimpleAtoi(fields[11], &utime) ||
      !absl::SimpleAtoi(fields[12], &stime)) {
    return absl::ZeroDuration();
  }
  return absl::Seconds(static_cast<double>(utime + stime) / sysconf(_SC_CLK_TCK));
}

std::string CaseId(int64_t i) { return absl::StrFormat("c%08d", i + 1); }
std::string AgentId(int i) { return absl::StrFormat("agent-%05d", i); }

const char* const kTopics[] = {"billing", "technical", "account", "sales", "outage", "general"};

// An open email or social case of a contact centre's backlog, waiting up to an hour; the
// first agents * kAssignedPerAgent are assigned.
Case BacklogCase(int64_t i, int agents, absl::Time now) {
  Case c;
  c.id = CaseId(i);
  CaseSpec& s = c.spec;
  s.channel = i % 4 == 3 ? Channel::kSocial : Channel::kEmail;
  s.customer_id = absl::StrFormat("cust-%07d", i % 400000);
  s.topic = kTopics[i % 6];
  s.required_skills = {{s.topic, 1 + static_cast<int>(i % 5)}};
  s.language = i % 10 == 0 ? "de" : "en";
  s.customer_value = static_cast<double>(i % 1000) / 10;
  s.sentiment = -0.25;
  s.has_sentiment = s.channel == Channel::kSocial;
  s.reach = s.channel == Channel::kSocial ? 1200 : 0;
  s.is_public = s.channel == Channel::kSocial;
  s.idempotency_key = absl::StrCat("adapter-", i);
  s.subject = absl::StrCat("Order ", 100000 + i % 900000,
                           " arrived damaged; please advise on a replacement");
  c.created_time = now - absl::Seconds(60 + i % 3600);
  c.enqueued_time = c.created_time;
  if (i < static_cast<int64_t>(agents) * kAssignedPerAgent) {
    c.state = CaseState::kAssigned;
    c.agent_id = AgentId(static_cast<int>(i % agents));
    c.answered_time = c.created_time + absl::Seconds(30);
    c.offers_made = 1;
  }
  return c;
}

Agent DeskAgent(int i, absl::Time now) {
  Agent a;
  a.id = AgentId(i);
  for (int t = 0; t < 6; ++t) a.skills.push_back({kTopics[t], 1 + (i + t) % 10});
  a.languages = i % 5 == 0 ? std::vector<std::string>{"en", "de"} : std::vector<std::string>{"en"};
  a.authority_limit = 100;
  a.presence = Presence::kAvailable;
  a.presence_since = now - absl::Hours(1);
  a.idle_since = now - absl::Minutes(1);
  return a;
}

std::unique_ptr<RedisStateStore> Open(int port, const std::string& domain) {
  RedisOptions options;
  options.port = port;
  options.domain = domain;
  options.command_timeout = absl::Seconds(30);
  absl::StatusOr<std::unique_ptr<RedisStateStore>> store = RedisStateStore::Connect(options);
  return store.ok() ? *std::move(store) : nullptr;
}

// The redis-server of this process and one filled domain per (cases, agents).
class Fixture {
 public:
  static Fixture& Get() {
    static Fixture* const fixture = new Fixture;
    return *fixture;
  }

  // The domain holding `cases` open cases and `agents` agents; empty on failure (`error`
  // says why).
  std::string Domain(int64_t cases, int agents, std::string* error) {
    if (server_ == nullptr) {
      *error = start_error_;
      return "";
    }
    std::string domain = absl::StrCat("bench-", cases, "-", agents);
    if (filled_.count(domain) > 0) return domain;
    absl::Time start = absl::Now();
    if (absl::Status s = Fill(domain, cases, agents); !s.ok()) {
      *error = s.ToString();
      return "";
    }
    absl::FPrintF(stderr, "filled %s: %d open cases, %d agents in %s\n", domain, cases, agents,
                  absl::FormatDuration(absl::Trunc(absl::Now() - start, absl::Milliseconds(1))));
    filled_.insert(domain);
    return domain;
  }

  // Stores every agent AVAILABLE again, as the crashed leader left them.
  absl::Status ResetAgents(const std::string& domain, int agents) {
    std::unique_ptr<RedisStateStore> store = Open(port(), domain);
    // An engine that never converged may still hold a lease: wait for it to lapse.
    absl::StatusOr<int64_t> epoch;
    absl::Time give_up = absl::Now() + absl::Seconds(30);
    do {
      epoch = store->AcquireLeadership("bench-fill", absl::Minutes(5), now_);
      if (!epoch.ok()) absl::SleepFor(absl::Milliseconds(100));
    } while (!epoch.ok() && absl::Now() < give_up);
    if (!epoch.ok()) return epoch.status();
    absl::Status s = StoreAgents(*store, *epoch, agents);
    (void)store->ReleaseLeadership("bench-fill");
    return s;
  }

  int port() const { return server_->port(); }
  pid_t redis_pid() const { return server_->pid(); }

 private:
  Fixture() : now_(absl::Now()) {
    absl::StatusOr<std::unique_ptr<RedisServer>> server = RedisServer::Start();
    if (server.ok()) {
      server_ = *std::move(server);
    } else {
      start_error_ = server.status().ToString();
    }
  }

  absl::Status Fill(const std::string& domain, int64_t cases, int agents) {
    std::unique_ptr<RedisStateStore> lead = Open(port(), domain);
    absl::StatusOr<int64_t> epoch = lead->AcquireLeadership("bench-fill", absl::Minutes(30), now_);
    if (!epoch.ok()) return epoch.status();
    if (absl::Status s = StoreAgents(*lead, *epoch, agents); !s.ok()) return s;
    // Two connections commit alternate batches, so one encodes while Redis runs the other's.
    std::atomic<int64_t> next{0};
    absl::Status failures[2];
    auto worker = [&](int w) {
      std::unique_ptr<RedisStateStore> store = Open(port(), domain);
      for (;;) {
        int64_t first = next.fetch_add(kBatchCases);
        if (first >= cases) return;
        Batch batch;
        batch.now = absl::Now();
        int64_t end = std::min<int64_t>(cases, first + kBatchCases);
        batch.cases.reserve(end - first);
        for (int64_t i = first; i < end; ++i) batch.cases.push_back(BacklogCase(i, agents, now_));
        if (absl::Status s = store->Commit(batch, *epoch); !s.ok()) {
          failures[w] = s;
          return;
        }
      }
    };
    std::thread a(worker, 0), b(worker, 1);
    a.join();
    b.join();
    for (const absl::Status& s : failures) {
      if (!s.ok()) return s;
    }
    return lead->ReleaseLeadership("bench-fill");
  }

  absl::Status StoreAgents(RedisStateStore& store, int64_t epoch, int agents) {
    Batch batch;
    batch.now = absl::Now();
    for (int i = 0; i < agents; ++i) batch.agents.push_back(DeskAgent(i, now_));
    return store.Commit(batch, epoch);
  }

  const absl::Time now_;
  std::unique_ptr<RedisServer> server_;
  std::string start_error_;
  std::set<std::string> filled_;
};

// Notes when the engine starts serving (the end of its recovery).
class ServingObserver : public EngineObserver {
 public:
  void Leadership(bool leader) override {
    if (leader && serving_since == absl::InfinitePast()) serving_since = absl::Now();
  }
  absl::Time serving_since = absl::InfinitePast();
};

// Args: open cases, agents.
void BM_Load(benchmark::State& state) {
  std::string error;
  std::string domain =
      Fixture::Get().Domain(state.range(0), static_cast<int>(state.range(1)), &error);
  if (domain.empty()) return state.SkipWithError(error.c_str());
  std::unique_ptr<RedisStateStore> store = Open(Fixture::Get().port(), domain);
  size_t cases = 0;
  absl::Duration redis_cpu;
  for (auto _ : state) {
    absl::Duration redis_before = CpuTimeOf(Fixture::Get().redis_pid());
    absl::StatusOr<StoredState> loaded = store->Load(absl::Now());
    redis_cpu += CpuTimeOf(Fixture::Get().redis_pid()) - redis_before;
    if (!loaded.ok()) return state.SkipWithError(loaded.status().ToString().c_str());
    cases = loaded->cases.size();
    state.PauseTiming();
    loaded = StoredState{};  // freeing it is not the load's cost
    state.ResumeTiming();
  }
  state.counters["cases"] = static_cast<double>(cases);
  // Redis' own CPU time per load: the part of the wall time this process cannot shorten.
  state.counters["redis_cpu_s"] =
      absl::ToDoubleSeconds(redis_cpu) / static_cast<double>(state.iterations());
  state.counters["cases_per_s"] =
      benchmark::Counter(static_cast<double>(cases), benchmark::Counter::kIsIterationInvariantRate);
}

// Args: open cases, agents.
void BM_RecoverToFirstAnswer(benchmark::State& state) {
  const int agents = static_cast<int>(state.range(1));
  std::string error;
  std::string domain = Fixture::Get().Domain(state.range(0), agents, &error);
  if (domain.empty()) return state.SkipWithError(error.c_str());
  EngineConfig config;
  config.domain = domain;
  config.max_queue = 2000000;
  int run = 0;
  for (auto _ : state) {
    std::unique_ptr<RedisStateStore> redis = Open(Fixture::Get().port(), domain);
    CountingStore store(redis.get());
    RealClock clock;
    ServingObserver observer;
    auto engine =
        std::make_unique<Engine>(config, &store, &clock, &observer, absl::StrCat("bench-", ++run));
    const std::string probe = CaseId(state.range(0) - 1);  // the last case stored
    // The client: one GetCase at a time, with a deadline; a refusal or a late answer makes it
    // ask again. Every command is answered by the end of the tick after it was sent.
    struct Call {
      absl::Time sent;
      std::optional<absl::StatusOr<CaseView>> answer;
      absl::Time answered;
    };
    Call call;
    int late = 0;
    bool answered = false;
    const absl::Time start = absl::Now();
    while (absl::Now() - start < kGiveUp) {
      if (!call.answer.has_value()) {
        call.sent = absl::Now();
        engine->GetCase(probe, [&call](absl::StatusOr<CaseView> r) {
          call.answer = std::move(r);
          call.answered = absl::Now();
        });
      }
      engine->Tick();
      if (!call.answer.has_value()) continue;
      if (call.answer->ok() && call.answered - call.sent <= kClientDeadline) {
        answered = true;
        break;
      }
      if (call.answer->ok()) ++late;
      call.answer.reset();
    }
    absl::Duration took = (answered ? call.answered : absl::Now()) - start;
    state.SetIterationTime(absl::ToDoubleSeconds(took));
    state.counters["answered"] = answered ? 1 : 0;
    state.counters["late"] = late;
    state.counters["loads"] = store.loads;
    state.counters["renewals"] = store.renewals;
    state.counters["load_s"] = absl::ToDoubleSeconds(store.last_load);
    state.counters["serving_s"] = observer.serving_since == absl::InfinitePast()
                                      ? -1
                                      : absl::ToDoubleSeconds(observer.serving_since - start);
    state.counters["cases"] = static_cast<double>(store.last_cases);
    state.PauseTiming();
    engine->ReleaseLeadership();
    engine.reset();
    if (absl::Status s = Fixture::Get().ResetAgents(domain, agents); !s.ok()) {
      return state.SkipWithError(s.ToString().c_str());
    }
    state.ResumeTiming();
  }
}

// Args: open cases, agents. The recovery alone, as Engine::EnsureLeadership runs it (take the
// lease, load and rebuild holding it, commit what the rebuild changed: agents set OFFLINE),
// without the first tick's routing pass: the engine's rooms driven directly.
void BM_RecoverToServing(benchmark::State& state) {
  const int agents = static_cast<int>(state.range(1));
  std::string error;
  std::string domain = Fixture::Get().Domain(state.range(0), agents, &error);
  if (domain.empty()) return state.SkipWithError(error.c_str());
  EngineConfig config;
  config.domain = domain;
  int run = 0;
  for (auto _ : state) {
    std::unique_ptr<RedisStateStore> redis = Open(Fixture::Get().port(), domain);
    CountingStore store(redis.get());
    RealClock clock;
    const std::string instance = absl::StrCat("bench-serving-", ++run);
    absl::Time start = absl::Now();
    absl::Status recovered;
    size_t cases = 0;
    {
      DomainState domain_state;
      TickOutbox outbox;
      DeskSessions desks;
      TickContext ctx{config, domain_state, outbox, desks, nullptr, clock.Now()};
      Leadership leadership(&store, instance);
      if (leadership.Keep(false, config.lease_ttl, ctx.now) != Leadership::Standing::kTaken) {
        return state.SkipWithError("the lease was not free");
      }
      auto hold = [&] { return leadership.Hold(config.lease_ttl, clock.Now()); };
      recovered = Recover(ctx, store, hold);
      if (recovered.ok()) recovered = hold();
      if (recovered.ok()) {
        Batch batch = outbox.TakeBatch(domain_state, ctx.now, config.closed_retention);
        recovered = store.Commit(batch, leadership.epoch());
      }
      cases = domain_state.cases.size();
      state.SetIterationTime(absl::ToDoubleSeconds(absl::Now() - start));
      state.PauseTiming();  // freeing the domain is not recovery's cost
      leadership.Release();
    }
    if (!recovered.ok()) return state.SkipWithError(recovered.ToString().c_str());
    state.counters["loads"] = store.loads;
    state.counters["renewals"] = store.renewals;
    state.counters["load_s"] = absl::ToDoubleSeconds(store.last_load);
    state.counters["cases"] = static_cast<double>(cases);
    if (absl::Status s = Fixture::Get().ResetAgents(domain, agents); !s.ok()) {
      return state.SkipWithError(s.ToString().c_str());
    }
    state.ResumeTiming();
  }
}

// --agents=N (default 10000) sets the number of agents stored beside the cases for BM_Load,
// and --engine_agents=N (default: the same) for BM_RecoverToFirstAnswer (the first tick after
// a recovery decides every waiting case; with the agent pools that costs a look per case, not
// a pass over the agents, so 10k agents finish).
// --iterations=N (default 3) runs each benchmark N times (a longer window for perf record).
// --max_memory_gib=G (default 8) caps this process' address space, so that a run that grows
// too far fails alone instead of pushing a shared machine out of memory.
int Main(int argc, char** argv) {
  int agents = 10000;
  int engine_agents = -1;
  int max_memory_gib = 8;
  int iterations = 3;
  std::vector<char*> rest;
  for (int i = 0; i < argc; ++i) {
    absl::string_view arg = argv[i];
    if (absl::ConsumePrefix(&arg, "--agents=")) {
      if (!absl::SimpleAtoi(arg, &agents)) return 2;
    } else if (absl::ConsumePrefix(&arg, "--engine_agents=")) {
      if (!absl::SimpleAtoi(arg, &engine_agents)) return 2;
    } else if (absl::ConsumePrefix(&arg, "--iterations=")) {
      if (!absl::SimpleAtoi(arg, &iterations) || iterations < 1) return 2;
    } else if (absl::ConsumePrefix(&arg, "--max_memory_gib=")) {
      if (!absl::SimpleAtoi(arg, &max_memory_gib)) return 2;
    } else {
      rest.push_back(argv[i]);
    }
  }
  if (engine_agents < 0) engine_agents = agents;
  if (max_memory_gib > 0) {
    rlimit limit{};
    limit.rlim_cur = limit.rlim_max = static_cast<rlim_t>(max_memory_gib) << 30;
    setrlimit(RLIMIT_AS, &limit);
  }
  int rest_argc = static_cast<int>(rest.size());
  benchmark::Initialize(&rest_argc, rest.data());
  if (benchmark::ReportUnrecognizedArguments(rest_argc, rest.data())) return 2;
  for (int64_t cases : {100000, 1000000}) {
    benchmark::RegisterBenchmark("BM_Load", BM_Load)
        ->Args({cases, agents})
        ->Unit(benchmark::kMillisecond)
        ->Iterations(iterations)
        ->UseRealTime();
  }
  for (int64_t cases : {100000, 1000000}) {
    benchmark::RegisterBenchmark("BM_RecoverToServing", BM_RecoverToServing)
        ->Args({cases, agents})
        ->Unit(benchmark::kMillisecond)
        ->Iterations(iterations)
        ->UseManualTime();
  }
  for (int64_t cases : {100000, 1000000}) {
    benchmark::RegisterBenchmark("BM_RecoverToFirstAnswer", BM_RecoverToFirstAnswer)
        ->Args({cases, engine_agents})
        ->Unit(benchmark::kMillisecond)
        ->Iterations(iterations)
        ->UseManualTime();
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}

}  // namespace
}  // namespace caserouter

int main(int argc, char** argv) { return caserouter::Main(argc, argv); }
