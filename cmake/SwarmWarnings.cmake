# One INTERFACE target carries every warning flag, so all targets agree.
add_library(swarm_warnings INTERFACE)
add_library(swarm::warnings ALIAS swarm_warnings)
target_compile_options(swarm_warnings INTERFACE
    -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
    -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual -Wnull-dereference
    -Wimplicit-fallthrough)
if(SWARM_WARNINGS_AS_ERRORS)
    target_compile_options(swarm_warnings INTERFACE -Werror)
endif()
