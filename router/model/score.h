// Score: a total made of named terms, so that every decision can say why.
#ifndef CASEROUTER_ROUTER_MODEL_SCORE_H_
#define CASEROUTER_ROUTER_MODEL_SCORE_H_

#include <string>
#include <vector>

namespace caserouter {

struct ScoreTerm {
  std::string name;
  double value = 0;
};

struct Score {
  double total = 0;
  std::vector<ScoreTerm> terms;

  void Add(std::string name, double value) {
    if (terms.empty()) terms.reserve(8);  // one allocation for a whole explanation
    total += value;
    terms.push_back(ScoreTerm{std::move(name), value});
  }
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_MODEL_SCORE_H_
