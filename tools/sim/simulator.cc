#include "tools/sim/simulator.h"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <queue>
#include <random>
#include <string>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "router/engine/engine.h"
#include "router/model/clock.h"
#include "router/model/random_source.h"
#include "router/store/memory_state_store.h"

namespace caserouter {
namespace {

// An agent desk that hands every offer to the simulator, which accepts it at once.
class SimDesk : public DeskSession {
 public:
  SimDesk(std::string agent, std::vector<std::pair<std::string, std::string>>* offers)
      : agent_(std::move(agent)), offers_(offers) {}
  void Deliver(DeskNotice notice) override {
    if (notice.kind == DeskNotice::Kind::kOffer) offers_->emplace_back(agent_, notice.case_id);
  }

 private:
  const std::string agent_;
  std::vector<std::pair<std::string, std::string>>* const offers_;
};

// One customer need: the first contact of a trace case and every contact it takes after.
struct Need {
  int returns = 0;
  int transfers_left = 0;
};

// One submission the simulator made, by case id.
struct Contact {
  int64_t need = 0;
  CaseSpec spec;
  absl::Time arrival;
  absl::Duration base_handle;
  bool measured = true;
  bool first = true;    // the need's first contact
  bool waiting = true;  // not answered, abandoned or expired yet
  std::string agent;
  std::string arm;           // issue 17: the benchmark arm the engine gave the case
  bool arm_counted = false;  // ... and its comparison counts it
  bool transferred = false;  // its first agent handed it back to routing (transfer_share)
};

struct Event {
  absl::Time at;
  int64_t sequence;  // ties run in the order they were scheduled: deterministic
  std::function<void()> run;
  bool operator>(const Event& other) const {
    return at != other.at ? at > other.at : sequence > other.sequence;
  }
};

// The ground truth as the engine's oracle: the simulator's own customers and agents, read
// the way CompleteContact reads them (the relationship bonus once the agent served the
// customer before).
class TruthOracle : public ResolutionOracle {
 public:
  TruthOracle(const GroundTruth* truth, const absl::flat_hash_set<std::string>* served_before)
      : truth_(truth), served_before_(served_before) {}
  double Probability(const std::string& agent_id, const std::string& topic,
                     const std::string& customer_id) const override {
    const bool knows = served_before_->count(absl::StrCat(customer_id, "\n", agent_id)) > 0;
    return truth_->ResolutionProbability(agent_id, topic, knows);
  }

 private:
  const GroundTruth* const truth_;
  const absl::flat_hash_set<std::string>* const served_before_;
};

absl::Status Internal(absl::string_view call, const absl::Status& status) {
  return absl::InternalError(absl::StrCat("engine refused ", call, ": ", status.message()));
}

class Run {
 public:
  Run(const Workload& workload, const SimOptions& options)
      : workload_(workload),
        options_(options),
        truth_(options.truth, options.seed),
        random_(options.seed * 2654435761u + 1),
        case_id_random_(options.seed),
        clock_(workload.trace.start == absl::InfinitePast() ? absl::UnixEpoch()
                                                            : workload.trace.start) {
    EngineConfig config = options.config;
    // Simulated desks never go silent and one replica leads for the whole run.
    config.heartbeat_timeout = absl::InfiniteDuration();
    config.lease_ttl = absl::Hours(24 * 3650);
    config.oracle = nullptr;
    // A benchmark's report (issue 17) reads the cases kept: keep the run's for its whole span.
    if (config.benchmark.enabled) config.closed_retention = absl::Hours(24 * 3650);
    if (options.oracle) config.oracle = std::make_shared<TruthOracle>(&truth_, &served_before_);
    t0_ = clock_.Now();
    engine_ = std::make_unique<Engine>(config, &store_, &clock_, &observer_, "simulator",
                                       &case_id_random_);
    config_ = std::move(config);
  }

