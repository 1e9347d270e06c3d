// Server: one caserouter replica — the engine thread, the gRPC server and the metrics endpoint.
//
// Start() builds everything and starts serving: the engine runs Run() on its own thread and
// competes for its routing domain's lease; the gRPC server offers caserouter.v1's
// CaseIntakeService, AgentDeskService and SupervisionService, grpc.health.v1.Health and server
// reflection; a Prometheus endpoint serves /metrics. Health: service "" is SERVING only while
// the engine leads its domain with its state loaded and answers commands (a command the
// health watcher sends is answered within engine_stall_timeout), so a readiness probe sends
// traffic to a leader that can take calls and to nobody else; service "caserouter.liveness"
// is SERVING for as long as the process serves at all.
//
// Threads: the engine thread, the health watcher, the metrics endpoint's few, and gRPC's own:
// every caserouter.v1 method is a callback method (raw_callback.h), so open desk streams and
// calls hold no thread, and the number of threads does not grow with them. Limits are counts
// answered at once with RESOURCE_EXHAUSTED: max_desk_streams open desk streams,
// max_calls_in_flight unary calls not yet answered, and admission (admission.h) for
// submissions.
//
//   ServerOptions options;
//   options.grpc_address = "127.0.0.1:0";     // port 0: any free port (tests)
//   options.instance_id = "host-a:50051";
//   absl::StatusOr<std::unique_ptr<Server>> server =
//       Server::Start(options, config, std::move(store));
//   ... (*server)->grpc_port() ...
//   (*server)->Shutdown();
//
// Shutdown order: health NOT_SERVING, desk streams ended (UNAVAILABLE, so desks reconnect to
// the next leader), the gRPC server stops accepting and drains in-flight calls until
// drain_timeout (then cancels them), the engine stops after its current tick, and the lease is
// released so a standby takes over at once instead of waiting for it to lapse.
//
// Thread safety: all methods are thread-safe; Shutdown is idempotent and also runs in the
// destructor. Errors from Start: INVALID_ARGUMENT for bad options (naming the option),
// UNAVAILABLE when an address cannot be bound.
#ifndef CASEROUTER_ROUTER_SERVICE_SERVER_H_
#define CASEROUTER_ROUTER_SERVICE_SERVER_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "router/model/engine_config.h"
#include "router/store/state_store.h"

namespace prometheus {
class Registry;
}

namespace caserouter {

struct ServerOptions {
  std::string grpc_address = "127.0.0.1:0";
  std::string metrics_address = "127.0.0.1:0";  // "" = no metrics endpoint
  std::string instance_id;                      // required: this replica in the lease
  // Desk streams this replica holds at most; Connect beyond is RESOURCE_EXHAUSTED. A stream
  // holds no thread (agent_desk_service.h): the bound is for memory (a few KiB per stream)
  // and file descriptors (one per desk connection).
  int max_desk_streams = 10000;
  // Unary calls taken and not yet answered; beyond, RESOURCE_EXHAUSTED at once. Bounds the
  // engine's command queue and the memory of waiting calls (engine_call.h).
  int max_calls_in_flight = 2048;
  absl::Duration drain_timeout = absl::Seconds(5);
  absl::Duration health_poll_interval = absl::Milliseconds(200);
  // Health "" turns NOT_SERVING when the engine has not answered a command for this long (a
  // tick stuck in a hung store, say): calls could only wait.
  absl::Duration engine_stall_timeout = absl::Seconds(5);
  // Reads the configuration file again, for Reload (SIGHUP,
  // SupervisionService.ReloadConfiguration).
  // Unset: the server runs on a configuration that has no file, and Reload is
  // FAILED_PRECONDITION.
  std::function<absl::StatusOr<EngineConfig>()> load_config;
  std::string config_path;  // what load_config reads, as reported to callers
};

class Server {
 public:
  static absl::StatusOr<std::unique_ptr<Server>> Start(ServerOptions options, EngineConfig config,
                                                       std::unique_ptr<StateStore> store);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The bound ports (useful with port 0). metrics_port() is 0 without a metrics endpoint.
  int grpc_port() const;
  int metrics_port() const;

  // Replaces the engine configuration and waits until the engine took it.
  // FAILED_PRECONDITION when `config` names another domain (a replica serves one domain for
  // its life), DEADLINE_EXCEEDED when the engine did not answer within 10 s.
  absl::Status Reconfigure(EngineConfig config);
  // load_config, then Reconfigure. A bad file leaves the running configuration in place.
  absl::Status Reload();

  // True while the engine leads its domain.
  bool IsServing() const;

  void Shutdown();

  prometheus::Registry& registry();

 private:
  class Impl;
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_SERVER_H_
