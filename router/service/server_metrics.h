// ServerMetrics: what the gRPC layer refuses before the engine sees it, and how full it is.
//
// Families (prefix caserouter_): admission_refusals_total{channel,reason} (submissions refused
// before the tick, admission.h), grpc_refusals_total{reason} (calls and streams refused by a
// server limit), grpc_calls_in_flight (unary calls taken and not yet answered),
// desk_streams (open AgentDeskService.Connect streams). Labels come from the closed sets
// below and the channel names; every series exists from the start, at zero.
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
  kCallsInFlight = 0,   // --max_calls_in_flight unary calls were open
  kDeskStreams = 1,     // --max_desk_streams desk streams were open
  kDeskNotReading = 2,  // a desk stream ended: its desk stopped reading its events
};
inline constexpr int kServerLimitCount = 3;
inline constexpr EnumName<ServerLimit> kServerLimitNames[] = {
    {ServerLimit::kCallsInFlight, "calls_in_flight"},
    {ServerLimit::kDeskStreams, "desk_streams"},
    {ServerLimit::kDeskNotReading, "desk_not_reading"}};

class ServerMetrics {
 public:
  // `registry` must outlive the metrics.
  explicit ServerMetrics(prometheus::Registry* registry);

  void AdmissionRefused(Channel channel, AdmissionRefusal reason);
  void Refused(ServerLimit limit);
  void CallsInFlight(double delta) { calls_in_flight_->Increment(delta); }
  void DeskStreams(double delta) { desk_streams_->Increment(delta); }

 private:
  PerChannel<std::array<prometheus::Counter*, kAdmissionRefusalCount>> admission_{};
  std::array<prometheus::Counter*, kServerLimitCount> limits_{};
  prometheus::Gauge* calls_in_flight_ = nullptr;
  prometheus::Gauge* desk_streams_ = nullptr;
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_SERVER_METRICS_H_
