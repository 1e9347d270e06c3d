#include "router/service/server.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <grpcpp/health_check_service_interface.h>
#include <grpcpp/impl/server_builder_option.h>

#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "prometheus/counter.h"
#include "prometheus/exposer.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "router/engine/engine.h"
#include "router/model/clock.h"
#include "router/service/admission.h"
#include "router/service/agent_desk_service.h"
#include "router/service/audit_log.h"
#include "router/service/call_gate.h"
#include "router/service/call_limiter.h"
#include "router/service/caller_limits.h"
#include "router/service/case_intake_service.h"
#include "router/service/connection_acceptor.h"
#include "router/service/event_feed.h"
#include "router/service/grpc_log_limit.h"
#include "router/service/lifecycle_log.h"
#include "router/service/open_files.h"
#include "router/service/prometheus_observer.h"
#include "router/service/server_metrics.h"
#include "router/service/server_settings.h"
#include "router/service/supervision_service.h"
#include "router/service/token_key_files.h"
#include "router/service/transport_security.h"
#include "router/service/wire_checks.h"

#ifndef CASEROUTER_VERSION
#define CASEROUTER_VERSION "unknown"
#endif
#ifndef CASEROUTER_REVISION
#define CASEROUTER_REVISION "unknown"
#endif

namespace caserouter {
namespace {

constexpr char kLivenessService[] = "caserouter.liveness";
// How often the health watcher counts open files, and flushes the audit's summary.
constexpr absl::Duration kOpenFilesEvery = absl::Seconds(1);
constexpr absl::Duration kAuditFlushEvery = absl::Seconds(10);

// Server reflection on or off for one server. Loading libgrpc++_reflection registers the
// plugin for every server the process builds (a static initializer), so "off" must take it
// out of the builder's plugins, and "on" puts it in if it is not there.
class ReflectionOption final : public grpc::ServerBuilderOption {
 public:
  explicit ReflectionOption(bool on) : on_(on) {}
  void UpdateArguments(grpc::ChannelArguments*) override {}
  void UpdatePlugins(std::vector<std::unique_ptr<grpc::ServerBuilderPlugin>>* plugins) override {
    const std::string name = grpc::reflection::ProtoServerReflectionPlugin().name();
    auto is_reflection = [&](const std::unique_ptr<grpc::ServerBuilderPlugin>& plugin) {
      return plugin->name() == name;
    };
    const bool present = std::any_of(plugins->begin(), plugins->end(), is_reflection);
    if (!on_) {
      plugins->erase(std::remove_if(plugins->begin(), plugins->end(), is_reflection),
                     plugins->end());
    } else if (!present) {
      plugins->push_back(std::make_unique<grpc::reflection::ProtoServerReflectionPlugin>());
    }
  }

 private:
  const bool on_;
};
// What the health watcher asks the engine to see that it answers commands: an id no case
// has (case ids are c<digits>), so the answer is a quick NOT_FOUND.
constexpr char kProbeCaseId[] = "health-probe";

// Forwards to the metrics and keeps what the lifecycle log needs. The engine calls it on its
// own thread, where nothing may block, so it only flips atomics; the health thread logs.
class ServerObserver final : public EngineObserver {
 public:
  explicit ServerObserver(PrometheusObserver* metrics) : metrics_(metrics) {}

  bool store_failing() const { return store_failing_.load(std::memory_order_relaxed); }

