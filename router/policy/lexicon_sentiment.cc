#include "router/policy/lexicon_sentiment.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/ascii.h"

namespace caserouter {
namespace {

// Valences on VADER's scale (-4 .. 4). Grouped by meaning for review; the order is free.
constexpr SentimentWord kLexicon[] = {
    // Strongly negative.
    {"worst", -3.1},
    {"terrible", -3.0},
    {"horrible", -3.0},
    {"awful", -2.9},
    {"horrendous", -3.2},
    {"horrific", -3.1},
    {"atrocious", -3.1},
    {"appalling", -3.0},
    {"abysmal", -3.0},
    {"dreadful", -2.8},
    {"disgusting", -3.0},
    {"disgusted", -2.9},
    {"disgrace", -2.8},
    {"disgraceful", -2.9},
    {"pathetic", -2.7},
    {"shameful", -2.6},
    {"unacceptable", -2.8},
    {"inexcusable", -2.8},
    {"outrageous", -2.6},
    {"outraged", -2.9},
    {"furious", -3.0},
    {"livid", -2.9},
    {"hate", -2.7},
    {"hated", -2.6},
    {"hates", -2.5},
    {"hating", -2.5},
    {"scam", -2.9},
    {"scammed", -3.0},
    {"scammers", -3.0},
    {"fraud", -2.8},
    {"fraudulent", -2.9},
    {"ripoff", -2.6},
    {"cheated", -2.6},
    {"thieves", -2.8},
    {"stole", -2.5},
    {"stolen", -2.3},
    {"liar", -2.6},
    {"liars", -2.7},
    {"lied", -2.4},
    {"lies", -2.2},
    {"lying", -2.3},
    {"rubbish", -2.4},
    {"garbage", -2.5},
    {"trash", -2.3},
    {"useless", -2.6},
    {"worthless", -2.6},
    {"incompetent", -2.7},
    {"incompetence", -2.7},
    {"nightmare", -2.7},
    {"ruined", -2.5},
    {"ruin", -2.2},
    {"sucks", -2.4},
    {"suck", -2.2},
    {"sucked", -2.2},
    {"crap", -2.4},
    {"crappy", -2.5},
    {"shit", -2.6},
    {"shitty", -2.7},
    {"bullshit", -2.8},
    {"wtf", -2.5},
    {"fuck", -2.8},
    {"fucking", -2.6},
    {"fucked", -2.8},
    {"damn", -1.6},
    {"hell", -1.6},
    {"ridiculous", -2.4},
    {"absurd", -2.0},
    {"joke", -1.5},
    {"laughable", -1.8},
    {"unprofessional", -2.4},
    {"disrespectful", -2.3},
    {"disrespect", -2.1},
    {"lousy", -2.3},
    {"unbelievable", -1.0},
    {"shocking", -2.1},
    {"sickening", -2.6},
    {"hopeless", -2.2},
    {"stupid", -2.2},
    {"idiot", -2.5},
    {"idiots", -2.6},
    {"dumb", -1.9},
    {"nasty", -2.3},
    {"gross", -2.0},
    {"greedy", -2.0},
    {"misleading", -2.1},
    {"misled", -2.1},
    {"unfair", -2.0},
    {"fake", -1.8},
    {"hacked", -2.0},
    {"robbed", -2.7},
    {"threatening", -2.2},

    // Negative.
    {"bad", -2.5},
    {"worse", -2.3},
    {"poor", -2.1},
    {"poorly", -1.9},
    {"angry", -2.3},
    {"mad", -2.0},
    {"annoyed", -2.0},
    {"annoying", -2.1},
    {"annoys", -1.8},
    {"frustrated", -2.2},
    {"frustrating", -2.2},
    {"frustration", -2.1},
    {"disappointed", -2.1},
    {"disappointing", -2.2},
    {"disappointment", -2.2},
    {"disappoint", -1.9},
    {"upset", -1.9},
    {"unhappy", -2.0},
    {"sad", -2.0},
    {"rude", -2.2},
    {"unhelpful", -2.1},
    {"unresponsive", -2.0},
    {"unreliable", -2.0},
    {"broken", -2.0},
    {"broke", -1.7},
    {"fail", -2.1},
    {"failed", -2.1},
    {"fails", -2.0},
    {"failing", -2.0},
    {"failure", -2.2},
    {"faulty", -1.9},
    {"defective", -2.0},
    {"damaged", -1.8},
    {"damage", -1.5},
    {"wrong", -1.7},
    {"error", -1.3},
    {"errors", -1.3},
    {"bug", -1.2},
    {"bugs", -1.2},
    {"buggy", -1.8},
    {"glitch", -1.3},
    {"glitches", -1.3},
    {"crash", -1.7},
    {"crashed", -1.8},
    {"crashes", -1.8},
    {"crashing", -1.8},
    {"problem", -1.4},
    {"problems", -1.5},
    {"issue", -0.9},
    {"issues", -1.0},
    {"trouble", -1.4},
    {"outage", -1.8},
    {"outages", -1.8},
    {"slow", -1.3},
    {"slowest", -1.8},
    {"delayed", -1.4},
    {"delay", -1.3},
    {"delays", -1.4},
    {"late", -1.1},
    {"lost", -1.4},
    {"missing", -1.2},
    {"stuck", -1.4},
    {"hassle", -1.6},
    {"mess", -1.7},
    {"messed", -1.7},
    {"nonsense", -1.9},
    {"shocked", -1.6},
    {"sick", -1.5},
    {"tired", -1.4},
    {"fed", -0.9},
    {"ugh", -1.9},
    {"smh", -1.6},
    {"sigh", -1.1},
    {"meh", -0.9},
    {"complaint", -1.6},
    {"complaints", -1.6},
    {"complain", -1.5},
    {"complaining", -1.5},
    {"complained", -1.5},
    {"ignored", -1.9},
    {"ignoring", -1.9},
    {"ignore", -1.5},
    {"waste", -1.9},
    {"wasted", -2.0},
    {"wasting", -2.0},
    {"overcharged", -2.1},
    {"overpriced", -1.8},
    {"expensive", -0.9},
    {"charged", -0.6},
    {"refund", -1.2},
    {"refunds", -1.2},
    {"cancel", -1.3},
    {"cancelled", -1.4},
    {"canceled", -1.4},
    {"cancelling", -1.3},
    {"canceling", -1.3},
    {"cancellation", -1.2},
    {"unable", -1.1},
    {"impossible", -1.6},
    {"confused", -1.1},
    {"confusing", -1.3},
    {"worried", -1.3},
    {"worry", -1.1},
    {"worries", -1.0},
    {"concerned", -0.9},
    {"fault", -1.4},
    {"dead", -1.6},
    {"denied", -1.6},
    {"declined", -1.1},
    {"rejected", -1.6},
    {"disconnected", -1.1},
    {"dropped", -0.8},
    {"blocked", -1.1},
    {"locked", -0.8},
    {"threat", -1.6},
    {"sue", -2.0},
    {"lawsuit", -1.7},
    {"dirty", -1.6},
    {"lame", -1.6},
    {"boring", -1.3},
    {"painful", -1.9},
    {"pain", -1.6},
    {"hurt", -1.6},
    {"scared", -1.6},
    {"afraid", -1.4},
    {"fear", -1.6},
    {"panic", -1.8},
    {"crazy", -1.0},
    {"insane", -1.4},
    {"embarrassing", -1.9},
    {"embarrassed", -1.6},
    {"ashamed", -2.0},
    {"false", -1.0},
    {"unfortunately", -1.1},
    {"unfortunate", -1.2},
    {"regret", -1.4},
    {"sorry", -0.3},
    {"impatient", -1.1},
    {"forever", -0.6},
    {"cold", -0.6},
    {"spoiled", -1.5},
    {"wrecked", -2.0},
    {"cheap", -0.8},
    {"inconvenience", -1.4},
    {"inconvenient", -1.4},
    {"difficult", -1.2},
    {"hard", -0.5},
    {"struggling", -1.5},
    {"struggle", -1.4},
    {"helpless", -1.9},
    {"desperate", -1.8},
    {"unanswered", -1.6},
    {"rudely", -2.0},
    {"hung", -0.9},
    {"disconnecting", -1.1},

    // Support-domain negatives: the words of a customer who has been let down before.
    {"still", -0.8},
    {"never", -1.2},
    {"waiting", -1.0},
    {"waited", -1.1},
    {"wait", -0.7},
    {"nobody", -1.0},
    {"no", -0.6},
    {"nothing", -0.5},
    {"again", -0.3},

    // Positive.
    {"thanks", 1.9},
    {"thank", 1.5},
    {"thx", 1.5},
    {"ty", 1.2},
    {"thankful", 2.0},
    {"grateful", 2.3},
    {"appreciate", 2.0},
    {"appreciated", 2.0},
    {"appreciation", 1.8},
    {"great", 3.1},
    {"good", 1.9},
    {"nice", 1.8},
    {"love", 3.2},
    {"loved", 2.9},
    {"loves", 2.7},
    {"loving", 2.9},
    {"lovely", 2.8},
    {"awesome", 3.1},
    {"amazing", 2.8},
    {"excellent", 3.2},
    {"fantastic", 2.6},
    {"wonderful", 2.7},
    {"brilliant", 2.8},
    {"perfect", 2.7},
    {"perfectly", 2.2},
    {"best", 3.2},
    {"better", 1.9},
    {"happy", 2.7},
    {"happier", 2.5},
    {"glad", 2.0},
    {"pleased", 1.9},
    {"delighted", 2.9},
    {"helpful", 1.9},
    {"helped", 1.6},
    {"kind", 1.8},
    {"friendly", 2.2},
    {"quick", 1.0},
    {"quickly", 1.0},
    {"fast", 1.0},
    {"easy", 1.5},
    {"smooth", 1.3},
    {"fixed", 1.5},
    {"resolved", 1.5},
    {"solved", 1.5},
    {"sorted", 1.2},
    {"working", 1.0},
    {"works", 1.0},
    {"worked", 1.0},
    {"work", 0.8},
    {"welcome", 1.5},
    {"cool", 1.3},
    {"sweet", 1.8},
    {"yay", 2.0},
    {"wow", 1.2},
    {"lol", 1.0},
    {"haha", 1.5},
    {"hahaha", 1.6},
    {"enjoy", 2.2},
    {"enjoyed", 2.3},
    {"enjoying", 2.2},
    {"fun", 2.3},
    {"recommend", 1.5},
    {"recommended", 1.5},
    {"impressed", 2.1},
    {"impressive", 2.3},
    {"congrats", 2.4},
    {"congratulations", 2.9},
    {"cheers", 2.1},
    {"superb", 3.1},
    {"outstanding", 3.0},
    {"terrific", 2.9},
    {"fabulous", 2.9},
    {"incredible", 2.0},
    {"beautiful", 2.9},
    {"favorite", 2.0},
    {"favourite", 2.0},
    {"satisfied", 1.8},
    {"success", 2.5},
    {"successful", 2.5},
    {"successfully", 2.0},
    {"reliable", 1.8},
    {"trust", 1.8},
    {"safe", 1.5},
    {"excited", 2.2},
    {"exciting", 2.2},
    {"joy", 2.8},
    {"smile", 1.5},
    {"smiling", 1.5},
    {"hope", 1.2},
    {"hopefully", 1.0},
    {"fine", 0.8},
    {"legend", 1.8},
    {"hero", 2.0},
    {"heroes", 2.0},
    {"genius", 2.0},
    {"bless", 1.8},
    {"blessed", 2.0},
    {"lucky", 1.6},
    {"relieved", 1.6},
    {"relief", 1.5},
    {"patience", 1.0},
    {"patient", 1.0},
    {"understanding", 1.0},
    {"caring", 1.8},
    {"stellar", 2.5},
    {"phenomenal", 3.0},
    {"solid", 1.2},
    {"gorgeous", 3.0},
    {"delicious", 2.7},
    {"tasty", 2.0},
    {"yummy", 2.2},
    {"refunded", 0.5},
    {"win", 2.0},
    {"winning", 2.1},
    {"pleasure", 2.2},
    {"pleasant", 2.3},
    {"glorious", 2.6},
    {"marvelous", 2.9},
    {"cute", 2.0},
    {"nicely", 1.8},
    {"ok", 0.5},
    {"okay", 0.5},
    {"yes", 0.8},
    {"agree", 1.5},
    {"helping", 1.2},
    {"valued", 1.8},
    {"convenient", 1.5},
    {"efficient", 1.8},
    {"professional", 1.5},
    {"polite", 1.8},
    {"generous", 2.3},
    {"rocks", 1.8},
    {"xd", 1.5},
    {"lmao", 1.8},
    {"hilarious", 1.7},
};

// Words that flip a following sentiment word ("...n't" is recognised by its ending).
constexpr absl::string_view kNegators[] = {
    "not",     "no",      "never",  "none", "nobody",  "nothing",  "neither", "nor",
    "nowhere", "without", "cannot", "cant", "dont",    "doesnt",   "didnt",   "isnt",
    "wasnt",   "arent",   "werent", "wont", "wouldnt", "shouldnt", "couldnt", "havent",
    "hasnt",   "hadnt",   "aint",   "lack", "lacks",   "lacking",
};

struct Modifier {
  absl::string_view word;
  double weight;
};

constexpr double kIncrement = 0.293;  // VADER's B_INCR
constexpr Modifier kModifiers[] = {
    {"absolutely", kIncrement},   {"amazingly", kIncrement},    {"awfully", kIncrement},
    {"completely", kIncrement},   {"deeply", kIncrement},       {"enormously", kIncrement},
    {"entirely", kIncrement},     {"especially", kIncrement},   {"exceptionally", kIncrement},
    {"extremely", kIncrement},    {"freaking", kIncrement},     {"greatly", kIncrement},
    {"highly", kIncrement},       {"hugely", kIncrement},       {"incredibly", kIncrement},
    {"insanely", kIncrement},     {"literally", kIncrement},    {"most", kIncrement},
    {"particularly", kIncrement}, {"quite", kIncrement},        {"really", kIncrement},
    {"remarkably", kIncrement},   {"seriously", kIncrement},    {"so", kIncrement},
    {"such", kIncrement},         {"too", kIncrement},          {"totally", kIncrement},
    {"truly", kIncrement},        {"unbelievably", kIncrement}, {"utterly", kIncrement},
    {"very", kIncrement},         {"ridiculously", kIncrement}, {"super", kIncrement},
    {"almost", -kIncrement},      {"barely", -kIncrement},      {"hardly", -kIncrement},
    {"kinda", -kIncrement},       {"sorta", -kIncrement},       {"less", -kIncrement},
    {"marginally", -kIncrement},  {"partly", -kIncrement},      {"scarcely", -kIncrement},
    {"slightly", -kIncrement},    {"somewhat", -kIncrement},    {"occasionally", -kIncrement},
};

struct Symbol {
  absl::string_view text;
  double valence;
};

// ASCII emoticons, longest first where one is a prefix of another.
constexpr Symbol kEmoticons[] = {
    {":-)", 1.8},  {":)", 1.8},  {":-D", 2.2},  {":D", 2.2},  {";-)", 1.4},  {";)", 1.4},
    {"(:", 1.6},   {"<3", 2.0},  {":-(", -1.9}, {":(", -1.9}, {":'(", -2.2}, {">:(", -2.5},
    {":-/", -1.2}, {":/", -1.2}, {":-|", -0.5}, {":|", -0.5}, {"):", -1.6},
};

// Emoji as UTF-8 bytes.
constexpr Symbol kEmoji[] = {
    {"\xF0\x9F\x98\x80", 2.0},   // 😀
    {"\xF0\x9F\x98\x81", 1.8},   // 😁
    {"\xF0\x9F\x98\x82", 1.0},   // 😂 laughing, often at the situation
    {"\xF0\x9F\x98\x83", 2.0},   // 😃
    {"\xF0\x9F\x98\x84", 2.0},   // 😄
    {"\xF0\x9F\x98\x8A", 2.1},   // 😊
    {"\xF0\x9F\x98\x8D", 2.7},   // 😍
    {"\xF0\x9F\x98\x98", 2.3},   // 😘
    {"\xF0\x9F\x99\x82", 1.4},   // 🙂
    {"\xF0\x9F\x91\x8D", 1.8},   // 👍
    {"\xF0\x9F\x99\x8F", 1.5},   // 🙏
    {"\xF0\x9F\x8E\x89", 2.0},   // 🎉
    {"\xF0\x9F\x92\x96", 2.4},   // 💖
    {"\xF0\x9F\x92\x95", 2.3},   // 💕
    {"\xF0\x9F\xA5\xB0", 2.6},   // 🥰
    {"\xE2\x9D\xA4", 2.5},       // ❤
    {"\xE2\x98\xBA", 1.8},       // ☺
    {"\xF0\x9F\x98\xA1", -2.8},  // 😡
    {"\xF0\x9F\x98\xA0", -2.5},  // 😠
    {"\xF0\x9F\xA4\xAC", -3.0},  // 🤬
    {"\xF0\x9F\x98\xA4", -2.0},  // 😤
    {"\xF0\x9F\x98\x9E", -2.0},  // 😞
    {"\xF0\x9F\x98\x9F", -1.8},  // 😟
    {"\xF0\x9F\x98\xA2", -2.0},  // 😢
    {"\xF0\x9F\x98\xAD", -2.2},  // 😭
    {"\xF0\x9F\x98\xA9", -2.0},  // 😩
    {"\xF0\x9F\x98\xAB", -2.0},  // 😫
    {"\xF0\x9F\x98\x92", -1.6},  // 😒
    {"\xF0\x9F\x98\x91", -1.0},  // 😑
    {"\xF0\x9F\x98\xA3", -1.8},  // 😣
    {"\xF0\x9F\x98\x96", -1.8},  // 😖
    {"\xF0\x9F\x99\x84", -1.5},  // 🙄
    {"\xF0\x9F\x99\x81", -1.5},  // 🙁
    {"\xE2\x98\xB9", -1.8},      // ☹
    {"\xF0\x9F\x91\x8E", -2.0},  // 👎
    {"\xF0\x9F\x92\xA9", -2.0},  // 💩
    {"\xF0\x9F\xA4\xA6", -1.7},  // 🤦
    {"\xF0\x9F\xA4\xA5", -1.5},  // 🤥
    {"\xF0\x9F\x98\x94", -1.5},  // 😔
};

constexpr double kNegationScalar = -0.74;
constexpr double kCapsIncrement = 0.733;
constexpr double kExclamationIncrement = 0.292;
constexpr double kQuestionIncrement = 0.18;
constexpr double kNormalisationAlpha = 15.0;
constexpr size_t kMaxWordLength = 24;
constexpr int kWindow = 3;
constexpr double kModifierDecay[kWindow] = {1.0, 0.95, 0.9};

// Lexicon words that are conventionally written in capitals: no shouting emphasis for them.
constexpr absl::string_view kAcronyms[] = {"lol", "wtf", "smh", "ok", "ty", "thx", "xd", "lmao"};

struct WordInfo {
  double valence = 0;
  double modifier = 0;
  bool negator = false;
  bool contrast = false;  // "but"
  bool acronym = false;
};

const absl::flat_hash_map<absl::string_view, WordInfo>& Words() {
  static const auto* const words = [] {
    auto* map = new absl::flat_hash_map<absl::string_view, WordInfo>();
    for (const SentimentWord& entry : kLexicon) (*map)[entry.word].valence = entry.valence;
    for (absl::string_view negator : kNegators) (*map)[negator].negator = true;
    for (const Modifier& modifier : kModifiers) (*map)[modifier.word].modifier = modifier.weight;
    for (absl::string_view acronym : kAcronyms) (*map)[acronym].acronym = true;
    (*map)["but"].contrast = true;
    return map;
  }();
  return *words;
}

bool IsWordByte(unsigned char c) { return absl::ascii_isalpha(c); }

bool IsHandleByte(unsigned char c) { return absl::ascii_isalnum(c) || c == '_'; }

// The length of a right single quotation mark (’, used as an apostrophe) at `i`, else 0.
size_t CurlyApostropheAt(absl::string_view text, size_t i) {
  return (i + 2 < text.size() && text[i] == '\xE2' && text[i + 1] == '\x80' &&
          text[i + 2] == '\x99')
             ? 3
             : 0;
}

struct Recent {
  bool negator = false;
  double modifier = 0;
};

// Scoring state over one text.
class Scorer {
 public:
  // `word` is lower case without apostrophes; `contraction` when it was written "...n't".
  void AddWord(absl::string_view word, bool all_caps, bool contraction) {
    auto it = words_.find(word);
    WordInfo info;
    if (it != words_.end()) info = it->second;
    if (contraction) info.negator = true;
    if (info.contrast && !seen_contrast_) {
      sum_ *= 0.5;
      seen_contrast_ = true;
    }
    if (info.valence != 0) {
      double valence = info.valence;
      const double sign = valence > 0 ? 1.0 : -1.0;
      if (all_caps && word.size() >= 2 && !info.acronym) valence += sign * kCapsIncrement;
      bool negated = false;
      for (int k = 0; k < recent_count_; ++k) {
        valence += sign * recent_[k].modifier * kModifierDecay[k];
        negated = negated || recent_[k].negator;
      }
      if (negated) valence *= kNegationScalar;
      if (seen_contrast_) valence *= 1.5;
      sum_ += valence;
    }
    for (int k = kWindow - 1; k > 0; --k) recent_[k] = recent_[k - 1];
    recent_[0] = Recent{info.negator, info.modifier};
    if (recent_count_ < kWindow) ++recent_count_;
  }