  absl::StatusOr<SimResult> Go() {
    absl::Time wall_start = absl::Now();
    engine_->Tick();  // takes the lease
    if (!engine_->IsServing()) return absl::InternalError("the simulator's engine does not lead");
    StartAgents();
    if (!error_.ok()) return error_;
    const Trace& trace = workload_.trace;
    last_arrival_ = t0_ + (trace.cases.empty() ? absl::ZeroDuration() : trace.cases.back().arrival);
    for (size_t i = 0; i < trace.cases.size(); ++i) {
      At(t0_ + trace.cases[i].arrival, [this, i] { ArriveFromTrace(i); });
    }
    At(t0_, [this] { SampleDepth(); });
    // A contact can still be served as late as its handle time after the last arrival (tweets'
    // "handle times" are reply delays of up to weeks): the horizon leaves room for that.
    absl::Duration longest_handle;
    for (const TraceCase& c : trace.cases) longest_handle = std::max(longest_handle, c.handle_time);
    const absl::Time horizon = last_arrival_ + absl::Hours(24 * 30) + 2 * longest_handle;
    while (!events_.empty() && error_.ok()) {
      absl::Time now = events_.top().at;
      if (now > horizon) {
        // What is left are checks for cases that ended long ago; anyone still waiting is a bug.
        if (waiting_ == 0) break;
        return absl::InternalError(absl::StrCat("the simulation did not settle: ", waiting_,
                                                " contacts still wait 30 days (and twice the "
                                                "longest handle time) after the last arrival"));
      }
      clock_.Set(now);
      while (!events_.empty() && events_.top().at == now) {
        Event e = events_.top();
        events_.pop();
        e.run();
      }
      Pump();
      absl::Duration tick = NextTick();
      if (tick != absl::InfiniteDuration() && (!tick_pending_ || now + tick < tick_at_)) {
        tick_pending_ = true;
        tick_at_ = now + tick;
        At(tick_at_, [this, at = tick_at_] {
          if (tick_at_ == at) tick_pending_ = false;
        });
      }
    }
    if (!error_.ok()) return error_;
    result_.simulated = clock_.Now() - t0_;
    if (config_.benchmark.enabled) ReadBenchmark();
    result_.wall_seconds = absl::ToDoubleSeconds(absl::Now() - wall_start);
    Finish();
    return result_;
  }

 private:
  // The engine's timers (bullseye widening, time to live) act on the waiting cases, so tick as
  // often as the most urgent waiting channel needs: `tick` or 5% of its SLA, whichever is
  // longer. Infinite when nothing waits.
  absl::Duration NextTick() const {
    absl::Duration tick = absl::InfiniteDuration();
    for (int i = 0; i < kChannelCount; ++i) {
      if (waiting_by_channel_[i] == 0) continue;
      tick = std::min(tick, std::max(options_.tick, config_.channels[i].sla / 20));
    }
    return tick;
  }

  // Keeps the first error: it is the cause, later ones follow from it.
  void Fail(absl::Status status) {
    if (error_.ok()) error_ = std::move(status);
  }

  void At(absl::Time at, std::function<void()> run) {
    events_.push(Event{at, sequence_++, std::move(run)});
  }

  // Ticks until the engine has nothing more to say: commands answered, offers accepted.
  void Pump() {
    for (int round = 0; round < 1000 && error_.ok(); ++round) {
      issued_ = 0;
      engine_->Tick();
      std::vector<std::pair<std::string, std::string>> offers;
      offers.swap(offers_);
      for (auto& [agent, case_id] : offers) {
        if (options_.offer_log != nullptr) {
          *options_.offer_log << absl::ToInt64Microseconds(clock_.Now() - t0_) << ' ' << agent
                              << ' ' << case_id << '\n';
        }
        AcceptOffer(agent, case_id);
        ExamineDecision(agent, case_id);
      }
      if (issued_ == 0) return;
    }
  }

