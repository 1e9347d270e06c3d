#error "caserouter layering: policy and engine code must not include hiredis/alloc.h (Abseil only; see STYLE.md)"