  void CaseReceived(Channel c) override { metrics_->CaseReceived(c); }
  void CaseAnswered(Channel c, absl::Duration wait, bool sla_met) override {
    metrics_->CaseAnswered(c, wait, sla_met);
  }
  void CaseCompleted(Channel c, absl::string_view topic, const Outcome& outcome,
                     bool repeat_contact) override {
    metrics_->CaseCompleted(c, topic, outcome, repeat_contact);
  }
  void RepeatContact(Channel c, absl::string_view topic) override {
    metrics_->RepeatContact(c, topic);
  }
  void CaseAbandoned(Channel c) override { metrics_->CaseAbandoned(c); }
  void CaseExpired(Channel c) override { metrics_->CaseExpired(c); }
  void Offer(OfferResult result) override { metrics_->Offer(result); }
  void Excluded(Exclusion reason, int count) override { metrics_->Excluded(reason, count); }
  void StickyRouting(bool hit) override { metrics_->StickyRouting(hit); }
  void QueueState(const PerChannel<int>& depth, const PerChannel<double>& value) override {
    metrics_->QueueState(depth, value);
  }
  void AgentState(const std::array<int, kPresenceCount>& by_presence, double occupancy) override {
    metrics_->AgentState(by_presence, occupancy);
  }
  void RoutingPass(absl::Duration latency) override { metrics_->RoutingPass(latency); }
  void StoreBatch(absl::Duration latency, size_t records, bool ok) override {
    store_failing_.store(!ok, std::memory_order_relaxed);
    metrics_->StoreBatch(latency, records, ok);
  }
  void Leadership(bool leader) override { metrics_->Leadership(leader); }
  // Issue 17.
  void BenchmarkCase(const std::string& arm, bool excluded) override {
    metrics_->BenchmarkCase(arm, excluded);
  }
  void BenchmarkArmSuspended(const std::string& arm) override {
    metrics_->BenchmarkArmSuspended(arm);
  }
  bool WantsBenchmarkReports() const override { return true; }
  void BenchmarkReported(const std::vector<BenchmarkArmCounts>& arms,
                         const BenchmarkComparison& comparison) override {
    metrics_->BenchmarkReported(arms, comparison);
  }
  // Issue 16: reporting by queue.
  void QueueOverflowed(absl::string_view from, absl::string_view to) override {
    metrics_->QueueOverflowed(from, to);
  }
  void QueueAnswered(absl::string_view queue, bool within_target) override {
    metrics_->QueueAnswered(queue, within_target);
  }
  void QueueAbandoned(absl::string_view queue) override { metrics_->QueueAbandoned(queue); }
  void QueuesState(const std::vector<QueueFigures>& queues) override {
    metrics_->QueuesState(queues);
  }
  // Issue 14.
  void CaseReleased(Channel c, absl::string_view topic) override {
    metrics_->CaseReleased(c, topic);
  }
  void CaseTransferred(Channel c, TransferKind kind) override {
    metrics_->CaseTransferred(c, kind);
  }
  void CasePending(Channel c, PendingStep step) override { metrics_->CasePending(c, step); }
  void AgentAway(absl::string_view reason) override { metrics_->AgentAway(reason); }

