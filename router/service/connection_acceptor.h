// ConnectionAcceptor: the router's own accept loop for its gRPC port, so that the connections
// open at once have a ceiling at accept time.
//
// gRPC 1.51 accepts every connection it is offered and has no hook to refuse one (the
// resource quota's connection limit came later), so a client could hold connections until the
// process ran out of descriptors. Here the router listens itself, counts the connections it
// has handed to gRPC that are still open, closes a new one at once when `max_connections` are
// open (counted in caserouter_server_limit_refusals_total{limit="connections"}), and hands the
// others to gRPC through its external-connection acceptor, with the server's credentials: TLS,
// keepalive, the handshake and idle timeouts and everything after are gRPC's as before.
//
// A connection is "still open" while its descriptor still names the socket accepted: gRPC
// closes the descriptor when the connection ends, and the descriptor's number may then be
// reused by anything (another connection, a Redis socket), so each is remembered with its
// inode and checked with fstat. The check walks every open connection (about 1 µs each): it
// runs when the ceiling is reached (at most every 50 ms, so a flood at the ceiling costs one
// walk per 50 ms, not one per attempt) and once a second for the gauge.
//
//   auto acceptor = ConnectionAcceptor::Listen("0.0.0.0:50051", 10000, &metrics);
//   builder.experimental().AddExternalConnectionAcceptor(FROM_FD, credentials) -> hand_off
//   server = builder.BuildAndStart();
//   (*acceptor)->Start(std::move(hand_off));   ...   (*acceptor)->Stop();  // before Shutdown
//
// Thread safety: Listen, Start and Stop from one thread; open_connections() from any. The
// accept loop runs on a thread of its own. Errors: Listen returns UNAVAILABLE naming the
// address when it cannot listen, INVALID_ARGUMENT when the address cannot be parsed.
#ifndef CASEROUTER_ROUTER_SERVICE_CONNECTION_ACCEPTOR_H_
#define CASEROUTER_ROUTER_SERVICE_CONNECTION_ACCEPTOR_H_

#include <sys/types.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/server_builder.h>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "router/service/server_metrics.h"

namespace caserouter {

class ConnectionAcceptor {
 public:
  // Binds and listens on `address` ("host:port", "[v6]:port"; port 0 picks a free one).
  // `max_connections` >= 1. `metrics` may be null, and must otherwise outlive the acceptor.
  static absl::StatusOr<std::unique_ptr<ConnectionAcceptor>> Listen(const std::string& address,
                                                                    int max_connections,
                                                                    ServerMetrics* metrics);
  ~ConnectionAcceptor();  // stops, and closes the listening socket
  ConnectionAcceptor(const ConnectionAcceptor&) = delete;
  ConnectionAcceptor& operator=(const ConnectionAcceptor&) = delete;

  int port() const { return port_; }
  // Starts accepting on a thread of its own, handing connections to `hand_off` (from
  // ServerBuilder::experimental().AddExternalConnectionAcceptor, after BuildAndStart).
  void Start(std::unique_ptr<grpc::experimental::ExternalConnectionAcceptor> hand_off);
  // Stops accepting (new connections wait in the backlog, then are refused by the kernel when
  // the socket closes). Connections already handed over are gRPC's.
  void Stop();
  // Connections handed to gRPC and open at the last count.
  int open_connections() const { return open_.load(std::memory_order_relaxed); }

 private:
  struct Handed {
    int fd;
    dev_t device;
    ino_t inode;
  };
  ConnectionAcceptor(int listen_fd, int port, int max_connections, ServerMetrics* metrics);
  void AcceptLoop();
  void Accept(absl::Time now);
  // Forgets connections whose descriptor no longer names their socket; updates open_.
  void Sweep(absl::Time now);

  const int listen_fd_;
  const int port_;
  const int max_connections_;
  ServerMetrics* const metrics_;
  int stop_fd_ = -1;  // an eventfd that wakes the loop to stop
  std::unique_ptr<grpc::experimental::ExternalConnectionAcceptor> hand_off_;
  std::thread loop_;
  std::vector<Handed> handed_;  // the loop's own
  absl::Time swept_ = absl::InfinitePast();
  std::atomic<int> open_{0};
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_CONNECTION_ACCEPTOR_H_
