// caserouter: one replica of the case routing engine for one routing domain.
//
//   caserouter --config=/etc/caserouter/caserouter.yaml --redis_address=redis:6379
//              --grpc_address=0.0.0.0:50051 --health_address=0.0.0.0:50052
//              --tls_cert=/etc/caserouter/tls/tls.crt --tls_key=/etc/caserouter/tls/tls.key
//              --tls_client_ca=/etc/caserouter/tls/ca.crt          # mTLS (optional)
//              --jwt_public_keys=/etc/caserouter/tokens/issuer.pub # bearer tokens
//
// gRPC is TLS unless --plaintext says otherwise (local demos only); every call needs a
// credential (a client certificate or a bearer token) and the role its RPC asks for
// (docs/security.md). Keys and certificates are files, read again while running; no secret
// is ever a flag's value.
//   caserouter --redis_sentinels=sentinel-0:26379,sentinel-1:26379,sentinel-2:26379
//              --redis_master_name=caserouter ...
//
// Exit codes: 0 after a clean shutdown (SIGTERM, SIGINT), 2 for bad configuration or flags
// (the message names the key), 1 when the server cannot start (an address in use).
// SIGHUP reloads --config; an invalid file is refused and the running configuration stays.
// The Redis password comes from the environment (--redis_password_env names the variable),
// never from a flag: flags show in `ps` and in pod specs.
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/marshalling.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "router/config/config_loader.h"
#include "router/model/engine_config.h"
#include "router/model/validation.h"
#include "router/service/lifecycle_log.h"
#include "router/service/open_files.h"
#include "router/service/server.h"
#include "router/service/server_settings.h"
#include "router/store/redis_event_reader.h"
#include "router/store/redis_state_store.h"

ABSL_FLAG(std::string, grpc_address, "127.0.0.1:50051",
          "gRPC listen address (0.0.0.0:50051 in a container; port 0 = any free port)");
ABSL_FLAG(std::string, metrics_address, "127.0.0.1:9464",
          "Prometheus /metrics listen address (plain HTTP, no authentication: keep it on "
          "loopback or behind a NetworkPolicy); empty = no metrics endpoint");
ABSL_FLAG(std::string, health_address, "",
          "a plaintext port serving grpc.health.v1 only, for probes that cannot speak TLS "
          "(the kubelet); empty = none");
ABSL_FLAG(bool, plaintext, false,
          "serve gRPC without TLS: for a demo on one machine only; bearer tokens then cross "
          "the network in the clear");
ABSL_FLAG(std::string, tls_cert, "", "PEM certificate chain of the gRPC port (a file)");
ABSL_FLAG(std::string, tls_key, "", "PEM private key of the gRPC port (a file)");
ABSL_FLAG(std::string, tls_client_ca, "",
          "PEM CA bundle for client certificates (a file): turns mTLS on");
ABSL_FLAG(bool, tls_require_client_cert, true,
          "with --tls_client_ca: refuse connections without a client certificate (false: "
          "callers without one use bearer tokens)");
ABSL_FLAG(absl::Duration, tls_refresh, absl::Seconds(60),
          "how often the TLS files are read again (renewed certificates need no restart)");
ABSL_FLAG(std::vector<std::string>, jwt_public_keys, {},
          "PEM public keys (files, comma-separated) that sign bearer tokens; several during a "
          "rotation; empty = no tokens (client certificates only)");
ABSL_FLAG(std::string, jwt_issuer, "caserouter", "the \"iss\" bearer tokens must carry");
ABSL_FLAG(std::string, jwt_audience, "caserouter", "the \"aud\" bearer tokens must carry");
ABSL_FLAG(absl::Duration, credentials_refresh, absl::Seconds(60),
          "how often the token key files are checked for a change");
ABSL_FLAG(bool, reflection, false,
          "serve gRPC server reflection (lists every service and message): for debugging");
