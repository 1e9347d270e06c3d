// EnumNames: one table per closed set, naming each value once.
//
// A closed set (channel, presence, case state, strategy, reasons) has exactly one table of
// {value, name} pairs; both directions read it, so a name can never be added to one direction
// and forgotten in the other. Names are the lower-case words used in configuration, in the
// store, in events and as metric labels.
//
//   inline constexpr EnumName<Channel> kChannelNames[] = {{Channel::kPhone, "phone"}, ...};
//   absl::string_view name = NameOf(kChannelNames, Channel::kChat);        // "chat"
//   std::optional<Channel> c = ValueOf(kChannelNames, "email");           // Channel::kEmail
//
// Header-only and dependency-free (Abseil's string_view only), so the lowest layer can use it.
#ifndef CASEROUTER_ROUTER_MODEL_ENUM_NAMES_H_
#define CASEROUTER_ROUTER_MODEL_ENUM_NAMES_H_

#include <cstddef>
#include <optional>
#include <string>

#include "absl/strings/string_view.h"

namespace caserouter {

template <typename E>
struct EnumName {
  E value;
  absl::string_view name;
};

// The name of `value`; the first entry's name for a value outside the table (a cast integer
// from an old record), so callers always get a word of the closed set.
template <typename E, size_t N>
constexpr absl::string_view NameOf(const EnumName<E> (&table)[N], E value) {
  for (const EnumName<E>& entry : table) {
    if (entry.value == value) return entry.name;
  }
  return table[0].name;
}

// The value named `name`, or nullopt when the set has no such name.
template <typename E, size_t N>
constexpr std::optional<E> ValueOf(const EnumName<E> (&table)[N], absl::string_view name) {
  for (const EnumName<E>& entry : table) {
    if (entry.name == name) return entry.value;
  }
  return std::nullopt;
}

// "a, b, c": the names of the set, for error messages that list what is allowed.
template <typename E, size_t N>
std::string NamesOf(const EnumName<E> (&table)[N]) {
  std::string out;
  for (const EnumName<E>& entry : table) {
    if (!out.empty()) out += ", ";
    out.append(entry.name.data(), entry.name.size());
  }
  return out;
}

}  // namespace caserouter

#endif  // CASEROUTER_ROUTER_MODEL_ENUM_NAMES_H_
