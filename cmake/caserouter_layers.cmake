# The layers are link targets: a file sees the project headers of its own target and of the
# targets it links, and nothing else.
#
# caserouter_headers(target header...) links each listed header (paths relative to the current
# folder) into ${CMAKE_BINARY_DIR}/include/<target>/<path from the source root> and makes that
# folder the target's include directory (PUBLIC for libraries, INTERFACE for header-only ones,
# PRIVATE for executables). There is no include directory for the whole tree, so a policy file
# that includes "router/engine/engine.h" does not compile: its target cannot see the header.
#
# Third-party headers are another matter: Debian installs protobuf, gRPC, hiredis,
# prometheus-cpp and yaml-cpp under /usr/include, which every compile sees. caserouter_guard
# puts cmake/layering_guard first on a target's path; it shadows their entry headers with files
# that #error, so the Abseil-only layers cannot reach them either.
set(CASEROUTER_LAYERING_GUARD "${PROJECT_SOURCE_DIR}/cmake/layering_guard")

function(caserouter_headers target)
  set(stage "${CMAKE_BINARY_DIR}/include/${target}")
  file(REMOVE_RECURSE "${stage}")  # a header dropped from the list must not stay visible
  foreach(header IN LISTS ARGN)
    get_filename_component(source "${header}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    if(NOT EXISTS "${source}")
      message(FATAL_ERROR "caserouter_headers(${target}): no such header ${source}")
    endif()
    file(RELATIVE_PATH relative "${PROJECT_SOURCE_DIR}" "${source}")
    get_filename_component(folder "${stage}/${relative}" DIRECTORY)
    file(MAKE_DIRECTORY "${folder}")
    file(CREATE_LINK "${source}" "${stage}/${relative}" SYMBOLIC)
  endforeach()
  get_target_property(type ${target} TYPE)
  if(type STREQUAL "INTERFACE_LIBRARY")
    target_include_directories(${target} INTERFACE "${stage}")
  elseif(type STREQUAL "EXECUTABLE")
    target_include_directories(${target} PRIVATE "${stage}")
  else()
    target_include_directories(${target} PUBLIC "${stage}")
  endif()
endfunction()

# An Abseil-only target: the third-party entry headers are shadowed (see above).
function(caserouter_guard target)
  target_include_directories(${target} BEFORE PRIVATE ${CASEROUTER_LAYERING_GUARD})
endfunction()

# caserouter_layering_probe(target header): a test that compiles `#include <header>` with
# exactly the include path `target` compiles with, and passes only when that fails because
# the header cannot be seen (a project header) or is shadowed by the guard (a third-party one).
function(caserouter_layering_probe target header)
  string(MAKE_C_IDENTIFIER "${target}_cannot_include_${header}" name)
  add_test(NAME layering_${name}
    COMMAND ${CMAKE_CXX_COMPILER} -std=c++17 -fsyntax-only
            "-I$<JOIN:$<REMOVE_DUPLICATES:$<TARGET_PROPERTY:${target},INCLUDE_DIRECTORIES>>,;-I>"
            "-DPROBE_HEADER=<${header}>" ${PROJECT_SOURCE_DIR}/cmake/layering_probe.cc
    COMMAND_EXPAND_LISTS)
  set_tests_properties(layering_${name} PROPERTIES
    PASS_REGULAR_EXPRESSION "caserouter layering|No such file or directory")
endfunction()
