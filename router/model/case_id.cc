#include "router/model/case_id.h"

#include <algorithm>
#include <array>

namespace caserouter {
namespace {

constexpr char kAlphabet[] = "0123456789abcdefghjkmnpqrstvwxyz";  // Crockford, lower case
constexpr int64_t kMaxMicros = (int64_t{1} << 60) - 1;

// The low 5 * `chars` bits of `value`, most significant first.
void AppendBase32(uint64_t value, size_t chars, std::string& out) {
  for (size_t i = chars; i-- > 0;) out += kAlphabet[(value >> (5 * i)) & 31];
}

}  // namespace

absl::StatusOr<std::string> CaseIdGenerator::Next(absl::Time now) {
  std::array<uint8_t, 10> random;  // 80 bits
  if (absl::Status s = random_->Fill(absl::MakeSpan(random)); !s.ok()) return s;
  int64_t micros = std::clamp<int64_t>(absl::ToUnixMicros(now), 0, kMaxMicros);
  if (micros <= last_micros_) micros = std::min(last_micros_ + 1, kMaxMicros);
  last_micros_ = micros;

  std::string id;
  id.reserve(kCaseIdLength);
  id += 'c';
  AppendBase32(static_cast<uint64_t>(micros), kCaseIdTimeChars, id);
  uint64_t high = 0;  // 40 bits each
  uint64_t low = 0;
  for (size_t i = 0; i < 5; ++i) high = high << 8 | random[i];
  for (size_t i = 5; i < 10; ++i) low = low << 8 | random[i];
  AppendBase32(high, 8, id);
  AppendBase32(low, 8, id);
  return id;
}

bool IsCaseIdFormat(absl::string_view id) {
  if (id.size() != kCaseIdLength || id[0] != 'c') return false;
  const absl::string_view alphabet(kAlphabet, 32);
  for (char ch : id.substr(1)) {
    if (alphabet.find(ch) == absl::string_view::npos) return false;
  }
  return true;
}

}  // namespace caserouter
