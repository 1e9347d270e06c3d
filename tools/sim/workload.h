// Workload: everything a simulation run replays — the case stream, the agents with their
// shifts, and the models that fill in what a trace does not tell (handle time, patience).
//
// Builders turn a Trace into a Workload the same way for every source:
//  - MakeSyntheticWorkload: Poisson arrivals per channel and topic (the synthetic trace of
//    tools/adapter_client), exponential or log-normal handle times per channel, exponential
//    patience per channel, and a team working shifts that cover the day;
//  - MakeBankWorkload: the Anonymous Bank month as it happened — real arrival times, service
//    types as topics, priority customers, real customer ids, the real handle times and the
//    patience of callers who hung up; its agents are the data's agents, with the skills they
//    used (the service types they served) and on shift when they worked in the data;
//  - MakeTwcsWorkload: inbound tweets as SOCIAL cases (threads' later tweets become messages
//    to the open case); agents are the brand accounts or signatures that answered, skilled for
//    their brand; handle times from the model (the data holds none);
//  - MakeIncidentWorkload: incidents as CHAT/EMAIL cases with their priorities; agents are the
//    resolvers, skilled for the groups they resolved for; a case reassigned k times in the
//    data needs k hand-overs in the simulation too (see SimCase::transfers);
//  - MakeCsvWorkload: a centre's own history in the generic CSV format (csv_trace.h): the
//    agents it names, skilled for the topics they served, speaking the languages they served
//    in, at the desk when they worked (as for the bank); a team of `unnamed_agents`
//    generalists, always there, when it names nobody; handle times and patience from the
//    trace where it gives them, else from the models.
//
//   absl::StatusOr<Trace> trace = ReadBankTraceFile(path, {});
//   Workload w = MakeBankWorkload(*trace);
//
// Thread safety: plain values and pure functions.
#ifndef CASEROUTER_TOOLS_SIM_WORKLOAD_H_
#define CASEROUTER_TOOLS_SIM_WORKLOAD_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "agents/agent.h"
#include "agents/channel.h"
#include "tools/adapter_client/synthetic_workload.h"
#include "tools/replay/trace.h"

namespace caserouter {

// An agent's time at the desk, as offsets from the workload's start.
struct Shift {
  absl::Duration start;
  absl::Duration end;
};

struct SimAgent {
  Agent profile;              // id, skills, languages, authority, capacity
  std::vector<Shift> shifts;  // sorted, not overlapping
};

// How long a case takes when the trace does not say: per channel, mean and shape.
struct HandleModel {
  PerChannel<absl::Duration> mean = {absl::Minutes(5), absl::Minutes(8), absl::Minutes(6),
                                     absl::Minutes(10)};
  // 0: exponential; > 0: log-normal with this standard deviation of log(time).
  double lognormal_sigma = 0;
};

struct Workload {
  std::string name;
  Trace trace;
  std::vector<SimAgent> agents;
  HandleModel handle;
  // Mean of the exponential patience per channel for cases whose trace does not tell (and
  // for customers coming back); InfiniteDuration() = they never give up.
  PerChannel<absl::Duration> patience = {absl::InfiniteDuration(), absl::InfiniteDuration(),
                                         absl::InfiniteDuration(), absl::InfiniteDuration()};
  // Channels a returning customer may switch to, by weight (see GroundTruth::channel_switch).
  PerChannel<double> return_channel_mix = {0.4, 0.3, 0.2, 0.1};
  // Whether the trace tells the patience of every case (abandoned ones) and that the others
  // waited as long as it took (true for the bank log); false: draw from `patience`.
  bool trace_patience = false;
};

struct SyntheticWorkloadOptions {
  SyntheticOptions cases;  // arrivals, mix, topics, customers (seeded)
  int agents_per_shift = 12;
  int shifts_per_day = 3;  // shifts of 24 h / shifts_per_day, back to back
  absl::Duration shift_overlap = absl::Minutes(30);
  HandleModel handle;
  PerChannel<absl::Duration> patience = {absl::Minutes(3), absl::Minutes(10),
                                         absl::InfiniteDuration(), absl::InfiniteDuration()};
};

struct CsvWorkloadOptions {
  int unnamed_agents = 10;  // the team when the trace names no agent
  HandleModel handle;       // for contacts without a handle time
  // For contacts without a patience: as the synthetic centre's.
  PerChannel<absl::Duration> patience = {absl::Minutes(3), absl::Minutes(10),
                                         absl::InfiniteDuration(), absl::InfiniteDuration()};
};

// The default synthetic centre for the report: a week of mixed-channel traffic.
SyntheticWorkloadOptions DefaultSyntheticWorkload(uint64_t seed);

Workload MakeSyntheticWorkload(const SyntheticWorkloadOptions& options);
Workload MakeBankWorkload(Trace trace);
Workload MakeTwcsWorkload(Trace trace);
Workload MakeIncidentWorkload(Trace trace);
Workload MakeCsvWorkload(Trace trace, const CsvWorkloadOptions& options = {});

}  // namespace caserouter

#endif  // CASEROUTER_TOOLS_SIM_WORKLOAD_H_