  void StartAgents() {
    for (const SimAgent& a : workload_.agents) {
      ++issued_;
      engine_->CreateAgent(a.profile, [this](absl::StatusOr<AgentView> r) {
        if (!r.ok()) Fail(Internal("CreateAgent", r.status()));
      });
      auto desk = std::make_shared<SimDesk>(a.profile.id, &offers_);
      desks_[a.profile.id] = desk;
      engine_->OpenSession(a.profile.id, desk, [this](absl::StatusOr<Welcome> r) {
        if (!r.ok()) Fail(Internal("OpenSession", r.status()));
      });
      absl::Duration logged;
      for (const Shift& s : a.shifts) {
        At(t0_ + s.start, [this, id = a.profile.id] { SetShift(id, true); });
        At(t0_ + s.end, [this, id = a.profile.id] { SetShift(id, false); });
        logged += s.end - s.start;
      }
      logged_[a.profile.id] = logged;
    }
    Pump();
  }

  void SetShift(const std::string& agent, bool on) {
    on_shift_[agent] = on;
    SetPresence(agent, on ? Presence::kAvailable : Presence::kAway);
  }

  void SetPresence(const std::string& agent, Presence presence) {
    ++issued_;
    engine_->SetPresence(agent, desks_[agent].get(), presence, [this](absl::Status s) {
      if (!s.ok()) Fail(Internal("SetPresence", s));
    });
  }

  absl::Duration DrawHandle(Channel channel) {
    double mean = absl::ToDoubleSeconds(workload_.handle.mean[ChannelIndex(channel)]);
    double sigma = workload_.handle.lognormal_sigma;
    if (sigma > 0) {
      std::lognormal_distribution<double> d(std::log(mean) - sigma * sigma / 2, sigma);
      return absl::Seconds(d(random_));
    }
    return absl::Seconds(std::exponential_distribution<double>(1 / mean)(random_));
  }

  absl::Duration DrawPatience(Channel channel) {
    absl::Duration mean = workload_.patience[ChannelIndex(channel)];
    if (mean == absl::InfiniteDuration()) return mean;
    double seconds = absl::ToDoubleSeconds(mean);
    return absl::Seconds(std::exponential_distribution<double>(1 / seconds)(random_));
  }

  void ArriveFromTrace(size_t index) {
    const TraceCase& tc = workload_.trace.cases[index];
    absl::Duration patience = tc.patience;
    if (workload_.trace_patience) {
      if (tc.abandoned && patience <= absl::ZeroDuration()) {
        ++result_.never_queued;  // hung up in the voice menu: never asked for an agent
        return;
      }
      if (!tc.abandoned) patience = absl::InfiniteDuration();
    } else if (patience == absl::InfiniteDuration()) {
      patience = DrawPatience(tc.spec.channel);  // the trace does not tell: the model does
    }
    absl::Duration handle =
        tc.handle_time > absl::ZeroDuration() ? tc.handle_time : DrawHandle(tc.spec.channel);
    int64_t need = static_cast<int64_t>(needs_.size());
    needs_.push_back(Need{0, tc.transfers});
    if (clock_.Now() >= t0_ + options_.warm_up) ++result_.needs;
    if (tc.transfers > 0) handle = handle / (tc.transfers + 1);
    Submit(need, tc.spec, handle, patience, /*first=*/true, tc.follow_up_messages);
  }

  void Submit(int64_t need, CaseSpec spec, absl::Duration base_handle, absl::Duration patience,
              bool first, std::vector<std::string> follow_ups = {}) {
    absl::Time now = clock_.Now();
    bool measured = now >= t0_ + options_.warm_up;
    Channel channel = spec.channel;
    Contact contact{need, spec, now, base_handle, measured, first, true, "", "", false, false};
    ++issued_;
    engine_->SubmitCase(std::move(spec), [this, contact = std::move(contact), patience,
                                          follow_ups = std::move(follow_ups),
                                          channel](absl::StatusOr<SubmitResult> r) mutable {
      if (!r.ok()) {
        Fail(Internal("SubmitCase", r.status()));
        return;
      }
      if (r->deduplicated || r->joined) {
        ++result_.joined;  // one voice to the customer: the open case carries on
        return;
      }
      if (contact.measured) ++result_.channels[ChannelIndex(channel)].arrivals;
      const std::string id = r->view.record.id;
      contact.arm = r->view.record.arm;
      contact.arm_counted = !contact.arm.empty() && !r->view.record.arm_excluded;
      absl::Time now = clock_.Now();
      contacts_.emplace(id, std::move(contact));
      ++waiting_;
      ++waiting_by_channel_[ChannelIndex(channel)];
      if (patience != absl::InfiniteDuration()) At(now + patience, [this, id] { Abandon(id); });
      At(now + config_.channels[ChannelIndex(channel)].ttl + absl::Seconds(1),
         [this, id] { CheckExpired(id); });
      for (size_t k = 0; k < follow_ups.size(); ++k) {
        At(now + absl::Minutes(10) * static_cast<double>(k + 1),
           [this, id, text = std::move(follow_ups[k])] { AddMessage(id, text); });
      }
    });
  }

