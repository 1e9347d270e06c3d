#error "caserouter layering: policy and engine code must not include hiredis/hiredis.h (Abseil only; see STYLE.md)"
