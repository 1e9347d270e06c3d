// caserouter-agent: an agent desktop on the command line, for trying the router out and for
// demos and load runs.
//
//   caserouter-agent --target=router-0:50051,router-1:50051 --agent_id=ana --create
//                    --skills=billing:8,technical:5 --languages=en
//                    --authority=200 --max_chat=3
//       interactive: prints offers; type  a <case> | d <case> |
//       c <case> resolved|unresolved [csat] | p available|away [reason] | q
//       and (issue 14) r <case> release, t <case> cold|warm <agent> | routing <topic> <skill>
//       transfer, w <case> pending, e end wrap-up, x <seconds> extend it, i <case> context
//       (the customer's cases, channels, why you, your record); consult offers and transfer
//       updates are shown
//   caserouter-agent --auto --count=20 --id_prefix=agent- --create --skills=billing:6
//                    --handle_seconds=90 --resolve_rate=0.8 --decline_rate=0.05 --seed=7
//       unattended: accepts after --accept_delay, works an exponential handle time, completes
//       (resolved with --resolve_rate, with a CSAT), declines with --decline_rate; prints a
//       counter line at exit (SIGINT/SIGTERM or --run_for), one line per event with --verbose.
//       --transfer_rate hands a share of worked cases back to routing, --pending_rate marks a
//       share of chat/social/email cases pending (issue 14; the demo uses both).
//
// Security (docs/security.md): TLS by default (--tls_ca names the router's CA). An agent
// authenticates as itself: with a client certificate (--tls_cert, --tls_key) or a bearer
// token for role agent (--token_file; with --count, --token_dir holding <agent id>.jwt for
// each agent). --create needs a supervisor: --supervisor_token_file (or a supervisor's
// client certificate). --plaintext only for a router started so.
//
// Exit codes: 0 done, 2 bad flags or a profile the router refused, 1 the router unreachable.
#include <signal.h>
#include <time.h>

#include <atomic>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "caserouter/v1/agent_desk.grpc.pb.h"
#include "caserouter/v1/supervision.grpc.pb.h"
#include "proto/enum_words.h"
#include "tools/agent_client/auto_policy.h"
#include "tools/agent_client/desk_agent.h"
#include "tools/client_auth/client_flags.h"
#include "tools/client_auth/client_security.h"

ABSL_FLAG(std::string, target, "127.0.0.1:50051",
          "the router: host:port of every replica, comma-separated, or one name (a Kubernetes "
          "Service, a DNS name with an address per replica); desks reconnect to the next one "
          "until they reach the leader");
ABSL_FLAG(std::string, agent_id, "", "the agent (one agent; default: <id_prefix>1)");
ABSL_FLAG(int, count, 1, "agents to run in this process (unattended mode)");
ABSL_FLAG(std::string, id_prefix, "agent-", "with --count: agents are <id_prefix>1..N");
ABSL_FLAG(bool, create, false,
          "create the agents (or update their profile) via SupervisionService");
ABSL_FLAG(std::string, skills, "", "with --create: name:proficiency,... e.g. billing:8,sales:5");
ABSL_FLAG(std::string, languages, "en", "with --create: comma-separated BCP 47 tags");
ABSL_FLAG(int64_t, authority, 0, "with --create: credit/refund the agent may grant");
ABSL_FLAG(int, max_phone, 1, "with --create: concurrent phone cases (0-1)");
ABSL_FLAG(int, max_chat, 3, "with --create: concurrent chats (0-20)");
ABSL_FLAG(int, max_social, 4, "with --create: concurrent social cases (0-20)");
ABSL_FLAG(int, max_email, 5, "with --create: concurrent emails (0-50)");
ABSL_FLAG(bool, auto, false, "unattended: answer offers by the policy below");
ABSL_FLAG(absl::Duration, accept_delay, absl::Seconds(1), "unattended: time to answer an offer");
ABSL_FLAG(double, handle_seconds, 60, "unattended: mean handle time (exponential)");
ABSL_FLAG(double, resolve_rate, 0.8, "unattended: share of cases completed as resolved");
ABSL_FLAG(double, decline_rate, 0.05, "unattended: share of offers declined");
ABSL_FLAG(double, transfer_rate, 0,
          "unattended: share of worked cases handed back to routing instead of completed");
