#include "router/service/audit_log.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"

namespace caserouter {
namespace {

class FixedClock final : public Clock {
 public:
  absl::Time Now() override { return now; }
  absl::Time now = absl::FromUnixSeconds(1800000000);
};

struct Recorded {
  std::string type, case_id, agent_id, detail;
};

class AuditLogTest : public ::testing::Test {
 protected:
  AuditLogTest()
      : log_(&registry_, &clock_,
             [this](std::string type, std::string case_id, std::string agent_id,
                    std::string detail) {
               events_.push_back({type, case_id, agent_id, detail});
             }) {}

  std::string Metrics() { return prometheus::TextSerializer().Serialize(registry_.Collect()); }

  prometheus::Registry registry_;
  FixedClock clock_;
  std::vector<Recorded> events_;
  AuditLog log_;
};

TEST_F(AuditLogTest, RefusalsAndSupervisorActionsAreCountedAndWrittenWithTheCaller) {
  Identity bo{Role::kAgent, "bo", "default", CredentialKind::kToken};
  Identity alice{Role::kSupervisor, "alice", "default", CredentialKind::kCertificate};
  log_.Refused(nullptr, Rpc::kSubmitCase, absl::StatusCode::kUnauthenticated, "ipv4:10.0.0.1:1");
  log_.Refused(&bo, Rpc::kConnect, absl::StatusCode::kPermissionDenied, "ipv4:10.0.0.2:2");
  log_.SupervisorAction(alice, Rpc::kUpdateAgent, "", "ana");
  ASSERT_EQ(events_.size(), 3u);
  EXPECT_EQ(events_[0].type, "call_refused");
  EXPECT_EQ(events_[0].detail,
            "method=SubmitCase code=unauthenticated caller=- peer=ipv4:10.0.0.1:1");
  EXPECT_EQ(events_[1].agent_id, "bo");
  EXPECT_EQ(events_[1].detail,
            "method=Connect code=permission_denied caller=agent:bo credential=token "
            "peer=ipv4:10.0.0.2:2");
  EXPECT_EQ(events_[2].type, "supervisor_action");
  EXPECT_EQ(events_[2].agent_id, "ana");
  EXPECT_EQ(events_[2].detail, "method=UpdateAgent caller=supervisor:alice credential=certificate");
  const std::string metrics = Metrics();
  EXPECT_NE(metrics.find("caserouter_auth_refusals_total{code=\"unauthenticated\",method="
                         "\"SubmitCase\",role=\"none\"} 1"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("caserouter_auth_refusals_total{code=\"permission_denied\",method="
                         "\"Connect\",role=\"agent\"} 1"),
            std::string::npos);
  EXPECT_NE(metrics.find("caserouter_supervisor_actions_total{method=\"UpdateAgent\"} 1"),
            std::string::npos);
}

TEST_F(AuditLogTest, AFloodIsCountedInFullButWrittenAtTheBucketsRate) {
  for (int i = 0; i < 5000; ++i) {
    log_.Refused(nullptr, Rpc::kConnect, absl::StatusCode::kUnauthenticated, "ipv4:x:1");
  }
  EXPECT_EQ(events_.size(), static_cast<size_t>(AuditLog::kEventBurst));
  const std::string metrics = Metrics();
  EXPECT_NE(metrics.find("caserouter_auth_refusals_total{code=\"unauthenticated\",method="
                         "\"Connect\",role=\"none\"} 5000"),
            std::string::npos);
  EXPECT_NE(metrics.find("caserouter_audit_events_suppressed_total " +
                         std::to_string(5000 - AuditLog::kEventBurst)),
            std::string::npos)
      << metrics;
  log_.Flush();
  ASSERT_EQ(events_.size(), static_cast<size_t>(AuditLog::kEventBurst) + 1);
  EXPECT_EQ(events_.back().type, "audit_suppressed");
  EXPECT_EQ(events_.back().detail, "call_refused=" + std::to_string(5000 - AuditLog::kEventBurst) +
                                       " supervisor_action=0");
  log_.Flush();  // nothing more held back: no event
  EXPECT_EQ(events_.size(), static_cast<size_t>(AuditLog::kEventBurst) + 1);
  // The bucket refills with time.
  clock_.now += absl::Seconds(1);
  log_.Refused(nullptr, Rpc::kConnect, absl::StatusCode::kUnauthenticated, "ipv4:x:1");
  EXPECT_EQ(events_.size(), static_cast<size_t>(AuditLog::kEventBurst) + 2);
}

}  // namespace
}  // namespace caserouter
