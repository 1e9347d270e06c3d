#error "caserouter layering: policy and engine code must not include grpcpp/grpcpp.h (Abseil only; see STYLE.md)"
