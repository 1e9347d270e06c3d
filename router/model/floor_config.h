// FloorConfig: how agents work their cases (issue 14) — pending cases, away reasons, wrap-up
// and disposition codes — read from the configuration's `floor` section:
//
//   floor:
//     pending: {return_wait_seconds: 60, close_after_seconds: 86400}
//     away_reasons: [break, lunch, training, meeting, coaching]
//     wrap_up: {max_extension_seconds: 300}
//     dispositions: {billing: [refund_issued, explained_charge], technical: [...]}
//
// Away reasons and disposition codes are closed lists: metric labels and stored words.
#ifndef CASEROUTER_ROUTER_MODEL_FLOOR_CONFIG_H_
#define CASEROUTER_ROUTER_MODEL_FLOOR_CONFIG_H_

#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"

namespace caserouter {

struct FloorConfig {
  // A pending case the customer writes to waits this long for its own agent, then goes to
  // anyone able.
  absl::Duration pending_return_wait = absl::Seconds(60);
  // A pending case the customer does not come back to closes itself after this long.
  absl::Duration pending_close_after = absl::Hours(24);
  // The reasons an agent may give for AWAY.
  std::vector<std::string> away_reasons = {"break", "lunch", "training", "meeting", "coaching"};
  // How far an agent may extend their wrap-up beyond the channel's wrap_up_seconds.
  absl::Duration max_wrap_up_extension = absl::Seconds(300);
  // Topic → the disposition codes a Complete on it may carry (none configured: any empty).
  std::map<std::string, std::vector<std::string>> dispositions;
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_MODEL_FLOOR_CONFIG_H_
