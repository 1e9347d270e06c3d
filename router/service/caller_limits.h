// CallerLimits: what one caller (one identity) may hold at once — unary calls in flight,
// desk streams, and the connections those come over — so that no identity can take every
// place of the server's, and a leaked credential cannot open thousands of connections.
//
// The server's own limits (CallLimiter: max_calls_in_flight, max_desk_streams) bound the sum;
// these bound each caller's share of it. A connection is counted while it carries at least
// one of the caller's calls or streams (it is known by its peer address): gRPC 1.51 offers no
// hook at accept time, so idle connections are bounded by time instead (server_settings.h:
// the handshake and idle timeouts).
//
//   CallerLimits limits({.calls = 512, .streams = 4, .connections = 64}, &metrics);
//   if (absl::Status s = limits.TryAcquire("agent:ana", peer, Place::kStream); !s.ok()) ...
//   ...
//   limits.Release("agent:ana", peer, Place::kStream);
//
// Thread safety: all methods are thread-safe (one mutex, held for a map lookup). `metrics`
// may be null and must otherwise outlive the limits.
#ifndef CASEROUTER_ROUTER_SERVICE_CALLER_LIMITS_H_
#define CASEROUTER_ROUTER_SERVICE_CALLER_LIMITS_H_

#include <string>

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "router/service/server_metrics.h"

namespace caserouter {

// What a place is for.
enum class Place { kCall, kStream };

class CallerLimits {
 public:
  struct Ceilings {
    int calls = 512;       // unary calls in flight per caller
    int streams = 4;       // desk streams per caller (an agent reconnecting overlaps its old one)
    int connections = 64;  // distinct connections carrying the caller's calls and streams
  };

  CallerLimits(Ceilings ceilings, ServerMetrics* metrics);
  CallerLimits(const CallerLimits&) = delete;
  CallerLimits& operator=(const CallerLimits&) = delete;

  // Takes a place for `caller` over the connection `peer`; RESOURCE_EXHAUSTED (counted) naming
  // the limit when the caller holds its share already.
  absl::Status TryAcquire(const std::string& caller, const std::string& peer, Place place);
  // Gives back a place taken by TryAcquire with the same arguments.
  void Release(const std::string& caller, const std::string& peer, Place place);

  // What `caller` holds now (for tests).
  int held(const std::string& caller, Place place) const;
  int connections(const std::string& caller) const;

 private:
  struct Held {
    int calls = 0;
    int streams = 0;
    absl::flat_hash_map<std::string, int> peers;  // peer -> calls and streams over it
  };

  const Ceilings ceilings_;
  ServerMetrics* const metrics_;
  mutable absl::Mutex mu_;
  absl::flat_hash_map<std::string, Held> callers_ ABSL_GUARDED_BY(mu_);
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_CALLER_LIMITS_H_
