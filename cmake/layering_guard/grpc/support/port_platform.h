#error "caserouter layering: policy and engine code must not include grpc/support/port_platform.h (Abseil only; see STYLE.md)"
