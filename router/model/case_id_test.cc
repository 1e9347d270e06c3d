// Case ids: the format, strict order within one generator, creation order across generators,
// and random bits that neither repeat nor follow from the last id.
#include "router/model/case_id.h"

#include <set>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "router/model/random_source.h"
#include "router/model/validation.h"

namespace caserouter {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1700000000);

std::string MustNext(CaseIdGenerator& ids, absl::Time now) {
  absl::StatusOr<std::string> id = ids.Next(now);
  EXPECT_TRUE(id.ok()) << id.status();
  return id.ok() ? *id : "";
}

TEST(CaseIdTest, HasTheDocumentedFormatAndPassesTheApisIdRule) {
  SystemRandomSource random;
  CaseIdGenerator ids(&random);
  std::string id = MustNext(ids, kNow);
  EXPECT_EQ(id.size(), kCaseIdLength);
  EXPECT_EQ(id.size(), 29u);
  EXPECT_EQ(id[0], 'c');
  EXPECT_TRUE(IsCaseIdFormat(id)) << id;
  EXPECT_TRUE(ValidateId("case_id", id).ok());
  for (const char* other : {"c00000001", "", "C01hk0000000000000000000000000",
                            "c01hk000000000000000000000000i", "x01hk00000000000000000000000000"}) {
    EXPECT_FALSE(IsCaseIdFormat(other)) << other;
  }
}

TEST(CaseIdTest, TheTimePartIsTheClockInMicroseconds) {
  SeededRandomSource random(1);
  CaseIdGenerator ids(&random);
  // 1700000000 s = 1700000000000000 us, in 12 base32 digits.
  EXPECT_EQ(MustNext(ids, kNow).substr(1, kCaseIdTimeChars), "01ga4gc1wg00");
}

TEST(CaseIdTest, OneGeneratorsIdsIncreaseStrictlyWhateverTheClockDoes) {
  SeededRandomSource random(7);
  CaseIdGenerator ids(&random);
  std::vector<absl::Time> times = {
      kNow, kNow, kNow, kNow - absl::Hours(1), kNow + absl::Seconds(1), kNow + absl::Seconds(1),
      kNow};
  std::string last;
  for (absl::Time t : times) {
    std::string id = MustNext(ids, t);
    EXPECT_GT(id, last);
    last = id;
  }
}

TEST(CaseIdTest, IdsSortByCreationTimeAcrossGenerators) {
  SeededRandomSource a_random(1), b_random(2);
  CaseIdGenerator a(&a_random), b(&b_random);
  std::string earlier = MustNext(b, kNow);
  std::string later = MustNext(a, kNow + absl::Microseconds(1));
  EXPECT_LT(earlier, later);
}

// What a rolled-back store or a restarted replica does: a new generator starts again at the
// same moment. Only the random bits keep the ids apart, and they do.
TEST(CaseIdTest, GeneratorsStartingAtTheSameMomentDoNotCollide) {
  SystemRandomSource random;
  std::set<std::string> seen;
  for (int replica = 0; replica < 100; ++replica) {
    CaseIdGenerator ids(&random);
    for (int i = 0; i < 100; ++i) {
      EXPECT_TRUE(seen.insert(MustNext(ids, kNow)).second);
    }
  }
}

// The random part is drawn afresh for every id: knowing one id does not give the next (as
// incrementing it would).
TEST(CaseIdTest, TheRandomPartDoesNotFollowFromTheLastId) {
  SystemRandomSource random;
  CaseIdGenerator ids(&random);
  std::set<std::string> random_parts;
  std::string previous = MustNext(ids, kNow).substr(1 + kCaseIdTimeChars);
  int adjacent = 0;
  for (int i = 0; i < 1000; ++i) {
    std::string part = MustNext(ids, kNow).substr(1 + kCaseIdTimeChars);
    random_parts.insert(part);
    // Same first 15 characters: within 32 of the previous value.
    if (part.substr(0, kCaseIdRandomChars - 1) == previous.substr(0, kCaseIdRandomChars - 1)) {
      ++adjacent;
    }
    previous = part;
  }
  EXPECT_EQ(random_parts.size(), 1000u);
  EXPECT_EQ(adjacent, 0);
}

TEST(CaseIdTest, ASeededSourceMakesTheSameIdsAgain) {
  SeededRandomSource first_random(42), second_random(42);
  CaseIdGenerator first(&first_random), second(&second_random);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(MustNext(first, kNow), MustNext(second, kNow));
}

TEST(RandomSourceTest, TheSystemSourceGivesFreshBytes) {
  SystemRandomSource random;
  std::vector<uint8_t> a(64), b(64);
  ASSERT_TRUE(random.Fill(absl::MakeSpan(a)).ok());
  ASSERT_TRUE(random.Fill(absl::MakeSpan(b)).ok());
  EXPECT_NE(a, b);
  EXPECT_NE(a, std::vector<uint8_t>(64, 0));
  EXPECT_TRUE(random.Fill(absl::Span<uint8_t>()).ok());
}

}  // namespace
}  // namespace caserouter
