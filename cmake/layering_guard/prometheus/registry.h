#error "caserouter layering: policy and engine code must not include prometheus/registry.h (Abseil only; see STYLE.md)"
