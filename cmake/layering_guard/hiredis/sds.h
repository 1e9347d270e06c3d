#error "caserouter layering: policy and engine code must not include hiredis/sds.h (Abseil only; see STYLE.md)"
