// The one table per closed set pairs every engine value with an API value, both ways, and the
// API value's word (proto/enum_words.h) is the model's name for the value: what clients print
// and parse is what the router writes in events, configuration and metric labels.
#include "router/service/api_enums.h"

#include <iterator>
#include <set>
#include <string>

#include "gtest/gtest.h"
#include "proto/enum_words.h"

namespace caserouter {
namespace {

// Every entry of `names` (the model's table) has exactly one pair, whose API word is the
// model's name; no two pairs share an API value; the zero API value is never paired unless
// `zero_pairs` names the model value it stands for.
template <typename Model, typename Api, size_t N, size_t M>
void ExpectPairsMatchNames(const EnumPair<Model, Api> (&pairs)[N],
                           const EnumName<Model> (&names)[M], const char* set) {
  std::set<int> api_values;
  for (const auto& pair : pairs) {
    EXPECT_TRUE(api_values.insert(static_cast<int>(pair.api)).second)
        << set << ": API value " << pair.api << " paired twice";
    const std::string name(NameOf(names, pair.model));
    const std::string word = EnumWord(pair.api);
    if (name.empty()) {
      EXPECT_EQ(static_cast<int>(pair.api), 0) << set << ": the model's unnamed value";
    } else {
      EXPECT_EQ(word, name) << set;
    }
    EXPECT_EQ(ModelOf(pairs, static_cast<int>(pair.api)), pair.model) << set << " " << word;
    EXPECT_EQ(ApiOf(pairs, pair.model, static_cast<Api>(0)), pair.api) << set << " " << word;
  }
  for (const auto& entry : names) {
    int found = 0;
    for (const auto& pair : pairs) found += pair.model == entry.value ? 1 : 0;
    EXPECT_EQ(found, 1) << set << ": \"" << entry.name << "\" has " << found << " pairs";
  }
}

TEST(ApiEnumsTest, EveryTableMatchesTheModelsNames) {
  ExpectPairsMatchNames(kChannelPairs, kChannelNames, "channel");
  ExpectPairsMatchNames(kPresencePairs, kPresenceNames, "presence");
  ExpectPairsMatchNames(kCaseStatePairs, kCaseStateNames, "case state");
  ExpectPairsMatchNames(kEndReasonPairs, kEndReasonNames, "end reason");
  ExpectPairsMatchNames(kCancelReasonPairs, kCancelReasonNames, "cancel reason");
  ExpectPairsMatchNames(kRevocationReasonPairs, kRevocationReasonNames, "revocation reason");
  ExpectPairsMatchNames(kExclusionPairs, kExclusionNames, "exclusion");
  ExpectPairsMatchNames(kStrategyPairs, kStrategyNames, "strategy");
}

TEST(ApiEnumsTest, EveryApiValueButUnspecifiedIsPaired) {
  auto count = [](const google::protobuf::EnumDescriptor* type) {
    return static_cast<size_t>(type->value_count() - 1);
  };
  EXPECT_EQ(std::size(kChannelPairs), count(v1::Channel_descriptor()));
  EXPECT_EQ(std::size(kPresencePairs), count(v1::Presence_descriptor()));
  EXPECT_EQ(std::size(kCaseStatePairs), count(v1::CaseState_descriptor()));
  EXPECT_EQ(std::size(kEndReasonPairs), count(v1::EndReason_descriptor()) + 1);  // kNone
  EXPECT_EQ(std::size(kCancelReasonPairs), count(v1::CancelReason_descriptor()));
  EXPECT_EQ(std::size(kRevocationReasonPairs), count(v1::RevocationReason_descriptor()));
  EXPECT_EQ(std::size(kExclusionPairs), count(v1::ExclusionReason_descriptor()));
  EXPECT_EQ(std::size(kStrategyPairs), count(v1::Strategy_descriptor()));
  EXPECT_EQ(std::size(kPresenceChangeReasonPairs), count(v1::PresenceChangeReason_descriptor()));
  for (const auto& pair : kPresenceChangeReasonPairs) {
    EXPECT_EQ(EnumWord(pair.api), pair.model);
  }
}

TEST(ApiEnumsTest, UnknownValuesHaveNoPair) {
  EXPECT_FALSE(ModelOf(kChannelPairs, v1::CHANNEL_UNSPECIFIED).has_value());
  EXPECT_FALSE(ModelOf(kChannelPairs, 42).has_value());
  EXPECT_EQ(ApiOf(kChannelPairs, static_cast<Channel>(9), v1::CHANNEL_UNSPECIFIED),
            v1::CHANNEL_UNSPECIFIED);
}

TEST(EnumWordsTest, WordsAndBack) {
  EXPECT_EQ(EnumWord(v1::CHANNEL_PHONE), "phone");
  EXPECT_EQ(EnumWord(v1::PRESENCE_WRAP_UP), "wrap_up");
  EXPECT_EQ(EnumWord(v1::END_REASON_NO_AGENT_WITHIN_TTL), "no_agent_within_ttl");
  EXPECT_EQ(EnumWord(v1::CASE_STATE_UNSPECIFIED), "unspecified");
  EXPECT_EQ(EnumWord(static_cast<v1::Channel>(99)), "");
  EXPECT_EQ(EnumFromWord<v1::CancelReason>("post_deleted"), v1::CANCEL_REASON_POST_DELETED);
  EXPECT_EQ(EnumFromWord<v1::Channel>("email"), v1::CHANNEL_EMAIL);
  EXPECT_FALSE(EnumFromWord<v1::Channel>("unspecified").has_value());
  EXPECT_FALSE(EnumFromWord<v1::Channel>("fax").has_value());
}

}  // namespace
}  // namespace caserouter
