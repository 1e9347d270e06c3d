// Recovery: a new leader rebuilds the domain from the store.
//
// Open cases, agents, quality records and relationships come back as stored. Offers do not
// survive their leader (the desk that saw one is gone): they return to the queue at their
// original age. Assignments are kept, and wait for their agent's desk for the reconnect grace
// period; an assignment whose agent was removed returns to the queue. Agents without an open
// desk session here are OFFLINE.
//
// A large domain may take longer to load than the leader's lease lasts: `hold` is called
// between the chunks of the load and after rebuilding the tables, to renew the lease as due
// (Leadership::Hold). An error from it stops the recovery: the lease is lost and this replica
// must not serve.
//
// Thread safety: engine thread only. Errors: the store's, or `hold`'s, as they returned them.
#ifndef CASEROUTER_ROUTER_ENGINE_RECOVERY_H_
#define CASEROUTER_ROUTER_ENGINE_RECOVERY_H_

#include <functional>

#include "absl/status/status.h"
#include "router/engine/tick_context.h"
#include "router/store/state_store.h"

namespace caserouter {

// Replaces the domain state by what `store` holds at ctx.now. `hold` may be empty.
absl::Status Recover(TickContext& ctx, StateStore& store,
                     const std::function<absl::Status()>& hold);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_RECOVERY_H_
