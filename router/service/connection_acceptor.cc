#include "router/service/connection_acceptor.h"

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <cstring>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"

namespace caserouter {
namespace {

// How often the open connections are counted at the ceiling, and for the gauge otherwise.
constexpr absl::Duration kSweepAtCeilingEvery = absl::Milliseconds(50);
constexpr absl::Duration kSweepEvery = absl::Seconds(1);
// Out of descriptors (EMFILE/ENFILE): wait this long before accepting again, rather than spin
// on a connection the kernel keeps offering.
constexpr absl::Duration kOutOfFilesPause = absl::Milliseconds(20);
constexpr int kBacklog = 4096;

// "host:port" or "[v6]:port" into its two parts.
absl::Status SplitAddress(const std::string& address, std::string* host, std::string* port) {
  const size_t colon = address.rfind(':');
  if (colon == std::string::npos || colon + 1 == address.size()) {
    return absl::InvalidArgumentError(
        absl::StrCat("grpc_address: expected host:port, got \"", address, "\""));
  }
  absl::string_view h(address.data(), colon);
  if (absl::ConsumePrefix(&h, "[") && !absl::ConsumeSuffix(&h, "]")) {
    return absl::InvalidArgumentError(
        absl::StrCat("grpc_address: unclosed [ in \"", address, "\""));
  }
  int number = 0;
  if (!absl::SimpleAtoi(address.substr(colon + 1), &number) || number < 0 || number > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("grpc_address: the port must be 0-65535, got \"", address, "\""));
  }
  *host = std::string(h);
  *port = address.substr(colon + 1);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<std::unique_ptr<ConnectionAcceptor>> ConnectionAcceptor::Listen(
    const std::string& address, int max_connections, ServerMetrics* metrics) {
  if (max_connections < 1) {
    return absl::InvalidArgumentError("max_connections: must be at least 1");
  }
  std::string host;
  std::string port;
  if (absl::Status split = SplitAddress(address, &host, &port); !split.ok()) return split;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const int looked_up =
      getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &found);
  if (looked_up != 0) {
    return absl::UnavailableError(
        absl::StrCat("grpc_address: cannot resolve \"", address, "\": ", gai_strerror(looked_up)));
  }
  std::string why = "no address";
  int fd = -1;
  for (addrinfo* a = found; a != nullptr && fd < 0; a = a->ai_next) {
    fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
    if (fd < 0) continue;
    const int on = 1;
    const int off = 0;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
    // "[::]" serves IPv4 too, as gRPC's own listener does.
    if (a->ai_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
    if (bind(fd, a->ai_addr, a->ai_addrlen) != 0 || listen(fd, kBacklog) != 0) {
      why = std::strerror(errno);
      close(fd);
      fd = -1;
    }
  }
  freeaddrinfo(found);
  if (fd < 0) {
    return absl::UnavailableError(
        absl::StrCat("grpc_address: cannot listen on ", address, ": ", why));
  }
  sockaddr_storage bound{};
  socklen_t length = sizeof(bound);
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
  const int bound_port = bound.ss_family == AF_INET6
                             ? ntohs(reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port)
                             : ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  return std::unique_ptr<ConnectionAcceptor>(
      new ConnectionAcceptor(fd, bound_port, max_connections, metrics));
}

ConnectionAcceptor::ConnectionAcceptor(int listen_fd, int port, int max_connections,
                                       ServerMetrics* metrics)
    : listen_fd_(listen_fd),
      port_(port),
      max_connections_(max_connections),
      metrics_(metrics),
      stop_fd_(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

ConnectionAcceptor::~ConnectionAcceptor() {
  Stop();
  close(listen_fd_);
  if (stop_fd_ >= 0) close(stop_fd_);
}

void ConnectionAcceptor::Start(
    std::unique_ptr<grpc::experimental::ExternalConnectionAcceptor> hand_off) {
  hand_off_ = std::move(hand_off);
  loop_ = std::thread([this] { AcceptLoop(); });
}

void ConnectionAcceptor::Stop() {
  if (!loop_.joinable()) return;
  const uint64_t one = 1;
  (void)!write(stop_fd_, &one, sizeof(one));
  loop_.join();
}

void ConnectionAcceptor::AcceptLoop() {
  pollfd watched[2] = {{listen_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
  while (true) {
    const int ready = poll(watched, 2, static_cast<int>(absl::ToInt64Milliseconds(kSweepEvery)));
    if (ready < 0 && errno != EINTR) break;
    if (watched[1].revents != 0) break;
    const absl::Time now = absl::Now();
    if (watched[0].revents & POLLIN) Accept(now);
    if (now - swept_ >= kSweepEvery) Sweep(now);
  }
}

void ConnectionAcceptor::Accept(absl::Time now) {
  // Drain what the kernel has queued: one wake-up may stand for many connections.
  while (true) {
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        absl::SleepFor(kOutOfFilesPause);
      }
      return;  // EAGAIN: drained; anything else (ECONNABORTED…): the next wake-up tries again
    }
    if (static_cast<int>(handed_.size()) >= max_connections_ &&
        now - swept_ >= kSweepAtCeilingEvery) {
      Sweep(now);
    }
    if (static_cast<int>(handed_.size()) >= max_connections_) {
      close(fd);
      if (metrics_ != nullptr) metrics_->Refused(ServerLimit::kConnections);
      continue;
    }
    struct stat st {};
    if (fstat(fd, &st) != 0) {
      close(fd);
      continue;
    }
    const int on = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
    handed_.push_back({fd, st.st_dev, st.st_ino});
    open_.store(static_cast<int>(handed_.size()), std::memory_order_relaxed);
    grpc::experimental::ExternalConnectionAcceptor::NewConnectionParameters params;
    params.listener_fd = listen_fd_;
    params.fd = fd;  // gRPC's from here: it closes it when the connection ends
    hand_off_->HandleNewConnection(&params);
  }
}

void ConnectionAcceptor::Sweep(absl::Time now) {
  swept_ = now;
  size_t kept = 0;
  for (const Handed& h : handed_) {
    struct stat st {};
    if (fstat(h.fd, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_ino == h.inode &&
        st.st_dev == h.device) {
      handed_[kept++] = h;
    }
  }
  handed_.resize(kept);
  open_.store(static_cast<int>(kept), std::memory_order_relaxed);
  if (metrics_ != nullptr) metrics_->OpenConnections(static_cast<int>(kept));
}

}  // namespace caserouter
