// Wire checks: the shape every caserouter.v1 request must have before a handler sees it.
//
// The service layer's one home for rules the proto itself can be broken by, whatever the
// request: a string field that is not UTF-8, an enum field holding a number its enum does not
// define, a request larger than kMaxRequestBytes. Every handler's request goes through
// ParseRequest (raw_callback.h registers them so; the desk stream parses each message with
// it). What the values mean (id characters, ranges, counts, which enum values an action
// allows) is a domain rule (router/model/validation.h) or a conversion (proto_convert.h).
//
//   v1::SubmitCaseRequest request;
//   absl::Status s = ParseRequest(bytes, &request);
//   // INVALID_ARGUMENT "required_skills[1].skill: must be valid UTF-8"
//
// Errors are INVALID_ARGUMENT naming the field as a path from the request
// ("profile.languages[0]", "set_presence.presence"), and never quote the value: it may be
// customer text. Why the UTF-8 check reads the bytes before parsing: the protobuf runtime
// refuses a proto3 string that is not UTF-8 without saying which field, and logs a line to
// stderr for it; customer text must never make the router write to its log.
//
// Thread safety: plain functions.
#ifndef CASEROUTER_ROUTER_SERVICE_WIRE_CHECKS_H_
#define CASEROUTER_ROUTER_SERVICE_WIRE_CHECKS_H_

#include <cstddef>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "google/protobuf/message.h"

namespace caserouter {

// The largest request the router takes; the gRPC server refuses larger messages before they
// are read (customer text is capped far below: validation.h).
inline constexpr size_t kMaxRequestBytes = size_t{1} << 20;
// How deep messages may nest on the wire; caserouter.v1 nests three levels at most.
inline constexpr int kMaxWireDepth = 16;

// Parses `bytes` into `message` after checking it: the size, UTF-8 of every string field
// (before the runtime sees it), then every enum field's value.
absl::Status ParseRequest(absl::string_view bytes, google::protobuf::Message* message);

// The same checks (UTF-8 and enum values) on a message built in this process.
absl::Status CheckRequest(const google::protobuf::Message& message);

// What can be read from a request that failed ParseRequest without trusting its text: its
// top-level numeric fields (so a desk request keeps its request_id for the Ack). Never fails.
void ParseNumbersOnly(absl::string_view bytes, google::protobuf::Message* message);

// Strict UTF-8 (no overlong forms, no surrogates, nothing above U+10FFFF).
bool IsValidUtf8(absl::string_view text);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_SERVICE_WIRE_CHECKS_H_
