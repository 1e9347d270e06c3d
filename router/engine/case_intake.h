// Case intake: what channel adapters ask of the engine — submit a case, add a message to an
// open one, cancel one. Runs on the engine thread inside a tick.
//
// A submission is deduplicated by its idempotency key, joins the customer's open case on the
// same topic (one voice to the customer, whatever the channel), or becomes a new queued case,
// checked for being a repeat contact of a recently resolved one. Every key accepted — a new
// case's and a joined submission's — names its case for as long as the case is kept (the
// closed-case retention after it closes), durably: it is stored with the case.
//
// Errors: INVALID_ARGUMENT naming the field; NOT_FOUND for an unknown case; FAILED_PRECONDITION
// for a case whose state does not allow it; RESOURCE_EXHAUSTED for a full queue, a case that
// holds the maximum of messages, or an open case that holds the maximum of joined submissions.
#ifndef CASEROUTER_ROUTER_ENGINE_CASE_INTAKE_H_
#define CASEROUTER_ROUTER_ENGINE_CASE_INTAKE_H_

#include <string>

#include "absl/status/statusor.h"
#include "router/engine/tick_context.h"
#include "router/engine/views.h"
#include "router/model/case.h"
#include "router/model/case_id.h"

namespace caserouter {

// A new case's id comes from `ids` (router/model/case_id.h): nothing the store could forget.
absl::StatusOr<SubmitResult> SubmitCase(TickContext& ctx, CaseSpec spec, CaseIdGenerator& ids);
absl::StatusOr<CaseView> AddMessage(TickContext& ctx, const std::string& case_id, std::string text);
// `reason` is a cancel reason name (kCancelReasonNames), empty for the default.
absl::StatusOr<CaseView> CancelCase(TickContext& ctx, const std::string& case_id,
                                    const std::string& reason);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_CASE_INTAKE_H_
