// What the engine tells an agent's desk, and the desk stream it tells it through.
//
// The transport (gRPC) implements DeskSession for each open agent stream. The engine calls
// Deliver on its own thread, only after the notice's state is durable in the store, and the
// call must not block: it hands the notice to the transport's thread.
#ifndef CASEROUTER_ROUTER_ENGINE_DESK_SESSION_H_
#define CASEROUTER_ROUTER_ENGINE_DESK_SESSION_H_

#include <string>
#include <vector>

#include "absl/time/time.h"
#include "agents/agent.h"
#include "router/engine/views.h"
#include "router/model/reasons.h"

namespace caserouter {

// The reason of the kSessionEnded every desk gets when the replica stops leading its domain.
inline constexpr char kNotLeadingReason[] = "not_leading";

struct DeskNotice {
  enum class Kind {
    kOffer,            // view, expires
    kOfferRevoked,     // case_id, revocation (and reason: its name)
    kPresenceChanged,  // presence, reason
    kCaseMessage,      // case_id, text, channel
    kSessionEnded,     // reason: the engine ended the session (heartbeat_lost, replaced,
                       // removed, not_leading)
    kTransferUpdate,   // case_id, agent (consulted), accepted (issue 14)
  };
  Kind kind = Kind::kOffer;
  CaseView view;
  absl::Time expires;
  std::string case_id;
  std::string reason;
  RevocationReason revocation = RevocationReason::kTimedOut;
  Presence presence = Presence::kOffline;
  std::string text;
  Channel channel = Channel::kPhone;
  // Issue 14: an offer that is a warm transfer's consult, from `agent`; a transfer update's
  // consulted `agent` and whether they took the case.
  bool consult = false;
  std::string agent;
  bool accepted = false;
};

// One agent's open desk stream, implemented by the transport (gRPC).
class DeskSession {
 public:
  virtual ~DeskSession() = default;
  // Called on the engine thread after the notice's state is durable. Must not block.
  virtual void Deliver(DeskNotice notice) = 0;
};

// The answer to opening a session: where the agent stands and what they hold.
struct Welcome {
  Presence presence = Presence::kOffline;
  std::vector<CaseView> assigned;
  absl::Duration heartbeat_interval;
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_DESK_SESSION_H_
