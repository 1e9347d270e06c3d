// How an agent closes and pauses their work (issue 14, item 4), from the configuration's
// `floor` section (router/model/floor_config.h):
//   - disposition codes on Complete, validated against the topic's list;
//   - wrap-up ended early, or extended within floor.wrap_up.max_extension_seconds;
//   - AWAY with a reason from the closed list floor.away_reasons (a metric label: the
//     reasons are configuration words, never free text).
//
// Runs on the engine thread inside a tick. Errors: NOT_FOUND for an unknown agent;
// INVALID_ARGUMENT naming the field (outcome.disposition_code, extend_wrap_up.seconds,
// set_presence.away_reason); FAILED_PRECONDITION when the agent is not in wrap-up.
#ifndef CASEROUTER_ROUTER_ENGINE_AGENT_WORK_RULES_H_
#define CASEROUTER_ROUTER_ENGINE_AGENT_WORK_RULES_H_

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "router/engine/tick_context.h"
#include "router/model/floor_config.h"

namespace caserouter {

// OK when `disposition` may close a case on `topic`: empty, or one of the topic's codes.
absl::Status CheckDisposition(const FloorConfig& floor, const std::string& topic,
                              const std::string& disposition);
// The agent ends their wrap-up now and is AVAILABLE.
absl::Status EndWrapUpEarly(TickContext& ctx, const std::string& agent_id);
// The agent takes `extra` more wrap-up, within the bound.
absl::Status ExtendWrapUp(TickContext& ctx, const std::string& agent_id, absl::Duration extra);
// The agent steps AWAY for `reason` (one of floor.away_reasons); unanswered offers go back.
absl::Status SetAway(TickContext& ctx, const std::string& agent_id, const std::string& reason);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_AGENT_WORK_RULES_H_