 private:
  PrometheusObserver* const metrics_;
  std::atomic<bool> store_failing_{false};
};

}  // namespace

class Server::Impl {
 public:
  Impl(ServerOptions options, EngineConfig config, std::unique_ptr<StateStore> store)
      : options_(std::move(options)),
        domain_(config.domain),
        store_(std::move(store)),
        registry_(std::make_shared<prometheus::Registry>()),
        metrics_(registry_.get(), config.topics, CASEROUTER_VERSION, CASEROUTER_REVISION),
        observer_(&metrics_),
        server_metrics_(registry_.get()),
        calls_(options_.max_calls_in_flight, ServerLimit::kCallsInFlight, &server_metrics_),
        admission_(
            config, options_.max_calls_in_flight, [this] { return engine_.OpenCaseSnapshot(); },
            &clock_, &server_metrics_),
        engine_(std::move(config), store_.get(), &clock_, &observer_, options_.instance_id),
        audit_(registry_.get(), &clock_,
               [this](std::string type, std::string case_id, std::string agent_id,
                      std::string detail) {
                 engine_.RecordEvent(std::move(type), std::move(case_id), std::move(agent_id),
                                     std::move(detail));
               }),
        caller_limits_(options_.per_caller, &server_metrics_),
        gate_(domain_, &clock_, &audit_, &caller_limits_, &server_metrics_),
        feed_places_(options_.max_event_feeds, ServerLimit::kEventFeeds, &server_metrics_),
        feed_(options_.open_events, &engine_, &gate_, &feed_places_),
        case_intake_(&engine_, &gate_, &calls_, &admission_,
                     options_.open_events ? &feed_ : nullptr),
        supervision_(&engine_, &clock_, &gate_, &calls_, ReloadFunctionOf(this),
                     options_.open_events ? &feed_ : nullptr),
        agent_desk_(&engine_, &clock_, &gate_,
                    AgentDeskService::Options{options_.max_desk_streams, options_.hello_timeout},
                    &server_metrics_) {
    open_files_ = &prometheus::BuildGauge()
                       .Name("caserouter_open_files")
                       .Help("File descriptors the process holds (each connection is one).")
                       .Register(*registry_)
                       .Add({});
    open_files_limit_ = &prometheus::BuildGauge()
                             .Name("caserouter_open_files_limit")
                             .Help("The process's descriptor limit (soft RLIMIT_NOFILE).")
                             .Register(*registry_)
                             .Add({});
    auto& log_lines = prometheus::BuildCounter()
                          .Name("caserouter_grpc_log_lines_total")
                          .Help(
                              "gRPC's own log lines: written to stderr, or held back by the "
                              "log limit (a client cannot make the router log per request).")
                          .Register(*registry_);
    log_written_ = &log_lines.Add({{"written", "true"}});
    log_suppressed_ = &log_lines.Add({{"written", "false"}});
  }

  ~Impl() { Shutdown(); }

