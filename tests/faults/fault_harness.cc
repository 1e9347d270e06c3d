#include "tests/faults/fault_harness.h"

#include <signal.h>

#include <algorithm>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "caserouter/v1/supervision.grpc.pb.h"
#include "tests/support/redis_server.h"

namespace caserouter::faults {
namespace {

bool Retryable(grpc::StatusCode code) {
  return code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED ||
         code == grpc::StatusCode::ABORTED || code == grpc::StatusCode::RESOURCE_EXHAUSTED ||
         code == grpc::StatusCode::CANCELLED;
}

void SetDeadline(grpc::ClientContext* context, absl::Duration d) {
  context->set_deadline(absl::ToChronoTime(absl::Now() + d));
}

bool IsServing(const std::shared_ptr<grpc::Channel>& channel, absl::Duration deadline) {
  absl::StatusOr<int> health = e2e::HealthStatus(channel, "", deadline);
  return health.ok() && *health == 1;
}

}  // namespace

std::string FaultConfigYaml(const std::string& extra) {
  return e2e::TestConfigYaml(absl::Seconds(2), absl::Milliseconds(1500), absl::Seconds(1)) + extra;
}

std::shared_ptr<grpc::Channel> Channels::Get(const std::string& address) {
  absl::MutexLock lock(&mu_);
  auto it = channels_.find(address);
  if (it != channels_.end()) return it->second;
  grpc::ChannelArguments args;
  // Reconnect quickly to a replica that comes back (the default backoff grows to 120 s).
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 500);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 100);
  auto channel = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
  channels_[address] = channel;
  return channel;
}

// --- RouterFleet ---

absl::StatusOr<std::unique_ptr<RouterFleet>> RouterFleet::Start(const std::string& binary,
                                                                const std::string& yaml,
                                                                std::vector<std::string> redis_args,
                                                                const std::string& dir,
                                                                int replicas) {
  auto fleet = std::unique_ptr<RouterFleet>(new RouterFleet());
  fleet->binary_ = binary;
  fleet->redis_args_ = std::move(redis_args);
  fleet->dir_ = dir;
  fleet->config_path_ = absl::StrCat(dir, "/caserouter.yaml");
  std::ofstream(fleet->config_path_) << yaml;
  for (int i = 0; i < replicas; ++i) {
    absl::StatusOr<int> port = PickFreeLoopbackPort();
    if (!port.ok()) return port.status();
    fleet->ports_.push_back(*port);
    fleet->addresses_.push_back(absl::StrCat("127.0.0.1:", *port));
    fleet->processes_.emplace_back();
    fleet->paused_.push_back(false);
  }
  for (int i = 0; i < replicas; ++i) {
    if (absl::Status s = fleet->Launch(i); !s.ok()) return s;
    // The first one leads: the others start as standbys.
    if (i == 0 && fleet->WaitForLeader() != 0) {
      return absl::DeadlineExceededError("the first replica did not lead");
    }
  }
  return fleet;
}

RouterFleet::~RouterFleet() {
  for (int i = 0; i < size(); ++i) {
    if (processes_[i] != nullptr && paused_[i]) kill(processes_[i]->pid(), SIGCONT);
  }
}

absl::Status RouterFleet::Launch(int replica) {
  std::vector<std::string> args = {absl::StrCat("--grpc_address=", addresses_[replica]),
                                   "--metrics_address=", absl::StrCat("--config=", config_path_),
                                   absl::StrCat("--instance_id=replica-", replica),
                                   "--drain_timeout=1s"};
  args.insert(args.end(), redis_args_.begin(), redis_args_.end());
  absl::StatusOr<std::unique_ptr<e2e::RouterProcess>> process = e2e::RouterProcess::Start(
      binary_, args, absl::StrCat(dir_, "/replica-", replica, "-", launches_++, ".log"));
  if (!process.ok()) return process.status();
  processes_[replica] = *std::move(process);
  paused_[replica] = false;
  return absl::OkStatus();
}

int RouterFleet::Leader() const {
  for (int i = 0; i < size(); ++i) {
    if (processes_[i] == nullptr || paused_[i]) continue;
    if (IsServing(e2e::Dial(ports_[i]), absl::Milliseconds(500))) return i;
  }
  return -1;
}

