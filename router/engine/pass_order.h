// PassOrder: the order in which one incremental routing pass decides cases.
//
// The touched cases (listed) are merged with one stream per requirement group that an agent
// became able to serve; each stream hands out its group's cases in the group's priority order
// while one of its agents can still take the group's channel. The merge follows the global
// order (priority at the tick's `now`, then age, then id), so cases are decided exactly in the
// order the full pass would decide them. Each case is handed out at most once per pass.
//
// Thread safety: engine thread only, for the length of one pass. Errors: none.
#ifndef CASEROUTER_ROUTER_ENGINE_PASS_ORDER_H_
#define CASEROUTER_ROUTER_ENGINE_PASS_ORDER_H_

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "agents/agent.h"
#include "router/engine/tick_context.h"
#include "router/engine/waiting_index.h"
#include "router/model/case.h"
#include "router/model/score.h"

namespace caserouter {

class PassOrder {
 public:
  struct Head {
    Case* c = nullptr;
    Score priority;  // at the tick's now
  };

  explicit PassOrder(TickContext& ctx) : ctx_(ctx), listed_(Before) {}

  Head HeadOf(Case* c) const;
  static bool Before(const Head& a, const Head& b);

  // A case to decide in this pass (ignored once decided).
  void List(Case* c) { listed_.insert(HeadOf(c)); }
  // The group's cases, for `agents` who can now take its channel.
  void OpenStream(const std::string& signature, std::vector<const Agent*> agents);
  // The next case to decide, marked decided; nullopt when the pass is done.
  std::optional<Head> Next();
  bool Decided(absl::string_view case_id) const { return decided_.count(case_id) > 0; }

 private:
  struct Stream {
    std::string signature;
    std::vector<const Agent*> agents;
    std::optional<WaitingIndex::Entry> last;  // the entry handed out last
    std::optional<Head> head;
  };
  void Refill(Stream& s);
  bool StillAble(const Stream& s) const;

  TickContext& ctx_;
  std::set<Head, bool (*)(const Head&, const Head&)> listed_;
  std::vector<Stream> streams_;
  std::set<std::string, std::less<>> decided_;
  Stream* handed_from_ = nullptr;  // the stream of the case handed out last, if any
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_PASS_ORDER_H_
