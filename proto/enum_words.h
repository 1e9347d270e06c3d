// EnumWords: the lower-case word of a caserouter.v1 enum value, and back.
//
// Every caserouter.v1 enum names its values PREFIX_WORD with a zero value PREFIX_UNSPECIFIED
// (buf lint enforces both), and WORD in lower case is the word the router uses for the value
// in configuration, events and metric labels: CHANNEL_PHONE is "phone", REVOCATION_REASON_
// TIMED_OUT is "timed_out". The generated descriptors are the table, so a client prints and
// parses the router's words without a table of its own.
//
//   std::string w = EnumWord(v1::CHANNEL_CHAT);                             // "chat"
//   std::optional<v1::CancelReason> r = EnumFromWord<v1::CancelReason>("duplicate");
//
// Header-only; thread-safe (descriptors are immutable).
#ifndef CASEROUTER_PROTO_ENUM_WORDS_H_
#define CASEROUTER_PROTO_ENUM_WORDS_H_

#include <optional>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/generated_enum_reflection.h"

namespace caserouter {

// "CHANNEL_" for Channel: the zero value's name without "UNSPECIFIED".
inline absl::string_view EnumPrefix(const google::protobuf::EnumDescriptor* type) {
  const google::protobuf::EnumValueDescriptor* zero = type->FindValueByNumber(0);
  if (zero == nullptr) return "";
  absl::string_view name = zero->name();
  absl::ConsumeSuffix(&name, "UNSPECIFIED");
  return name;
}

// The word of `value`; "unspecified" for the zero value, "" for a number the enum does not
// define.
inline std::string EnumWord(const google::protobuf::EnumDescriptor* type, int value) {
  const google::protobuf::EnumValueDescriptor* v = type->FindValueByNumber(value);
  if (v == nullptr) return "";
  absl::string_view name = v->name();
  absl::ConsumePrefix(&name, EnumPrefix(type));
  return absl::AsciiStrToLower(name);
}

template <typename E>
std::string EnumWord(E value) {
  return EnumWord(google::protobuf::GetEnumDescriptor<E>(), static_cast<int>(value));
}

// The value whose word is `word`; nullopt for any other word, and for "unspecified" (a client
// that means "not set" leaves the field unset).
template <typename E>
std::optional<E> EnumFromWord(absl::string_view word) {
  const google::protobuf::EnumDescriptor* type = google::protobuf::GetEnumDescriptor<E>();
  for (int i = 0; i < type->value_count(); ++i) {
    const google::protobuf::EnumValueDescriptor* v = type->value(i);
    if (v->number() != 0 && EnumWord(type, v->number()) == word) {
      return static_cast<E>(v->number());
    }
  }
  return std::nullopt;
}

}  // namespace caserouter

#endif  // CASEROUTER_PROTO_ENUM_WORDS_H_
