#include "tests/faults/history_checker.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace caserouter::faults {
namespace {

absl::Time TimeOf(const HistoryRecord& r) { return absl::FromUnixMicros(r.time_micros()); }
std::string At(const HistoryRecord& r) { return absl::StrCat(" at ", r.time_micros()); }
bool Ok(const HistoryRecord& r) { return r.code() == "OK"; }

void Add(std::vector<Violation>* out, const std::string& kind, std::string detail) {
  out->push_back(Violation{kind, std::move(detail)});
}

// Acknowledged cases, keys and customers.
void CheckCases(const std::vector<HistoryRecord>& history, const CheckOptions& options,
                std::vector<Violation>* out) {
  std::map<std::string, std::pair<std::string, absl::Time>> acknowledged;  // id -> key, time
  std::map<std::string, std::string> case_of_key;
  std::map<std::string, std::string> customer_of_case;
  std::set<std::string> found;
  for (const HistoryRecord& r : history) {
    if (!Ok(r) || r.case_id().empty()) continue;
    if (r.kind() != "submit" && r.kind() != "get") continue;
    if (!r.customer().empty()) {
      auto [it, fresh] = customer_of_case.emplace(r.case_id(), r.customer());
      if (!fresh && it->second != r.customer()) {
        Add(out, "case_with_two_customers",
            absl::StrCat("case ", r.case_id(), " answered for customers ", it->second, " and ",
                         r.customer(), At(r)));
      }
    }
    if (r.kind() == "submit") {
      acknowledged.emplace(r.case_id(), std::make_pair(r.key(), TimeOf(r)));
      auto [it, fresh] = case_of_key.emplace(r.key(), r.case_id());
      if (!fresh && it->second != r.case_id()) {
        Add(out, "key_with_two_cases",
            absl::StrCat("key ", r.key(), " answered with cases ", it->second, " and ", r.case_id(),
                         At(r)));
      }
    } else if (r.final()) {
      found.insert(r.case_id());
    }
  }
  for (const auto& [id, acked] : acknowledged) {
    if (found.count(id) > 0 || acked.second > options.loss_allowed_after) continue;
    Add(out, "acknowledged_case_missing",
        absl::StrCat("case ", id, " (key ", acked.first, ") acknowledged at ",
                     absl::ToUnixMicros(acked.second), " is not in the final sweep"));
  }
}

// Ownership of cases by agents.
void CheckOwners(const std::vector<HistoryRecord>& history, const CheckOptions& options,
                 std::vector<Violation>* out) {
  std::map<std::string, std::string> owner;        // case -> agent
  std::map<std::string, absl::Time> disconnected;  // agent -> its stream's end
  auto owned_by_other = [&](const std::string& id, const std::string& agent,
                            absl::Time now) -> std::optional<std::string> {
    auto it = owner.find(id);
    if (it == owner.end() || it->second == agent) return std::nullopt;
    auto gone = disconnected.find(it->second);
    if (gone != disconnected.end() && now > gone->second + options.reconnect_grace) {
      return std::nullopt;  // lapsed: the router re-routes after the grace
    }
    return it->second;
  };
  auto claim = [&](const HistoryRecord& r, const std::string& id, const char* how) {
    if (std::optional<std::string> other = owned_by_other(id, r.agent(), TimeOf(r))) {
      Add(out, "case_with_two_owners",
          absl::StrCat("case ", id, " ", how, " by ", r.agent(), " while owned by ", *other,
                       At(r)));
    }
  };
  for (const HistoryRecord& r : history) {
    if (r.kind() == "accept" && Ok(r)) {
      claim(r, r.case_id(), "accepted");
      owner[r.case_id()] = r.agent();
    } else if (r.kind() == "complete" && Ok(r)) {
      claim(r, r.case_id(), "completed");
      owner.erase(r.case_id());
    } else if (r.kind() == "welcome") {
      disconnected.erase(r.agent());
      std::set<std::string> held(r.cases().begin(), r.cases().end());
      for (auto it = owner.begin(); it != owner.end();) {
        if (it->second == r.agent() && held.count(it->first) == 0) {
          it = owner.erase(it);
        } else {
          ++it;
        }
      }
      for (const std::string& id : held) {
        claim(r, id, "held (welcome)");
        owner[id] = r.agent();
      }
    } else if (r.kind() == "desk_end") {
      disconnected[r.agent()] = TimeOf(r);
    }
  }
}

// Offers resolve.
void CheckOffers(const std::vector<HistoryRecord>& history, const CheckOptions& options,
                 std::vector<Violation>* out) {
  std::map<std::pair<std::string, std::string>, int64_t> open;  // (agent, case) -> offer time
  auto resolve = [&](std::map<std::pair<std::string, std::string>, int64_t>::iterator it,
                     const HistoryRecord& r) {
    const absl::Duration took = TimeOf(r) - absl::FromUnixMicros(it->second);
    if (took > options.offer_bound) {
      Add(out, "offer_never_resolved",
          absl::StrCat("offer of case ", it->first.second, " to ", it->first.first, " at ",
                       it->second, " resolved only after ", absl::FormatDuration(took)));
    }
    return open.erase(it);
  };
  for (const HistoryRecord& r : history) {
    const std::string& kind = r.kind();
    if (kind == "offer") {
      open[{r.agent(), r.case_id()}] = r.time_micros();
    } else if (kind == "accept" || kind == "decline" || kind == "complete" || kind == "revoked") {
      auto it = open.find({r.agent(), r.case_id()});
      if (it != open.end()) resolve(it, r);
    } else if (kind == "desk_end" || kind == "welcome") {
      // A session's end ends its offers (and a new session means the old one ended).
      for (auto it = open.begin(); it != open.end();) {
        it = it->first.first == r.agent() ? resolve(it, r) : std::next(it);
      }
    }
  }
  for (const auto& [offer, time] : open) {
    Add(out, "offer_never_resolved",
        absl::StrCat("offer of case ", offer.second, " to ", offer.first, " at ", time));
  }
}

// Desks on replicas that do not lead.
void CheckDesks(const std::vector<HistoryRecord>& history, const CheckOptions& options,
                std::vector<Violation>* out) {
  if (history.empty()) return;
  const absl::Time end_of_history = TimeOf(history.back());
  std::map<std::string, std::vector<std::pair<absl::Time, bool>>> leading;  // replica -> changes
  struct Session {
    std::string replica;
    absl::Time start;
  };
  std::map<std::string, Session> sessions;  // agent -> its open session
  std::vector<std::pair<std::string, std::pair<Session, absl::Time>>> closed;
  for (const HistoryRecord& r : history) {
    if (r.kind() == "leader") {
      leading[r.replica()].push_back({TimeOf(r), r.leading()});
    } else if (r.kind() == "welcome" || r.kind() == "desk_end") {
      auto it = sessions.find(r.agent());
      if (it != sessions.end()) {
        closed.push_back({r.agent(), {it->second, TimeOf(r)}});
        sessions.erase(it);
      }
      if (r.kind() == "welcome") sessions[r.agent()] = Session{r.replica(), TimeOf(r)};
    }
  }
  for (const auto& [agent, session] : sessions) {
    closed.push_back({agent, {session, end_of_history}});
  }
  for (const auto& [agent, interval] : closed) {
    const Session& s = interval.first;
    const absl::Time stop = interval.second;
    // Walk the replica's changes; a stretch of not leading inside [start, stop] is measured.
    bool is_leading = true;  // not seen yet: leading
    absl::Time since = s.start;
    absl::Duration worst = absl::ZeroDuration();
    for (const auto& [t, now_leading] : leading[s.replica]) {
      if (t > stop) break;
      if (t <= s.start) {
        is_leading = now_leading;
        continue;
      }
      if (!is_leading && now_leading) worst = std::max(worst, t - since);
      if (is_leading && !now_leading) since = t;
      is_leading = now_leading;
    }
    if (!is_leading) worst = std::max(worst, stop - since);
    if (worst > options.desk_bound) {
      Add(out, "desk_on_non_leader",
          absl::StrCat("desk ", agent, " stayed on ", s.replica, " for ",
                       absl::FormatDuration(worst), " while it did not lead (session from ",
                       absl::ToUnixMicros(s.start), ")"));
    }
  }
}

}  // namespace

