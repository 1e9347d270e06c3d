// Case ids: unique whatever the store forgets, not guessable, and in creation order.
//
// Ids were a counter kept in the store (c%08d). When Redis lost its latest writes (a power loss
// with appendfsync everysec, an asynchronous replica promoted) the counter rolled back, and the
// next cases got ids already acknowledged to other customers: GetCase of such an id answered
// with another customer's case. Sequential ids can also be enumerated. So an id carries no
// state of the store at all:
//
//   "c" + 12 characters: a 60-bit count of microseconds since the Unix epoch (the engine's
//         clock), at least one more than the last id this generator made, so the ids of one
//         generator increase strictly and an engine's id-ordered tables keep creation order;
//       + 16 characters: 80 random bits from a RandomSource (the kernel's CSPRNG in
//         production).
//
// Characters are lower-case Crockford base32 (0-9 and a-z without i, l, o, u), whose order is
// ASCII order, so ids sort by their time part: across replicas, by creation time to within
// their clocks' skew. 29 characters in all, inside the API's id rule (ValidateId). Uniqueness
// does not rest on the time part: two ids collide only if they share a microsecond and all 80
// random bits, which a rolled-back store, a restarted replica or a skewed clock cannot make
// likely (for a million ids in one microsecond, about 4e-13).
//
//   SystemRandomSource random;
//   CaseIdGenerator ids(&random);
//   absl::StatusOr<std::string> id = ids.Next(now);   // "c01hk…"
//
// Ids of the earlier form (c%08d) remain valid names of the cases stored with them; nothing
// parses an id (it is opaque to clients too).
//
// Thread safety: a generator is used by one thread (the engine's). Errors: Next returns the
// RandomSource's error (UNAVAILABLE).
#ifndef CASEROUTER_ROUTER_MODEL_CASE_ID_H_
#define CASEROUTER_ROUTER_MODEL_CASE_ID_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "router/model/random_source.h"

namespace caserouter {

inline constexpr size_t kCaseIdTimeChars = 12;    // 60 bits
inline constexpr size_t kCaseIdRandomChars = 16;  // 80 bits
inline constexpr size_t kCaseIdLength = 1 + kCaseIdTimeChars + kCaseIdRandomChars;

class CaseIdGenerator {
 public:
  // `random` must outlive the generator.
  explicit CaseIdGenerator(RandomSource* random) : random_(random) {}

  absl::StatusOr<std::string> Next(absl::Time now);

 private:
  RandomSource* const random_;
  int64_t last_micros_ = -1;
};

// True for an id of the form above.
bool IsCaseIdFormat(absl::string_view id);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_MODEL_CASE_ID_H_