  void AddMessage(const std::string& id, const std::string& text) {
    ++issued_;
    // A message to a case that has ended meanwhile is refused; the customer's words are lost
    // to the simulation only, as a real adapter would open a new case.
    engine_->AddMessage(id, text, [](absl::StatusOr<CaseView>) {});
  }

  void StopWaiting(Contact& c) {
    if (!c.waiting) return;
    c.waiting = false;
    --waiting_;
    --waiting_by_channel_[ChannelIndex(c.spec.channel)];
  }

  void Abandon(const std::string& id) {
    Contact& c = contacts_.at(id);
    if (!c.waiting) return;
    ++issued_;
    engine_->CancelCase(id, "customer_left", [this, id](absl::StatusOr<CaseView> r) {
      if (!r.ok()) return;  // answered in the same instant: the customer stays
      Contact& c = contacts_.at(id);
      StopWaiting(c);
      if (c.measured) ++result_.channels[ChannelIndex(c.spec.channel)].abandoned;
    });
  }

  void CheckExpired(const std::string& id) {
    Contact& c = contacts_.at(id);
    if (!c.waiting) return;
    ++issued_;
    engine_->GetCase(id, [this, id](absl::StatusOr<CaseView> r) {
      if (!r.ok()) return;
      Contact& c = contacts_.at(id);
      if (r->record.state == CaseState::kQueued) {
        // Commands run before the engine's timers in a tick: look again once they have.
        At(clock_.Now() + absl::Seconds(1), [this, id] { CheckExpired(id); });
        return;
      }
      if (r->record.state != CaseState::kExpired) return;
      StopWaiting(c);
      if (c.measured) ++result_.channels[ChannelIndex(c.spec.channel)].expired;
    });
  }

  void AcceptOffer(const std::string& agent, const std::string& id) {
    ++result_.decisions;
    ++issued_;
    engine_->Accept(agent, desks_[agent].get(), id, [this, agent, id](absl::StatusOr<CaseView> r) {
      if (!r.ok()) return;  // revoked meanwhile (the customer left, the shift ended)
      Contact& c = contacts_.at(id);
      absl::Time now = clock_.Now();
      c.agent = agent;
      StopWaiting(c);
      // A transferred contact was answered already: its second answer is no new one.
      const bool answered_before = c.transferred;
      if (c.measured && !answered_before && HasIdleAlternative(agent, c.spec)) {
        ++result_.answered_with_alternative;
      }
      if (c.measured) {
        auto it = completed_on_topic_.find(absl::StrCat(agent, "\n", c.spec.topic));
        if (it != completed_on_topic_.end()) result_.prior_cases_on_topic += it->second;
      }
      ++active_[agent];
      const Channel channel = c.spec.channel;
      if (c.measured && !answered_before) {
        ChannelResult& ch = result_.channels[ChannelIndex(channel)];
        double wait = absl::ToDoubleSeconds(now - c.arrival);
        ++ch.answered;
        if (now - c.arrival <= config_.channels[ChannelIndex(channel)].sla) ++ch.answered_in_sla;
        ch.waits.push_back(wait);
      }
      absl::Duration handle = c.base_handle * truth_.HandleFactor(agent);
      double attention = absl::ToDoubleSeconds(handle) *
                         std::min(1.0, config_.channels[ChannelIndex(channel)].capacity_cost);
      busy_[agent] += attention;
      // The part of [now, now + handle) inside the measurement window.
      const absl::Time from = std::max(now, t0_ + options_.warm_up);
      const absl::Time to = options_.measure_until == absl::InfiniteDuration()
                                ? now + handle
                                : std::min(now + handle, t0_ + options_.measure_until);
      if (to > from) {
        result_.busy_seconds_in_window +=
            absl::ToDoubleSeconds(to - from) *
            std::min(1.0, config_.channels[ChannelIndex(channel)].capacity_cost);
      }
      At(now + handle, [this, id] { CompleteContact(id); });
    });
  }

