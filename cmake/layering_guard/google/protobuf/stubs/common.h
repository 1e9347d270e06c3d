#error "caserouter layering: policy and engine code must not include google/protobuf/stubs/common.h (Abseil only; see STYLE.md)"
