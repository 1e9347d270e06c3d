#include "router/model/random_source.h"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "absl/strings/str_cat.h"

namespace caserouter {
namespace {

// /dev/urandom, for kernels without getrandom (before Linux 3.17).
absl::Status FillFromUrandom(absl::Span<uint8_t> out) {
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::UnavailableError(absl::StrCat("random bytes: /dev/urandom: ", strerror(errno)));
  }
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = read(fd, out.data() + done, out.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int error = n < 0 ? errno : EIO;
      close(fd);
      return absl::UnavailableError(absl::StrCat("random bytes: /dev/urandom: ", strerror(error)));
    }
    done += static_cast<size_t>(n);
  }
  close(fd);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<uint64_t> RandomSource::Next64() {
  uint8_t bytes[8];
  if (absl::Status s = Fill(absl::MakeSpan(bytes)); !s.ok()) return s;
  uint64_t value = 0;
  for (uint8_t b : bytes) value = value << 8 | b;
  return value;
}

absl::Status SystemRandomSource::Fill(absl::Span<uint8_t> out) {
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = getrandom(out.data() + done, out.size() - done, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == ENOSYS) return FillFromUrandom(out.subspan(done));
    if (n < 0) {
      return absl::UnavailableError(absl::StrCat("random bytes: getrandom: ", strerror(errno)));
    }
    done += static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::Status SeededRandomSource::Fill(absl::Span<uint8_t> out) {
  for (size_t i = 0; i < out.size(); i += 8) {
    // SplitMix64 (Steele, Lea, Flood 2014): a full-period 64-bit sequence.
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    for (size_t j = 0; j < 8 && i + j < out.size(); ++j)
      out[i + j] = static_cast<uint8_t>(z >> (8 * j));
  }
  return absl::OkStatus();
}

}  // namespace caserouter
