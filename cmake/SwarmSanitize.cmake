# Address + undefined behaviour sanitizers for every swarm target when SWARM_SANITIZE=ON.
add_library(swarm_sanitize INTERFACE)
add_library(swarm::sanitize ALIAS swarm_sanitize)
if(SWARM_SANITIZE)
    target_compile_options(swarm_sanitize INTERFACE
        -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
    target_link_options(swarm_sanitize INTERFACE -fsanitize=address,undefined)
endif()