  absl::Status Start() {
    InstallGrpcLogLimit();
    absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> credentials =
        ServerCredentialsFor(options_.transport);
    if (!credentials.ok()) return credentials.status();
    if (!options_.tokens.public_key_files.empty()) {
      token_keys_.emplace(options_.tokens);
      absl::StatusOr<std::shared_ptr<const TokenVerifier>> verifier = token_keys_->Reload();
      if (!verifier.ok()) return absl::InvalidArgumentError(verifier.status().message());
      gate_.SetTokenVerifier(*std::move(verifier));
    } else if (options_.transport.client_ca_file.empty() ||
               !options_.transport.require_client_cert) {
      return absl::InvalidArgumentError(
          "jwt_public_keys or tls_client_ca: required; the router needs a way to tell who "
          "calls (bearer tokens, or client certificates it requires)");
    }
    if (!options_.metrics_address.empty()) {
      try {
        exposer_ = std::make_unique<prometheus::Exposer>(options_.metrics_address);
      } catch (const std::exception& e) {
        return absl::UnavailableError(
            absl::StrCat("metrics_address: cannot listen on ", options_.metrics_address));
      }
      exposer_->RegisterCollectable(registry_);
      std::vector<int> ports = exposer_->GetListeningPorts();
      metrics_port_ = ports.empty() ? 0 : ports.front();
    }

    grpc::EnableDefaultHealthCheckService(true);
    // The router accepts its connections itself, so that their total has a ceiling
    // (connection_acceptor.h); gRPC serves them with the same credentials.
    absl::StatusOr<std::unique_ptr<ConnectionAcceptor>> acceptor = ConnectionAcceptor::Listen(
        options_.grpc_address, options_.max_connections, &server_metrics_);
    if (!acceptor.ok()) return acceptor.status();
    acceptor_ = *std::move(acceptor);
    grpc_port_ = acceptor_->port();
    grpc::ServerBuilder builder;
    std::unique_ptr<grpc::experimental::ExternalConnectionAcceptor> hand_off =
        builder.experimental().AddExternalConnectionAcceptor(
            grpc::ServerBuilder::experimental_type::ExternalConnectionType::FROM_FD, *credentials);
    builder.RegisterService(&case_intake_);
    builder.RegisterService(&supervision_);
    builder.RegisterService(&agent_desk_);
    builder.SetOption(std::make_unique<ReflectionOption>(options_.reflection));
    ApplyServerSettings(builder, options_.connection_timeouts);
    grpc_server_ = builder.BuildAndStart();
    if (grpc_server_ == nullptr) {
      return absl::UnavailableError(
          absl::StrCat("grpc_address: cannot serve on ", options_.grpc_address));
    }
    acceptor_->Start(std::move(hand_off));
    health_ = grpc_server_->GetHealthCheckService();
    health_->SetServingStatus(kLivenessService, true);
    health_->SetServingStatus("", false);
    if (!options_.health_address.empty()) {
      // Health alone, in plaintext: what it tells is public (a probe's answer), and the
      // kubelet's gRPC probe cannot speak TLS.
      grpc::ServerBuilder health_builder;
      health_builder.AddListeningPort(options_.health_address, grpc::InsecureServerCredentials(),
                                      &health_port_);
      ApplyServerSettings(health_builder, options_.connection_timeouts);
      health_builder.SetOption(std::make_unique<ReflectionOption>(false));
      // gRPC builds no server without a service of its own beside health; this one answers
      // UNIMPLEMENTED to everything.
      health_builder.RegisterCallbackGenericService(&nothing_else_);
      health_server_ = health_builder.BuildAndStart();
      if (health_server_ == nullptr || health_port_ == 0) {
        grpc_server_->Shutdown();
        grpc_server_->Wait();
        grpc_server_.reset();
        return absl::UnavailableError(
            absl::StrCat("health_address: cannot listen on ", options_.health_address));
      }
      probe_health_ = health_server_->GetHealthCheckService();
      probe_health_->SetServingStatus(kLivenessService, true);
      probe_health_->SetServingStatus("", false);
    }

    engine_thread_ = std::thread([this] { engine_.Run(); });
    if (options_.open_events) feed_.Start();
    health_thread_ = std::thread([this] { WatchHealth(); });
    LogLifecycle(
        "started: instance %s, domain %s, grpc port %d (%s, %s), metrics port %d, health port %d",
        options_.instance_id, domain_, grpc_port_,
        options_.transport.plaintext                ? "PLAINTEXT"
        : options_.transport.client_ca_file.empty() ? "TLS"
        : options_.transport.require_client_cert    ? "mTLS required"
                                                    : "mTLS optional",
        token_keys_.has_value() ? "bearer tokens" : "client certificates only", metrics_port_,
        health_port_);
    return absl::OkStatus();
  }

  int grpc_port() const { return grpc_port_; }
  int metrics_port() const { return metrics_port_; }
  int health_port() const { return health_port_; }
  bool IsServing() const { return engine_.IsServing(); }
  prometheus::Registry& registry() { return *registry_; }

  // Reads the file (on the calling thread: a small local file), then hands the configuration
  // to the engine; `done` runs once the engine took it, on the engine thread.
  void ReloadAsync(std::function<void(absl::StatusOr<ReloadResult>)> done) {
    if (!options_.load_config) {
      LogLifecycle("configuration reload ignored: started without a configuration file");
      done(absl::FailedPreconditionError("no configuration file to reload"));
      return;
    }
    auto finish = [this, done = std::move(done)](absl::Status applied) {
      if (applied.ok()) {
        LogLifecycle("configuration reloaded from %s", options_.config_path);
        done(ReloadResult{options_.config_path, domain_});
      } else {
        // Loader errors name the file and the key, never request data.
        LogLifecycle("configuration reload refused, the running one stays: %s", applied.message());
        done(applied);
      }
    };
    absl::StatusOr<EngineConfig> config = options_.load_config();
    if (!config.ok()) {
      finish(config.status());
      return;
    }
    ReconfigureAsync(*std::move(config), std::move(finish));
  }

  absl::Status Reload() {
    auto done = std::make_shared<std::pair<absl::Notification, absl::Status>>();
    ReloadAsync([done](absl::StatusOr<ReloadResult> result) {
      done->second = result.status();
      done->first.Notify();
    });
    return Await(*done);
  }

