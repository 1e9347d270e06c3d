// Traffic variation: a replay that differs from seed to seed, so that the intervals over seeds
// hold the traffic's own randomness, not only the hidden truth's.
//
// ResampleDays rebuilds a replay day by day (in the trace's own zone): each day of the span
// takes the cases of a day drawn at random, with replacement, from the trace's days of the
// same weekday (from all its days when fewer than two share the weekday: a three-day log), and
// the agents' shifts that start on that day move with it; an agent on shift for more than a
// day (tweets, incidents: always on) keeps their shift. A day drawn twice brings its cases
// twice, under new idempotency keys and thread ids ("-d<day>"); customers keep their ids, so a
// customer may call on more days than in the data. Arrival order is kept within a day.
// `days` > 0 sets the replay's length in days (longer than the trace: more of the same traffic,
// so agents build longer records); 0 keeps the trace's span. Always-on shifts are stretched to
// cover it.
//
//   Workload w = MakeBankWorkload(*trace);
//   for (uint64_t seed : seeds) Simulate(ResampleDays(w, seed), options);
//
// Thread safety: pure function of its arguments (its own random engine, seeded).
#ifndef CASEROUTER_TOOLS_SIM_TRAFFIC_VARIATION_H_
#define CASEROUTER_TOOLS_SIM_TRAFFIC_VARIATION_H_

#include <cstdint>

#include "tools/sim/workload.h"

namespace caserouter {

Workload ResampleDays(const Workload& workload, uint64_t seed, int days = 0);

}  // namespace caserouter

#endif  // CASEROUTER_TOOLS_SIM_TRAFFIC_VARIATION_H_
