#include "tools/sim/workload.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace caserouter {
namespace {

// One shift from the first to the last moment of the trace: for centres whose data holds no
// working hours (tweets, incidents), agents are taken to be there all the time.
std::vector<Shift> AlwaysOn(const Trace& trace) {
  absl::Duration end = trace.cases.empty() ? absl::Hours(1) : trace.cases.back().arrival;
  return {Shift{absl::ZeroDuration(), end + absl::Hours(24 * 4)}};
}

// Skills by what an agent served in the data: proficiency 10 on the agent's most served
// skill, down to 1 for a skill used once in a while.
std::vector<Skill> SkillsFromCounts(const std::map<std::string, int>& counts) {
  int most = 0;
  for (const auto& [skill, n] : counts) most = std::max(most, n);
  std::vector<Skill> skills;
  for (const auto& [skill, n] : counts) {
    int proficiency = 1 + static_cast<int>(std::lround(9.0 * n / std::max(1, most)));
    skills.push_back(Skill{skill, std::clamp(proficiency, 1, 10)});
  }
  return skills;
}

// The data's agent names ("sprintcare/RW", "Resolved by 149") as agent ids the engine takes:
// letters, digits, '_', '.', '-', at most 64 characters.
std::string AgentId(const std::string& name) {
  std::string id;
  for (char ch : name.substr(0, 64)) {
    bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '.' || ch == '-';
    id.push_back(ok ? ch : (ch == '/' ? '.' : '_'));
  }
  return id;
}

// Agents named in the trace's served_by, with the skills of the cases they served.
std::vector<SimAgent> AgentsFromServedBy(const Trace& trace,
                                         std::vector<std::string> (*skills_of)(const TraceCase&)) {
  std::map<std::string, std::map<std::string, int>> counts;
  for (const TraceCase& c : trace.cases) {
    if (c.served_by.empty()) continue;
    auto& agent = counts[c.served_by];
    for (const std::string& skill : skills_of(c)) ++agent[skill];
  }
  std::vector<SimAgent> agents;
  for (const auto& [id, skill_counts] : counts) {
    SimAgent a;
    a.profile.id = AgentId(id);
    a.profile.skills = SkillsFromCounts(skill_counts);
    agents.push_back(std::move(a));
  }
  return agents;
}

std::vector<std::string> RequiredSkills(const TraceCase& c) {
  std::vector<std::string> skills;
  for (const SkillRequirement& r : c.spec.required_skills) skills.push_back(r.skill);
  return skills;
}

}  // namespace

SyntheticWorkloadOptions DefaultSyntheticWorkload(uint64_t seed) {
  SyntheticWorkloadOptions o;
  o.cases.seed = seed;
  o.cases.cases_per_second = 0.035;  // 126 cases an hour
  o.cases.duration = absl::Hours(24 * 7);
  // Customers come back on their own too (about seven contacts each in the week), so the
  // engine also sees unrelated contacts on one topic as repeat contacts, as real centres do.
  o.cases.customers = 3000;
  o.cases.key_prefix = "sim";
  o.handle.lognormal_sigma = 0.8;
  return o;
}

Workload MakeSyntheticWorkload(const SyntheticWorkloadOptions& options) {
  Workload w;
  w.trace = GenerateSyntheticTrace(options.cases);
  w.name =
      absl::StrCat("synthetic (", absl::FormatDuration(options.cases.duration), ", ",
                   absl::StrFormat("%.0f", options.cases.cases_per_second * 3600), " cases/h)");
  w.handle = options.handle;
  w.patience = options.patience;
  // The team: every agent strong on one topic, able on one or two more; some speak German,
  // some are empowered for larger refunds. Seeded apart from the cases.
  std::mt19937_64 random(options.cases.seed * 7919 + 17);
  std::uniform_int_distribution<int> strong(6, 10), able(3, 8), coin(0, 99);
  const auto& topics = options.cases.topics;
  const int count = options.agents_per_shift * options.shifts_per_day;
  const absl::Duration shift = absl::Hours(24) / options.shifts_per_day;
  const int days =
      static_cast<int>(std::ceil(absl::ToDoubleHours(options.cases.duration) / 24.0)) + 1;
  for (int i = 0; i < count; ++i) {
    SimAgent a;
    a.profile.id = absl::StrFormat("agent-%02d", i);
    a.profile.skills.push_back(Skill{topics[i % topics.size()].first, strong(random)});
    int extra = 1 + coin(random) % 2;
    for (int k = 1; k <= extra; ++k) {
      a.profile.skills.push_back(Skill{topics[(i + k * 2) % topics.size()].first, able(random)});
    }
    a.profile.languages = {"en"};
    if (coin(random) < 30) a.profile.languages.push_back("de");
    a.profile.authority_limit = coin(random) < 40 ? 300 : 50;
    const int s = i % options.shifts_per_day;
    for (int day = 0; day < days; ++day) {
      absl::Duration start = absl::Hours(24) * day + shift * s;
      a.shifts.push_back(
          Shift{std::max(absl::ZeroDuration(), start - options.shift_overlap), start + shift});
    }
    w.agents.push_back(std::move(a));
  }
  return w;
}

