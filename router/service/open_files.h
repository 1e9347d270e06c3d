// Open files: how many file descriptors the process holds and may hold, so that health can
// say NOT_SERVING before connections run out of them, and /metrics can show how close it is.
//
// Every connection is a descriptor. gRPC 1.51 cannot cap the connections it accepts, so the
// process's descriptor limit is the cap in the end; a replica out of descriptors can take no
// new connection, and no call over one: it cannot take calls, and says so (server.h).
//
//   OpenFiles files = CountOpenFiles();   // {open, limit}
//   RaiseOpenFileLimit();                 // soft limit up to the hard limit, at start
//
// Thread safety: plain functions. CountOpenFiles lists /proc/self/fd (Linux), about a
// millisecond for 10,000 descriptors: call it now and then, not per call.
#ifndef CASEROUTER_ROUTER_SERVICE_OPEN_FILES_H_
#define CASEROUTER_ROUTER_SERVICE_OPEN_FILES_H_

#include <cstdint>

namespace caserouter {

struct OpenFiles {
  int64_t open = 0;   // -1 when it cannot be counted
  int64_t limit = 0;  // the soft RLIMIT_NOFILE; -1 when unlimited or unknown

  // True when fewer than `reserve` descriptors (at least 5% of the limit, at least 64) are
  // left: new connections are about to fail.
  bool NearlyExhausted() const;
};

OpenFiles CountOpenFiles();

// Raises the soft descriptor limit to the hard one (the usual soft default of 1024 is far
// below what a replica with thousands of desks needs). Returns the new soft limit.
int64_t RaiseOpenFileLimit();

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_OPEN_FILES_H_
