#include "agents/channel.h"

namespace caserouter {

absl::string_view ChannelName(Channel channel) {
  switch (channel) {
    case Channel::kPhone:
      return "phone";
    case Channel::kChat:
      return "chat";
    case Channel::kSocial:
      return "social";
    case Channel::kEmail:
      return "email";
  }
  return "phone";
}

std::optional<Channel> ParseChannel(absl::string_view name) {
  for (Channel c : kAllChannels) {
    if (ChannelName(c) == name) return c;
  }
  return std::nullopt;
}

}  // namespace caserouter