  // The engine, the metrics' topics and admission take `config`; `done` runs on the engine
  // thread (or at once when the domain differs).
  void ReconfigureAsync(EngineConfig config, std::function<void(absl::Status)> done) {
    if (config.domain != domain_) {
      done(absl::FailedPreconditionError(
          "domain: cannot change while running; start a replica for the new domain"));
      return;
    }
    EngineConfig copy = config;
    engine_.Reconfigure(std::move(config), [this, copy = std::move(copy),
                                            done = std::move(done)](absl::Status status) {
      if (status.ok()) {
        metrics_.SetTopics(copy.topics);
        metrics_.SetQueues(copy.queues);  // issue 16
        admission_.Configure(copy);
      }
      done(status);
    });
  }

  absl::Status Reconfigure(EngineConfig config) {
    auto done = std::make_shared<std::pair<absl::Notification, absl::Status>>();
    ReconfigureAsync(std::move(config), [done](absl::Status status) {
      done->second = std::move(status);
      done->first.Notify();
    });
    return Await(*done);
  }

  void Shutdown() {
    {
      absl::MutexLock lock(&mu_);
      if (shut_down_ || grpc_server_ == nullptr) return;
      shut_down_ = true;
    }
    LogLifecycle("shutting down: draining for up to %s",
                 absl::FormatDuration(options_.drain_timeout));
    stop_health_.Notify();
    health_thread_.join();
    health_->Shutdown();  // every service NOT_SERVING from now on
    if (probe_health_ != nullptr) probe_health_->Shutdown();
    acceptor_->Stop();  // no new connection from here; the open ones drain
    agent_desk_.EndAllStreams(absl::UnavailableError("server shutting down"));
    // Feeds end UNAVAILABLE: their clients resume after their last event on the next leader.
    feed_.Stop(absl::UnavailableError("server shutting down"));
    grpc_server_->Shutdown(absl::ToChronoTime(absl::Now() + options_.drain_timeout));
    grpc_server_->Wait();
    if (health_server_ != nullptr) {
      health_server_->Shutdown(absl::ToChronoTime(absl::Now()));
      health_server_->Wait();
    }
    engine_.Stop();
    engine_thread_.join();
    engine_.ReleaseLeadership();
    LogLifecycle("shut down: instance %s released domain %s", options_.instance_id, domain_);
  }

 private:
  static ReloadFunction ReloadFunctionOf(Impl* impl) {
    if (!impl->options_.load_config) return nullptr;
    return [impl](std::function<void(absl::StatusOr<ReloadResult>)> done) {
      impl->ReloadAsync(std::move(done));
    };
  }

  // The engine's answer to a reconfiguration, or DEADLINE_EXCEEDED after 10 s.
  static absl::Status Await(std::pair<absl::Notification, absl::Status>& done) {
    if (!done.first.WaitForNotificationWithTimeout(absl::Seconds(10))) {
      return absl::DeadlineExceededError("the engine did not take the configuration in 10 s");
    }
    return done.second;
  }

