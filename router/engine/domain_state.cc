#include "router/engine/domain_state.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace caserouter {

std::string DomainState::CustomerTopicKey(const CaseSpec& spec) {
  return absl::StrCat(spec.customer_id, "\n", spec.topic);
}

Case* DomainState::FindCase(const std::string& id) {
  auto it = cases.find(id);
  return it == cases.end() ? nullptr : &it->second;
}

Agent* DomainState::FindAgent(const std::string& id) {
  auto it = agents.find(id);
  return it == agents.end() ? nullptr : &it->second;
}

std::vector<Case*> DomainState::OpenSnapshot() const {
  std::vector<Case*> open;
  open.reserve(open_cases.size());
  for (const auto& [id, c] : open_cases) open.push_back(c);
  return open;
}

void DomainState::SetCaseState(Case& c, CaseState state) {
  c.state = state;
  std::string key = CustomerTopicKey(c.spec);
  if (state == CaseState::kQueued) ++queue_version;
  if (IsOpen(state)) {
    open_cases[c.id] = &c;
    open_by_customer_topic.emplace(key, c.id);
  } else {
    if (open_cases.erase(c.id) > 0) closed_order.emplace_back(c.closed_time, c.id);
    auto it = open_by_customer_topic.find(key);
    if (it != open_by_customer_topic.end() && it->second == c.id) {
      open_by_customer_topic.erase(it);
    }
  }
}

std::vector<std::string> DomainState::EvictExpired(absl::Time now, absl::Duration retention) {
  std::vector<std::string> evicted;
  if (now < next_eviction) return evicted;
  next_eviction = now + absl::Minutes(1);
  while (!closed_order.empty() && closed_order.front().first + retention < now) {
    auto it = cases.find(closed_order.front().second);
    closed_order.pop_front();
    if (it == cases.end() || IsOpen(it->second.state)) continue;
    const Case& c = it->second;
    idempotency.erase(c.spec.idempotency_key);
    auto last = last_resolved.find(CustomerTopicKey(c.spec));
    if (last != last_resolved.end() && last->second == c.id) last_resolved.erase(last);
    evicted.push_back(c.id);
    cases.erase(it);
  }
  return evicted;
}

void DomainState::Load(StoredState stored) {
  Clear();
  case_sequence = stored.case_sequence;
  records.Load(std::move(stored.quality), std::move(stored.relationships));
  for (Agent& agent : stored.agents) {
    agent.active_cases = {0, 0, 0, 0};  // recounted from the cases below
    agents[agent.id] = std::move(agent);
  }
  for (Case& c : stored.cases) {
    idempotency[c.spec.idempotency_key] = c.id;
    std::string id = c.id;
    cases[id] = std::move(c);
    const Case& kept = cases[id];
    if (IsOpen(kept.state)) {
      open_cases[id] = &cases[id];
      open_by_customer_topic.emplace(CustomerTopicKey(kept.spec), id);
    } else if (kept.state == CaseState::kCompleted && kept.outcome.resolved) {
      std::string& last = last_resolved[CustomerTopicKey(kept.spec)];
      if (last.empty() || cases[last].closed_time < kept.closed_time) last = id;
    }
  }
  for (const auto& [id, c] : cases) {
    if (!IsOpen(c.state)) closed_order.emplace_back(c.closed_time, id);
  }
  std::sort(closed_order.begin(), closed_order.end());
  for (const auto& [id, open] : open_cases) {
    if (open->state != CaseState::kAssigned) continue;
    if (Agent* agent = FindAgent(open->agent_id)) ++agent->active_cases[ChannelIndex(open->spec.channel)];
  }
}

void DomainState::Clear() {
  cases.clear();
  open_cases.clear();
  closed_order.clear();
  agents.clear();
  records.Clear();
  open_by_customer_topic.clear();
  last_resolved.clear();
  idempotency.clear();
  disconnected_since.clear();
  case_sequence = 0;
  // next_eviction, agents_epoch and queue_version carry over: they only ever move forward.
}

}  // namespace caserouter
