// The event stream as a public interface: every engine path emits exactly the events
// docs/events.md lists for it, in its order, each with the fields its vocabulary row says, and
// no customer text. The test reads the two tables of docs/events.md (Vocabulary, Paths), so
// the page and the engine cannot drift apart: a path, a type or a field the page does not
// describe fails here. On a fake clock and the in-memory store (which keeps the stream).
#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gtest/gtest.h"
#include "router/engine/engine.h"
#include "router/engine/engine_test_support.h"
#include "router/store/record_codec.h"

#ifndef CASEROUTER_EVENTS_DOC
#error "CASEROUTER_EVENTS_DOC must name docs/events.md"
#endif

namespace caserouter {
namespace {

// Customer text in every submission and message of this test: no event may carry it.
constexpr char kText[] = "PRIVATE customer words 7731";

// --- docs/events.md ---

struct VocabularyRow {
  std::string case_rule;    // "yes" or "—"
  std::string agent_rule;   // "yes", "if held" or "—"
  std::string detail_rule;  // backticked values, placeholders, or "—"
};

struct Documentation {
  std::map<std::string, VocabularyRow> vocabulary;        // by type
  std::map<std::string, std::vector<std::string>> paths;  // path → types in order
  std::vector<std::string> path_order;                    // as listed
};

std::vector<std::string> Cells(absl::string_view line) {
  std::vector<std::string> cells;
  for (absl::string_view cell : absl::StrSplit(line, '|')) {
    cells.emplace_back(absl::StripAsciiWhitespace(cell));
  }
  // "| a | b |" splits into "", "a", "b", "".
  if (!cells.empty()) cells.erase(cells.begin());
  if (!cells.empty()) cells.pop_back();
  return cells;
}

// The words in backticks of a cell, in order.
std::vector<std::string> Backticked(absl::string_view cell) {
  std::vector<std::string> words;
  std::vector<std::string> parts = absl::StrSplit(cell, '`');
  for (size_t i = 1; i < parts.size(); i += 2) words.push_back(parts[i]);
  return words;
}

Documentation ReadDocumentation() {
  std::ifstream in(CASEROUTER_EVENTS_DOC);
  EXPECT_TRUE(in.good()) << "cannot read " << CASEROUTER_EVENTS_DOC;
  Documentation doc;
  std::string section;
  std::string line;
  while (std::getline(in, line)) {
    if (absl::StartsWith(line, "## ")) {
      section = line.substr(3);
      continue;
    }
    if (!absl::StartsWith(line, "| ") || absl::StartsWith(line, "|---")) continue;
    std::vector<std::string> cells = Cells(line);
    if (section == "Vocabulary" && cells.size() == 5 && absl::StartsWith(cells[0], "`")) {
      std::vector<std::string> type = Backticked(cells[0]);
      EXPECT_EQ(type.size(), 1u) << line;
      if (type.size() != 1) continue;
      EXPECT_EQ(doc.vocabulary.count(type[0]), 0u) << "type listed twice: " << type[0];
      doc.vocabulary[type[0]] = VocabularyRow{cells[1], cells[2], cells[3]};
    } else if (section == "Paths" && cells.size() == 2 && cells[0] != "path") {
      EXPECT_EQ(doc.paths.count(cells[0]), 0u) << "path listed twice: " << cells[0];
      doc.paths[cells[0]] = Backticked(cells[1]);
      doc.path_order.push_back(cells[0]);
    }
  }
  return doc;
}

const Documentation& Doc() {
  static const Documentation* doc = new Documentation(ReadDocumentation());
  return *doc;
}

// The detail rule of a vocabulary row as a regular expression.
std::string DetailPattern(const std::string& rule) {
  if (rule == "—") return "";
  std::vector<std::string> channels, cancel_reasons, presences;
  for (Channel c : kAllChannels) channels.emplace_back(ChannelName(c));
  for (const auto& entry : kCancelReasonNames) cancel_reasons.emplace_back(entry.name);
  for (const auto& entry : kPresenceNames) presences.emplace_back(entry.name);
  const std::string reasons =
      "agent|connected|disconnected|heartbeat_lost|missed_offers|wrap_up_started|wrap_up_ended|"
      "supervisor|ended_by_supervisor|wrap_up_ended_early|break|lunch|training|meeting|coaching";
  std::vector<std::string> alternatives;
  for (const std::string& word : Backticked(rule)) {
    if (word == "<channel>") {
      alternatives.push_back(absl::StrJoin(channels, "|"));
    } else if (word == "<cancel reason>") {
      alternatives.push_back(absl::StrJoin(cancel_reasons, "|"));
    } else if (word == "<arm>") {
      alternatives.push_back("[a-z0-9_.-]+");
    } else if (word == "<arm>:excluded") {
      alternatives.push_back("[a-z0-9_.-]+:excluded");
    } else if (word == "<case id>") {
      alternatives.push_back("c[0-9a-z]+");
    } else if (word == "<presence>:<reason>") {
      alternatives.push_back(absl::StrCat("(", absl::StrJoin(presences, "|"), "):(", reasons, ")"));
    } else {
      // Configuration names inside key=value words (issue 16's queue events).
      std::string w = absl::StrReplaceAll(
          word, {{"<queue>", "[a-z0-9_.-]+"}, {"<domain>", "[a-z0-9_.-]+"}, {"<step>", "[0-9]+"}});
      EXPECT_FALSE(absl::StrContains(w, "<")) << "unknown placeholder " << word;
      alternatives.push_back(w);
    }
  }
  EXPECT_FALSE(alternatives.empty()) << "a detail rule without values: " << rule;
  return absl::StrCat("(", absl::StrJoin(alternatives, "|"), ")");
}

// --- The paths ---

// An expected event; `case_name` names a case of the path ("" = no case); a `detail` of the
// form "=<name>" is that case's id.
struct Expected {
  std::string type;
  std::string case_name;
  std::string agent;
  std::string detail;
};

class EngineEventsTest;

struct Path {
  std::string name;  // as listed in docs/events.md
  std::function<void(EngineEventsTest&)> setup;
  std::function<void(EngineEventsTest&)> act;
  std::vector<Expected> events;
};

void PrintTo(const Path& path, std::ostream* os) { *os << path.name; }

class EngineEventsTest : public EngineTest, public testing::WithParamInterface<Path> {
 public:
  // A case for customer `customer` on billing, named `name` in the path.
  std::string NewCase(const std::string& name, Channel channel, const std::string& customer = "",
                      int64_t authority = 0) {
    CaseSpec spec = Spec(channel, absl::StrCat("key-", name, "-", ++keys_));
    spec.customer_id = customer.empty() ? absl::StrCat("cust-", name) : customer;
    spec.subject = kText;
    spec.authority_needed = authority;
    absl::StatusOr<SubmitResult> r = Submit(spec);
    EXPECT_TRUE(r.ok()) << r.status();
    if (r.ok()) cases_[name] = r->view.record.id;
    return r.ok() ? r->view.record.id : "";
  }
  const std::string& Id(const std::string& name) { return cases_[name]; }

