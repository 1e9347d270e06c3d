// Channel: the closed set of ways a customer reaches the contact centre.
//
// Each channel has its own SLA, capacity cost and urgency (see EngineConfig). The names are
// the lower-case forms used in configuration files and as Prometheus label values.
#ifndef CASEROUTER_AGENTS_CHANNEL_H_
#define CASEROUTER_AGENTS_CHANNEL_H_

#include <array>
#include <optional>

#include "absl/strings/string_view.h"
#include "router/model/enum_names.h"

namespace caserouter {

enum class Channel { kPhone = 0, kChat = 1, kSocial = 2, kEmail = 3 };

inline constexpr int kChannelCount = 4;
inline constexpr std::array<Channel, kChannelCount> kAllChannels = {
    Channel::kPhone, Channel::kChat, Channel::kSocial, Channel::kEmail};

inline constexpr EnumName<Channel> kChannelNames[] = {{Channel::kPhone, "phone"},
                                                      {Channel::kChat, "chat"},
                                                      {Channel::kSocial, "social"},
                                                      {Channel::kEmail, "email"}};

// "phone", "chat", "social", "email".
inline absl::string_view ChannelName(Channel channel) { return NameOf(kChannelNames, channel); }
// Inverse of ChannelName; nullopt for anything else.
inline std::optional<Channel> ParseChannel(absl::string_view name) {
  return ValueOf(kChannelNames, name);
}

inline int ChannelIndex(Channel channel) { return static_cast<int>(channel); }

// A value per channel, indexed by Channel.
template <typename T>
using PerChannel = std::array<T, kChannelCount>;

}  // namespace caserouter

#endif  // CASEROUTER_AGENTS_CHANNEL_H_