ABSL_FLAG(absl::Duration, hello_timeout, absl::Seconds(5),
          "a desk stream that sends no Hello within this ends with DEADLINE_EXCEEDED");
ABSL_FLAG(int, max_calls_per_caller, 512, "unary calls in flight one caller may hold");
ABSL_FLAG(int, max_desk_streams_per_caller, 4, "desk streams one agent credential may hold");
ABSL_FLAG(int, max_connections_per_caller, 64,
          "connections one caller's open calls and streams may come over");
ABSL_FLAG(absl::Duration, handshake_timeout, absl::Seconds(10),
          "a connection that has not finished its TLS handshake by then is closed");
ABSL_FLAG(absl::Duration, connection_idle_timeout, absl::Seconds(60),
          "a connection without any open call or stream for this long is closed");
ABSL_FLAG(std::string, redis_address, "127.0.0.1:6379",
          "host:port of the Redis primary (ignored with --redis_sentinels)");
ABSL_FLAG(std::string, redis_sentinels, "",
          "host:port,... of Redis Sentinels: the router asks them for the primary of "
          "--redis_master_name and follows it through failovers; empty = --redis_address");
ABSL_FLAG(std::string, redis_master_name, "caserouter",
          "with --redis_sentinels: the name the Sentinels monitor the primary under");
ABSL_FLAG(std::string, redis_password_env, "REDIS_PASSWORD",
          "name of the environment variable holding the Redis password (unset = none)");
ABSL_FLAG(std::string, config, "", "YAML configuration file; empty = built-in defaults");
ABSL_FLAG(std::string, domain, "",
          "routing domain this process serves; overrides the file's domain; empty = the "
          "file's domain, which defaults to \"default\"");
ABSL_FLAG(std::string, instance_id, "",
          "this replica's name in the lease and in logs; empty = <hostname>:<grpc port>");
ABSL_FLAG(bool, print_ports, false,
          "print \"grpc_port=N metrics_port=M health_port=H\" on stdout once listening (for "
          "scripts)");
ABSL_FLAG(int, max_event_feeds, 1000,
          "event feeds (FollowCases, WatchDomainEvents) this replica holds at most");
ABSL_FLAG(int, max_desk_streams, 10000,
          "agent desk streams this replica holds at most; beyond, Connect is "
          "RESOURCE_EXHAUSTED (a stream holds no thread; each desk needs a file descriptor)");
ABSL_FLAG(int, max_connections, 20000,
          "connections open at once on the gRPC port; a new one beyond is closed at accept "
          "(each is a file descriptor: keep it below the descriptor limit)");
ABSL_FLAG(int, max_calls_in_flight, 2048,
          "unary calls taken and not yet answered; beyond, RESOURCE_EXHAUSTED at once");
ABSL_FLAG(absl::Duration, drain_timeout, absl::Seconds(10),
          "on SIGTERM, how long in-flight calls may take before they are cancelled");

