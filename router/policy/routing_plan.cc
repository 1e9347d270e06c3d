#include "router/policy/routing_plan.h"

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "router/model/validation.h"

namespace caserouter {
namespace {

absl::Status Bad(const std::string& key, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat("configuration key '", key, "': ", what));
}

QueueBook::Queue DefaultQueue() {
  QueueBook::Queue q;
  q.config.name = kDefaultQueue;
  q.plan.push_back(QueueBook::Step{});  // one wait without a time limit, every agent
  return q;
}

std::string Seconds(absl::Duration d) { return absl::StrCat(absl::ToDoubleSeconds(d), "s"); }

}  // namespace

QueueBook::QueueBook() { queues_.push_back(DefaultQueue()); }

absl::StatusOr<QueueBook> QueueBook::Compile(const std::vector<QueueConfig>& configs) {
  QueueBook book;
  book.queues_.clear();
  std::set<std::string> names;
  for (size_t i = 0; i < configs.size(); ++i) {
    const QueueConfig& qc = configs[i];
    const std::string key = absl::StrCat("queues[", i, "]");
    if (!ValidateName("queue", qc.name).ok() || qc.name == kDefaultQueue) {
      return Bad(key + ".name", absl::StrCat("must be 1-64 characters of [a-z0-9_.-] and not \"",
                                             kDefaultQueue, "\""));
    }
    if (!names.insert(qc.name).second) return Bad(key + ".name", "a queue of that name exists");
    Queue q;
    q.config = qc;
    absl::StatusOr<CaseFilter> filter = CaseFilter::Parse(qc.filter, CaseFilter::Subject::kCase);
    if (!filter.ok()) return Bad(key + ".filter", filter.status().message());
    q.filter = *std::move(filter);
    absl::StatusOr<CaseFilter> agents = CaseFilter::Parse(qc.agents, CaseFilter::Subject::kAgent);
    if (!agents.ok()) return Bad(key + ".agents", agents.status().message());
    q.agents = *std::move(agents);
    std::sort(q.config.members.begin(), q.config.members.end());
    if (qc.plan.empty()) q.plan.push_back(Step{});
    for (size_t s = 0; s < qc.plan.size(); ++s) {
      const std::string step_key = absl::StrCat(key, ".plan[", s, "]");
      Step step;
      step.config = qc.plan[s];
      if (step.config.kind == PlanStep::Kind::kWait) {
        absl::StatusOr<CaseFilter> f =
            CaseFilter::Parse(step.config.agents, CaseFilter::Subject::kAgent);
        if (!f.ok()) return Bad(step_key + ".agents", f.status().message());
        step.agents = *std::move(f);
      }
      if (step.config.kind != PlanStep::Kind::kWait && s + 1 != qc.plan.size()) {
        return Bad(step_key, "an overflow or a final action must be the plan's last step");
      }
      q.plan.push_back(std::move(step));
    }
    book.queues_.push_back(std::move(q));
  }
  book.configured_ = static_cast<int>(book.queues_.size());
  book.queues_.push_back(DefaultQueue());
  // Overflow targets within the domain, then no cycle of overflows without a wait in it
  // (a case would move for ever at one instant).
  for (size_t i = 0; i < configs.size(); ++i) {
    Step& last = book.queues_[i].plan.back();
    if (last.config.kind != PlanStep::Kind::kOverflow || !last.config.overflow_domain.empty()) {
      continue;
    }
    const std::string key =
        absl::StrCat("queues[", i, "].plan[", configs[i].plan.size() - 1, "].overflow");
    last.overflow_to = book.IndexOf(last.config.overflow_queue);
    if (last.overflow_to < 0) {
      return Bad(key, absl::StrCat("no queue named \"", last.config.overflow_queue, "\""));
    }
    if (last.overflow_to == static_cast<int>(i))
      return Bad(key, "a queue cannot overflow to itself");
  }
  for (size_t i = 0; i < configs.size(); ++i) {
    int q = static_cast<int>(i);
    for (size_t hops = 0; hops <= configs.size(); ++hops) {
      const Queue& queue = book.queues_[q];
      bool waits = false;
      for (const Step& s : queue.plan) waits |= s.config.kind == PlanStep::Kind::kWait;
      if (waits || queue.plan.back().overflow_to < 0) break;
      q = queue.plan.back().overflow_to;
      if (hops == configs.size()) {
        return Bad(absl::StrCat("queues[", i, "].plan"),
                   "its overflows form a cycle with no wait step in it");
      }
    }
  }
  return book;
}