  // Mirrors whether this replica can take calls into health service "" and logs transitions:
  // the engine leads its domain, and it answers commands. For the second, one probe command
  // is kept outstanding; an engine that has not answered it within engine_stall_timeout is
  // stalled (a tick stuck in a hung store), and a call sent to it could only wait.
  void WatchHealth() {
    bool serving = false;
    bool stalled = false;
    bool store_failing = false;
    bool out_of_files = false;
    bool full = false;  // saturated on two polls in a row
    bool saturated_before = false;
    auto answered = std::make_shared<std::atomic<bool>>(true);
    absl::Time probe_sent = absl::InfinitePast();
    absl::Time files_counted = absl::InfinitePast();
    absl::Time keys_checked = absl::Now();
    absl::Time audit_flushed = absl::Now();
    GrpcLogCounts logged;
    std::string key_error;
    do {
      const absl::Time now = absl::Now();
      if (now - files_counted >= kOpenFilesEvery) {
        files_counted = now;
        const OpenFiles files = CountOpenFiles();
        open_files_->Set(static_cast<double>(files.open));
        open_files_limit_->Set(static_cast<double>(files.limit));
        if (files.NearlyExhausted() != out_of_files) {
          out_of_files = !out_of_files;
          LogLifecycle(out_of_files
                           ? "file descriptors nearly exhausted (%d of %d open): NOT_SERVING"
                           : "file descriptors available again (%d of %d open)",
                       files.open, files.limit);
        }
        const GrpcLogCounts counts = ReadGrpcLogCounts();
        log_written_->Increment(static_cast<double>(counts.written - logged.written));
        log_suppressed_->Increment(static_cast<double>(counts.suppressed - logged.suppressed));
        logged = counts;
      }
      if (token_keys_.has_value() && now - keys_checked >= options_.credentials_refresh) {
        keys_checked = now;
        absl::StatusOr<std::shared_ptr<const TokenVerifier>> verifier = token_keys_->Reload();
        if (!verifier.ok()) {
          if (key_error != verifier.status().message()) {
            key_error = std::string(verifier.status().message());
            LogLifecycle("token keys not reloaded, the previous ones stay: %s", key_error);
          }
        } else if (*verifier != nullptr) {
          key_error.clear();
          LogLifecycle("token keys reloaded: %d keys", static_cast<int>((*verifier)->key_count()));
          gate_.SetTokenVerifier(*std::move(verifier));
        }
      }
      if (now - audit_flushed >= kAuditFlushEvery) {
        audit_flushed = now;
        audit_.Flush();
      }
      if (answered->load(std::memory_order_acquire)) {
        if (stalled) LogLifecycle("engine answers commands again: domain %s", domain_);
        stalled = false;
        answered = std::make_shared<std::atomic<bool>>(false);
        probe_sent = now;
        engine_.GetCase(kProbeCaseId, [answered](absl::StatusOr<CaseView>) {
          answered->store(true, std::memory_order_release);
        });
      } else if (!stalled && now - probe_sent > options_.engine_stall_timeout) {
        stalled = true;
        LogLifecycle("engine has not answered a command for %s: domain %s, NOT_SERVING",
                     absl::FormatDuration(options_.engine_stall_timeout), domain_);
      }
      // Every place taken (calls in flight, or connections) on two polls in a row: a new
      // caller would be refused, so a balancer should send it elsewhere. One poll alone is a
      // burst the server is working through.
      const bool saturated_now = calls_.in_use() >= calls_.limit() ||
                                 acceptor_->open_connections() >= options_.max_connections;
      if ((saturated_now && saturated_before) != full) {
        full = !full;
        LogLifecycle(full ? "every call or connection place taken (%d of %d calls, %d of %d "
                            "connections): NOT_SERVING"
                          : "places free again (%d of %d calls, %d of %d connections)",
                     calls_.in_use(), calls_.limit(), acceptor_->open_connections(),
                     options_.max_connections);
      }
      saturated_before = saturated_now;
      const bool now_serving = engine_.IsServing() && !stalled && !out_of_files && !full;
      if (now_serving != serving) {
        serving = now_serving;
        health_->SetServingStatus("", serving);
        if (probe_health_ != nullptr) probe_health_->SetServingStatus("", serving);
        if (serving) {
          LogLifecycle("leader acquired: domain %s, state loaded, SERVING", domain_);
        } else if (!stalled && !out_of_files && !full) {
          LogLifecycle("leadership lost or store unavailable: domain %s, NOT_SERVING", domain_);
        }
      }
      bool now_failing = observer_.store_failing();
      if (now_failing != store_failing) {
        store_failing = now_failing;
        LogLifecycle(store_failing ? "state store unavailable: a batch was not written"
                                   : "state store available again");
      }
    } while (!stop_health_.WaitForNotificationWithTimeout(options_.health_poll_interval));
  }

