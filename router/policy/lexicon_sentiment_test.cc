#include "router/policy/lexicon_sentiment.h"

#include <cmath>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "gtest/gtest.h"

namespace caserouter {
namespace {

TEST(LexiconSentimentTest, AngryCustomersScoreClearlyNegative) {
  for (const char* text : {
           "@AcmeHelp worst customer service ever. Still waiting for my refund!!!",
           "This is ridiculous, I have been waiting 3 hours and nobody answers",
           "Your app is broken AGAIN. Absolutely terrible, cancel my account",
           "I hate this company, never ordering again 😡",
           "still not working, so frustrated :(",
           "You charged me twice and nobody will give me a refund. Unacceptable.",
       }) {
    EXPECT_LT(ScoreSentiment(text), -0.3) << text;
  }
}

TEST(LexiconSentimentTest, ThankfulCustomersScoreClearlyPositive) {
  for (const char* text : {
           "Thanks so much, you guys are great!",
           "@AcmeHelp love the new update, works perfectly :)",
           "Thank you for the quick help, really appreciate it 🙏",
           "Awesome service, the agent was friendly and helpful",
           "All fixed now, thanks!",
       }) {
    EXPECT_GT(ScoreSentiment(text), 0.3) << text;
  }
}

TEST(LexiconSentimentTest, NeutralTextScoresNearZero) {
  for (const char* text : {
           "My order number is 12345 and I ordered it on Monday.",
           "@AcmeHelp what time does the store open on Sunday?",
           "Sent you a DM with my account details",
           "https://t.co/terrible @worst_deals",
       }) {
    EXPECT_NEAR(ScoreSentiment(text), 0.0, 0.15) << text;
  }
  EXPECT_EQ(ScoreSentiment("My order number is 12345."), 0.0);
}

TEST(LexiconSentimentTest, EmptyIsZero) {
  EXPECT_EQ(ScoreSentiment(""), 0.0);
  EXPECT_EQ(ScoreSentiment("   \n\t"), 0.0);
  EXPECT_EQ(ScoreSentiment("!!!???"), 0.0);
}

TEST(LexiconSentimentTest, NegationFlips) {
  EXPECT_GT(ScoreSentiment("the app is good"), 0.2);
  EXPECT_LT(ScoreSentiment("the app is not good"), -0.2);
  EXPECT_LT(ScoreSentiment("the app isn't good"), -0.2);
  EXPECT_LT(ScoreSentiment("the app isn’t good"), -0.2);  // curly apostrophe
  EXPECT_LT(ScoreSentiment("the app isnt good"), -0.2);
  EXPECT_LT(ScoreSentiment("the app is bad"), -0.2);
  EXPECT_GT(ScoreSentiment("the app is not bad"), 0.2);
  EXPECT_LT(ScoreSentiment("it doesn't work at all"), -0.1);
  EXPECT_GT(ScoreSentiment("no problem at all"), 0.0);
  EXPECT_GT(ScoreSentiment("can't wait for the launch"), 0.0);
}

TEST(LexiconSentimentTest, NegationStopsAtTheSentenceEnd) {
  EXPECT_GT(ScoreSentiment("Not sure. Great service though"), 0.3);
  EXPECT_LT(ScoreSentiment("Not sure, great service though"), 0.0);  // same sentence
}

TEST(LexiconSentimentTest, IntensifiersAndDampenersScaleTheMagnitude) {
  const double bad = ScoreSentiment("the wait was bad");
  EXPECT_LT(ScoreSentiment("the wait was very bad"), bad);
  EXPECT_GT(ScoreSentiment("the wait was slightly bad"), bad);
  const double good = ScoreSentiment("the food was good");
  EXPECT_GT(ScoreSentiment("the food was really good"), good);
}

TEST(LexiconSentimentTest, CapitalsAndExclamationsAddWeight) {
  EXPECT_LT(ScoreSentiment("this is TERRIBLE"), ScoreSentiment("this is terrible"));
  EXPECT_LT(ScoreSentiment("this is terrible!!!"), ScoreSentiment("this is terrible"));
  EXPECT_GT(ScoreSentiment("this is GREAT"), ScoreSentiment("this is great"));
  EXPECT_GT(ScoreSentiment("this is great!!!"), ScoreSentiment("this is great"));
  // More than four marks add nothing more.
  EXPECT_EQ(ScoreSentiment("this is great!!!!"), ScoreSentiment("this is great!!!!!!!!"));
  // An acronym in capitals is not shouting.
  EXPECT_EQ(ScoreSentiment("LOL"), ScoreSentiment("lol"));
  // Capitals on a word without sentiment change nothing.
  EXPECT_EQ(ScoreSentiment("ORDER 12345"), 0.0);
  // Repeated question marks amplify what is there.
  EXPECT_LT(ScoreSentiment("why is it still broken???"), ScoreSentiment("why is it still broken?"));
}

TEST(LexiconSentimentTest, ButWeighsWhatFollows) {
  EXPECT_LT(ScoreSentiment("The staff were nice but the food was terrible"), 0.0);
  EXPECT_GT(ScoreSentiment("The food was terrible but the staff were great"), 0.0);
}

TEST(LexiconSentimentTest, EmoticonsAndEmoji) {
  EXPECT_GT(ScoreSentiment("ok :)"), ScoreSentiment("ok"));
  EXPECT_LT(ScoreSentiment("ok :("), 0.0);
  EXPECT_GT(ScoreSentiment("<3"), 0.0);
  EXPECT_LT(ScoreSentiment("\xF0\x9F\x98\xA1"), -0.3);  // 😡
  EXPECT_GT(ScoreSentiment("\xF0\x9F\x91\x8D"), 0.3);   // 👍
  // Not emoticons: times, links, words.
  EXPECT_EQ(ScoreSentiment("meet at 10:30) ok"), ScoreSentiment("meet at 10:30 ok"));
  EXPECT_EQ(ScoreSentiment("see https://example.com/:("), 0.0);
  EXPECT_EQ(ScoreSentiment("Note:Done"), 0.0);
}

TEST(LexiconSentimentTest, DeterministicAndBounded) {
  const std::string text = "@x NEVER AGAIN!!!! worst worst worst terrible awful hate 😡😡😡";
  const double first = ScoreSentiment(text);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(ScoreSentiment(text), first);
  EXPECT_GE(first, -1.0);
  EXPECT_LT(first, -0.9);

  std::string positive;
  for (int i = 0; i < 1000; ++i) positive += "great awesome love ";
  EXPECT_LE(ScoreSentiment(positive), 1.0);
  EXPECT_GT(ScoreSentiment(positive), 0.99);

  // Arbitrary bytes, overlong words, lone multi-byte prefixes: no crash, in range.
  std::string noise;
  for (int i = 0; i < 4096; ++i) noise.push_back(static_cast<char>((i * 7919) % 256));
  noise += std::string(100, 'a') + "\xF0\x9F" + "\xE2\x80";
  const double score = ScoreSentiment(noise);
  EXPECT_GE(score, -1.0);
  EXPECT_LE(score, 1.0);
}

TEST(LexiconSentimentTest, LexiconIsWellFormed) {
  absl::Span<const SentimentWord> lexicon = SentimentLexicon();
  EXPECT_GE(lexicon.size(), 300u);
  absl::flat_hash_set<absl::string_view> seen;
  for (const SentimentWord& entry : lexicon) {
    EXPECT_TRUE(seen.insert(entry.word).second) << "duplicate: " << entry.word;
    EXPECT_EQ(absl::AsciiStrToLower(entry.word), entry.word);
    EXPECT_EQ(entry.word.find('\''), absl::string_view::npos) << entry.word;
    EXPECT_NE(entry.valence, 0.0) << entry.word;
    EXPECT_LE(std::abs(entry.valence), 4.0) << entry.word;
  }
  // Every listed word is actually scored, with its sign.
  for (const SentimentWord& entry : lexicon) {
    const double score = ScoreSentiment(std::string(entry.word));
    EXPECT_EQ(score > 0, entry.valence > 0) << entry.word;
    EXPECT_NE(score, 0.0) << entry.word;
  }
}

}  // namespace
}  // namespace caserouter
