// Timers: what happens because time passed — offers that lapsed, desks that went silent,
// wrap-up that ended, assignments whose agent did not come back, cases nobody could take in
// time. Run once per tick, before the routing pass, on the engine thread.
#ifndef CASEROUTER_ROUTER_ENGINE_TIMERS_H_
#define CASEROUTER_ROUTER_ENGINE_TIMERS_H_

#include "router/engine/tick_context.h"

namespace caserouter {

// Fires every timer due at ctx.now.
void AdvanceTimers(TickContext& ctx);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_TIMERS_H_
