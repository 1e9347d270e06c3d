#error "caserouter layering: policy and engine code must not include hiredis/read.h (Abseil only; see STYLE.md)"