int RouterFleet::WaitForLeader(absl::Duration timeout) const {
  int leader = -1;
  e2e::WaitFor(
      [&] {
        leader = Leader();
        return leader >= 0;
      },
      timeout);
  return leader;
}

pid_t RouterFleet::pid(int replica) const {
  return processes_[replica] == nullptr ? -1 : processes_[replica]->pid();
}

void RouterFleet::Kill(int replica) {
  if (processes_[replica] == nullptr) return;
  if (paused_[replica]) kill(processes_[replica]->pid(), SIGCONT);
  processes_[replica]->Kill();
  processes_[replica].reset();
}

absl::Status RouterFleet::Restart(int replica) {
  Kill(replica);
  return Launch(replica);
}

void RouterFleet::Pause(int replica) {
  if (processes_[replica] == nullptr) return;
  kill(processes_[replica]->pid(), SIGSTOP);
  paused_[replica] = true;
}

void RouterFleet::Resume(int replica) {
  if (processes_[replica] == nullptr) return;
  kill(processes_[replica]->pid(), SIGCONT);
  paused_[replica] = false;
}

// --- LeaderWatch ---

LeaderWatch::LeaderWatch(HistoryRecorder* history, std::vector<std::string> addresses)
    : history_(history), addresses_(std::move(addresses)), thread_([this] { Run(); }) {}

LeaderWatch::~LeaderWatch() {
  stop_.Notify();
  thread_.join();
}

void LeaderWatch::Run() {
  std::map<std::string, bool> last;
  do {
    for (const std::string& address : addresses_) {
      const bool leading = IsServing(channels_.Get(address), absl::Milliseconds(300));
      auto it = last.find(address);
      if (it != last.end() && it->second == leading) continue;
      last[address] = leading;
      HistoryRecord r;
      r.set_kind("leader");
      r.set_replica(address);
      r.set_leading(leading);
      history_->Record(std::move(r));
    }
  } while (!stop_.WaitForNotificationWithTimeout(absl::Milliseconds(50)));
}

// --- Submitters ---

Submitters::Submitters(HistoryRecorder* history, std::vector<std::string> addresses,
                       Options options)
    : history_(history), addresses_(std::move(addresses)), options_(std::move(options)) {
  for (int t = 0; t < options_.threads; ++t) threads_.emplace_back([this, t] { Run(t); });
}

Submitters::~Submitters() { Stop(); }

