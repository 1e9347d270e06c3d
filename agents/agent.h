// Agent: a person at a desktop who can take cases.
//
// An Agent value holds what the agent *is* (skills, languages, authority, capacity per channel,
// set by supervisors) and what the agent is *doing* (presence, load, idle time, missed offers,
// maintained by the engine). It is a plain value: no I/O, no clock, no locking; the engine owns
// every Agent of its routing domain and is the only writer.
//
//   Agent a;
//   a.id = "ana";
//   a.skills = {{"billing", 8}};
//   a.languages = {"en"};
//   a.authority_limit = 200;             // may grant credits up to 200 without a supervisor
//   a.max_cases[ChannelIndex(Channel::kChat)] = 3;
#ifndef CASEROUTER_AGENTS_AGENT_H_
#define CASEROUTER_AGENTS_AGENT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "agents/channel.h"
#include "router/model/enum_names.h"

namespace caserouter {

enum class Presence { kOffline = 0, kAvailable = 1, kAway = 2, kWrapUp = 3 };
inline constexpr int kPresenceCount = 4;

inline constexpr EnumName<Presence> kPresenceNames[] = {{Presence::kOffline, "offline"},
                                                        {Presence::kAvailable, "available"},
                                                        {Presence::kAway, "away"},
                                                        {Presence::kWrapUp, "wrap_up"}};

// "offline", "available", "away", "wrap_up".
inline absl::string_view PresenceName(Presence presence) {
  return NameOf(kPresenceNames, presence);
}

struct Skill {
  std::string name;
  int proficiency = 0;  // 1..10
};

struct Agent {
  // --- Profile (supervisors set it) ---
  std::string id;
  std::vector<Skill> skills;
  std::vector<std::string> languages;        // e.g. "en", "de"; empty = speaks none (never eligible
                                             // for a case that names a language)
  int64_t authority_limit = 0;               // largest credit/refund granted without escalation
  PerChannel<int> max_cases = {1, 3, 4, 5};  // concurrent cases per channel; 0 = not on it
  // Where a channel adapter reaches the agent (a SIP URI, an extension), given to the adapter
  // of a case the agent accepts (issue 13); "" = none. 0-256 printable ASCII characters.
  std::string contact_address;

  // --- Session (the engine maintains it) ---
  Presence presence = Presence::kOffline;
  absl::Time presence_since = absl::InfinitePast();
  absl::Time idle_since = absl::InfinitePast();  // last time the agent's load became zero
  absl::Time wrap_up_until = absl::InfinitePast();
  int missed_offers_in_row = 0;
  absl::Time last_offer_time = absl::InfinitePast();  // for round robin
  PerChannel<int> active_cases = {0, 0, 0, 0};        // offered or assigned, per channel

  // Proficiency on `skill`, 0 when the agent does not have it.
  int ProficiencyOf(absl::string_view skill) const;
  bool Speaks(absl::string_view language) const;
  int TotalActive() const;
};

}  // namespace caserouter

#endif  // CASEROUTER_AGENTS_AGENT_H_
