// Channel: the closed set of ways a customer reaches the contact centre.
//
// Each channel has its own SLA, capacity cost and urgency (see EngineConfig). The names are
// the lower-case forms used in configuration files and as Prometheus label values.
#ifndef CASEROUTER_AGENTS_CHANNEL_H_
#define CASEROUTER_AGENTS_CHANNEL_H_

#include <array>
#include <optional>

#include "absl/strings/string_view.h"

namespace caserouter {

enum class Channel { kPhone = 0, kChat = 1, kSocial = 2, kEmail = 3 };

inline constexpr int kChannelCount = 4;
inline constexpr std::array<Channel, kChannelCount> kAllChannels = {
    Channel::kPhone, Channel::kChat, Channel::kSocial, Channel::kEmail};

// "phone", "chat", "social", "email".
absl::string_view ChannelName(Channel channel);
// Inverse of ChannelName; nullopt for anything else.
std::optional<Channel> ParseChannel(absl::string_view name);

inline int ChannelIndex(Channel channel) { return static_cast<int>(channel); }

// A value per channel, indexed by Channel.
template <typename T>
using PerChannel = std::array<T, kChannelCount>;

}  // namespace caserouter

#endif  // CASEROUTER_AGENTS_CHANNEL_H_
