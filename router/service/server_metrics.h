// ServerMetrics: what the gRPC layer refuses before the engine sees it, and how full it is.
//
// Families (prefix caserouter_): admission_refusals_total{channel,reason} (submissions refused
// before the tick, admission.h), grpc_refusals_total{reason} (calls and streams refused by a
// server limit), grpc_calls_in_flight (unary calls taken and not yet answered),
// desk_streams (open AgentDeskService.Connect streams), malformed_requests_total{method}
// (requests refused by the wire checks: counted here, never logged one by one). Labels come
// from the closed sets below, the channel names and the RPC names (access_rules.h); every
// series exists from the start, at zero.
//
//   prometheus::Registry registry;
//   ServerMetrics metrics(&registry);
//   metrics.AdmissionRefused(Channel::kSocial, AdmissionRefusal::kRate);
//
// Thread safety: every method may run on any thread (prometheus-cpp metrics are atomic).
#ifndef CASEROUTER_ROUTER_SERVICE_SERVER_METRICS_H_
#define CASEROUTER_ROUTER_SERVICE_SERVER_METRICS_H_

#include <array>

#include "agents/channel.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/registry.h"
#include "router/model/enum_names.h"
#include "router/service/access_rules.h"

namespace caserouter {

// Why a submission was refused before the tick.
enum class AdmissionRefusal {
  kQueueFull = 0,    // open cases reached limits.max_queue
  kLiveReserve = 1,  // social or email, with only the live channels' reserve left
  kRate = 2,         // the channel's burst beyond its configured rate
};
inline constexpr int kAdmissionRefusalCount = 3;
inline constexpr EnumName<AdmissionRefusal> kAdmissionRefusalNames[] = {
    {AdmissionRefusal::kQueueFull, "queue_full"},
    {AdmissionRefusal::kLiveReserve, "live_reserve"},
    {AdmissionRefusal::kRate, "rate"}};

// Which server limit refused a call or ended a stream.
enum class ServerLimit {
  kCallsInFlight = 0,         // --max_calls_in_flight unary calls were open
  kDeskStreams = 1,           // --max_desk_streams desk streams were open
  kDeskNotReading = 2,        // a desk stream ended: its desk stopped reading its events
  kCallsPerCaller = 3,        // the caller had its share of calls in flight (caller_limits.h)
  kDeskStreamsPerCaller = 4,  // the caller had its share of desk streams open
  kConnectionsPerCaller = 5,  // the caller's calls came over too many connections
  kHelloTimeout = 6,          // a desk stream ended: no Hello within --hello_timeout
  kConnections = 7,           // a connection closed at accept: --max_connections were open
  kEventFeeds = 8,            // issue 13: --max_event_feeds event feeds were open
};
inline constexpr int kServerLimitCount = 9;
inline constexpr EnumName<ServerLimit> kServerLimitNames[] = {
    {ServerLimit::kCallsInFlight, "calls_in_flight"},
    {ServerLimit::kDeskStreams, "desk_streams"},
    {ServerLimit::kDeskNotReading, "desk_not_reading"},
    {ServerLimit::kCallsPerCaller, "calls_per_caller"},
    {ServerLimit::kDeskStreamsPerCaller, "desk_streams_per_caller"},
    {ServerLimit::kConnectionsPerCaller, "connections_per_caller"},
    {ServerLimit::kHelloTimeout, "hello_timeout"},
    {ServerLimit::kConnections, "connections"},
    {ServerLimit::kEventFeeds, "event_feeds"}};

class ServerMetrics {
 public:
  // `registry` must outlive the metrics.
  explicit ServerMetrics(prometheus::Registry* registry);

  void AdmissionRefused(Channel channel, AdmissionRefusal reason);
  void Refused(ServerLimit limit);
  void CallsInFlight(double delta) { calls_in_flight_->Increment(delta); }
  void DeskStreams(double delta) { desk_streams_->Increment(delta); }
  void OpenConnections(int open) { connections_->Set(static_cast<double>(open)); }
  void EventFeeds(double delta) { event_feeds_->Increment(delta); }  // issue 13
  // A request the wire checks refused (not UTF-8, an unknown enum value, unparseable).
  void Malformed(Rpc rpc) { malformed_[static_cast<int>(rpc)]->Increment(); }

 private:
  PerChannel<std::array<prometheus::Counter*, kAdmissionRefusalCount>> admission_{};
  std::array<prometheus::Counter*, kServerLimitCount> limits_{};
  prometheus::Gauge* calls_in_flight_ = nullptr;
  prometheus::Gauge* desk_streams_ = nullptr;
  prometheus::Gauge* connections_ = nullptr;
  prometheus::Gauge* event_feeds_ = nullptr;
  std::array<prometheus::Counter*, kRpcCount> malformed_{};
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_SERVER_METRICS_H_
