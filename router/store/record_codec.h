// Record codec: the stored form of cases, agents, quality records, relationships and events.
//
// Every record becomes a flat list of (field, value) byte strings: one Redis hash per record
// (RedisStateStore) or one map per record (MemoryStateStore, which stores the encoded form so
// that engine unit tests exercise this code too). Pure functions over values: no I/O, Abseil
// only.
//
//   FieldList fields = EncodeCase(c);          // HSET cr:{d}:case:<id> f1 v1 f2 v2 ...
//   absl::StatusOr<Case> back = DecodeCase(fields);
//
// Record format v1 (field "v" = "1" in every record):
//   - integers: decimal ASCII; booleans "0"/"1"; enums by their lower-case names
//     (ChannelName, CaseStateName, PresenceName); doubles as "%.17g", which round-trips.
//   - times: int64 unix microseconds (sub-microsecond parts are truncated toward the past);
//     absl::InfinitePast() is stored as kPastSentinel and absl::InfiniteFuture() as
//     kFutureSentinel, so "never" survives a round trip.
//   - lists of names (skills "name:prof", languages, declined_by, required skills): elements
//     joined by ',', with '%', ',' and ':' inside an element written as %25, %2C, %3A so that
//     any id round-trips even though ids are normally validated to [a-z0-9_.-].
//   - per-channel arrays (max_cases, active_cases): 4 ints joined by ',' in Channel order.
//   - customer text (subject, messages) is stored verbatim, byte for byte (commas, newlines
//     and NUL bytes included): subject in "subject", message i in "msg.<i>", with "msg_count"
//     saying how many there are.
//   - a case's "joined_keys": the idempotency keys of the submissions that joined it, a name
//     list. Added within v1 as an optional field: a record without it (written before) has
//     none. Old readers ignore it (and then forget those keys, as they always did).
//   - a case's "arm" and "arm_excluded" (issue 17): the benchmark arm that routes it and
//     whether the comparison leaves it out. Optional within v1: absent is no arm.
// Every other field the encoder writes is required by the decoder; fields it does not know are
// ignored, so a later version may add fields without a schema bump only if they are optional.
//
// Decoders also take the fields as views (Decode*Views), so that a store can decode straight
// from the buffer it read a record into (RedisStateStore decodes from the reply bytes): a
// record then costs the copies of the values it keeps, and nothing else per field. Fields found in
// the order the encoder writes them are matched in one pass; any other order (a Redis hash stored
// as a hash table returns its fields unordered) is matched through an index built for that record.
//
// Errors: decoding a corrupt record returns DATA_LOSS naming the record kind and the field
// ("case field 'closed_time': not an int64"). Messages never contain field values, because a
// value may be customer text.
//
// Thread safety: all functions are pure and thread-safe.
#ifndef CASEROUTER_ROUTER_STORE_RECORD_CODEC_H_
#define CASEROUTER_ROUTER_STORE_RECORD_CODEC_H_

#include <cstdint>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "agents/agent.h"
#include "agents/quality_record.h"
#include "router/model/case.h"
#include "router/store/state_store.h"

namespace caserouter {

// (field, value) pairs in a stable order; field names are unique within a list.
using FieldList = std::vector<std::pair<std::string, std::string>>;
// The same as views into storage the caller keeps alive while decoding.
using FieldView = std::pair<absl::string_view, absl::string_view>;
using FieldViews = absl::Span<const FieldView>;

inline constexpr absl::string_view kRecordFormatVersion = "1";
inline constexpr int64_t kPastSentinel = std::numeric_limits<int64_t>::min();
inline constexpr int64_t kFutureSentinel = std::numeric_limits<int64_t>::max();

FieldList EncodeCase(const Case& c);
absl::StatusOr<Case> DecodeCase(const FieldList& fields);
absl::StatusOr<Case> DecodeCaseViews(FieldViews fields);

FieldList EncodeAgent(const Agent& agent);
absl::StatusOr<Agent> DecodeAgent(const FieldList& fields);
absl::StatusOr<Agent> DecodeAgentViews(FieldViews fields);

FieldList EncodeQualityRecord(const QualityRecord& record);
absl::StatusOr<QualityRecord> DecodeQualityRecord(const FieldList& fields);
absl::StatusOr<QualityRecord> DecodeQualityRecordViews(FieldViews fields);

FieldList EncodeRelationship(const Relationship& relationship);
absl::StatusOr<Relationship> DecodeRelationship(const FieldList& fields);
absl::StatusOr<Relationship> DecodeRelationshipViews(FieldViews fields);

// Events are append-only and never read back by the engine; audit and analytics tools read the
// stream (RedisEventReader, caserouter-events). Fields: time, type, case, agent, detail (no
// format version: docs/events.md is the vocabulary, and a reader keeps fields it does not know
// out of its way). The decoder requires the five fields.
FieldList EncodeEvent(const Event& event);
absl::StatusOr<Event> DecodeEvent(const FieldList& fields);
absl::StatusOr<Event> DecodeEventViews(FieldViews fields);

// Time <-> stored int64 microseconds, with the sentinels above.
int64_t EncodeTime(absl::Time t);
absl::Time DecodeTime(int64_t micros);

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_STORE_RECORD_CODEC_H_
