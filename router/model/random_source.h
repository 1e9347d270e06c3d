// RandomSource: where random bits come from, injected like the Clock, so that tests and the
// simulator are deterministic while production is unguessable.
//
// SystemRandomSource reads the kernel's cryptographic generator (getrandom(2), or /dev/urandom
// where the kernel has no getrandom): case ids reach customers and must not be guessable, and
// fencing epochs must not repeat after a store forgets its writes. SeededRandomSource is a
// deterministic generator (SplitMix64) for tests and the simulator — never for production.
//
//   SystemRandomSource random;
//   std::array<uint8_t, 10> bits;
//   if (absl::Status s = random.Fill(absl::MakeSpan(bits)); !s.ok()) return s;
//
// Thread safety: SystemRandomSource is thread-safe; SeededRandomSource is for one thread.
// Errors: Fill returns UNAVAILABLE when the kernel gives no random bytes (practically never:
// getrandom blocks only until the kernel's generator is first seeded, at boot).
#ifndef CASEROUTER_ROUTER_MODEL_RANDOM_SOURCE_H_
#define CASEROUTER_ROUTER_MODEL_RANDOM_SOURCE_H_

#include <cstdint>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/types/span.h"

namespace caserouter {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Fills `out` with random bytes.
  virtual absl::Status Fill(absl::Span<uint8_t> out) = 0;
  // A random 64-bit value, from Fill.
  absl::StatusOr<uint64_t> Next64();
};

class SystemRandomSource : public RandomSource {
 public:
  absl::Status Fill(absl::Span<uint8_t> out) override;
};

class SeededRandomSource : public RandomSource {
 public:
  explicit SeededRandomSource(uint64_t seed) : state_(seed) {}
  absl::Status Fill(absl::Span<uint8_t> out) override;

 private:
  uint64_t state_;
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_MODEL_RANDOM_SOURCE_H_
