#error "caserouter layering: policy and engine code must not include hiredis/async.h (Abseil only; see STYLE.md)"