namespace {

// Each agent at the desk day by day as in the data: from five minutes before the first case
// they took on a day to five minutes after the last one ended (its handle time; when the data
// has none, the channel's mean from `handle`, or nothing when `handle` is null).
std::map<std::string, std::vector<Shift>> ShiftsAsWorked(const Trace& trace,
                                                         const HandleModel* handle) {
  std::map<std::string, std::map<int64_t, std::pair<absl::Duration, absl::Duration>>> days;
  for (const TraceCase& c : trace.cases) {
    if (c.served_by.empty()) continue;
    absl::CivilDay day = absl::ToCivilDay(trace.start + c.arrival, trace.zone);
    int64_t key = day - absl::CivilDay(1970, 1, 1);
    const absl::Duration worked = c.handle_time > absl::ZeroDuration() || handle == nullptr
                                      ? c.handle_time
                                      : handle->mean[ChannelIndex(c.spec.channel)];
    auto [it, fresh] = days[AgentId(c.served_by)].try_emplace(key, c.arrival, c.arrival + worked);
    if (!fresh) {
      it->second.first = std::min(it->second.first, c.arrival);
      it->second.second = std::max(it->second.second, c.arrival + worked);
    }
  }
  std::map<std::string, std::vector<Shift>> shifts;
  for (const auto& [agent, by_day] : days) {
    for (const auto& [day, span] : by_day) {
      shifts[agent].push_back(Shift{std::max(absl::ZeroDuration(), span.first - absl::Minutes(5)),
                                    span.second + absl::Minutes(5)});
    }
  }
  return shifts;
}

}  // namespace

Workload MakeBankWorkload(Trace trace) {
  Workload w;
  w.name = absl::StrCat("bank replay (", trace.name, ", ", trace.cases.size(), " calls)");
  w.trace_patience = true;
  w.handle.mean = {absl::Minutes(3), absl::Minutes(5), absl::Minutes(5), absl::Minutes(8)};
  w.patience = {absl::Minutes(2), absl::Minutes(10), absl::InfiniteDuration(),
                absl::InfiniteDuration()};
  w.return_channel_mix = {0.7, 0.2, 0.05, 0.05};
  w.agents = AgentsFromServedBy(trace, RequiredSkills);
  // Languages and shifts as in the data: an agent who served the English line speaks English;
  // each day, an agent is at the desk from five minutes before the first call they took to
  // five minutes after the last one ended.
  std::set<std::string> english;
  for (const TraceCase& c : trace.cases) {
    if (!c.served_by.empty() && c.spec.language == "en") english.insert(AgentId(c.served_by));
  }
  std::map<std::string, std::vector<Shift>> shifts = ShiftsAsWorked(trace, nullptr);
  for (SimAgent& a : w.agents) {
    a.profile.languages = {"he"};
    if (english.count(a.profile.id)) a.profile.languages.push_back("en");
    a.shifts = shifts[a.profile.id];
  }
  w.trace = std::move(trace);
  return w;
}

Workload MakeCsvWorkload(Trace trace, const CsvWorkloadOptions& options) {
  Workload w;
  w.name = absl::StrCat("your trace (", trace.name, ", ", trace.cases.size(), " contacts)");
  w.handle = options.handle;
  w.patience = options.patience;
  w.agents = AgentsFromServedBy(trace, RequiredSkills);
  std::set<std::string> languages;
  std::map<std::string, std::set<std::string>> spoken;
  std::set<std::string> topics;
  for (const TraceCase& c : trace.cases) {
    topics.insert(c.spec.topic);
    if (c.spec.language.empty()) continue;
    languages.insert(c.spec.language);
    if (!c.served_by.empty()) spoken[AgentId(c.served_by)].insert(c.spec.language);
  }
  if (w.agents.empty()) {
    // Nobody named: a team of generalists, always there.
    for (int i = 0; i < options.unnamed_agents; ++i) {
      SimAgent a;
      a.profile.id = absl::StrFormat("agent-%02d", i);
      for (const std::string& topic : topics) a.profile.skills.push_back(Skill{topic, 5});
      a.profile.languages.assign(languages.begin(), languages.end());
      a.shifts = AlwaysOn(trace);
      w.agents.push_back(std::move(a));
    }
  } else {
    std::map<std::string, std::vector<Shift>> shifts = ShiftsAsWorked(trace, &w.handle);
    for (SimAgent& a : w.agents) {
      a.profile.languages.assign(spoken[a.profile.id].begin(), spoken[a.profile.id].end());
      a.shifts = shifts[a.profile.id];
    }
  }
  w.trace = std::move(trace);
  return w;
}

Workload MakeTwcsWorkload(Trace trace) {
  Workload w;
  w.name = absl::StrCat("tweets replay (", trace.name, ", ", trace.cases.size(), " cases)");
  w.handle.mean[ChannelIndex(Channel::kSocial)] = absl::Minutes(6);
  w.handle.lognormal_sigma = 0.8;
  w.return_channel_mix = {0.2, 0.2, 0.5, 0.1};
  w.agents = AgentsFromServedBy(trace, RequiredSkills);
  for (SimAgent& a : w.agents) a.shifts = AlwaysOn(trace);
  w.trace = std::move(trace);
  return w;
}

Workload MakeIncidentWorkload(Trace trace) {
  Workload w;
  w.name = absl::StrCat("incident replay (", trace.name, ", ", trace.cases.size(), " cases)");
  w.handle.mean = {absl::Minutes(20), absl::Minutes(45), absl::Minutes(30), absl::Minutes(90)};
  w.return_channel_mix = {0.1, 0.3, 0, 0.6};
  w.agents = AgentsFromServedBy(trace, RequiredSkills);
  for (SimAgent& a : w.agents) a.shifts = AlwaysOn(trace);
  w.trace = std::move(trace);
  return w;
}

}  // namespace caserouter
