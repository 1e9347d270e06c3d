#error "caserouter layering: policy and engine code must not include yaml-cpp/yaml.h (Abseil only; see STYLE.md)"
