#include "router/engine/waiting_index.h"

#include <algorithm>
#include <limits>

#include "absl/strings/str_cat.h"
#include "router/policy/priority.h"

namespace caserouter {
namespace {
constexpr Nanos kNever = std::numeric_limits<Nanos>::max();  // absl::InfiniteFuture()
}  // namespace

Nanos ToNanos(absl::Time t) {
  if (t == absl::InfiniteFuture()) return std::numeric_limits<Nanos>::max();
  if (t == absl::InfinitePast()) return std::numeric_limits<Nanos>::min();
  return absl::ToUnixNanos(t);
}

absl::Time FromNanos(Nanos n) {
  if (n == std::numeric_limits<Nanos>::max()) return absl::InfiniteFuture();
  if (n == std::numeric_limits<Nanos>::min()) return absl::InfinitePast();
  return absl::FromUnixNanos(n);
}

Requirements Requirements::Of(const CaseSpec& spec) {
  Requirements r;
  r.channel = spec.channel;
  r.skills = spec.required_skills;
  std::sort(r.skills.begin(), r.skills.end(),
            [](const SkillRequirement& a, const SkillRequirement& b) {
              return a.skill != b.skill ? a.skill < b.skill : a.min_proficiency < b.min_proficiency;
            });
  r.language = spec.language;
  r.authority_needed = spec.authority_needed;
  return r;
}

std::string Requirements::Signature() const {
  // Names are [a-z0-9_.-] and language tags [A-Za-z0-9-] (validation.h): '|', ':' and ','
  // cannot occur in them.
  std::string s = absl::StrCat(ChannelName(channel), "|", language, "|", authority_needed, "|");
  for (const SkillRequirement& r : skills)
    absl::StrAppend(&s, r.skill, ":", r.min_proficiency, ",");
  return s;
}

bool Requirements::Matches(const Agent& agent) const {
  for (const SkillRequirement& r : skills) {
    if (agent.ProficiencyOf(r.skill) < r.min_proficiency) return false;
  }
  return language.empty() || agent.Speaks(language);
}

double WaitingIndex::KeyOf(const Case& c, const EngineConfig& config) const {
  // The priority at the moment the case entered the queue has no wait term; the wait term at
  // any later time adds weight x waited / SLA, the same rate for every case of the channel.
  // Taking it relative to one origin gives a key whose order is the priority order at any time.
  const double base = ScorePriority(c, config, c.enqueued_time).total;
  const ChannelConfig& channel = config.channels[ChannelIndex(c.spec.channel)];
  const double sla = std::max(1.0, absl::ToDoubleSeconds(channel.sla));
  return base -
         config.priority.wait_vs_sla * absl::ToDoubleSeconds(c.enqueued_time - origin_) / sla;
}

void WaitingIndex::Add(const Case& c, const EngineConfig& config) {
  Remove(c.id);
  if (origin_ == absl::InfinitePast()) origin_ = c.enqueued_time;
  Requirements requirements = Requirements::Of(c.spec);
  auto [slot, created] = groups_.try_emplace(requirements.Signature());
  Group& group = slot->second;
  if (created) {
    group.signature = &slot->first;
    group.requirements = std::move(requirements);
  }
  Waiting w;
  w.group = &group;
  w.key = KeyOf(c, config);
  w.enqueued = ToNanos(c.enqueued_time);
  w.expires = ToNanos(c.created_time + config.channels[ChannelIndex(c.spec.channel)].ttl);
  w.decided = ToNanos(absl::InfinitePast());
  w.recheck_at = kNever;
  expiries_.insert({w.expires, c.id});
  group.cases.insert(w.EntryOf(c.id));
  group.by_age.insert({w.enqueued, c.id});
  waiting_[c.id] = std::move(w);
  touched_.insert(c.id);
}

void WaitingIndex::Remove(absl::string_view case_id) {
  auto it = waiting_.find(case_id);
  if (it == waiting_.end()) return;
  Waiting& w = it->second;
  case_id = it->first;  // the case's own, for the sets below
  auto group = groups_.find(*w.group->signature);
  group->second.cases.erase(w.EntryOf(case_id));
  group->second.by_age.erase({w.enqueued, case_id});
  if (group->second.cases.empty()) groups_.erase(group);
  if (w.recheck_at != kNever) rechecks_.erase({w.recheck_at, case_id});
  expiries_.erase({w.expires, case_id});
  for_ring_.erase(case_id);
  touched_.erase(case_id);
  waiting_.erase(it);
}

const WaitingIndex::Waiting* WaitingIndex::Find(absl::string_view case_id) const {
  auto it = waiting_.find(case_id);
  return it == waiting_.end() ? nullptr : &it->second;
}

const WaitingIndex::Group* WaitingIndex::FindGroup(const std::string& signature) const {
  auto it = groups_.find(signature);
  return it == groups_.end() ? nullptr : &it->second;
}

void WaitingIndex::Rebuild(const std::vector<const Case*>& queued, const EngineConfig& config) {
  Clear();
  for (const Case* c : queued) Add(*c, config);
}

void WaitingIndex::Clear() {
  origin_ = absl::InfinitePast();
  groups_.clear();
  waiting_.clear();
  touched_.clear();
  for_ring_.clear();
  rechecks_.clear();
  expiries_.clear();
}

std::vector<std::string> WaitingIndex::ExpiredBy(absl::Time now) const {
  std::vector<std::string> out;
  const Nanos by = ToNanos(now);
  for (auto it = expiries_.begin(); it != expiries_.end() && it->first <= by; ++it) {
    out.emplace_back(it->second);
  }
  std::sort(out.begin(), out.end());
  return out;
}

void WaitingIndex::Touch(absl::string_view case_id) {
  auto it = waiting_.find(case_id);
  if (it != waiting_.end()) touched_.insert(it->first);
}

void WaitingIndex::TouchDue(absl::Time now) {
  const Nanos by = ToNanos(now);
  while (!rechecks_.empty() && rechecks_.begin()->first <= by) {
    const absl::string_view id = rechecks_.begin()->second;
    rechecks_.erase(rechecks_.begin());
    waiting_.at(id).recheck_at = kNever;
    touched_.insert(id);
  }
}

std::vector<absl::string_view> WaitingIndex::TakeTouched() {
  std::vector<absl::string_view> out(touched_.begin(), touched_.end());
  touched_.clear();
  return out;
}

void WaitingIndex::Record(absl::string_view case_id, WaitReason reason, absl::Time now,
                          absl::Time recheck_at) {
  auto it = waiting_.find(case_id);
  if (it == waiting_.end()) return;  // no longer waiting: nothing to record
  Waiting& w = it->second;
  case_id = it->first;  // the case's own: the caller's string may not outlive the entry
  w.reason = reason;
  w.decided = ToNanos(now);
  if (reason == WaitReason::kWaitingForRing) {
    for_ring_.insert(case_id);
  } else {
    for_ring_.erase(case_id);
  }
  if (w.recheck_at != kNever) rechecks_.erase({w.recheck_at, case_id});
  w.recheck_at = ToNanos(recheck_at);
  if (w.recheck_at != kNever) rechecks_.insert({w.recheck_at, case_id});
}

}  // namespace caserouter
