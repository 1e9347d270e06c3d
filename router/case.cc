#include "router/case.h"

namespace caserouter {

absl::string_view CaseStateName(CaseState state) {
  switch (state) {
    case CaseState::kQueued:
      return "queued";
    case CaseState::kOffered:
      return "offered";
    case CaseState::kAssigned:
      return "assigned";
    case CaseState::kCompleted:
      return "completed";
    case CaseState::kCancelled:
      return "cancelled";
    case CaseState::kExpired:
      return "expired";
  }
  return "queued";
}

bool IsOpen(CaseState state) {
  return state == CaseState::kQueued || state == CaseState::kOffered ||
         state == CaseState::kAssigned;
}

}  // namespace caserouter
