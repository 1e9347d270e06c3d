#include "router/service/server_settings.h"

#include <grpcpp/resource_quota.h>

#include "absl/synchronization/mutex.h"

#include "router/service/wire_checks.h"

namespace caserouter {
namespace {

// Threads for the synchronous services left (reflection): a few serve an operator's tool.
constexpr int kSyncThreads = 8;

}  // namespace

void ApplyProcessSettings() { absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore); }

void ApplyServerSettings(grpc::ServerBuilder& builder, ConnectionTimeouts timeouts) {
  // Requests are small (customer text is capped at 8 KiB); a larger message is hostile or a
  // bug. The same bound as the wire checks, refused before it is read.
  builder.SetMaxReceiveMessageSize(static_cast<int>(kMaxRequestBytes));
  // Keepalive. A desk is a long-lived stream from a desktop on an office or home network;
  // what can go wrong is a peer that vanishes without closing its TCP connection (laptop
  // lid, Wi-Fi roam, a NAT or load balancer dropping an idle mapping), leaving a stream that
  // holds the agent's session and offers until the engine's heartbeat timeout.
  //
  // Ping every 20 s: well under the idle timeouts of common NATs and cloud load balancers
  // (60-350 s), so the connection stays mapped, and a dead peer is found within 30 s.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIME_MS, 20000);
  // A ping unanswered for 10 s closes the connection and fails its streams: a desktop that
  // cannot answer a ping in 10 s cannot take a call either.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 10000);
  // Ping even when no call is open, so idle desktops between streams are checked too.
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  // Desktops keep their own connection alive with pings every 10 s or more; accept pings
  // that frequent without data instead of answering GOAWAY "too_many_pings" (gRPC's default
  // minimum is 5 minutes, which would cut off clients configured like this server).
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 5000);
  // Keepalive pings carry no data; do not cap how many the server sends between data frames
  // (the default of 2 would stop pinging a desk that receives nothing for a while).
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, 0);
  // Connections that do nothing. A desk holds its stream open, so it is never idle; an
  // adapter between calls may be, and reconnects on its next call. What this stops is a
  // client that opens connections and sends nothing (or never finishes its handshake).
  builder.AddChannelArgument(GRPC_ARG_SERVER_HANDSHAKE_TIMEOUT_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(timeouts.handshake)));
  builder.AddChannelArgument(GRPC_ARG_MAX_CONNECTION_IDLE_MS,
                             static_cast<int>(absl::ToInt64Milliseconds(timeouts.idle)));
  // Limits. Every caserouter.v1 method is a callback method (raw_callback.h): open desk
  // streams and calls hold no thread, and max_desk_streams and max_calls_in_flight are
  // counts answered at once with RESOURCE_EXHAUSTED (call_limiter.h). Health is a callback
  // service too (gRPC 1.51's default one). Only reflection is synchronous: an operator's
  // tool opens a stream now and then, and a few threads serve them; cap those so that no
  // caller can make the process grow threads (beyond, reflection answers RESOURCE_EXHAUSTED).
  grpc::ResourceQuota quota("caserouter");
  quota.SetMaxThreads(kSyncThreads);
  builder.SetResourceQuota(quota);
}

}  // namespace caserouter
