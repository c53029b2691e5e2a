# Sanitizers for every swarm target, through the swarm::sanitize INTERFACE target:
#   SWARM_SANITIZE=ON (or address): address + undefined behaviour (the CI sanitizer leg)
#   SWARM_SANITIZE=thread: ThreadSanitizer (the CI TSan leg; cannot be combined with address)
# SWARM_BUILD_FUZZ=ON (clang only) adds libFuzzer's coverage instrumentation
# (-fsanitize=fuzzer-no-link) to every swarm target and builds the fuzz/ targets.
add_library(swarm_sanitize INTERFACE)
add_library(swarm::sanitize ALIAS swarm_sanitize)

string(TOLOWER "${SWARM_SANITIZE}" swarm_sanitize_mode)
if(swarm_sanitize_mode MATCHES "^(on|address|true|yes|1)$")
    set(SWARM_SANITIZE_MODE address)
    target_compile_options(swarm_sanitize INTERFACE
        -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
    target_link_options(swarm_sanitize INTERFACE -fsanitize=address,undefined)
elseif(swarm_sanitize_mode STREQUAL "thread")
    set(SWARM_SANITIZE_MODE thread)
    target_compile_options(swarm_sanitize INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
    target_link_options(swarm_sanitize INTERFACE -fsanitize=thread)
elseif(swarm_sanitize_mode MATCHES "^(off|false|no|0|)$")
    set(SWARM_SANITIZE_MODE off)
else()
    message(FATAL_ERROR "SWARM_SANITIZE=${SWARM_SANITIZE}: use OFF, ON (address), or thread")
endif()

if(SWARM_BUILD_FUZZ)
    if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
        message(FATAL_ERROR "SWARM_BUILD_FUZZ needs clang (libFuzzer): configure with "
                            "-DCMAKE_CXX_COMPILER=clang++ -DCMAKE_C_COMPILER=clang")
    endif()
    if(SWARM_SANITIZE_MODE STREQUAL "thread")
        message(FATAL_ERROR "SWARM_BUILD_FUZZ goes with SWARM_SANITIZE=ON or OFF, not thread")
    endif()
    target_compile_options(swarm_sanitize INTERFACE -fsanitize=fuzzer-no-link)
    target_link_options(swarm_sanitize INTERFACE -fsanitize=fuzzer-no-link)
endif()