ABSL_FLAG(double, pending_rate, 0,
          "unattended: share of worked chat, social and email cases marked pending");
ABSL_FLAG(uint64_t, seed, 1, "unattended: random seed (agent i uses seed + i)");
ABSL_FLAG(absl::Duration, run_for, absl::ZeroDuration(),
          "unattended: stop after this long; 0 = until SIGINT or SIGTERM");
ABSL_FLAG(bool, verbose, false, "unattended: one line per event");
ABSL_FLAG(std::string, token_dir, "",
          "with --count: a directory of bearer tokens, <agent id>.jwt for each agent");
ABSL_FLAG(std::string, supervisor_token_file, "",
          "with --create: a supervisor's bearer token (a file); empty = the channel's "
          "credential");

namespace caserouter {
namespace {

constexpr int kExitBadInput = 2;
constexpr int kExitUnavailable = 1;

absl::Mutex print_mu;

template <typename... Args>
void Print(const absl::FormatSpec<Args...>& format, const Args&... args) {
  absl::MutexLock lock(&print_mu);
  absl::PrintF(format, args...);
  absl::PrintF("\n");
  std::fflush(stdout);
}

std::string CodeName(int code) {
  return code == 0 ? "OK" : absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

absl::StatusOr<v1::AgentProfile> ProfileFromFlags(const std::string& agent_id) {
  v1::AgentProfile p;
  p.set_agent_id(agent_id);
  for (absl::string_view item :
       absl::StrSplit(absl::GetFlag(FLAGS_skills), ',', absl::SkipWhitespace())) {
    std::pair<absl::string_view, absl::string_view> kv = absl::StrSplit(item, ':');
    int level = 0;
    if (kv.first.empty() || !absl::SimpleAtoi(kv.second, &level)) {
      return absl::InvalidArgumentError("skills: expected name:proficiency,...");
    }
    v1::Skill* s = p.add_skills();
    s->set_name(std::string(absl::StripAsciiWhitespace(kv.first)));
    s->set_proficiency(level);
  }
  for (absl::string_view l :
       absl::StrSplit(absl::GetFlag(FLAGS_languages), ',', absl::SkipWhitespace())) {
    p.add_languages(std::string(absl::StripAsciiWhitespace(l)));
  }
  p.set_authority_limit(absl::GetFlag(FLAGS_authority));
  p.set_max_phone(absl::GetFlag(FLAGS_max_phone));
  p.set_max_chat(absl::GetFlag(FLAGS_max_chat));
  p.set_max_social(absl::GetFlag(FLAGS_max_social));
  p.set_max_email(absl::GetFlag(FLAGS_max_email));
  return p;
}

// A channel to one of the router's addresses, secured as the flags say (TLS with --tls_ca, a
// client certificate with --tls_cert): what every desk session and creation opens. Desk
// streams carry their agent's token each; the channel carries none.
DeskAgent::ChannelFactory SecureChannels() {
  const ClientSecurity security = ClientSecurityFromFlags();
  return [security](const std::string& target) -> std::shared_ptr<grpc::Channel> {
    grpc::ChannelArguments args;
    // Keep the connection to the router checked while the agent sits idle between offers.
    args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
    args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
    // A name with an address per replica: successive attempts go to successive addresses.
    args.SetLoadBalancingPolicyName("round_robin");
    absl::StatusOr<std::shared_ptr<grpc::Channel>> channel =
        OpenChannel(target, security, "", args);
    // The files were read once at start (Main), so this does not fail; if it did, the
    // insecure channel's calls fail against a TLS router, and say so.
    return channel.ok() ? *channel : DeskAgent::DefaultChannel(target);
  };
}

// Creates the agent, or replaces its profile when it exists, on one replica.
grpc::Status CreateOrUpdateOn(v1::SupervisionService::Stub* stub, const v1::AgentProfile& profile,
                              const std::string& token) {
  grpc::ClientContext context;
  AttachToken(&context, token);
  context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  v1::CreateAgentRequest create;
  *create.mutable_profile() = profile;
  v1::CreateAgentResponse created;
  grpc::Status status = stub->CreateAgent(&context, create, &created);
  if (status.error_code() != grpc::StatusCode::ALREADY_EXISTS) return status;
  grpc::ClientContext update_context;
  AttachToken(&update_context, token);
  update_context.set_deadline(absl::ToChronoTime(absl::Now() + absl::Seconds(10)));
  v1::UpdateAgentRequest update;
  *update.mutable_profile() = profile;
  v1::UpdateAgentResponse updated;
  return stub->UpdateAgent(&update_context, update, &updated);
}

// The same on whichever replica leads: a standby answers UNAVAILABLE, so each address is tried
// in turn, for up to 30 s (a failover may be under way).
grpc::Status CreateOrUpdate(const std::vector<std::string>& targets,
                            const v1::AgentProfile& profile, const std::string& token) {
  const absl::Time give_up = absl::Now() + absl::Seconds(30);
  grpc::Status status;
  for (size_t attempt = 0;; ++attempt) {
    auto stub =
        v1::SupervisionService::NewStub(SecureChannels()(targets[attempt % targets.size()]));
    status = CreateOrUpdateOn(stub.get(), profile, token);
    if (status.error_code() != grpc::StatusCode::UNAVAILABLE || absl::Now() > give_up) {
      return status;
    }
    if ((attempt + 1) % targets.size() == 0) absl::SleepFor(absl::Milliseconds(200));
  }
}

struct Counters {
  std::atomic<int64_t> offers{0}, accepted{0}, declined{0}, completed{0}, resolved{0}, revoked{0},
      errors{0}, reconnects{0}, transferred{0}, pending{0};
};

// One unattended agent: a DeskAgent driven by an AutoPolicy.
class UnattendedAgent {
 public:
  UnattendedAgent(const std::vector<std::string>& targets, const std::string& agent_id,
                  const std::string& token, AutoPolicy::Options policy, Counters* counters,
                  bool verbose)
      : policy_(policy),
        counters_(counters),
        verbose_(verbose),
        desk_(
            targets,
            DeskAgent::Options{.agent_id = agent_id,
                               .token = token,
                               .channel_factory = SecureChannels(),
                               .seed = policy.seed},
            [this](const v1::ConnectResponse& event) { OnEvent(event); },
            [this](const grpc::Status& end, bool reconnecting) { OnEnd(end, reconnecting); }) {}

  void Start() { desk_.Start(); }
  void Stop() {
    stopping_ = true;
    desk_.Stop();
  }

 private:
  enum class Kind { kAccept, kDecline, kComplete, kPresence, kTransfer, kPending };
  struct Pending {
    Kind kind;
    std::string case_id;
    AutoPolicy::Outcome outcome;
  };

  void Send(v1::ConnectRequest request, Pending pending) {
    absl::MutexLock lock(&mu_);
    int64_t id = desk_.Send(std::move(request));
    if (id != 0) pending_[id] = std::move(pending);
  }

  void OnEvent(const v1::ConnectResponse& event) {
    const std::string& me = desk_.agent_id();
    if (event.has_offer()) {
      const v1::Case& c = event.offer().case_();
      ++counters_->offers;
      if (verbose_) {
        Print("%s offer %s %s %s priority=%.1f", me, c.case_id(), EnumWord(c.channel()), c.topic(),
              c.priority());
      }
      bool decline;
      {
        absl::MutexLock lock(&mu_);
        decline = policy_.ShouldDecline();
      }
      const std::string id = c.case_id();
      {
        absl::MutexLock lock(&mu_);
        channels_[id] = c.channel();
      }
      desk_.After(policy_.accept_delay(), [this, id, decline] {
        v1::ConnectRequest r;
        if (decline) {
          r.mutable_decline()->set_case_id(id);
          Send(r, {Kind::kDecline, id, {}});
        } else {
          r.mutable_accept()->set_case_id(id);
          Send(r, {Kind::kAccept, id, {}});
        }
      });
    } else if (event.has_ack()) {
      OnAck(event.ack());
    } else if (event.has_offer_revoked()) {
      ++counters_->revoked;
      if (verbose_) {
        Print("%s offer revoked %s (%s)", me, event.offer_revoked().case_id(),
              EnumWord(event.offer_revoked().reason()));
      }
    } else if (event.has_presence_changed()) {
      if (verbose_) {
        Print("%s presence %s (%s)", me, EnumWord(event.presence_changed().presence()),
              EnumWord(event.presence_changed().reason()));
      }
      // Set away for missed offers: come back after a short break, as a person would.
      if (event.presence_changed().presence() == v1::PRESENCE_AWAY) {
        desk_.After(absl::Seconds(5), [this] {
          v1::ConnectRequest r;
          r.mutable_set_presence()->set_presence(v1::PRESENCE_AVAILABLE);
          Send(r, {Kind::kPresence, "", {}});
        });
      }
    } else if (event.has_welcome()) {
      if (verbose_) {
        Print("%s connected: %s, holding %d cases", me, EnumWord(event.welcome().presence()),
              event.welcome().assigned_cases_size());
      }
      // Cases held from before a reconnect still need finishing.
      for (const v1::Case& c : event.welcome().assigned_cases()) ScheduleCompletion(c.case_id());
    }
  }

  void OnAck(const v1::Ack& ack) {
    Pending pending;
    {
      absl::MutexLock lock(&mu_);
      auto it = pending_.find(ack.request_id());
      if (it == pending_.end()) return;  // hello, presence on connect, heartbeats
      pending = std::move(it->second);
      pending_.erase(it);
    }
    const std::string& me = desk_.agent_id();
    if (ack.code() != 0) {
      ++counters_->errors;
      if (verbose_) Print("%s %s: %s %s", me, pending.case_id, CodeName(ack.code()), ack.message());
      return;
    }
    switch (pending.kind) {
      case Kind::kAccept:
        ++counters_->accepted;
        if (verbose_) Print("%s accepted %s", me, pending.case_id);
        ScheduleCompletion(pending.case_id);
        break;
      case Kind::kDecline:
        ++counters_->declined;
        if (verbose_) Print("%s declined %s", me, pending.case_id);
        break;
      case Kind::kComplete:
        ++counters_->completed;
        if (pending.outcome.resolved) ++counters_->resolved;
        if (verbose_) {
          Print("%s completed %s %s csat=%d", me, pending.case_id,
                pending.outcome.resolved ? "resolved" : "unresolved", pending.outcome.csat);
        }
        break;
      case Kind::kPresence:
        break;
      case Kind::kTransfer:
        ++counters_->transferred;
        if (verbose_) Print("%s transferred %s back to routing", me, pending.case_id);
        break;
      case Kind::kPending:
        ++counters_->pending;
        if (verbose_) Print("%s marked %s pending", me, pending.case_id);
        break;
    }
  }

  void ScheduleCompletion(const std::string& case_id) {
    absl::Duration work;
    {
      absl::MutexLock lock(&mu_);
      work = policy_.HandleTime();
    }
    desk_.After(work, [this, case_id] {
      AutoPolicy::Outcome outcome;
      bool transfer = false, pend = false;
      {
        absl::MutexLock lock(&mu_);
        auto channel = channels_.find(case_id);
        const bool can_pend = channel != channels_.end() && channel->second != v1::CHANNEL_PHONE;
        if (channel != channels_.end()) channels_.erase(channel);
        transfer = policy_.ShouldTransfer();
        pend = !transfer && can_pend && policy_.ShouldPend();
        if (!transfer && !pend) outcome = policy_.Finish();
      }
      v1::ConnectRequest r;
      if (transfer) {  // issue 14: "not mine after all" — back to routing, any skill
        r.mutable_transfer()->set_case_id(case_id);
        r.mutable_transfer()->set_kind(v1::TRANSFER_KIND_ROUTING);
        r.mutable_transfer()->mutable_requirements();
        Send(r, {Kind::kTransfer, case_id, {}});
        return;
      }
      if (pend) {  // issue 14: answered, waiting on the customer
        r.mutable_set_pending()->set_case_id(case_id);
        Send(r, {Kind::kPending, case_id, {}});
        return;
      }
      r.mutable_complete()->set_case_id(case_id);
      r.mutable_complete()->mutable_outcome()->set_resolved(outcome.resolved);
      r.mutable_complete()->mutable_outcome()->set_csat(outcome.csat);
      Send(r, {Kind::kComplete, case_id, outcome});
    });
  }

  void OnEnd(const grpc::Status& end, bool reconnecting) {
    if (stopping_) return;  // we ended it
    if (reconnecting) ++counters_->reconnects;
    if (verbose_ || !reconnecting) {
      Print("%s stream ended: %s %s%s", desk_.agent_id(), CodeName(end.error_code()),
            end.error_message(), reconnecting ? " (reconnecting)" : "");
    }
  }

  absl::Mutex mu_;
  AutoPolicy policy_ ABSL_GUARDED_BY(mu_);
  std::map<int64_t, Pending> pending_ ABSL_GUARDED_BY(mu_);
  std::map<std::string, v1::Channel> channels_ ABSL_GUARDED_BY(mu_);  // offered cases' channels
  Counters* const counters_;
  const bool verbose_;
  std::atomic<bool> stopping_{false};
  DeskAgent desk_;  // last: its threads stop before the members above go
};

int RunUnattended(const std::vector<std::string>& targets, const std::vector<std::string>& ids,
                  const std::vector<std::string>& tokens, const sigset_t& signals) {
  AutoPolicy::Options options;
  options.accept_delay = absl::GetFlag(FLAGS_accept_delay);
  options.mean_handle = absl::Seconds(absl::GetFlag(FLAGS_handle_seconds));
  options.resolve_rate = absl::GetFlag(FLAGS_resolve_rate);
  options.decline_rate = absl::GetFlag(FLAGS_decline_rate);
  options.transfer_rate = absl::GetFlag(FLAGS_transfer_rate);
  options.pending_rate = absl::GetFlag(FLAGS_pending_rate);
  if (absl::Status s = AutoPolicy::Validate(options); !s.ok()) {
    absl::FPrintF(stderr, "caserouter-agent: %s\n", s.message());
    return kExitBadInput;
  }
  Counters counters;
  std::vector<std::unique_ptr<UnattendedAgent>> agents;
  for (size_t i = 0; i < ids.size(); ++i) {
    AutoPolicy::Options mine = options;
    mine.seed = absl::GetFlag(FLAGS_seed) + i;
    agents.push_back(std::make_unique<UnattendedAgent>(targets, ids[i], tokens[i], mine, &counters,
                                                       absl::GetFlag(FLAGS_verbose)));
    agents.back()->Start();
  }
  const absl::Duration run_for = absl::GetFlag(FLAGS_run_for);
  if (run_for > absl::ZeroDuration()) {
    const timespec limit = absl::ToTimespec(run_for);
    sigtimedwait(&signals, nullptr, &limit);
  } else {
    int signal_number = 0;
    sigwait(&signals, &signal_number);
  }
  for (auto& agent : agents) agent->Stop();
  Print(
      "agents=%d offers=%d accepted=%d declined=%d completed=%d resolved=%d revoked=%d "
      "errors=%d reconnects=%d transferred=%d pending=%d",
      ids.size(), counters.offers.load(), counters.accepted.load(), counters.declined.load(),
      counters.completed.load(), counters.resolved.load(), counters.revoked.load(),
      counters.errors.load(), counters.reconnects.load(), counters.transferred.load(),
      counters.pending.load());
  return 0;
}

// --- Interactive ---

void PrintEvent(const v1::ConnectResponse& event, std::map<int64_t, std::string>* requests,
                absl::Mutex* mu) {
  if (event.has_welcome()) {
    const v1::Welcome& w = event.welcome();
    const google::protobuf::Duration& every = w.heartbeat_interval_duration();
    Print("connected: presence %s, heartbeat every %s", EnumWord(w.presence()),
          absl::FormatDuration(absl::Seconds(every.seconds()) + absl::Nanoseconds(every.nanos())));
    for (const v1::Case& c : w.assigned_cases()) {
      Print("  holding %s %s %s: %s", c.case_id(), EnumWord(c.channel()), c.topic(), c.subject());
    }
  } else if (event.has_offer()) {
    const v1::Case& c = event.offer().case_();
    absl::Duration left =
        absl::FromUnixSeconds(event.offer().expire_time().seconds()) - absl::Now();
    if (event.offer().consult()) {
      Print("CONSULT from %s: take over %s? (a to take it, d to leave it with them)",
            event.offer().consult_from_agent_id(), c.case_id());
    }
    Print("OFFER %s  %s  %s  priority %.1f  (%ds to answer)\n  customer %s: %s", c.case_id(),
          EnumWord(c.channel()), c.topic(), c.priority(),
          static_cast<int>(absl::ToInt64Seconds(left)), c.customer_id(), c.subject());
  } else if (event.has_ack()) {
    std::string what;
    {
      absl::MutexLock lock(mu);
      auto it = requests->find(event.ack().request_id());
      if (it == requests->end()) return;  // hello, heartbeats
      what = it->second;
      requests->erase(it);
    }
    if (event.ack().code() == 0 && event.ack().has_context()) {
      const v1::CaseContext& c = event.ack().context();
      Print("%s: ok\n  case %s %s %s, %d messages%s", what, c.case_().case_id(),
            EnumWord(c.case_().channel()), c.case_().topic(), c.case_().messages_size(),
            c.repeat_of_case_id().empty() ? "" : absl::StrCat(", repeats ", c.repeat_of_case_id()));
      for (const v1::PastCase& p : c.customer_cases()) {
        Print("  earlier: %s %s %s %s%s", p.case_id(), EnumWord(p.channel()), p.topic(),
              EnumWord(p.state()),
              p.state() == v1::CASE_STATE_COMPLETED
                  ? (p.outcome().resolved() ? " resolved" : " unresolved")
                  : "");
      }
      std::string channels;
      for (int ch : c.channel_history()) {
        absl::StrAppend(&channels, channels.empty() ? "" : " > ",
                        EnumWord(static_cast<v1::Channel>(ch)));
      }
      Print("  channels: %s", channels);
      std::string terms;
      for (const v1::ScoreTerm& t : c.score_terms()) {
        absl::StrAppend(&terms, " ", t.name(), "=", absl::StrFormat("%.2f", t.value()));
      }
      Print("  why you: %s%s score %.2f%s",
            c.assigned_by_supervisor() ? "a supervisor chose, " : "",
            c.strategy().empty() ? "-" : c.strategy(), c.score(), terms);
      const v1::AgentTopicRecord& own = c.own_record();
      Print("  your record on %s: %d completed, %.0f%% resolved, CSAT %.1f (%d)", own.topic(),
            own.completed(), 100 * own.resolution_rate(), own.csat_average(), own.csat_count());
    } else if (event.ack().code() == 0) {
      Print("%s: ok", what);
    } else {
      Print("%s: %s %s", what, CodeName(event.ack().code()), event.ack().message());
    }
  } else if (event.has_offer_revoked()) {
    Print("offer for %s withdrawn (%s)", event.offer_revoked().case_id(),
          EnumWord(event.offer_revoked().reason()));
  } else if (event.has_presence_changed()) {
    Print("presence now %s (%s)", EnumWord(event.presence_changed().presence()),
          EnumWord(event.presence_changed().reason()));
  } else if (event.has_case_message()) {
    Print("MESSAGE on %s: %s", event.case_message().case_id(), event.case_message().text());
  } else if (event.has_transfer_update()) {
    const v1::TransferUpdate& update = event.transfer_update();
    Print("transfer of %s to %s: %s", update.case_id(), update.to_agent_id(),
          update.accepted() ? "taken over (no longer yours)" : "declined (still yours)");
  }
}

int RunInteractive(const std::vector<std::string>& targets, const std::string& agent_id,
                   const std::string& token) {
  absl::Mutex mu;
  std::map<int64_t, std::string> requests;
  std::atomic<bool> quitting{false};
  DeskAgent desk(
      targets,
      DeskAgent::Options{.agent_id = agent_id, .token = token, .channel_factory = SecureChannels()},
      [&](const v1::ConnectResponse& event) { PrintEvent(event, &requests, &mu); },
      [&](const grpc::Status& end, bool reconnecting) {
        if (quitting) return;
        Print("stream ended: %s %s%s", CodeName(end.error_code()), end.error_message(),
              reconnecting ? " (reconnecting)" : "");
      });
  desk.Start();
  Print(
      "agent %s: a <case> | d <case> | c <case> resolved|unresolved [csat] | r <case> | "
      "t <case> cold|warm <agent> | t <case> routing <topic> <skill> | w <case> (pending) | "
      "i <case> (context) | "
      "e (end wrap-up) | x <seconds> (extend it) | p available|away [reason] | q",
      agent_id);
  std::string line;
  while (std::getline(std::cin, line)) {
    std::vector<std::string> words = absl::StrSplit(line, ' ', absl::SkipWhitespace());
    if (words.empty()) continue;
    v1::ConnectRequest request;
    const std::string& command = words[0];
    if (command == "q") break;
    if (command == "a" && words.size() == 2) {
      request.mutable_accept()->set_case_id(words[1]);
    } else if (command == "d" && words.size() == 2) {
      request.mutable_decline()->set_case_id(words[1]);
    } else if (command == "c" && (words.size() == 3 || words.size() == 4) &&
               (words[2] == "resolved" || words[2] == "unresolved")) {
      int csat = 0;
      if (words.size() == 4 && !absl::SimpleAtoi(words[3], &csat)) {
        Print("csat: a number 1-5");
        continue;
      }
      v1::Complete* complete = request.mutable_complete();
      complete->set_case_id(words[1]);
      complete->mutable_outcome()->set_resolved(words[2] == "resolved");
      complete->mutable_outcome()->set_csat(csat);
    } else if (command == "i" && words.size() == 2) {
      request.mutable_get_context()->set_case_id(words[1]);
    } else if (command == "w" && words.size() == 2) {
      request.mutable_set_pending()->set_case_id(words[1]);
    } else if (command == "e" && words.size() == 1) {
      request.mutable_end_wrap_up();
    } else if (command == "x" && words.size() == 2) {
      int seconds = 0;
      if (!absl::SimpleAtoi(words[1], &seconds)) {
        Print("x: a number of seconds");
        continue;
      }
      request.mutable_extend_wrap_up()->set_seconds(seconds);
    } else if (command == "p" && words.size() == 3 && words[1] == "away") {
      request.mutable_set_presence()->set_presence(v1::PRESENCE_AWAY);
      request.mutable_set_presence()->set_away_reason(words[2]);
    } else if (command == "r" && words.size() == 2) {
      request.mutable_release()->set_case_id(words[1]);
    } else if (command == "t" && words.size() == 4 && (words[2] == "cold" || words[2] == "warm")) {
      v1::Transfer* transfer = request.mutable_transfer();
      transfer->set_case_id(words[1]);
      transfer->set_kind(words[2] == "cold" ? v1::TRANSFER_KIND_COLD : v1::TRANSFER_KIND_WARM);
      transfer->set_to_agent_id(words[3]);
    } else if (command == "t" && words.size() == 5 && words[2] == "routing") {
      v1::Transfer* transfer = request.mutable_transfer();
      transfer->set_case_id(words[1]);
      transfer->set_kind(v1::TRANSFER_KIND_ROUTING);
      transfer->mutable_requirements()->set_topic(words[3]);
      v1::SkillRequirement* skill = transfer->mutable_requirements()->add_required_skills();
      skill->set_skill(words[4]);
      skill->set_min_proficiency(1);
    } else if (command == "p" && words.size() == 2 &&
               (words[1] == "available" || words[1] == "away")) {
      request.mutable_set_presence()->set_presence(words[1] == "available" ? v1::PRESENCE_AVAILABLE
                                                                           : v1::PRESENCE_AWAY);
    } else {
      Print(
          "? a <case> | d <case> | c <case> resolved|unresolved [csat] | r <case> | "
          "t <case> cold|warm <agent> | t <case> routing <topic> <skill> | w <case> (pending) | "
          "i <case> (context) | "
          "e (end wrap-up) | x <seconds> (extend it) | p available|away [reason] | q");
      continue;
    }
    absl::MutexLock lock(&mu);
    int64_t id = desk.Send(request);
    if (id == 0) {
      Print("not connected");
    } else {
      requests[id] = line;
    }
  }
  quitting = true;
  desk.Stop();
  return 0;
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "caserouter-agent: an agent desk for caserouter (interactive, or --auto for demos).");
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  if (rest.size() > 1) {
    absl::FPrintF(stderr, "caserouter-agent: unexpected argument \"%s\"\n", rest[1]);
    return kExitBadInput;
  }
  const bool unattended = absl::GetFlag(FLAGS_auto);
  const int count = absl::GetFlag(FLAGS_count);
  if (count < 1 || (count > 1 && !unattended)) {
    absl::FPrintF(stderr, "caserouter-agent: --count must be 1, or more with --auto\n");
    return kExitBadInput;
  }
  std::vector<std::string> ids;
  if (count == 1 && !absl::GetFlag(FLAGS_agent_id).empty()) {
    ids.push_back(absl::GetFlag(FLAGS_agent_id));
  } else {
    for (int i = 1; i <= count; ++i) ids.push_back(absl::StrCat(absl::GetFlag(FLAGS_id_prefix), i));
  }

  // Unattended runs end on SIGINT/SIGTERM: block them before any thread starts so that only
  // the wait in RunUnattended receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  if (unattended) pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  const std::vector<std::string> targets =
      absl::StrSplit(absl::GetFlag(FLAGS_target), ',', absl::SkipWhitespace());
  if (targets.empty()) {
    absl::FPrintF(stderr, "caserouter-agent: --target: at least one address\n");
    return kExitBadInput;
  }

  auto bad = [](const absl::Status& s) {
    absl::FPrintF(stderr, "caserouter-agent: %s\n", s.message());
    return kExitBadInput;
  };
  // The security files, read once here: a missing one is a bad flag, not a failed connection.
  if (absl::Status files = ChannelCredentialsFor(ClientSecurityFromFlags()).status(); !files.ok()) {
    return bad(files);
  }
  std::vector<std::string> tokens;
  absl::StatusOr<std::string> own = TokenFromFlags();
  if (!own.ok()) return bad(own.status());
  const std::string token_dir = absl::GetFlag(FLAGS_token_dir);
  for (const std::string& id : ids) {
    if (token_dir.empty()) {
      tokens.push_back(*own);
      continue;
    }
    absl::StatusOr<std::string> token = ReadTokenFile(absl::StrCat(token_dir, "/", id, ".jwt"));
    if (!token.ok()) return bad(token.status());
    tokens.push_back(*std::move(token));
  }

  if (absl::GetFlag(FLAGS_create)) {
    std::string supervisor_token;
    if (!absl::GetFlag(FLAGS_supervisor_token_file).empty()) {
      absl::StatusOr<std::string> token = ReadTokenFile(absl::GetFlag(FLAGS_supervisor_token_file));
      if (!token.ok()) return bad(token.status());
      supervisor_token = *std::move(token);
    }
    for (const std::string& id : ids) {
      absl::StatusOr<v1::AgentProfile> profile = ProfileFromFlags(id);
      if (!profile.ok()) {
        absl::FPrintF(stderr, "caserouter-agent: %s\n", profile.status().message());
        return kExitBadInput;
      }
      grpc::Status status = CreateOrUpdate(targets, *profile, supervisor_token);
      if (!status.ok()) {
        absl::FPrintF(stderr, "caserouter-agent: creating %s: %s %s\n", id,
                      CodeName(status.error_code()), status.error_message());
        return status.error_code() == grpc::StatusCode::INVALID_ARGUMENT ? kExitBadInput
                                                                         : kExitUnavailable;
      }
    }
  }
  return unattended ? RunUnattended(targets, ids, tokens, signals)
                    : RunInteractive(targets, ids[0], tokens[0]);
}

}  // namespace
}  // namespace caserouter

int main(int argc, char** argv) { return caserouter::Main(argc, argv); }
