#include "agents/agent.h"

namespace caserouter {

int Agent::ProficiencyOf(absl::string_view skill) const {
  for (const Skill& s : skills) {
    if (s.name == skill) return s.proficiency;
  }
  return 0;
}

bool Agent::Speaks(absl::string_view language) const {
  for (const std::string& l : languages) {
    if (l == language) return true;
  }
  return false;
}

int Agent::TotalActive() const {
  int total = 0;
  for (int n : active_cases) total += n;
  return total;
}

}  // namespace caserouter