namespace caserouter {
namespace {

constexpr int kExitBadConfig = 2;
constexpr int kExitCannotStart = 1;

[[noreturn]] void BadConfig(absl::string_view message) {
  absl::FPrintF(stderr, "caserouter: bad configuration: %s\n", message);
  std::exit(kExitBadConfig);
}

// The engine configuration: the file (or defaults) with --domain applied.
absl::StatusOr<EngineConfig> LoadConfig() {
  EngineConfig config;
  const std::string path = absl::GetFlag(FLAGS_config);
  if (!path.empty()) {
    absl::StatusOr<EngineConfig> loaded = LoadEngineConfigFile(path);
    if (!loaded.ok()) return loaded.status();
    config = *std::move(loaded);
  }
  if (const std::string domain = absl::GetFlag(FLAGS_domain); !domain.empty()) {
    config.domain = domain;
  }
  if (absl::Status s = ValidateName("domain", config.domain); !s.ok()) return s;
  return config;
}

absl::Status ParseHostPort(absl::string_view flag, absl::string_view address, std::string* host,
                           int* port) {
  size_t colon = address.rfind(':');
  if (colon == absl::string_view::npos || colon == 0 ||
      !absl::SimpleAtoi(address.substr(colon + 1), port) || *port < 0 || *port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(flag, ": must be host:port"));
  }
  *host = std::string(address.substr(0, colon));
  return absl::OkStatus();
}

std::string DefaultInstanceId(int configured_port) {
  char host[256] = {0};
  if (gethostname(host, sizeof(host) - 1) != 0) std::snprintf(host, sizeof(host), "localhost");
  // With port 0 the bound port is not known before the engine is built; the pid keeps
  // replicas on one host apart.
  if (configured_port == 0) return absl::StrCat(host, ":pid", getpid());
  return absl::StrCat(host, ":", configured_port);
}

int Main(int argc, char** argv) {
  // Block the signals before any thread starts, so that every thread inherits the mask and
  // they reach only the sigwait loop below: no work in a signal handler.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  ApplyProcessSettings();
  absl::SetProgramUsageMessage(
      "caserouter: contact-centre case routing engine (one replica of one routing domain).");
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  if (rest.size() > 1) BadConfig(absl::StrCat("unexpected argument \"", rest[1], "\""));

  absl::StatusOr<EngineConfig> config = LoadConfig();
  if (!config.ok()) BadConfig(config.status().message());

  RedisOptions redis;
  if (absl::Status s = ParseHostPort("redis_address", absl::GetFlag(FLAGS_redis_address),
                                     &redis.host, &redis.port);
      !s.ok()) {
    BadConfig(s.message());
  }
  for (absl::string_view address :
       absl::StrSplit(absl::GetFlag(FLAGS_redis_sentinels), ',', absl::SkipWhitespace())) {
    RedisAddress sentinel;
    if (absl::Status s = ParseHostPort("redis_sentinels", address, &sentinel.host, &sentinel.port);
        !s.ok()) {
      BadConfig(s.message());
    }
    redis.sentinels.push_back(std::move(sentinel));
  }
  redis.master_name = absl::GetFlag(FLAGS_redis_master_name);
  // The detection time of a hung Redis: a connection attempt or a command that takes longer
  // counts as the store being unavailable (docs/reliability.md).
  redis.command_timeout = config->store.command_timeout;
  redis.connect_timeout = config->store.command_timeout;
  redis.min_replicas_acked = config->store.min_replicas_acked;
  redis.replica_ack_timeout = config->store.replica_ack_timeout;
  if (const std::string env = absl::GetFlag(FLAGS_redis_password_env); !env.empty()) {
    if (const char* password = std::getenv(env.c_str()); password != nullptr) {
      redis.password = password;
    }
  }
  redis.domain = config->domain;
  // The event feeds (issue 13) read the domain's stream from --redis_address: the primary,
  // or with Sentinel whichever server that names (a replica may lag; nothing is missed).
  RedisOptions events = redis;
  events.sentinels.clear();
  absl::StatusOr<std::unique_ptr<RedisStateStore>> store = RedisStateStore::Connect(redis);
  if (!store.ok()) BadConfig(store.status().message());

  ServerOptions options;
  options.grpc_address = absl::GetFlag(FLAGS_grpc_address);
  options.metrics_address = absl::GetFlag(FLAGS_metrics_address);
  options.max_desk_streams = absl::GetFlag(FLAGS_max_desk_streams);
  options.max_event_feeds = absl::GetFlag(FLAGS_max_event_feeds);
  options.open_events = [events]() -> absl::StatusOr<std::unique_ptr<EventSource>> {
    return RedisEventReader::Connect(events);
  };
  options.max_connections = absl::GetFlag(FLAGS_max_connections);
  options.max_calls_in_flight = absl::GetFlag(FLAGS_max_calls_in_flight);
  options.drain_timeout = absl::GetFlag(FLAGS_drain_timeout);
  options.health_address = absl::GetFlag(FLAGS_health_address);
  options.transport.plaintext = absl::GetFlag(FLAGS_plaintext);
  options.transport.cert_file = absl::GetFlag(FLAGS_tls_cert);
  options.transport.key_file = absl::GetFlag(FLAGS_tls_key);
  options.transport.client_ca_file = absl::GetFlag(FLAGS_tls_client_ca);
  options.transport.require_client_cert = absl::GetFlag(FLAGS_tls_require_client_cert);
  options.transport.refresh = absl::GetFlag(FLAGS_tls_refresh);
  options.tokens.public_key_files = absl::GetFlag(FLAGS_jwt_public_keys);
  options.tokens.issuer = absl::GetFlag(FLAGS_jwt_issuer);
  options.tokens.audience = absl::GetFlag(FLAGS_jwt_audience);
  options.credentials_refresh = absl::GetFlag(FLAGS_credentials_refresh);
  options.reflection = absl::GetFlag(FLAGS_reflection);
  options.hello_timeout = absl::GetFlag(FLAGS_hello_timeout);
  options.per_caller.calls = absl::GetFlag(FLAGS_max_calls_per_caller);
  options.per_caller.streams = absl::GetFlag(FLAGS_max_desk_streams_per_caller);
  options.per_caller.connections = absl::GetFlag(FLAGS_max_connections_per_caller);
  options.connection_timeouts.handshake = absl::GetFlag(FLAGS_handshake_timeout);
  options.connection_timeouts.idle = absl::GetFlag(FLAGS_connection_idle_timeout);
  if (options.transport.plaintext) {
    LogLifecycle("--plaintext: gRPC without TLS; for a demo on one machine only");
  }
  // Every connection is a descriptor: take what the hard limit allows (server.h, health).
  RaiseOpenFileLimit();
  if (!absl::GetFlag(FLAGS_config).empty()) {
    options.config_path = absl::GetFlag(FLAGS_config);
    options.load_config = LoadConfig;
  }
  std::string grpc_host;
  int grpc_port = 0;
  if (absl::Status s = ParseHostPort("grpc_address", options.grpc_address, &grpc_host, &grpc_port);
      !s.ok()) {
    BadConfig(s.message());
  }
  options.instance_id = absl::GetFlag(FLAGS_instance_id);
  if (options.instance_id.empty()) options.instance_id = DefaultInstanceId(grpc_port);
  if (options.max_desk_streams < 1) BadConfig("max_desk_streams: must be at least 1");
  if (options.max_connections < 1) BadConfig("max_connections: must be at least 1");
  if (options.max_calls_in_flight < 1) BadConfig("max_calls_in_flight: must be at least 1");
  if (options.drain_timeout < absl::ZeroDuration()) BadConfig("drain_timeout: must be >= 0");

  absl::StatusOr<std::unique_ptr<Server>> server =
      Server::Start(options, *config, *std::move(store));
  if (!server.ok()) {
    absl::FPrintF(stderr, "caserouter: cannot start: %s\n", server.status().message());
    return absl::IsInvalidArgument(server.status()) ? kExitBadConfig : kExitCannotStart;
  }
  if (absl::GetFlag(FLAGS_print_ports)) {
    absl::PrintF("grpc_port=%d metrics_port=%d health_port=%d\n", (*server)->grpc_port(),
                 (*server)->metrics_port(), (*server)->health_port());
    std::fflush(stdout);
  }

  for (;;) {
    int signal_number = 0;
    if (sigwait(&signals, &signal_number) != 0) continue;
    if (signal_number != SIGHUP) {
      LogLifecycle("received %s", signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
      break;
    }
    // Logs its own outcome; a refused file leaves the running configuration in place.
    (void)(*server)->Reload();
  }
  (*server)->Shutdown();
  return 0;
}

}  // namespace
}  // namespace caserouter

int main(int argc, char** argv) { return caserouter::Main(argc, argv); }
