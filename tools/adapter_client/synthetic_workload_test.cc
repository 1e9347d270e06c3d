#include "tools/adapter_client/synthetic_workload.h"

#include <map>
#include <set>

#include "gtest/gtest.h"
#include "router/model/validation.h"

namespace caserouter {
namespace {

TEST(SyntheticWorkloadTest, SameSeedSameTrace) {
  SyntheticOptions options;
  options.seed = 3;
  options.duration = absl::Minutes(2);
  Trace a = GenerateSyntheticTrace(options);
  Trace b = GenerateSyntheticTrace(options);
  ASSERT_EQ(a.cases.size(), b.cases.size());
  for (size_t i = 0; i < a.cases.size(); ++i) {
    EXPECT_EQ(a.cases[i].arrival, b.cases[i].arrival);
    EXPECT_EQ(a.cases[i].spec.customer_id, b.cases[i].spec.customer_id);
    EXPECT_EQ(a.cases[i].spec.idempotency_key, b.cases[i].spec.idempotency_key);
  }
  options.seed = 4;
  Trace c = GenerateSyntheticTrace(options);
  EXPECT_NE(c.cases.front().arrival, a.cases.front().arrival);
}

TEST(SyntheticWorkloadTest, PoissonRateMixAndRepeats) {
  SyntheticOptions options;
  options.cases_per_second = 5;
  options.duration = absl::Hours(1);
  options.customers = 200;
  Trace trace = GenerateSyntheticTrace(options);
  // 18000 expected; a Poisson count has sd ~134.
  EXPECT_NEAR(static_cast<double>(trace.cases.size()), 18000, 600);
  std::map<Channel, int> by_channel;
  std::set<std::string> keys, customers;
  absl::Duration last;
  for (const TraceCase& c : trace.cases) {
    EXPECT_GE(c.arrival, last);
    EXPECT_LT(c.arrival, options.duration);
    last = c.arrival;
    ++by_channel[c.spec.channel];
    keys.insert(c.spec.idempotency_key);
    customers.insert(c.spec.customer_id);
    ASSERT_TRUE(ValidateCaseSpec(c.spec).ok()) << ValidateCaseSpec(c.spec);
  }
  EXPECT_EQ(keys.size(), trace.cases.size());  // every key unique
  EXPECT_LE(customers.size(), 200u);           // a pool: customers come back
  const double n = static_cast<double>(trace.cases.size());
  EXPECT_NEAR(by_channel[Channel::kPhone] / n, 0.35, 0.02);
  EXPECT_NEAR(by_channel[Channel::kEmail] / n, 0.20, 0.02);
}

TEST(SyntheticWorkloadTest, MaxCasesCaps) {
  SyntheticOptions options;
  options.max_cases = 7;
  EXPECT_EQ(GenerateSyntheticTrace(options).cases.size(), 7u);
}

TEST(SyntheticWorkloadTest, ValidationNamesTheOption) {
  SyntheticOptions options;
  options.cases_per_second = 0;
  EXPECT_EQ(ValidateSyntheticOptions(options).code(), absl::StatusCode::kInvalidArgument);
  options = {};
  options.customers = 0;
  EXPECT_NE(ValidateSyntheticOptions(options).message().find("customers"), std::string::npos);
  EXPECT_TRUE(ValidateSyntheticOptions(SyntheticOptions()).ok());
}

}  // namespace
}  // namespace caserouter
