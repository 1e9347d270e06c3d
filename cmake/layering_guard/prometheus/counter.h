#error "caserouter layering: policy and engine code must not include prometheus/counter.h (Abseil only; see STYLE.md)"
