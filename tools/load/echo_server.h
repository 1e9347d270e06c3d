// EchoServer: the ceiling for the router's gRPC figures — CaseIntakeService.SubmitCase answered
// at once, on a server built the way the router's is.
//
// The router's throughput and latency only mean something beside what gRPC itself costs on
// this machine with the same client. The echo registers CaseIntakeService on gRPC's callback
// API (as the router's server) with the router's ServerBuilder settings
// (router/service/server_settings.h: message size limit, keepalive, thread quota), and answers
// SubmitCase with the case as the request describes it, state QUEUED and a fresh id — no engine, no
// Redis. The other methods answer UNIMPLEMENTED.
//
//   absl::StatusOr<std::unique_ptr<EchoServer>> echo = EchoServer::Start("127.0.0.1:0");
//   ... drive (*echo)->port() ...
//   (*echo)->Shutdown();
//
// Thread safety: thread-safe. Errors: INVALID_ARGUMENT for an address off 127.0.0.1,
// UNAVAILABLE when the address cannot be bound.
#ifndef CASEROUTER_TOOLS_LOAD_ECHO_SERVER_H_
#define CASEROUTER_TOOLS_LOAD_ECHO_SERVER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>

#include "absl/status/statusor.h"

namespace caserouter::load {

class EchoServer {
 public:
  static absl::StatusOr<std::unique_ptr<EchoServer>> Start(const std::string& address);
  ~EchoServer();
  EchoServer(const EchoServer&) = delete;
  EchoServer& operator=(const EchoServer&) = delete;

  int port() const { return port_; }
  int64_t calls() const;
  // Blocks until Shutdown (from another thread or a signal-watching thread).
  void Wait();
  void Shutdown();

 private:
  class Intake;
  EchoServer();

  std::unique_ptr<Intake> intake_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

}  // namespace caserouter::load

#endif  // CASEROUTER_TOOLS_LOAD_ECHO_SERVER_H_