  // Whether exploration chose the agent, and at what cost by the truth: the engine's stored
  // decision, read as a supervisor would (ExplainDecision).
  void ExamineDecision(const std::string& agent, const std::string& id) {
    if (config_.oracle != nullptr ||
        config_.StrategyFor(contacts_.at(id).spec.topic) != Strategy::kOutcome) {
      return;
    }
    ++issued_;
    engine_->ExplainDecision(id, [this, agent, id](absl::StatusOr<Explanation> e) {
      if (!e.ok() || !e->decision.explored) return;
      const Contact& c = contacts_.at(id);
      if (!c.measured) return;
      ++result_.explored_offers;
      const CaseSpec& spec = c.spec;
      auto truly = [&](const std::string& who) {
        return truth_.ResolutionProbability(
            who, spec.topic, served_before_.count(absl::StrCat(spec.customer_id, "\n", who)) > 0);
      };
      result_.exploration_cost += truly(e->decision.exploit_choice) - truly(agent);
    });
  }

  void CompleteContact(const std::string& id) {
    Contact& c = contacts_.at(id);
    const Need& need = needs_[c.need];
    const std::string customer_agent = absl::StrCat(c.spec.customer_id, "\n", c.agent);
    Outcome outcome;
    bool truly_resolved = false;
    bool transfer = need.transfers_left > 0;
    std::uniform_real_distribution<double> u(0, 1);
    // Issue 14: the first agent cannot solve it and hands it back to routing. No draw
    // without a share, so runs without it stay what they were.
    if (!transfer && c.first && !c.transferred && options_.transfer_share > 0 &&
        u(random_) < options_.transfer_share) {
      TransferBack(id);
      return;
    }
    double p_true = 0;  // a hand-over resolves nothing at this contact
    if (transfer) {
      outcome.follow_up_needed = true;  // handed over to the next group, as in the data
    } else {
      const bool knows = served_before_.count(customer_agent) > 0;
      p_true = truth_.ResolutionProbability(c.agent, c.spec.topic, knows);
      truly_resolved = u(random_) < p_true;
      outcome.resolved = truly_resolved || u(random_) < truth_.options().false_resolution;
      outcome.follow_up_needed = !outcome.resolved;
      if (u(random_) < truth_.options().csat_response) {
        outcome.csat = truly_resolved ? 4 + static_cast<int>(u(random_) < 0.6)
                                      : 1 + static_cast<int>(u(random_) * 3);
      }
    }
    if (c.arm_counted) {
      auto& [n, sum] = result_.benchmark_truth[c.arm];
      ++n;
      sum += p_true;
    }
    served_before_.insert(customer_agent);
    ++completed_on_topic_[absl::StrCat(c.agent, "\n", c.spec.topic)];
    ++issued_;
    engine_->Complete(c.agent, desks_[c.agent].get(), id, outcome,
                      [this, id, outcome, truly_resolved, transfer](absl::StatusOr<CaseView> r) {
                        if (!r.ok()) {
                          Fail(Internal("Complete", r.status()));
                          return;
                        }
                        Completed(id, outcome, truly_resolved, transfer);
                      });
  }

