// CaseFilter: the small expression language of queues (issue 16) — which cases a queue takes,
// and which agents serve it or one step of its routing plan.
//
// A filter is parsed once, when the configuration is loaded, and checked against the attributes
// of what it filters (a case or an agent): an unknown attribute, a comparison of a number with a
// word or a malformed expression is an error naming the 1-based character position, so the
// configuration loader can name the key and the place. Evaluating a parsed filter cannot fail.
//
//   expr       := or
//   or         := and { "or" and }
//   and        := unary { "and" unary }
//   unary      := "not" unary | "(" expr ")" | comparison
//   comparison := attribute op value | attribute "in" "[" value { "," value } "]" | attribute
//   op         := "==" | "!=" | "<" | "<=" | ">" | ">="
//   value      := number | 'quoted' | "quoted" | bare word ([A-Za-z0-9_.-]+)
//
// A bare attribute (`public`, `repeat`) is true when its value is true or non-zero. Words
// compare by equality only (== != in); numbers by every operator. Names are case sensitive.
//
// Case attributes (CaseFilter::Subject::kCase):
//   channel (phone|chat|social|email), topic, language, customer_value, sentiment (-1..1;
//   an unknown sentiment is 0), reach, public (bool), priority (the adapter's 0..100),
//   authority_needed, repeat (bool: a repeat contact), skill.<name> (the minimum proficiency
//   the case requires on <name>, 0 when it names no such skill)
// Agent attributes (kAgent):
//   skill.<name> (proficiency, 0 without the skill), language (== fr: the agent speaks fr),
//   authority (authority limit), id
//
//   absl::StatusOr<CaseFilter> f = CaseFilter::Parse("topic == billing and language in [fr,
//   de] and customer_value >= 50", CaseFilter::Subject::kCase);
//   if (f.ok() && f->Matches(c)) ...
//
// Customer text is never an attribute: a filter cannot read subjects or messages. The empty
// expression matches everything. Pure; a parsed filter is an immutable value, safe to share.
#ifndef CASEROUTER_ROUTER_POLICY_CASE_FILTER_H_
#define CASEROUTER_ROUTER_POLICY_CASE_FILTER_H_

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "agents/agent.h"
#include "router/model/case.h"

namespace caserouter {

class CaseFilter {
 public:
  enum class Subject { kCase, kAgent };
  struct Node;  // the parsed expression (case_filter.cc)

  // INVALID_ARGUMENT "at position N: what" for a malformed expression or an attribute `subject`
  // does not have.
  static absl::StatusOr<CaseFilter> Parse(absl::string_view text, Subject subject);

  // True for every case (agent) when the expression was empty.
  bool Matches(const Case& c) const;
  bool Matches(const Agent& a) const;
  bool empty() const { return root_ == nullptr; }
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  Subject subject_ = Subject::kCase;
  std::shared_ptr<const Node> root_;
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_POLICY_CASE_FILTER_H_
