// CaseSet: the engine's cases themselves, hashed and compared by a key each case holds, and
// found by that key — an index from a case's own fields to the case.
//
// A slot is one pointer (8 bytes), where a map from views of the key to the case took 24 (one
// view) or 40 (two): memory per queued case, at 100,000 open cases (issue 10). The key is read
// from the case, so it must not change while the case is in the set (the views a map would
// keep would not survive that either).
//
//   CaseSet<CustomerTopicOfCase> open;   open.insert(&c);
//   auto it = open.find(CustomerTopicOfCase::Key{"cust-1", "billing"});   // *it is the Case*
//
// Thread safety: as absl::flat_hash_set.
#ifndef CASEROUTER_ROUTER_ENGINE_CASE_SETS_H_
#define CASEROUTER_ROUTER_ENGINE_CASE_SETS_H_

#include <cstddef>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"
#include "router/model/case.h"

namespace caserouter {

// The customer and topic of a case (continuity: one open case per customer and topic).
struct CustomerTopicOfCase {
  using Key = std::pair<absl::string_view, absl::string_view>;
  static Key Of(const Case& c) { return {c.spec.customer_id, c.spec.topic}; }
};

// The idempotency key a case was submitted with.
struct OwnKeyOfCase {
  using Key = absl::string_view;
  static Key Of(const Case& c) { return c.spec.idempotency_key; }
};

template <typename KeyOf>
struct CaseKeyHash {
  using is_transparent = void;
  size_t operator()(const typename KeyOf::Key& key) const {
    return absl::Hash<typename KeyOf::Key>{}(key);
  }
  size_t operator()(const Case* c) const { return (*this)(KeyOf::Of(*c)); }
};

template <typename KeyOf>
struct CaseKeyEq {
  using is_transparent = void;
  static typename KeyOf::Key KeyOfEither(const Case* c) { return KeyOf::Of(*c); }
  static typename KeyOf::Key KeyOfEither(const typename KeyOf::Key& key) { return key; }
  template <typename A, typename B>
  bool operator()(const A& a, const B& b) const {
    return KeyOfEither(a) == KeyOfEither(b);
  }
};

template <typename KeyOf>
using CaseSet = absl::flat_hash_set<Case*, CaseKeyHash<KeyOf>, CaseKeyEq<KeyOf>>;

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_ENGINE_CASE_SETS_H_
