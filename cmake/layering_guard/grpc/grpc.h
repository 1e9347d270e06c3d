#error "caserouter layering: policy and engine code must not include grpc/grpc.h (Abseil only; see STYLE.md)"
