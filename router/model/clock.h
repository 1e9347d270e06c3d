// Clock: the engine's only source of time, injected so that the engine is deterministic.
//
// RealClock reads the system clock; FakeClock is set and advanced by tests and by the
// simulator's virtual time. Thread safety: RealClock is thread-safe; FakeClock is meant to be
// read and advanced from one thread (the test or the simulator driving the engine).
#ifndef CASEROUTER_ROUTER_MODEL_CLOCK_H_
#define CASEROUTER_ROUTER_MODEL_CLOCK_H_

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace caserouter {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual absl::Time Now() = 0;
};

class RealClock : public Clock {
 public:
  absl::Time Now() override { return absl::Now(); }
};

class FakeClock : public Clock {
 public:
  explicit FakeClock(absl::Time start = absl::FromUnixSeconds(1700000000)) : now_(start) {}
  absl::Time Now() override { return now_; }
  void Advance(absl::Duration d) { now_ += d; }
  void Set(absl::Time t) { now_ = t; }

 private:
  absl::Time now_;
};

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_MODEL_CLOCK_H_
