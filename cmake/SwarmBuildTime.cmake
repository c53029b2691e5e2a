# Compile time (CI builds the tree three times from scratch, README "Tests and CI"): most of
# each file's is the headers and templates it shares with its neighbours. Two remedies, both
# for build time only:
#
# Unity builds: the files of a target compiled in batches of 8, each batch one translation
# unit. -DCMAKE_UNITY_BUILD=OFF compiles file by file. A file whose file-local names (an
# anonymous namespace) clash with a neighbour's is compiled alone: SKIP_UNITY_BUILD_INCLUSION
# next to its target, saying which names.
if(NOT DEFINED CMAKE_UNITY_BUILD)
    set(CMAKE_UNITY_BUILD ON)
endif()

# Precompiled headers: the standard library and Boost.Graph's CSR graph (which
# agents/world/road_network.hpp includes) are most of what every file parses; they are parsed
# once, in swarm_pch, and every C++ target reuses that header (swarm_share_pch). Our own
# headers stay out: a change to one recompiles only its users. Build with
# -DCMAKE_DISABLE_PRECOMPILE_HEADERS=ON -DCMAKE_UNITY_BUILD=OFF to check that each file
# includes what it uses.
#
# Reuse needs the same compiler flags. Extra -D are fine for gcc and clang (the SWARM_* paths,
# BOOST_ALL_NO_LIB, toml++'s and Random123's: none reaches these headers), other sanitizer
# flags are not (clang refuses the header): the fuzz targets (-fsanitize=fuzzer) and the
# doctest runner (no sanitizers) parse their headers themselves. A target that includes a big
# header of its own in most files precompiles its own (swarm_own_pch).
set(SWARM_PCH_HEADERS
    <algorithm> <array> <cmath> <cstddef> <cstdint> <cstdio> <cstdlib> <cstring> <deque>
    <filesystem> <fstream> <functional> <iomanip> <iostream> <limits> <map> <memory>
    <optional> <set> <span> <sstream> <stdexcept> <string> <string_view> <tuple>
    <unordered_map> <utility> <variant> <vector>
    <boost/graph/compressed_sparse_row_graph.hpp>)

# the header's own target: compiled as every swarm target is (sanitizers, warnings)
add_library(swarm_pch OBJECT ${CMAKE_CURRENT_LIST_DIR}/swarm_pch.cpp)
target_link_libraries(swarm_pch PRIVATE swarm::sanitize swarm::warnings)
target_precompile_headers(swarm_pch PRIVATE ${SWARM_PCH_HEADERS})

# swarm_own_pch(TARGET HEADER...): TARGET precompiles the shared headers plus these
function(swarm_own_pch target)
    target_precompile_headers(${target} PRIVATE ${SWARM_PCH_HEADERS} ${ARGN})
    set_property(TARGET ${target} PROPERTY SWARM_OWN_PCH ON)
endfunction()

# swarm_share_pch(DIR): every C++ target defined in DIR and below reuses swarm_pch's header,
# but the doctest runner, the fuzz targets and those with their own
function(swarm_share_pch dir)
    get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
    foreach(target ${targets})
        get_target_property(type ${target} TYPE)
        get_target_property(own ${target} SWARM_OWN_PCH)
        get_target_property(options ${target} COMPILE_OPTIONS)
        if(NOT type MATCHES "^(STATIC_LIBRARY|OBJECT_LIBRARY|EXECUTABLE)$" OR own
           OR target STREQUAL "swarm_pch" OR target STREQUAL "swarm_test_main"
           OR "-fsanitize=fuzzer" IN_LIST options)
            continue()
        endif()
        target_precompile_headers(${target} REUSE_FROM swarm_pch)
    endforeach()
    get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
    foreach(subdir ${subdirs})
        swarm_share_pch(${subdir})
    endforeach()
endfunction()