  const ServerOptions options_;
  const std::string domain_;
  RealClock clock_;
  std::unique_ptr<StateStore> store_;
  std::shared_ptr<prometheus::Registry> registry_;
  PrometheusObserver metrics_;
  ServerObserver observer_;
  ServerMetrics server_metrics_;
  CallLimiter calls_;
  Admission admission_;
  Engine engine_;
  AuditLog audit_;
  CallerLimits caller_limits_;
  CallGate gate_;
  std::optional<TokenKeyFiles> token_keys_;  // health thread only, after Start
  CallLimiter feed_places_;
  EventFeed feed_;
  CaseIntakeService case_intake_;
  SupervisionService supervision_;
  AgentDeskService agent_desk_;

  std::unique_ptr<prometheus::Exposer> exposer_;
  std::unique_ptr<ConnectionAcceptor> acceptor_;  // before grpc_server_: it outlives it
  std::unique_ptr<grpc::Server> grpc_server_;
  grpc::CallbackGenericService nothing_else_;    // the health server's other "service"
  std::unique_ptr<grpc::Server> health_server_;  // health_address: plaintext, health only
  grpc::HealthCheckServiceInterface* health_ = nullptr;
  grpc::HealthCheckServiceInterface* probe_health_ = nullptr;
  prometheus::Gauge* open_files_ = nullptr;
  prometheus::Gauge* open_files_limit_ = nullptr;
  prometheus::Counter* log_written_ = nullptr;
  prometheus::Counter* log_suppressed_ = nullptr;
  int grpc_port_ = 0;
  int metrics_port_ = 0;
  int health_port_ = 0;
  std::thread engine_thread_;
  std::thread health_thread_;
  absl::Notification stop_health_;

  absl::Mutex mu_;
  bool shut_down_ ABSL_GUARDED_BY(mu_) = false;
};

absl::StatusOr<std::unique_ptr<Server>> Server::Start(ServerOptions options, EngineConfig config,
                                                      std::unique_ptr<StateStore> store) {
  if (options.instance_id.empty()) {
    return absl::InvalidArgumentError("instance_id: required");
  }
  if (options.grpc_address.empty()) {
    return absl::InvalidArgumentError("grpc_address: required");
  }
  if (options.max_event_feeds < 1) {
    return absl::InvalidArgumentError("max_event_feeds: must be at least 1");
  }
  if (options.max_desk_streams < 1) {
    return absl::InvalidArgumentError("max_desk_streams: must be at least 1");
  }
  if (options.max_calls_in_flight < 1) {
    return absl::InvalidArgumentError("max_calls_in_flight: must be at least 1");
  }
  if (options.per_caller.calls < 1 || options.per_caller.streams < 1 ||
      options.per_caller.connections < 1) {
    return absl::InvalidArgumentError("max_*_per_caller: must be at least 1");
  }
  if (options.max_connections < 1) {
    return absl::InvalidArgumentError("max_connections: must be at least 1");
  }
  if (options.hello_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("hello_timeout: must be positive");
  }
  if (store == nullptr) return absl::InvalidArgumentError("store: required");
  auto impl = std::make_unique<Impl>(std::move(options), std::move(config), std::move(store));
  if (absl::Status started = impl->Start(); !started.ok()) return started;
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() = default;
int Server::grpc_port() const { return impl_->grpc_port(); }
int Server::metrics_port() const { return impl_->metrics_port(); }
int Server::health_port() const { return impl_->health_port(); }
absl::Status Server::Reload() { return impl_->Reload(); }
absl::Status Server::Reconfigure(EngineConfig config) {
  return impl_->Reconfigure(std::move(config));
}
bool Server::IsServing() const { return impl_->IsServing(); }
void Server::Shutdown() { impl_->Shutdown(); }
prometheus::Registry& Server::registry() { return impl_->registry(); }

}  // namespace caserouter
