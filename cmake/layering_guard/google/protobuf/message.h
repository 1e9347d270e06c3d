#error "caserouter layering: policy and engine code must not include google/protobuf/message.h (Abseil only; see STYLE.md)"
