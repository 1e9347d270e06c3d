#include "router/service/server_metrics.h"

#include <string>

namespace caserouter {

ServerMetrics::ServerMetrics(prometheus::Registry* registry) {
  auto& admission =
      prometheus::BuildCounter()
          .Name("caserouter_admission_refusals_total")
          .Help(
              "Submissions refused before the tick (RESOURCE_EXHAUSTED at once), by channel "
              "and reason: queue_full, live_reserve (room kept for phone and chat), rate "
              "(the channel's burst beyond its configured rate).")
          .Register(*registry);
  for (Channel channel : kAllChannels) {
    for (const auto& [reason, name] : kAdmissionRefusalNames) {
      admission_[ChannelIndex(channel)][static_cast<int>(reason)] = &admission.Add(
          {{"channel", std::string(ChannelName(channel))}, {"reason", std::string(name)}});
    }
  }
  auto& limits = prometheus::BuildCounter()
                     .Name("caserouter_grpc_refusals_total")
                     .Help(
                         "Calls refused and desk streams ended by a server limit "
                         "(RESOURCE_EXHAUSTED), by limit.")
                     .Register(*registry);
  for (const auto& [limit, name] : kServerLimitNames) {
    limits_[static_cast<int>(limit)] = &limits.Add({{"reason", std::string(name)}});
  }
  calls_in_flight_ = &prometheus::BuildGauge()
                          .Name("caserouter_grpc_calls_in_flight")
                          .Help("Unary calls taken and not yet answered by the engine.")
                          .Register(*registry)
                          .Add({});
  desk_streams_ = &prometheus::BuildGauge()
                       .Name("caserouter_desk_streams")
                       .Help("Open agent desk streams (AgentDeskService.Connect).")
                       .Register(*registry)
                       .Add({});
  connections_ = &prometheus::BuildGauge()
                      .Name("caserouter_grpc_connections")
                      .Help(
                          "Connections open on the gRPC port (counted by the router's own "
                          "accept loop, at most --max_connections; refused ones are counted "
                          "in caserouter_grpc_refusals_total{reason=\"connections\"}).")
                      .Register(*registry)
                      .Add({});
  event_feeds_ = &prometheus::BuildGauge()
                      .Name("caserouter_event_feeds")
                      .Help("Open event feeds (FollowCases, WatchDomainEvents).")
                      .Register(*registry)
                      .Add({});
  auto& malformed = prometheus::BuildCounter()
                        .Name("caserouter_malformed_requests_total")
                        .Help(
                            "Requests refused by the wire checks (INVALID_ARGUMENT: not UTF-8, "
                            "an unknown enum value, unparseable), by method. Counted, never "
                            "logged one by one.")
                        .Register(*registry);
  for (const RpcRule& rule : AccessRules()) {
    malformed_[static_cast<int>(rule.rpc)] = &malformed.Add({{"method", std::string(rule.method)}});
  }
}

void ServerMetrics::AdmissionRefused(Channel channel, AdmissionRefusal reason) {
  admission_[ChannelIndex(channel)][static_cast<int>(reason)]->Increment();
}

void ServerMetrics::Refused(ServerLimit limit) { limits_[static_cast<int>(limit)]->Increment(); }

}  // namespace caserouter