int QueueBook::IndexOf(const std::string& name) const {
  for (size_t i = 0; i < queues_.size(); ++i) {
    if (queues_[i].config.name == name) return static_cast<int>(i);
  }
  return -1;
}

int QueueBook::QueueOf(const Case& c) const {
  for (int i = 0; i < configured_; ++i) {
    if (queues_[i].filter.Matches(c)) return i;
  }
  return configured_;  // the default queue
}

QueueBook::Position QueueBook::PositionAt(const Case& c, absl::Time now) const {
  Position p = PositionFrom(Anchor{QueueOf(c), 0, c.enqueued_time}, now);
  if (p.moved_through.empty() && p.at.step == 0) p.why = "entered the queue (its filter)";
  return p;
}

QueueBook::Position QueueBook::PositionFrom(const Anchor& anchor, absl::Time now) const {
  Position p;
  p.at = anchor;
  if (p.at.queue < 0 || p.at.queue >= static_cast<int>(queues_.size())) p.at = Anchor{configured_};
  p.why = "at its step since the last decision";
  // Each pass of the loop leaves a step; the plan ends in a bounded number of them unless a
  // wait step holds the case, and Compile refused cycles without one.
  for (size_t guard = 0; guard < 10000; ++guard) {
    const Queue& q = queues_[p.at.queue];
    if (p.at.step >= static_cast<int>(q.plan.size()))
      p.at.step = static_cast<int>(q.plan.size()) - 1;
    const Step& step = q.plan[p.at.step];
    switch (step.config.kind) {
      case PlanStep::Kind::kWait: {
        const bool last = p.at.step + 1 == static_cast<int>(q.plan.size());
        if (last || step.config.wait == absl::InfiniteDuration()) {
          p.step_ends = absl::InfiniteFuture();
          return p;
        }
        const absl::Time ends = p.at.since + step.config.wait;
        if (ends > now) {
          p.step_ends = ends;
          return p;
        }
        p.why = absl::StrFormat("step %d of queue %s (wait %s) ran out", p.at.step, q.config.name,
                                Seconds(step.config.wait));
        p.at.step += 1;
        p.at.since = ends;
        break;
      }
      case PlanStep::Kind::kOverflow:
        if (!step.config.overflow_domain.empty()) {
          p.remote_domain = step.config.overflow_domain;
          p.remote_queue = step.config.overflow_queue;
          p.why = absl::StrCat(p.why, "; overflow to queue ", step.config.overflow_queue,
                               " of domain ", step.config.overflow_domain);
          return p;
        }
        p.why = absl::StrCat(p.why, "; overflow from queue ", q.config.name, " to queue ",
                             queues_[step.overflow_to].config.name);
        p.moved_through.push_back(q.config.name);
        p.at.queue = step.overflow_to;
        p.at.step = 0;
        break;  // entered at the same instant
      case PlanStep::Kind::kFinal:
        p.final = step.config.action;
        p.why = absl::StrCat(p.why, "; final action ", NameOf(kFinalActionNames, p.final));
        return p;
    }
  }
  return p;
}

QueueBook::Anchor QueueBook::Carry(const QueueBook& from, const Anchor& anchor,
                                   const Case& c) const {
  if (anchor.queue < 0 || anchor.queue >= static_cast<int>(from.queues_.size())) {
    return Anchor{QueueOf(c), 0, c.enqueued_time};
  }
  int q = IndexOf(from.queues_[anchor.queue].config.name);
  if (q < 0) return Anchor{QueueOf(c), 0, c.enqueued_time};
  int steps = static_cast<int>(queues_[q].plan.size());
  return Anchor{q, std::min(anchor.step, steps - 1), anchor.since};
}

absl::Time QueueBook::StepEnds(const Anchor& anchor) const {
  const Queue& q = queues_[anchor.queue];
  const size_t index = std::min<size_t>(anchor.step, q.plan.size() - 1);
  const Step& step = q.plan[index];
  if (step.config.kind != PlanStep::Kind::kWait) return anchor.since;
  if (index + 1 == q.plan.size() || step.config.wait == absl::InfiniteDuration()) {
    return absl::InfiniteFuture();
  }
  return anchor.since + step.config.wait;
}

bool QueueBook::Serves(const Anchor& at, const Agent& agent) const {
  const Queue& q = queues_[at.queue];
  bool member = std::binary_search(q.config.members.begin(), q.config.members.end(), agent.id);
  bool by_expression = q.config.members.empty() || !q.config.agents.empty();
  if (!member && !(by_expression && q.agents.Matches(agent))) return false;
  const Step& step = q.plan[std::min<size_t>(at.step, q.plan.size() - 1)];
  return step.agents.Matches(agent);
}

}  // namespace caserouter
