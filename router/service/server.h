// Server: one caserouter replica — the engine thread, the gRPC server and the metrics endpoint.
//
// Start() builds everything and starts serving: the engine runs Run() on its own thread and
// competes for its routing domain's lease; the gRPC server offers caserouter.v1's
// CaseIntakeService, AgentDeskService and SupervisionService over TLS (mTLS with a client CA;
// plaintext only when options.transport.plaintext says so), grpc.health.v1.Health, and
// server reflection only when options.reflection asks; a Prometheus endpoint serves /metrics
// (on loopback unless told otherwise). Every caserouter.v1 call passes the call gate
// (call_gate.h: credential, role, room) before any handler work; health is open to probes,
// also on an optional plaintext health-only port (health_address) for probes that cannot
// speak TLS. Health: service "" is SERVING only while the engine leads its domain with its
// state loaded and answers commands (a command the health watcher sends is answered within
// engine_stall_timeout), the process has file descriptors left for connections, and not every
// place is taken (all max_calls_in_flight calls, or all max_connections connections, on two
// health polls in a row), so a readiness probe sends traffic to a leader that can take calls
// and to nobody else; service
// "caserouter.liveness" is SERVING for as long as the process serves at all.
//
// Credentials are files, read again without a restart: the TLS files every
// transport.refresh (gRPC's file watcher), the token keys every credentials_refresh.
// Refused calls and supervisors' calls are audited (audit_log.h).
//
// Threads: the engine thread, the health watcher, the metrics endpoint's few, and gRPC's own:
// every caserouter.v1 method is a callback method (raw_callback.h), so open desk streams and
// calls hold no thread, and the number of threads does not grow with them. Limits are counts
// answered at once with RESOURCE_EXHAUSTED: max_desk_streams open desk streams,
// max_calls_in_flight unary calls not yet answered, and admission (admission.h) for
// submissions; and max_connections open connections, a new one beyond closed at accept by the
// router's own accept loop (connection_acceptor.h).
//
//   ServerOptions options;
//   options.grpc_address = "127.0.0.1:0";     // port 0: any free port (tests)
//   options.instance_id = "host-a:50051";
//   options.transport.cert_file = "tls.crt";  // and key_file, client_ca_file
//   options.tokens.public_key_files = {"issuer.pub"};
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
// destructor. Errors from Start: INVALID_ARGUMENT for bad options (naming the option: no TLS
// files and no plaintext, no way to authenticate callers, an unreadable key or certificate),
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
#include "router/service/caller_limits.h"
#include "router/service/server_settings.h"
#include "router/service/token_verifier.h"
#include "router/service/transport_security.h"
#include "router/store/event_source.h"
#include "router/store/state_store.h"

namespace prometheus {
class Registry;
}

namespace caserouter {

struct ServerOptions {
  std::string grpc_address = "127.0.0.1:0";
  // /metrics is plain HTTP without authentication: loopback unless a deployment puts it
  // behind a NetworkPolicy or a TLS proxy (docs/security.md). "" = no metrics endpoint.
  std::string metrics_address = "127.0.0.1:0";
  // A plaintext port serving grpc.health.v1 only, for probes that cannot speak TLS (the
  // kubelet's gRPC probe); "" = none. Health on grpc_address is open too.
  std::string health_address;
  std::string instance_id;  // required: this replica in the lease
  // TLS (and mTLS) of grpc_address; required: TLS files, or plaintext by name.
  TransportSecurity transport;
  // Bearer tokens. No key files: tokens are refused and only client certificates
  // authenticate (which then needs transport.client_ca_file).
  TokenSettings tokens;
  // How often the token key files are checked for a change.
  absl::Duration credentials_refresh = absl::Seconds(60);
  // Server reflection lists every service and message; off unless asked for (debugging).
  bool reflection = false;
  // A desk stream without its Hello by then ends with DEADLINE_EXCEEDED.
  absl::Duration hello_timeout = absl::Seconds(5);
  // What one caller may hold at once (caller_limits.h).
  CallerLimits::Ceilings per_caller;
  ConnectionTimeouts connection_timeouts;
  // Desk streams this replica holds at most; Connect beyond is RESOURCE_EXHAUSTED. A stream
  // holds no thread (agent_desk_service.h): the bound is for memory (a few KiB per stream)
  // and file descriptors (one per desk connection).
  int max_desk_streams = 10000;
  // Connections open at once on the gRPC port; a new one beyond is closed at accept
  // (connection_acceptor.h). Each is a file descriptor: keep it below the descriptor limit.
  int max_connections = 20000;
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
  // issue 13: opens a reader of the domain's event stream, for the event feeds
  // (CaseIntakeService.FollowCases, SupervisionService.WatchDomainEvents; event_feed.h).
  // Unset: those RPCs answer FAILED_PRECONDITION.
  std::function<absl::StatusOr<std::unique_ptr<EventSource>>()> open_events;
  // Event feeds this replica holds at most; beyond, RESOURCE_EXHAUSTED.
  int max_event_feeds = 1000;
};

class Server {
 public:
  static absl::StatusOr<std::unique_ptr<Server>> Start(ServerOptions options, EngineConfig config,
                                                       std::unique_ptr<StateStore> store);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The bound ports (useful with port 0). metrics_port() and health_port() are 0 without
  // their endpoint.
  int grpc_port() const;
  int metrics_port() const;
  int health_port() const;

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
