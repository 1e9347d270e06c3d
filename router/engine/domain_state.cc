#include "router/engine/domain_state.h"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace caserouter {

std::string DomainState::CustomerTopicKey(const CaseSpec& spec) {
  return absl::StrCat(spec.customer_id, "\n", spec.topic);
}

Case* DomainState::FindCase(absl::string_view id) {
  auto it = cases.find(id);
  return it == cases.end() ? nullptr : &it->second;
}

Case& DomainState::AddCase(Case c) {
  const std::string id = c.id;
  // Ids mostly come in order (a recovery loads them sorted): the end is the usual place.
  auto it = cases.emplace_hint(cases.end(), id, std::move(c));
  auto next = std::next(it);
  auto node = cases.extract(it);
  // The key must outlive the caller's string: it views the stored case's own id, which
  // lives in the same node.
  node.key() = node.mapped().id;
  return cases.insert(next, std::move(node))->second;
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

namespace {

bool IsWaiting(CaseState s) { return s == CaseState::kQueued || s == CaseState::kOffered; }
bool IsHeld(CaseState s) { return s == CaseState::kOffered || s == CaseState::kAssigned; }

}  // namespace

void DomainState::SetCaseState(Case& c, CaseState state) {
  // A case not yet in open_cases is new to the indexes, whatever its state field says.
  const bool indexed = open_cases.count(c.id) > 0;
  const CaseState old = c.state;
  const int channel = ChannelIndex(c.spec.channel);
  if (indexed && IsWaiting(old) && !IsWaiting(state)) {
    --waiting_depth[channel];
    waiting_value[channel] -= c.spec.customer_value;
  } else if (!(indexed && IsWaiting(old)) && IsWaiting(state)) {
    ++waiting_depth[channel];
    waiting_value[channel] += c.spec.customer_value;
  }
  if (auto hold = holds.find(c.id); hold != holds.end()) {
    offer_deadlines.erase({hold->second.offer_expires, c.id});
    auto cases = held_by.find(hold->second.agent_id);
    if (cases != held_by.end() && cases->second.erase(c.id) > 0 && cases->second.empty()) {
      held_by.erase(cases);
    }
    holds.erase(hold);
  }
  if (IsHeld(state) && !c.agent_id.empty()) {
    Hold hold{c.agent_id, state == CaseState::kOffered ? c.offer_expires : absl::InfiniteFuture()};
    if (state == CaseState::kOffered) offer_deadlines.insert({hold.offer_expires, c.id});
    held_by[c.agent_id].insert(c.id);
    holds[c.id] = std::move(hold);
  }
  c.state = state;
  if (state == CaseState::kQueued) ++queue_version;
  if (IsOpen(state)) {
    open_cases[c.id] = &c;
    open_by_customer_topic.insert(&c);
  } else {
    if (open_cases.erase(c.id) > 0) closed_order.emplace_back(c.closed_time, c.id);
    auto it = open_by_customer_topic.find(CustomerTopicOf(c.spec));
    if (it != open_by_customer_topic.end() && *it == &c) open_by_customer_topic.erase(it);
  }
}

void DomainState::RefreshWaiting(const EngineConfig& config) {
  if (!waiting_stale) return;
  std::vector<const Case*> queued;
  for (const auto& [id, c] : open_cases) {
    if (c->state == CaseState::kQueued) queued.push_back(c);
  }
  waiting.Rebuild(queued, config);
  waiting_stale = false;
}

void DomainState::ChangeChannel(Case& c, Channel channel) {
  if (IsWaiting(c.state)) {
    --waiting_depth[ChannelIndex(c.spec.channel)];
    waiting_value[ChannelIndex(c.spec.channel)] -= c.spec.customer_value;
    ++waiting_depth[ChannelIndex(channel)];
    waiting_value[ChannelIndex(channel)] += c.spec.customer_value;
  }
  c.spec.channel = channel;
}

std::vector<Case*> DomainState::HeldBy(const std::string& agent_id) {
  std::vector<Case*> out;
  auto it = held_by.find(agent_id);
  if (it == held_by.end()) return out;
  for (const std::string& id : it->second) out.push_back(&cases.at(id));
  return out;
}

Case* DomainState::FindByKey(absl::string_view key) {
  if (auto it = idempotency.find(key); it != idempotency.end()) return *it;
  if (auto it = joined_idempotency.find(key); it != joined_idempotency.end()) return it->second;
  return nullptr;
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
    if (auto key = idempotency.find(c.spec.idempotency_key);
        key != idempotency.end() && *key == &c) {
      idempotency.erase(key);
    }
    for (const std::string& joined : c.joined_keys) {
      auto key = joined_idempotency.find(joined);
      if (key != joined_idempotency.end() && key->second == &c) joined_idempotency.erase(key);
    }
    auto last = last_resolved.find(CustomerTopicKey(c.spec));
    if (last != last_resolved.end() && last->second == c.id) last_resolved.erase(last);
    evicted.push_back(c.id);
    cases.erase(it);
  }
  return evicted;
}

void DomainState::Load(StoredState stored) {
  Clear();
  records.Load(std::move(stored.quality), std::move(stored.relationships));
  for (Agent& agent : stored.agents) {
    agent.active_cases = {0, 0, 0, 0};  // recounted from the cases below
    if (agent.presence == Presence::kWrapUp) wrap_up_ends.insert({agent.wrap_up_until, agent.id});
    agents[agent.id] = std::move(agent);
  }
  for (Case& c : stored.cases) {
    Case& kept = AddCase(std::move(c));
    IndexKey(kept);
    for (const std::string& key : kept.joined_keys) IndexJoinedKey(key, kept);
    if (IsOpen(kept.state)) {
      continue;  // indexed below, as SetCaseState does
    } else if (kept.state == CaseState::kCompleted && kept.outcome.resolved) {
      std::string& last = last_resolved[CustomerTopicKey(kept.spec)];
      if (last.empty() || cases.at(last).closed_time < kept.closed_time) last = kept.id;
    }
  }
  for (const auto& [id, c] : cases) {
    if (!IsOpen(c.state)) closed_order.emplace_back(c.closed_time, id);
  }
  std::sort(closed_order.begin(), closed_order.end());
  for (auto& [id, c] : cases) {
    if (!IsOpen(c.state)) continue;
    SetCaseState(c, c.state);  // new to the indexes: open, customer topic, holds, counters
    if (c.state != CaseState::kAssigned) continue;
    if (Agent* agent = FindAgent(c.agent_id)) ++agent->active_cases[ChannelIndex(c.spec.channel)];
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
  joined_idempotency.clear();
  disconnected_since.clear();
  holds.clear();
  held_by.clear();
  offer_deadlines.clear();
  wrap_up_ends.clear();
  waiting_depth = {0, 0, 0, 0};
  waiting_value = {0, 0, 0, 0};
  waiting.Clear();
  waiting_stale = true;
  ++profiles_version;
  agents_touched.clear();
  topics_touched.clear();
  customers_touched.clear();
  // next_eviction, agents_epoch and queue_version carry over: they only ever move forward.
}

}  // namespace caserouter