  // The engine's Transfer back to routing with the same requirements: the case keeps its age
  // and never goes back to this agent.
  void TransferBack(const std::string& id) {
    Contact& c = contacts_.at(id);
    TransferRequest request;
    request.kind = TransferKind::kRouting;
    request.requirements.required_skills = c.spec.required_skills;
    request.requirements.language = c.spec.language;
    ++issued_;
    engine_->Transfer(c.agent, desks_[c.agent].get(), id, request,
                      [this, id](absl::StatusOr<CaseView> r) {
                        if (!r.ok()) {
                          Fail(Internal("Transfer", r.status()));
                          return;
                        }
                        Contact& c = contacts_.at(id);
                        --active_[c.agent];
                        if (!on_shift_[c.agent]) SetPresence(c.agent, Presence::kAway);
                        c.transferred = true;
                        if (c.measured) ++result_.engine_transfers;
                      });
  }

  void Completed(const std::string& id, const Outcome& outcome, bool truly_resolved,
                 bool transfer) {
    Contact& c = contacts_.at(id);
    Need& need = needs_[c.need];
    absl::Time now = clock_.Now();
    const Channel channel = c.spec.channel;
    --active_[c.agent];
    if (!on_shift_[c.agent]) SetPresence(c.agent, Presence::kAway);
    // Wrap-up ends on a timer: make sure the engine is ticked then.
    At(now + config_.channels[ChannelIndex(channel)].wrap_up, [] {});
    if (c.measured) {
      ++result_.completed;
      if (outcome.resolved) ++result_.reported_resolved;
      if (truly_resolved) ++result_.truly_resolved;
      if (c.first && !transfer) {
        ++result_.needs_served;
        // Resolved after a transfer: the next agent's resolution, not a first-contact one.
        if (truly_resolved && !c.transferred) ++result_.first_contact_resolved;
        if (truly_resolved && c.transferred) ++result_.resolved_after_transfer;
      }
    }
    if (transfer) {
      --need.transfers_left;
      if (c.measured) ++result_.transfers;
      CaseSpec next = c.spec;
      next.idempotency_key = absl::StrCat(c.spec.idempotency_key, "-t", need.transfers_left);
      // The next group takes it as the data says; the need's first contact is still open.
      Submit(c.need, std::move(next), c.base_handle, absl::InfiniteDuration(), c.first);
      return;
    }
    std::uniform_real_distribution<double> u(0, 1);
    const GroundTruthOptions& t = truth_.options();
    if (truly_resolved || need.returns >= t.max_returns || u(random_) >= t.return_probability) {
      return;
    }
    ++need.returns;
    if (c.measured) ++result_.returns;
    CaseSpec back = c.spec;
    back.idempotency_key = absl::StrCat(c.spec.idempotency_key, "-r", need.returns);
    if (u(random_) < t.channel_switch) back.channel = OtherChannel(channel);
    absl::Duration handle = back.channel == channel ? c.base_handle : DrawHandle(back.channel);
    double delay =
        std::exponential_distribution<double>(1 / absl::ToDoubleSeconds(t.return_delay))(random_);
    int64_t need_index = c.need;
    At(now + absl::Seconds(delay), [this, need_index, back, handle] {
      Submit(need_index, back, handle, DrawPatience(back.channel), /*first=*/false);
    });
  }

  // Whether an agent other than `chosen` is on shift with no case in hand and has what the
  // case needs (skills at their minimum, language).
  bool HasIdleAlternative(const std::string& chosen, const CaseSpec& spec) {
    for (const SimAgent& a : workload_.agents) {
      const Agent& p = a.profile;
      if (p.id == chosen || !on_shift_[p.id] || active_[p.id] > 0) continue;
      if (!spec.language.empty() && !p.Speaks(spec.language)) continue;
      bool able = true;
      for (const SkillRequirement& r : spec.required_skills) {
        if (p.ProficiencyOf(r.skill) < r.min_proficiency) able = false;
      }
      if (able) return true;
    }
    return false;
  }

  Channel OtherChannel(Channel current) {
    std::vector<double> weights(workload_.return_channel_mix.begin(),
                                workload_.return_channel_mix.end());
    weights[ChannelIndex(current)] = 0;
    double total = 0;
    for (double w : weights) total += w;
    if (total <= 0) return current;
    double x = std::uniform_real_distribution<double>(0, total)(random_);
    for (int i = 0; i < kChannelCount; ++i) {
      if (x < weights[i]) return kAllChannels[i];
      x -= weights[i];
    }
    return current;
  }

