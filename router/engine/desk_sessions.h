// Desk sessions: the agents' open desk streams and the presence state machine they drive.
//
// DeskSessions is transport state: which agent has a stream open, and when it was last heard
// from. It lives only while this replica leads: when the engine steps down (lease lost, store
// failed, fenced out) every session is ended at once with reason "not_leading", so that desks
// reconnect to the leader instead of staying attached to a replica that can do nothing for
// them (issue 11: a desk stayed on a deposed leader for 58 s while a case waited on the new
// one). The functions below are the desk commands' bodies and the one way the
// engine changes an agent's presence; they run on the engine thread inside a tick.
//
// Errors: NOT_FOUND for an unknown agent, FAILED_PRECONDITION for a stream that is not the
// agent's open session, INVALID_ARGUMENT for a presence an agent may not set.
#ifndef CASEROUTER_ROUTER_ENGINE_DESK_SESSIONS_H_
#define CASEROUTER_ROUTER_ENGINE_DESK_SESSIONS_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "agents/agent.h"
#include "router/engine/desk_session.h"

namespace caserouter {

struct TickContext;

class DeskSessions {
 public:
  struct Session {
    std::shared_ptr<DeskSession> desk;
    absl::Time last_seen;
  };

  const Session* Find(const std::string& agent_id) const;
  bool Connected(const std::string& agent_id) const { return sessions_.count(agent_id) > 0; }
  // True when `desk` is the agent's open session (not one it replaced).
  bool IsCurrent(const std::string& agent_id, const DeskSession* desk) const;
  void Open(const std::string& agent_id, std::shared_ptr<DeskSession> desk, absl::Time now);
  void Close(const std::string& agent_id);
  void Heard(const std::string& agent_id, absl::Time now);
  // The agents whose session was last heard from at or before `cutoff`, in id order.
  std::vector<std::string> SilentSince(absl::Time cutoff) const;
  // Closes every session and returns their desks (the replica stopped leading: each must be
  // told to go to the leader).
  std::vector<std::shared_ptr<DeskSession>> CloseAll();
  size_t size() const { return sessions_.size(); }

 private:
  std::map<std::string, Session> sessions_;  // by agent id
  std::set<std::pair<absl::Time, std::string>> by_last_seen_;
};

// The one way presence changes: the agent's rule, the batch, an event, and (when `notify`)
// a notice to the desk. Nothing happens when the agent already has that presence.
void SetAgentPresence(TickContext& ctx, Agent& agent, Presence presence, absl::string_view reason,
                      bool notify);

// Opens (or replaces) the agent's session. The agent keeps its presence; OFFLINE becomes
// AWAY until the agent sets AVAILABLE.
absl::StatusOr<Welcome> OpenDeskSession(TickContext& ctx, const std::string& agent_id,
                                        std::shared_ptr<DeskSession> desk);
// The session ended (`reason`: disconnected, heartbeat_lost). Offers are revoked at once;
// assignments wait for the reconnect grace period.
void CloseDeskSession(TickContext& ctx, const std::string& agent_id, absl::string_view reason);
// OK when `desk` is the agent's open session.
absl::Status CheckDeskSession(const TickContext& ctx, const std::string& agent_id,
                              const DeskSession* desk);
// The agent sets AVAILABLE, AWAY or OFFLINE. Stepping away gives pending offers back.
absl::Status SetDeskPresence(TickContext& ctx, const std::string& agent_id, Presence presence);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_DESK_SESSIONS_H_
