#include "router/service/token_key_files.h"

#include <sys/stat.h>

#include "absl/strings/str_cat.h"

namespace caserouter {

std::string TokenKeyFiles::Fingerprint() const {
  std::string out;
  for (const std::string& path : settings_.public_key_files) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) {
      absl::StrAppend(&out, "missing;");
      continue;
    }
    absl::StrAppend(&out, st.st_ino, ":", st.st_size, ":", st.st_mtim.tv_sec, ".",
                    st.st_mtim.tv_nsec, ";");
  }
  return out;
}

absl::StatusOr<std::shared_ptr<const TokenVerifier>> TokenKeyFiles::Reload() {
  const std::string now = Fingerprint();
  if (!loaded_.empty() && now == loaded_) return std::shared_ptr<const TokenVerifier>();
  absl::StatusOr<std::unique_ptr<TokenVerifier>> verifier = TokenVerifier::Load(settings_);
  if (!verifier.ok()) return verifier.status();
  loaded_ = now;
  return std::shared_ptr<const TokenVerifier>(*std::move(verifier));
}

}  // namespace caserouter
