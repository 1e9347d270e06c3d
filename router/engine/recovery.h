// Recovery: a new leader rebuilds the domain from the store.
//
// Open cases, agents, quality records and relationships come back as stored. Offers do not
// survive their leader (the desk that saw one is gone): they return to the queue at their
// original age. Assignments are kept, and wait for their agent's desk for the reconnect grace
// period; an assignment whose agent was removed returns to the queue. Agents without an open
// desk session here are OFFLINE.
//
// Thread safety: engine thread only. Errors: the store's, as it returned them.
#ifndef CASEROUTER_ROUTER_ENGINE_RECOVERY_H_
#define CASEROUTER_ROUTER_ENGINE_RECOVERY_H_

#include "absl/status/status.h"
#include "router/engine/tick_context.h"
#include "router/store/state_store.h"

namespace caserouter {

// Replaces the domain state by what `store` holds at ctx.now.
absl::Status Recover(TickContext& ctx, StateStore& store);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_RECOVERY_H_
