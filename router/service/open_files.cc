#include "router/service/open_files.h"

#include <dirent.h>
#include <sys/resource.h>

#include <algorithm>

namespace caserouter {
namespace {

int64_t SoftLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return -1;
  return static_cast<int64_t>(limit.rlim_cur);
}

}  // namespace

bool OpenFiles::NearlyExhausted() const {
  if (open < 0 || limit <= 0) return false;
  const int64_t reserve = std::max<int64_t>(64, limit / 20);
  return limit - open < reserve;
}

OpenFiles CountOpenFiles() {
  OpenFiles files;
  files.limit = SoftLimit();
  DIR* dir = opendir("/proc/self/fd");
  if (dir == nullptr) {
    files.open = -1;
    return files;
  }
  int64_t count = 0;
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] != '.') ++count;
  }
  closedir(dir);
  files.open = count - 1;  // the directory listing's own descriptor
  return files;
}

int64_t RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
  return SoftLimit();
}

}  // namespace caserouter