  void AddSymbol(double valence) { sum_ += seen_contrast_ ? valence * 1.5 : valence; }
  void SentenceEnd() { recent_count_ = 0; }
  void Exclamation() { ++exclamations_; }
  void Question() { ++questions_; }

  double Result() const {
    double sum = sum_;
    if (sum == 0) return 0;
    double emphasis = std::min(exclamations_, 4) * kExclamationIncrement;
    if (questions_ > 1) emphasis += std::min(questions_, 3) * kQuestionIncrement;
    sum += sum > 0 ? emphasis : -emphasis;
    double score = sum / std::sqrt(sum * sum + kNormalisationAlpha);
    return std::max(-1.0, std::min(1.0, score));
  }

 private:
  const absl::flat_hash_map<absl::string_view, WordInfo>& words_ = Words();
  double sum_ = 0;
  bool seen_contrast_ = false;
  Recent recent_[kWindow];
  int recent_count_ = 0;
  int exclamations_ = 0;
  int questions_ = 0;
};

bool StartsWithAt(absl::string_view text, size_t i, absl::string_view prefix) {
  return text.size() - i >= prefix.size() && text.compare(i, prefix.size(), prefix) == 0;
}

}  // namespace

absl::Span<const SentimentWord> SentimentLexicon() { return kLexicon; }

double ScoreSentiment(absl::string_view text) {
  Scorer scorer;
  const size_t n = text.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = static_cast<unsigned char>(text[i]);

    // Links and @handles say nothing about the author's mood.
    if (StartsWithAt(text, i, "http://") || StartsWithAt(text, i, "https://") ||
        StartsWithAt(text, i, "www.")) {
      while (i < n && !absl::ascii_isspace(static_cast<unsigned char>(text[i]))) ++i;
      continue;
    }
    if (c == '@') {
      ++i;
      while (i < n && IsHandleByte(static_cast<unsigned char>(text[i]))) ++i;
      continue;
    }

    if (IsWordByte(c)) {
      char word[kMaxWordLength];  // lower case, apostrophes dropped: "don't" = "dont"
      size_t length = 0;
      bool fits = true;
      bool all_caps = true;
      bool apostrophe_before_last = false;
      bool last_was_apostrophe = false;
      while (i < n) {
        const unsigned char d = static_cast<unsigned char>(text[i]);
        const size_t apostrophe = d == '\'' ? 1 : CurlyApostropheAt(text, i);
        if (IsWordByte(d)) {
          if (!absl::ascii_isupper(d)) all_caps = false;
          if (length < kMaxWordLength) {
            word[length++] = absl::ascii_tolower(d);
          } else {
            fits = false;
          }
          apostrophe_before_last = last_was_apostrophe;
          last_was_apostrophe = false;
          ++i;
        } else if (apostrophe > 0 && i + apostrophe < n &&
                   IsWordByte(static_cast<unsigned char>(text[i + apostrophe]))) {
          last_was_apostrophe = true;
          i += apostrophe;
        } else {
          break;
        }
      }
      if (fits) {
        const absl::string_view token(word, length);
        const bool contraction =
            apostrophe_before_last && length >= 3 && token.substr(length - 2) == "nt";
        scorer.AddWord(token, all_caps, contraction);
      }
      continue;
    }

    if (c == '!') {
      scorer.Exclamation();
      scorer.SentenceEnd();
      ++i;
      continue;
    }
    if (c == '?') {
      scorer.Question();
      scorer.SentenceEnd();
      ++i;
      continue;
    }

    bool matched = false;
    if (c >= 0x80) {
      for (const auto& emoji : kEmoji) {
        if (StartsWithAt(text, i, emoji.text)) {
          scorer.AddSymbol(emoji.valence);
          i += emoji.text.size();
          matched = true;
          break;
        }
      }
    } else if (i == 0 || !absl::ascii_isalnum(static_cast<unsigned char>(text[i - 1]))) {
      for (const auto& emoticon : kEmoticons) {
        if (!StartsWithAt(text, i, emoticon.text)) continue;
        const size_t end = i + emoticon.text.size();
        if (end < n && absl::ascii_isalnum(static_cast<unsigned char>(text[end]))) continue;
        scorer.AddSymbol(emoticon.valence);
        i = end;
        matched = true;
        break;
      }
    }
    if (matched) continue;

    if (c == '.' || c == ';') scorer.SentenceEnd();
    ++i;
  }
  return scorer.Result();
}

}  // namespace caserouter