  void Hire(const std::string& id, int64_t authority = 0) { AddAgent(id, 5, authority); }
  // Connects the agent's desk (available unless told otherwise).
  RecordingDesk* Desk(const std::string& id, bool available = true) {
    desks_[id] = Connect(id, available);
    return desks_[id].get();
  }
  RecordingDesk* DeskOf(const std::string& id) { return desks_[id].get(); }
  void SetPresence(const std::string& id, Presence presence) {
    StatusAnswer s;
    engine_->SetPresence(id, DeskOf(id), presence, s.Sink());
    engine_->Tick();
    EXPECT_TRUE(s.get().ok()) << s.get();
  }
  void Disconnect(const std::string& id) {
    engine_->CloseSession(id, DeskOf(id));
    engine_->Tick();
  }
  void Cancel(const std::string& name, const std::string& reason) {
    Answer<CaseView> a;
    engine_->CancelCase(Id(name), reason, a.Sink());
    engine_->Tick();
    EXPECT_TRUE(a.get().ok()) << a.get().status();
  }
  void AddText(const std::string& name) {
    Answer<CaseView> a;
    engine_->AddMessage(Id(name), kText, a.Sink());
    engine_->Tick();
    EXPECT_TRUE(a.get().ok()) << a.get().status();
  }
  void Wait(absl::Duration d) {
    clock_.Advance(d);
    engine_->Tick();
  }
  void DeclineOk(const std::string& agent, const std::string& name) {
    absl::Status s = Decline(agent, DeskOf(agent), Id(name));
    EXPECT_TRUE(s.ok()) << s;
  }
  void AcceptOk(const std::string& agent, const std::string& name) {
    absl::StatusOr<CaseView> r = Accept(agent, DeskOf(agent), Id(name));
    EXPECT_TRUE(r.ok()) << r.status();
  }
  void CompleteOk(const std::string& agent, const std::string& name, bool resolved) {
    absl::StatusOr<CaseView> r = Complete(agent, DeskOf(agent), Id(name), Outcome{resolved, 4});
    EXPECT_TRUE(r.ok()) << r.status();
  }
  void Remove(const std::string& agent) {
    StatusAnswer s;
    engine_->RemoveAgent(agent, s.Sink());
    engine_->Tick();
    EXPECT_TRUE(s.get().ok()) << s.get();
  }
  void Update(const std::string& id) {
    Agent profile;
    profile.id = id;
    profile.skills = {{"billing", 9}};
    profile.languages = {"en"};
    Answer<AgentView> a;
    engine_->UpdateAgent(profile, a.Sink());
    engine_->Tick();
    EXPECT_TRUE(a.get().ok()) << a.get().status();
  }
  void ExtendOk(const std::string& agent, absl::Duration extra) {
    StatusAnswer s;
    engine_->ExtendWrapUp(agent, DeskOf(agent), extra, s.Sink());
    engine_->Tick();
    EXPECT_TRUE(s.get().ok()) << s.get();
  }
  void PendingOk(const std::string& agent, const std::string& name) {
    Answer<CaseView> a;
    engine_->MarkPending(agent, DeskOf(agent), Id(name), a.Sink());
    engine_->Tick();
    EXPECT_TRUE(a.get().ok()) << a.get().status();
  }
  void ReleaseOk(const std::string& agent, const std::string& name) {
    Answer<CaseView> a;
    engine_->Release(agent, DeskOf(agent), Id(name), a.Sink());
    engine_->Tick();
    EXPECT_TRUE(a.get().ok()) << a.get().status();
  }
  void TransferOk(const std::string& agent, const std::string& name, TransferKind kind,
                  const std::string& to) {
    TransferRequest request;
    request.kind = kind;
    request.to_agent_id = to;
    request.requirements.required_skills = {{"billing", 1}};
    request.requirements.language = "en";
    Answer<CaseView> a;
    engine_->Transfer(agent, DeskOf(agent), Id(name), request, a.Sink());
    engine_->Tick();
    EXPECT_TRUE(a.get().ok()) << a.get().status();
  }
  // Supervisor controls (issue 14).
  void SupervisorPresence(const std::string& id, Presence presence) {
    Answer<AgentView> a;
    engine_->SupervisorSetPresence(id, presence, a.Sink());
    engine_->Tick();
    EXPECT_TRUE(a.get().ok()) << a.get().status();
  }
  void EndSession(const std::string& id) {
    StatusAnswer s;
    engine_->EndAgentSession(id, s.Sink());
    engine_->Tick();
    EXPECT_TRUE(s.get().ok()) << s.get();
  }
  void AssignTo(const std::string& name, const std::string& agent) {
    Answer<CaseView> a;
    engine_->AssignCase(Id(name), agent, "supervisor:sue", a.Sink());
    engine_->Tick();
    EXPECT_TRUE(a.get().ok()) << a.get().status();
  }
  void Reprioritise(const std::string& name, int priority) {
    WaitingCaseChange change;
    change.explicit_priority = priority;
    Answer<CaseView> a;
    engine_->UpdateWaitingCase(Id(name), change, a.Sink());
    engine_->Tick();
    EXPECT_TRUE(a.get().ok()) << a.get().status();
  }
  void TakeOver(const std::string& name, const std::string& agent) {
    Answer<CaseView> a;
    engine_->TakeOverCase(Id(name), agent, "supervisor:sue", a.Sink());
    engine_->Tick();
    EXPECT_TRUE(a.get().ok()) << a.get().status();
  }
  // A new replica takes over from this one (a clean handover: what is stored is the same).
  void FailOver() {
    engine_->ReleaseLeadership();
    engine_.reset();
    handle_ = store_.NewHandle();
    engine_ = MakeEngine(handle_.get(), "replica-b");
    EXPECT_TRUE(engine_->IsServing());
  }
  const EngineConfig& config() const { return config_; }
  // Issue 17: a split benchmark of two arms, "a" with nearly every case (the split is a
  // seeded hash of the case id, and the ids are seeded too, so "a" is certain here).
  void StartBenchmark(double service_level_floor = 0) {
    config_.benchmark.enabled = true;
    config_.benchmark.mode = BenchmarkMode::kSplit;
    config_.benchmark.arms = {BenchmarkArm{"a", Strategy::kOutcome, 1000},
                              BenchmarkArm{"b", Strategy::kLongestIdle, 0.001}};
    config_.benchmark.service_level_floor = service_level_floor;
    config_.benchmark.service_level_min_cases = 1;
    StatusAnswer s;
    engine_->Reconfigure(config_, s.Sink());
    engine_->Tick();
    EXPECT_TRUE(s.get().ok()) << s.get();
  }
  // Issue 16: queue "q1" takes every case, waits 10 s at its first step, then `last`; "q2"
  // takes what q1 overflows.
  void UseQueue(PlanStep last) {
    QueueConfig q1, q2;
    q1.name = "q1";
    q1.filter = "topic == billing";
    PlanStep wait;
    wait.wait = absl::Seconds(10);
    q1.plan = {wait, std::move(last)};
    q2.name = "q2";
    q2.filter = "topic == nothing";
    config_.queues = {q1, q2};
    StatusAnswer done;
    engine_->Reconfigure(config_, done.Sink());
    engine_->Tick();
    EXPECT_TRUE(done.get().ok()) << done.get();
  }
  absl::Duration ChannelSetting(Channel c, absl::Duration ChannelConfig::*field) const {
    return config_.channels[ChannelIndex(c)].*field;
  }

