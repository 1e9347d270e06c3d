// Summaries of simulation runs: one run's quality figures, and their mean with a 95%
// confidence interval over several seeds.
//
// Definitions (the report states them too):
//  - first-contact resolution (true): needs truly resolved at their first contact / needs whose
//    first contact an agent completed — the hidden truth, not the agents' reports;
//  - repeat-contact rate: contacts that came back because the need was not resolved /
//    contacts completed;
//  - time to answer: arrival to an agent's accept, answered contacts only; mean and 90th
//    percentile;
//  - SLA attainment: answered within the channel's SLA / (answered + abandoned + expired);
//  - abandonment: customers who left before an answer / contacts that arrived;
//  - occupancy spread: standard deviation of the agents' occupancy (busy attention / time on
//    shift): narrower is fairer;
//  - decisions per second: offers the engine made / wall-clock seconds of the run;
//  - choice: answered contacts for which another idle, able agent was on shift / answered.
//
// Thread safety: pure functions.
#ifndef CASEROUTER_TOOLS_SIM_SIM_STATS_H_
#define CASEROUTER_TOOLS_SIM_SIM_STATS_H_

#include <vector>

#include "agents/channel.h"
#include "router/model/engine_config.h"
#include "tools/sim/simulator.h"

namespace caserouter {

struct RunMetrics {
  double fcr = 0;
  double repeat_rate = 0;
  double mean_wait = 0;  // seconds, all channels
  double p90_wait = 0;
  double sla = 0;
  double abandonment = 0;
  double occupancy_spread = 0;
  double occupancy_mean = 0;
  double decisions_per_second = 0;
  double choice = 0;                   // share of answers with an idle, able alternative agent
  double explored = 0;                 // share of answers whose agent the exploration term chose
  double exploration_cost = 0;         // true FCR lost to exploration, per answer (probability)
  double prior_cases = 0;              // mean completed contacts of the chosen agent on the topic
  double transfer_rate = 0;            // engine transfers per need served (issue 14)
  double resolved_after_transfer = 0;  // needs resolved by the next agent, per need served
  PerChannel<double> channel_mean_wait = {};
  PerChannel<double> channel_p90_wait = {};
  PerChannel<double> channel_sla = {};
  PerChannel<int64_t> channel_arrivals = {};
};

RunMetrics Summarize(const SimResult& result);

// The q-quantile (0..1) of `values` by linear interpolation; 0 for none.
double Quantile(std::vector<double> values, double q);

// Mean and the half width of its 95% confidence interval (Student t) over runs.
struct Estimate {
  double mean = 0;
  double half_width = 0;
  int runs = 0;
};
Estimate Combine(const std::vector<double>& values);

// Two-sided Student t quantiles for `dof` degrees of freedom (the normal's beyond 30).
double TQuantile95(int dof);
double TQuantile99(int dof);

// Paired by seed: the mean of a[i] - b[i] and its 95% interval (Student t over the pairs).
// Strategies run on the same seeds share the workload's traffic and the truth's draws, so the
// pairs' differences vary much less than either side: the interval is that of the difference.
// a and b must be of the same length (runs of the same seeds, in the same order).
Estimate PairedDifference(const std::vector<double>& a, const std::vector<double>& b);

// mean(num) / mean(den) over paired runs, with a 95% interval by the delta method (the
// covariance of the pairs included). For "the share of the oracle's gain a strategy
// captures": num = strategy - baseline, den = oracle - baseline, per seed. The half width is
// infinite when mean(den) is 0.
Estimate RatioOfMeans(const std::vector<double>& num, const std::vector<double>& den);

}  // namespace caserouter

#endif  // CASEROUTER_TOOLS_SIM_SIM_STATS_H_