  // Samples the number of waiting cases by hour of the day while anything is going on.
  void SampleDepth() {
    absl::Time now = clock_.Now();
    int hour = absl::ToCivilHour(now, workload_.trace.zone).hour();
    depth_sum_[hour] += waiting_;
    ++depth_count_[hour];
    if (now < last_arrival_) At(now + options_.depth_sample, [this] { SampleDepth(); });
  }

  // Issue 17: the engine's benchmark report once every completion's repeat window has closed.
  void ReadBenchmark() {
    clock_.Set(clock_.Now() + config_.repeat_window + absl::Seconds(1));
    engine_->Tick();
    engine_->GetBenchmarkReport(kDefaultPrecision, [this](absl::StatusOr<BenchmarkReport> r) {
      if (!r.ok()) {
        Fail(Internal("GetBenchmarkReport", r.status()));
        return;
      }
      result_.benchmark = *std::move(r);
    });
    engine_->Tick();
  }

  void Finish() {
    for (const auto& [agent, logged] : logged_) {
      // Time on shift within the simulated span.
      double seconds = 0;
      for (const SimAgent& a : workload_.agents) {
        if (a.profile.id != agent) continue;
        for (const Shift& s : a.shifts) {
          absl::Duration end = std::min(s.end, result_.simulated);
          if (end > s.start) seconds += absl::ToDoubleSeconds(end - s.start);
        }
      }
      if (seconds <= 0) continue;
      result_.occupancy.push_back(std::min(1.0, busy_[agent] / seconds));
    }
    for (int h = 0; h < 24; ++h) {
      result_.depth_by_hour[h] = depth_count_[h] ? depth_sum_[h] / depth_count_[h] : 0;
    }
  }

  const Workload& workload_;
  const SimOptions& options_;
  EngineConfig config_;
  GroundTruth truth_;
  std::mt19937_64 random_;
  SeededRandomSource case_id_random_;  // case ids: the same run, the same ids
  FakeClock clock_;
  MemoryStateStore store_;
  EngineObserver observer_;
  std::unique_ptr<Engine> engine_;
  absl::Time t0_;
  absl::Time last_arrival_;

  std::priority_queue<Event, std::vector<Event>, std::greater<Event>> events_;
  int64_t sequence_ = 0;
  int issued_ = 0;
  bool tick_pending_ = false;
  absl::Time tick_at_;
  PerChannel<int64_t> waiting_by_channel_ = {0, 0, 0, 0};
  int64_t waiting_ = 0;
  std::vector<std::pair<std::string, std::string>> offers_;
  std::map<std::string, std::shared_ptr<SimDesk>> desks_;
  std::map<std::string, bool> on_shift_;
  std::map<std::string, absl::Duration> logged_;
  std::map<std::string, double> busy_;
  std::map<std::string, int> active_;  // cases in hand per agent
  std::vector<Need> needs_;
  std::map<std::string, Contact> contacts_;
  absl::flat_hash_set<std::string> served_before_;
  std::map<std::string, int64_t> completed_on_topic_;  // by "agent\ntopic"
  std::array<double, 24> depth_sum_ = {};
  std::array<int64_t, 24> depth_count_ = {};
  SimResult result_;
  absl::Status error_;
};

absl::Status ValidateSimOptions(const SimOptions& o) {
  if (absl::Status s = ValidateGroundTruthOptions(o.truth); !s.ok()) return s;
  if (o.tick <= absl::ZeroDuration()) return absl::InvalidArgumentError("tick: must be positive");
  if (o.depth_sample <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("depth_sample: must be positive");
  }
  if (o.warm_up < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("warm_up: must not be negative");
  }
  if (o.measure_until <= o.warm_up) {
    return absl::InvalidArgumentError("measure_until: must be after warm_up");
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SimResult> Simulate(const Workload& workload, const SimOptions& options) {
  if (absl::Status s = ValidateSimOptions(options); !s.ok()) return s;
  Run run(workload, options);
  return run.Go();
}

}  // namespace caserouter