std::vector<Violation> CheckHistory(std::vector<HistoryRecord> history,
                                    const CheckOptions& options) {
  std::stable_sort(history.begin(), history.end(),
                   [](const HistoryRecord& a, const HistoryRecord& b) {
                     return a.time_micros() < b.time_micros();
                   });
  std::vector<Violation> out;
  CheckCases(history, options, &out);
  CheckOwners(history, options, &out);
  CheckOffers(history, options, &out);
  CheckDesks(history, options, &out);
  return out;
}

HistoryFigures FiguresOf(const std::vector<HistoryRecord>& history) {
  HistoryFigures f;
  std::set<std::string> acknowledged;
  for (const HistoryRecord& r : history) {
    const std::string& kind = r.kind();
    if (kind == "submit") {
      ++f.submits;
      ++f.requests;
      if (r.code() == "OK") acknowledged.insert(r.case_id());
    } else if (kind == "get" || kind == "accept" || kind == "decline" || kind == "complete") {
      ++f.requests;
    } else if (kind == "fault") {
      ++f.faults;
    }
    if (kind == "offer" || kind == "revoked" || kind == "welcome" || kind == "desk_end" ||
        kind == "accept" || kind == "decline" || kind == "complete") {
      ++f.desk_events;
    }
  }
  f.acknowledged = static_cast<int64_t>(acknowledged.size());
  return f;
}

std::string Describe(const std::vector<Violation>& violations) {
  std::vector<std::string> lines;
  for (const Violation& v : violations) lines.push_back(absl::StrCat(v.kind, ": ", v.detail));
  return absl::StrJoin(lines, "\n");
}

}  // namespace caserouter::faults