void Submitters::Stop() {
  stop_ = true;
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

std::vector<absl::Time> Submitters::ok_times() const {
  absl::MutexLock lock(&mu_);
  return ok_times_;
}

void Submitters::Run(int thread) {
  size_t next_address = static_cast<size_t>(thread);
  for (int i = 0; !stop_; ++i) {
    const std::string key = absl::StrCat(options_.key_prefix, "-", thread, "-", i);
    v1::SubmitCaseRequest request = e2e::SampleSubmission(key);
    const absl::Time give_up = absl::Now() + options_.give_up;
    for (;;) {
      const std::string& address = addresses_[next_address % addresses_.size()];
      auto stub = v1::CaseIntakeService::NewStub(channels_.Get(address));
      grpc::ClientContext context;
      SetDeadline(&context, options_.call_deadline);
      v1::SubmitCaseResponse response;
      grpc::Status status = stub->SubmitCase(&context, request, &response);
      HistoryRecord r;
      r.set_kind("submit");
      r.set_replica(address);
      r.set_key(key);
      r.set_customer(request.customer_id());
      r.set_code(CodeName(status.error_code()));
      if (status.ok()) {
        r.set_case_id(response.case_().case_id());
        // The answer's own customer: an id reissued to someone else shows here.
        r.set_customer(response.case_().customer_id());
      }
      history_->Record(std::move(r));
      if (status.ok()) {
        ++acknowledged_;
        absl::MutexLock lock(&mu_);
        ok_times_.push_back(absl::Now());
        break;
      }
      if (!Retryable(status.error_code()) || absl::Now() > give_up) break;
      ++next_address;  // not here: try the next replica
      absl::SleepFor(absl::Milliseconds(20));
    }
    absl::SleepFor(options_.pause_between_cases);
  }
}

// --- FaultDesks ---

class FaultDesks::Desk {
 public:
  Desk(HistoryRecorder* history, std::vector<std::string> targets, const std::string& agent_id,
       const Options& options, uint64_t seed)
      : history_(history),
        options_(options),
        desk_(
            std::move(targets), DeskAgent::Options{.agent_id = agent_id, .seed = seed},
            [this](const v1::ConnectResponse& event) { OnEvent(event); },
            [this](const grpc::Status& end, bool) { OnEnd(end); }) {
    desk_.Start();
  }
  ~Desk() {
    stopping_ = true;
    desk_.Stop();
  }
  std::string replica() const {
    absl::MutexLock lock(&mu_);
    return replica_;
  }

 private:
  enum class Kind { kAccept, kDecline, kComplete };

  HistoryRecord Event(const std::string& kind, const std::string& case_id) {
    HistoryRecord r;
    r.set_kind(kind);
    r.set_agent(desk_.agent_id());
    r.set_case_id(case_id);
    r.set_replica(desk_.target());
    return r;
  }

  void Send(Kind kind, const std::string& case_id) {
    v1::ConnectRequest request;
    if (kind == Kind::kAccept) request.mutable_accept()->set_case_id(case_id);
    if (kind == Kind::kDecline) request.mutable_decline()->set_case_id(case_id);
    if (kind == Kind::kComplete) {
      request.mutable_complete()->set_case_id(case_id);
      request.mutable_complete()->mutable_outcome()->set_resolved(true);
      request.mutable_complete()->mutable_outcome()->set_csat(5);
    }
    absl::MutexLock lock(&mu_);
    const int64_t id = desk_.Send(std::move(request));
    if (id != 0) pending_[id] = {kind, case_id};
  }

  void OnEvent(const v1::ConnectResponse& event) {
    if (event.has_welcome()) {
      HistoryRecord r = Event("welcome", "");
      for (const v1::Case& c : event.welcome().assigned_cases()) {
        r.add_cases(c.case_id());
        const std::string id = c.case_id();
        desk_.After(options_.handle_time, [this, id] { Send(Kind::kComplete, id); });
      }
      {
        absl::MutexLock lock(&mu_);
        replica_ = desk_.target();
      }
      history_->Record(std::move(r));
    } else if (event.has_offer()) {
      const std::string id = event.offer().case_().case_id();
      history_->Record(Event("offer", id));
      const int n = ++offers_;
      const bool decline = options_.decline_every > 0 && n % options_.decline_every == 0;
      desk_.After(options_.accept_delay,
                  [this, id, decline] { Send(decline ? Kind::kDecline : Kind::kAccept, id); });
    } else if (event.has_offer_revoked()) {
      history_->Record(Event("revoked", event.offer_revoked().case_id()));
    } else if (event.has_ack()) {
      std::pair<Kind, std::string> pending;
      {
        absl::MutexLock lock(&mu_);
        auto it = pending_.find(event.ack().request_id());
        if (it == pending_.end()) return;  // hello, presence, heartbeats
        pending = it->second;
        pending_.erase(it);
      }
      const char* kind = pending.first == Kind::kAccept    ? "accept"
                         : pending.first == Kind::kDecline ? "decline"
                                                           : "complete";
      HistoryRecord r = Event(kind, pending.second);
      r.set_code(CodeName(event.ack().code()));
      history_->Record(std::move(r));
      if (pending.first == Kind::kAccept && event.ack().code() == 0) {
        const std::string id = pending.second;
        desk_.After(options_.handle_time, [this, id] { Send(Kind::kComplete, id); });
      }
    }
  }

  void OnEnd(const grpc::Status& end) {
    HistoryRecord r = Event("desk_end", "");
    r.set_code(CodeName(end.error_code()));
    history_->Record(std::move(r));
    absl::MutexLock lock(&mu_);
    pending_.clear();  // their Acks will not come
  }

  HistoryRecorder* const history_;
  const Options options_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> offers_{0};
  mutable absl::Mutex mu_;
  std::map<int64_t, std::pair<Kind, std::string>> pending_ ABSL_GUARDED_BY(mu_);
  std::string replica_ ABSL_GUARDED_BY(mu_);
  DeskAgent desk_;  // last: its threads stop before the members above go
};

FaultDesks::FaultDesks(HistoryRecorder* history, std::vector<std::string> addresses,
                       Options options)
    : history_(history) {
  for (int i = 0; i < options.desks; ++i) {
    const std::string id = absl::StrCat(options.id_prefix, i);
    if (options.create) {
      created_ = CreateAgentOnLeader(addresses, id);
      if (!created_.ok()) return;
    }
    desks_.push_back(std::make_unique<Desk>(history, addresses, id, options, 1000 + i));
  }
}

FaultDesks::~FaultDesks() { desks_.clear(); }

std::map<std::string, std::string> FaultDesks::replicas() const {
  std::map<std::string, std::string> out;
  for (size_t i = 0; i < desks_.size(); ++i) out[absl::StrCat(i)] = desks_[i]->replica();
  return out;
}

bool FaultDesks::WaitUntilAllOn(const std::string& address, absl::Duration timeout) const {
  return e2e::WaitFor(
      [&] {
        for (const auto& desk : desks_) {
          if (desk->replica() != address) return false;
        }
        return true;
      },
      timeout);
}

absl::Status CreateAgentOnLeader(const std::vector<std::string>& addresses,
                                 const std::string& agent_id) {
  const absl::Time give_up = absl::Now() + absl::Seconds(20);
  grpc::Status status;
  for (size_t attempt = 0; absl::Now() < give_up; ++attempt) {
    e2e::Clients clients(grpc::CreateChannel(addresses[attempt % addresses.size()],
                                             grpc::InsecureChannelCredentials()));
    status = clients.CreateAgent(agent_id, {{"billing", 8}});
    if (status.ok() || status.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
      return absl::OkStatus();
    }
    absl::SleepFor(absl::Milliseconds(100));
  }
  return absl::UnavailableError(
      absl::StrCat("cannot create ", agent_id, ": ", status.error_message()));
}

void FinalSweep(HistoryRecorder* history, const std::vector<std::string>& addresses,
                absl::Duration timeout) {
  std::set<std::string> acknowledged;
  for (const HistoryRecord& r : history->Snapshot()) {
    if (r.kind() == "submit" && r.code() == "OK") acknowledged.insert(r.case_id());
  }
  Channels channels;
  size_t next = 0;
  for (const std::string& id : acknowledged) {
    const absl::Time give_up = absl::Now() + timeout;
    for (;;) {
      const std::string& address = addresses[next % addresses.size()];
      auto stub = v1::CaseIntakeService::NewStub(channels.Get(address));
      grpc::ClientContext context;
      SetDeadline(&context, absl::Seconds(2));
      v1::GetCaseRequest request;
      request.set_case_id(id);
      v1::GetCaseResponse response;
      grpc::Status status = stub->GetCase(&context, request, &response);
      if (Retryable(status.error_code()) && absl::Now() < give_up) {
        ++next;
        absl::SleepFor(absl::Milliseconds(20));
        continue;
      }
      HistoryRecord r;
      r.set_kind("get");
      r.set_final(true);
      r.set_replica(address);
      r.set_case_id(id);
      r.set_code(CodeName(status.error_code()));
      if (status.ok()) r.set_customer(response.case_().customer_id());
      history->Record(std::move(r));
      break;
    }
  }
}

absl::Time RecordFault(HistoryRecorder* history, const std::string& what) {
  HistoryRecord r;
  r.set_kind("fault");
  r.set_detail(what);
  const absl::Time now = absl::Now();
  r.set_time_micros(absl::ToUnixMicros(now));
  history->Record(std::move(r));
  return now;
}

absl::Duration TimeToFirstOk(const std::vector<absl::Time>& ok_times, absl::Time fault) {
  for (absl::Time t : ok_times) {
    if (t > fault) return t - fault;
  }
  return absl::InfiniteDuration();
}

}  // namespace caserouter::faults
