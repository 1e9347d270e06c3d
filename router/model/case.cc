#include "router/model/case.h"

namespace caserouter {

bool IsOpen(CaseState state) {
  return state == CaseState::kQueued || state == CaseState::kOffered ||
         state == CaseState::kAssigned || state == CaseState::kPending;
}

}  // namespace caserouter