  std::vector<Event> EventsSince(size_t first) {
    std::vector<Event> out;
    std::vector<FieldList> stored = store_.events();
    for (size_t i = first; i < stored.size(); ++i) {
      absl::StatusOr<Event> e = DecodeEvent(stored[i]);
      EXPECT_TRUE(e.ok()) << e.status();
      if (e.ok()) out.push_back(*std::move(e));
    }
    return out;
  }

 private:
  std::map<std::string, std::string> cases_;
  std::map<std::string, std::shared_ptr<RecordingDesk>> desks_;
  std::unique_ptr<MemoryStateStore> handle_;
  int keys_ = 0;
};

using T = EngineEventsTest;
const auto kNone = [](T&) {};
constexpr Channel kEmail = Channel::kEmail;
constexpr Channel kChat = Channel::kChat;
constexpr Channel kPhone = Channel::kPhone;

// A case "A" offered to ana (available, no other agent).
void OfferedToAna(T& t) {
  t.Hire("ana");
  t.Desk("ana");
  t.NewCase("A", kChat);
}
// ...and accepted.
void AssignedToAna(T& t) {
  OfferedToAna(t);
  t.AcceptOk("ana", "A");
}

// ...with bob present and available, who could take it.
void AssignedToAnaBobPresent(T& t) {
  AssignedToAna(t);
  t.Hire("bob");
  t.Desk("bob");
}

const std::vector<Path>& Paths() {
  static const std::vector<Path>* paths = new std::vector<Path>{
      {"a submission becomes a new case",
       kNone,
       [](T& t) { t.NewCase("A", kEmail); },
       {{"submitted", "A", "", "email"}}},
      {"a submission joins the customer's waiting case",
       [](T& t) { t.NewCase("A", kEmail, "cust-1"); },
       [](T& t) { t.NewCase("B", kPhone, "cust-1"); },
       {{"joined", "A", "", "phone"}}},
      {"a submission joins the customer's assigned case",
       AssignedToAna,
       [](T& t) { t.NewCase("B", kEmail, "cust-A"); },
       {{"joined", "A", "ana", "email"}}},
      {"a submission is a repeat contact of a resolved case",
       [](T& t) {
         AssignedToAna(t);
         t.CompleteOk("ana", "A", /*resolved=*/true);
         t.Disconnect("ana");  // so that the repeat is not offered in the same tick
       },
       [](T& t) { t.NewCase("B", kChat, "cust-A"); },
       {{"submitted", "B", "", "chat"}, {"repeat_contact", "B", "ana", "=A"}}},
      {"a message is added",
       [](T& t) { t.NewCase("A", kEmail); },
       [](T& t) { t.AddText("A"); },
       {{"message", "A", "", ""}}},
      {"a waiting case is cancelled",
       [](T& t) { t.NewCase("A", kEmail); },
       [](T& t) { t.Cancel("A", ""); },
       {{"cancelled", "A", "", "customer_left"}}},
      {"an offered case is cancelled",
       OfferedToAna,
       [](T& t) { t.Cancel("A", "post_deleted"); },
       {{"offer_revoked", "A", "ana", "cancelled"}, {"cancelled", "A", "", "post_deleted"}}},
      {"a waiting case outlives its time to live",
       [](T& t) { t.NewCase("A", kPhone); },
       [](T& t) { t.Wait(t.ChannelSetting(kPhone, &ChannelConfig::ttl) + absl::Seconds(1)); },
       {{"expired", "A", "", "no_agent_within_ttl"}}},
      {"an agent is created",
       kNone,
       [](T& t) { t.Hire("ana"); },
       {{"agent_created", "", "ana", ""}}},
      {"an agent's profile is changed",
       [](T& t) { t.Hire("ana"); },
       [](T& t) { t.Update("ana"); },
       {{"agent_updated", "", "ana", ""}}},
      {"an agent is removed",
       [](T& t) { t.Hire("ana"); },
       [](T& t) { t.Remove("ana"); },
       {{"agent_removed", "", "ana", ""}}},
      {"a desk connects",
       [](T& t) { t.Hire("ana"); },
       [](T& t) { t.Desk("ana", /*available=*/false); },
       {{"presence", "", "ana", "away:connected"}, {"connected", "", "ana", ""}}},
      {"a desk sets available and gets the waiting case",
       [](T& t) {
         t.Hire("ana");
         t.Desk("ana", /*available=*/false);
         t.NewCase("A", kChat);
       },
       [](T& t) { t.SetPresence("ana", Presence::kAvailable); },
       {{"presence", "", "ana", "available:agent"}, {"offered", "A", "ana", ""}}},
      {"a desk sets away while it holds an offer",
       OfferedToAna,
       [](T& t) { t.SetPresence("ana", Presence::kAway); },
       {{"presence", "", "ana", "away:agent"}, {"offer_revoked", "A", "ana", "presence"}}},
      {"the agent accepts",
       OfferedToAna,
       [](T& t) { t.AcceptOk("ana", "A"); },
       {{"accepted", "A", "ana", ""}}},
      {"the agent declines",
       OfferedToAna,
       [](T& t) { t.DeclineOk("ana", "A"); },
       {{"declined", "A", "ana", ""}}},
      {"the offer lapses",
       OfferedToAna,
       [](T& t) { t.Wait(t.config().offer_timeout); },
       {{"offer_revoked", "A", "ana", "timed_out"}, {"timed_out", "A", "ana", ""}}},
      {"the second offer in a row lapses",
       [](T& t) {
         OfferedToAna(t);
         t.Wait(t.config().offer_timeout);  // the first: A is not offered to ana again
         t.NewCase("B", kChat);             // offered to ana
       },
       [](T& t) { t.Wait(t.config().offer_timeout); },
       {{"offer_revoked", "B", "ana", "timed_out"},
        {"timed_out", "B", "ana", ""},
        {"presence", "", "ana", "away:missed_offers"}}},
      {"the agent completes the case resolved",
       AssignedToAna,
       [](T& t) { t.CompleteOk("ana", "A", true); },
       {{"presence", "", "ana", "wrap_up:wrap_up_started"}, {"completed", "A", "ana", "resolved"}}},
      {"the agent completes the case unresolved",
       AssignedToAna,
       [](T& t) { t.CompleteOk("ana", "A", false); },
       {{"presence", "", "ana", "wrap_up:wrap_up_started"},
        {"completed", "A", "ana", "unresolved"}}},
      {"the agent's wrap-up ends",
       [](T& t) {
         AssignedToAna(t);
         t.CompleteOk("ana", "A", true);
       },
       [](T& t) { t.Wait(t.ChannelSetting(kChat, &ChannelConfig::wrap_up)); },
       {{"presence", "", "ana", "available:wrap_up_ended"}}},
      {"a desk holding an offer disconnects",
       OfferedToAna,
       [](T& t) { t.Disconnect("ana"); },
       {{"offer_revoked", "A", "ana", "disconnected"},
        {"presence", "", "ana", "offline:disconnected"},
        {"disconnected", "", "ana", "disconnected"}}},
      {"a desk goes silent",
       [](T& t) {
         t.Hire("ana");
         t.Desk("ana");
       },
       [](T& t) { t.Wait(t.config().heartbeat_timeout + absl::Seconds(1)); },
       {{"presence", "", "ana", "offline:heartbeat_lost"},
        {"disconnected", "", "ana", "heartbeat_lost"}}},
      {"the reconnect grace of an assignment ends",
       [](T& t) {
         AssignedToAna(t);
         t.Disconnect("ana");
       },
       [](T& t) { t.Wait(t.config().reconnect_grace); },
       {{"reassigned", "A", "ana", "reconnect_grace_expired"}}},
      {"a new leader takes over an offered case",
       OfferedToAna,
       [](T& t) { t.FailOver(); },
       {{"offer_returned", "A", "", "recovery"}}},
      {"a case past its SLA goes to an agent without its authority",
       [](T& t) {
         t.Hire("ana", /*authority=*/50);
         t.Desk("ana");
         t.NewCase("A", kChat, "", /*authority=*/150);  // waits for an empowered agent
       },
       [](T& t) { t.Wait(t.ChannelSetting(kChat, &ChannelConfig::sla) + absl::Seconds(1)); },
       {{"supervisor_help", "A", "ana", "authority_sla_breached"}, {"offered", "A", "ana", ""}}},
      {"a submission in a running benchmark becomes a new case",
       [](T& t) { t.StartBenchmark(); },
       [](T& t) { t.NewCase("A", kEmail); },
       {{"submitted", "A", "", "email"}, {"arm_assigned", "A", "", "a"}}},
      {"an arm falls below its service-level floor",
       [](T& t) {
         t.StartBenchmark(/*service_level_floor=*/0.5);
         t.NewCase("A", kPhone);
         t.Cancel("A", "customer_left");  // unanswered: the arm's service level is 0
       },
       [](T& t) { t.Wait(kGuardInterval); },
       {{"benchmark_arm_suspended", "", "", "a"}}},
      {"a waiting case's plan step ends",
       [](T& t) {
         PlanStep wider;
         wider.wait = absl::Seconds(10);
         t.UseQueue(wider);
         t.NewCase("A", kChat);
       },
       [](T& t) { t.Wait(absl::Seconds(10)); },
       {{"queue_step", "A", "", "queue=q1 step=1"}}},
      {"a waiting case overflows to another queue",
       [](T& t) {
         PlanStep overflow;
         overflow.kind = PlanStep::Kind::kOverflow;
         overflow.overflow_queue = "q2";
         t.UseQueue(overflow);
         t.NewCase("A", kChat);
       },
       [](T& t) { t.Wait(absl::Seconds(10)); },
       {{"queue_overflow", "A", "", "from=q1 to=q2"}}},
      {"a waiting case overflows to another domain's queue",
       [](T& t) {
         PlanStep overflow;
         overflow.kind = PlanStep::Kind::kOverflow;
         overflow.overflow_queue = "spill";
         overflow.overflow_domain = "paris";
         t.UseQueue(overflow);
         t.NewCase("A", kChat);
       },
       [](T& t) { t.Wait(absl::Seconds(10)); },
       {{"queue_overflow_domain", "A", "", "domain=paris queue=spill"}}},
      {"a waiting case's plan ends in a callback offer",
       [](T& t) {
         PlanStep end;
         end.kind = PlanStep::Kind::kFinal;
         end.action = FinalAction::kCallback;
         t.UseQueue(end);
         t.NewCase("A", kChat);
       },
       [](T& t) { t.Wait(absl::Seconds(10)); },
       {{"callback_offer", "A", "", "queue=q1"}}},
      {"a waiting case's plan ends in a ticket",
       [](T& t) {
         PlanStep end;
         end.kind = PlanStep::Kind::kFinal;
         end.action = FinalAction::kTicket;
         t.UseQueue(end);
         t.NewCase("A", kChat);
       },
       [](T& t) { t.Wait(absl::Seconds(10)); },
       {{"ticket_created", "A", "", "queue=q1"}}},
      {"a waiting case's plan ends in expiry",
       [](T& t) {
         PlanStep end;
         end.kind = PlanStep::Kind::kFinal;
         end.action = FinalAction::kExpire;
         t.UseQueue(end);
         t.NewCase("A", kChat);
       },
       [](T& t) { t.Wait(absl::Seconds(10)); },
       {{"expired", "A", "", "plan_expired"}}},
      // Release and the supervisor controls (issue 14).
      {"the agent releases an accepted case",
       AssignedToAna,
       [](T& t) { t.ReleaseOk("ana", "A"); },
       {{"released", "A", "ana", ""}}},
      {"the agent transfers a case cold to another agent",
       AssignedToAnaBobPresent,
       [](T& t) { t.TransferOk("ana", "A", TransferKind::kCold, "bob"); },
       {{"offered", "A", "bob", ""}, {"transferred", "A", "ana", "cold"}}},
      {"the agent asks another agent to take a case over",
       AssignedToAnaBobPresent,
       [](T& t) { t.TransferOk("ana", "A", TransferKind::kWarm, "bob"); },
       {{"consult_started", "A", "bob", "warm"}}},
      {"the consulted agent takes the case over",
       [](T& t) {
         AssignedToAnaBobPresent(t);
         t.TransferOk("ana", "A", TransferKind::kWarm, "bob");
       },
       [](T& t) { t.AcceptOk("bob", "A"); },
       {{"transferred", "A", "ana", "warm"}, {"accepted", "A", "bob", ""}}},
      {"the consulted agent declines the case",
       [](T& t) {
         AssignedToAnaBobPresent(t);
         t.TransferOk("ana", "A", TransferKind::kWarm, "bob");
       },
       [](T& t) { t.DeclineOk("bob", "A"); },
       {{"consult_declined", "A", "bob", "declined"}}},
      {"the agent transfers a case back to routing",
       AssignedToAna,
       [](T& t) { t.TransferOk("ana", "A", TransferKind::kRouting, ""); },
       {{"transferred", "A", "ana", "routing"}}},
      {"the agent marks a chat case pending",
       AssignedToAna,
       [](T& t) { t.PendingOk("ana", "A"); },
       {{"pending", "A", "ana", ""}}},
      {"the customer writes on a pending case and its agent takes it back",
       [](T& t) {
         AssignedToAna(t);
         t.PendingOk("ana", "A");
       },
       [](T& t) { t.AddText("A"); },
       {{"message", "A", "ana", ""},
        {"offered", "A", "ana", ""},
        {"pending_returned", "A", "ana", "agent"}}},
      {"a returned pending case goes to the queue after the wait",
       [](T& t) {
         AssignedToAna(t);
         t.PendingOk("ana", "A");
         t.Disconnect("ana");
         t.AddText("A");
       },
       [](T& t) { t.Wait(t.config().floor.pending_return_wait + absl::Seconds(1)); },
       {{"pending_returned", "A", "ana", "queue"}}},
      {"an agent extends their wrap-up",
       [](T& t) {
         AssignedToAna(t);
         t.CompleteOk("ana", "A", /*resolved=*/true);  // chat wrap-up starts
       },
       [](T& t) { t.ExtendOk("ana", absl::Seconds(30)); },
       {{"wrap_up_extended", "", "ana", ""}}},
      {"a pending case nobody writes to closes itself",
       [](T& t) {
         AssignedToAna(t);
         t.PendingOk("ana", "A");
         t.Disconnect("ana");
       },
       [](T& t) { t.Wait(t.config().floor.pending_close_after + absl::Seconds(1)); },
       {{"pending_closed", "A", "ana", "pending_timeout"}}},
      {"a supervisor sets a connected agent available",
       [](T& t) {
         t.Hire("ana");
         t.Desk("ana", /*available=*/false);
       },
       [](T& t) { t.SupervisorPresence("ana", Presence::kAvailable); },
       {{"presence", "", "ana", "available:supervisor"}}},
      {"a supervisor sets away an agent holding an offer",
       OfferedToAna,
       [](T& t) { t.SupervisorPresence("ana", Presence::kAway); },
       {{"presence", "", "ana", "away:supervisor"}, {"offer_revoked", "A", "ana", "presence"}}},
      {"a supervisor ends an agent's session",
       [](T& t) {
         t.Hire("ana");
         t.Desk("ana");
       },
       [](T& t) { t.EndSession("ana"); },
       {{"presence", "", "ana", "offline:ended_by_supervisor"},
        {"disconnected", "", "ana", "ended_by_supervisor"}}},
      {"a supervisor gives a waiting case to an agent",
       [](T& t) {
         OfferedToAna(t);
         t.DeclineOk("ana", "A");  // she may not get it again in this pass
       },
       [](T& t) { t.AssignTo("A", "ana"); },
       {{"offered", "A", "ana", ""}, {"assigned_by_supervisor", "A", "ana", "supervisor"}}},
      {"a supervisor changes a waiting case's priority",
       [](T& t) { t.NewCase("A", kEmail); },
       [](T& t) { t.Reprioritise("A", 50); },
       {{"case_updated_by_supervisor", "A", "", "priority"}}},
      {"a supervisor takes over an assigned case that needs a supervisor",
       [](T& t) {
         t.Hire("ana", /*authority=*/50);
         t.Desk("ana");
         t.NewCase("A", kChat, "", /*authority=*/150);
         t.Wait(t.ChannelSetting(kChat, &ChannelConfig::sla) + absl::Seconds(1));
         t.AcceptOk("ana", "A");
         t.Hire("sam", /*authority=*/1000);
         t.Desk("sam");
       },
       [](T& t) { t.TakeOver("A", "sam"); },
       {{"taken_by_supervisor", "A", "ana", "supervisor"},
        {"offered", "A", "sam", ""},
        {"taken_over_by_supervisor", "A", "sam", "supervisor"}}},
  };
  return *paths;
}

TEST_P(EngineEventsTest, EmitsWhatTheDocumentationSays) {
  const Path& path = GetParam();
  path.setup(*this);
  const size_t first = store_.events().size();
  path.act(*this);
  std::vector<Event> emitted = EventsSince(first);

  // Exactly the path's events, with their fields.
  std::vector<std::string> got, want;
  for (const Event& e : emitted) {
    got.push_back(
        absl::StrCat(e.type, " case=", e.case_id, " agent=", e.agent_id, " detail=", e.detail));
  }
  for (const Expected& e : path.events) {
    std::string detail = absl::StartsWith(e.detail, "=") ? Id(e.detail.substr(1)) : e.detail;
    want.push_back(absl::StrCat(e.type, " case=", e.case_name.empty() ? "" : Id(e.case_name),
                                " agent=", e.agent, " detail=", detail));
  }
  EXPECT_EQ(got, want);

  // The page lists the same types in the same order for this path.
  auto doc = Doc().paths.find(path.name);
  ASSERT_NE(doc, Doc().paths.end()) << "docs/events.md has no path '" << path.name << "'";
  std::vector<std::string> types;
  for (const Event& e : emitted) types.push_back(e.type);
  EXPECT_EQ(types, doc->second) << "docs/events.md, path '" << path.name << "'";

  // Each event keeps its vocabulary row, and carries no customer text.
  for (const Event& e : emitted) {
    auto row = Doc().vocabulary.find(e.type);
    ASSERT_NE(row, Doc().vocabulary.end()) << "type '" << e.type << "' is not documented";
    const VocabularyRow& rule = row->second;
    EXPECT_EQ(!e.case_id.empty(), rule.case_rule == "yes") << e.type << ": case field";
    if (rule.agent_rule == "yes") {
      EXPECT_FALSE(e.agent_id.empty()) << e.type << ": agent field";
    } else if (rule.agent_rule == "—") {
      EXPECT_TRUE(e.agent_id.empty()) << e.type << ": agent field";
    }
    if (rule.detail_rule == "—") {
      EXPECT_TRUE(e.detail.empty()) << e.type << ": detail '" << e.detail << "'";
    } else {
      EXPECT_TRUE(std::regex_match(e.detail, std::regex(DetailPattern(rule.detail_rule))))
          << e.type << ": detail '" << e.detail << "' is not in " << rule.detail_rule;
    }
    for (const std::string* field : {&e.type, &e.case_id, &e.agent_id, &e.detail}) {
      EXPECT_FALSE(absl::StrContains(*field, "PRIVATE")) << e.type << " carries customer text";
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Paths, EngineEventsTest, testing::ValuesIn(Paths()),
                         [](const testing::TestParamInfo<Path>& info) {
                           std::string name;
                           for (char ch : info.param.name) {
                             if (absl::ascii_isalnum(static_cast<unsigned char>(ch))) {
                               name += ch;
                             } else if (!name.empty() && name.back() != '_') {
                               name += '_';
                             }
                           }
                           return name;
                         });

// The page and the table above cover each other: every documented path is run here, and every
// documented type is emitted by some path (so a type nobody emits any more shows up too).
TEST(EventsDocumentationTest, EveryDocumentedPathAndTypeIsExercised) {
  std::vector<std::string> run;
  std::set<std::string> emitted;
  for (const Path& path : Paths()) {
    run.push_back(path.name);
    for (const Expected& e : path.events) emitted.insert(e.type);
  }
  EXPECT_EQ(run, Doc().path_order);
  std::set<std::string> documented;
  for (const auto& [type, row] : Doc().vocabulary) documented.insert(type);
  EXPECT_EQ(emitted, documented);
  EXPECT_EQ(documented.size(), 40u);  // 21, issue 17's two, issue 16's five, issue 14's twelve
}

}  // namespace
}  // namespace caserouter
