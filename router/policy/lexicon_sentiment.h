// ScoreSentiment: a small, built-in lexicon scorer for English customer-support text.
//
// The engine ranks angry customers up (EngineConfig priority term `negative_sentiment`) when
// an adapter did not send a sentiment of its own (CaseSpec::has_sentiment == false). This is
// the estimate it can make without a model, a network call or a data file: a few hundred
// weighted words, in the manner of VADER (Hutto & Gilbert, 2014), tuned for contact-centre
// text ("still waiting", "refund", "cancel", "never" are negative here).
//
//   double s = ScoreSentiment("@AcmeHelp worst service EVER. Still waiting!!!");  // ≈ -0.9
//
// How a score is made:
//  - words (ASCII letters with inner apostrophes, ' or ’) are looked up case-insensitively;
//    each known word has a valence in [-4, 4];
//  - a negator ("not", "never", "no", any "...n't", "without") among the three words before a
//    sentiment word flips and dampens it (× -0.74): "not good" is negative, "not bad" mildly
//    positive. Negation does not cross a sentence end (. ! ? ;);
//  - an intensifier ("very", "so", "really", "absolutely", ...) among those three words adds
//    0.293 to its magnitude (decaying with distance); a dampener ("slightly", "barely",
//    "kinda", ...) subtracts as much;
//  - a sentiment word in ALL CAPS (two letters or more) adds 0.733 to its magnitude;
//  - after the first "but", what came before counts half and what follows 1.5 times;
//  - emoticons (":)", ":(", "<3", ...) and a few dozen emoji count as words (never negated);
//  - each "!" (up to 4) adds 0.292 and repeated "??" add 0.18 each (up to 3) to the
//    magnitude of the total, in its direction;
//  - @handles and links are skipped (a handle like @worst_deals says nothing of the author);
//  - the total s becomes s / sqrt(s² + 15), in (-1, 1). No sentiment word → exactly 0.
//
// Limits, honestly:
//  - bag of words: no sarcasm ("great, another outage" scores positive; "thanks for nothing"
//    too), no irony, no idioms beyond the negation window, no topic awareness (a "refund" is
//    negative even when the customer thanks you for it);
//  - it scores the words, not who wrote them: an agent's empathy ("sorry to hear about the
//    trouble") scores negative;
//  - English only; other languages and words with non-ASCII letters score 0 or by accident;
//  - the lexicon is hand-written, not learned or validated on labelled data; treat the score as
//    a ranking signal with error bars, not a measurement. The tests only check the obvious
//    cases and that, on real support tweets, customers score below brand replies on average;
//  - no stemming: only the listed forms are known.
//
// Properties: deterministic, pure (no clock, I/O or global mutable state); O(length of text);
// no allocation per call once the lexicon is built (on first use, thread-safely).
// Thread safety: safe to call from any number of threads.
#ifndef CASEROUTER_ROUTER_POLICY_LEXICON_SENTIMENT_H_
#define CASEROUTER_ROUTER_POLICY_LEXICON_SENTIMENT_H_

#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace caserouter {

// The sentiment of `text` in [-1, 1]: -1 furious, 0 neutral or unknown, 1 delighted.
double ScoreSentiment(absl::string_view text);

// The built-in lexicon (for tests and documentation): lower-case words and their valence in
// [-4, 4]. Negators, intensifiers and dampeners are separate lists and not part of it.
struct SentimentWord {
  absl::string_view word;
  double valence;
};
absl::Span<const SentimentWord> SentimentLexicon();

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_POLICY_LEXICON_SENTIMENT_H_
