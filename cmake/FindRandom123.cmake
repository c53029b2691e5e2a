# Random123 (Debian librandom123-dev) is header-only and ships no CMake config.
find_path(Random123_INCLUDE_DIR NAMES Random123/philox.h)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Random123 REQUIRED_VARS Random123_INCLUDE_DIR)
if(Random123_FOUND AND NOT TARGET Random123::Random123)
    add_library(Random123::Random123 INTERFACE IMPORTED)
    # SYSTEM: its headers are not ours to hold to our warning flags.
    set_target_properties(Random123::Random123 PROPERTIES
        INTERFACE_INCLUDE_DIRECTORIES "${Random123_INCLUDE_DIR}"
        INTERFACE_SYSTEM_INCLUDE_DIRECTORIES "${Random123_INCLUDE_DIR}"
        # Philox is integer arithmetic either way; with SSE on, array.h pulls <x86intrin.h>
        # (60k lines of AVX-512 declarations) into every file that includes sim/random.hpp,
        # for the AES-NI types we do not use: about a tenth of the build's compile time
        INTERFACE_COMPILE_DEFINITIONS "R123_USE_SSE=0")
endif()
