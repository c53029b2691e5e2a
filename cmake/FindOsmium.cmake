# libosmium is header-only (Debian libosmium2-dev); this finds it and its I/O dependencies.
# Defines Osmium::io: include dirs (SYSTEM) plus zlib, bzip2, expat and threads.
find_path(Osmium_INCLUDE_DIR NAMES osmium/version.hpp osmium/osm.hpp)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Osmium REQUIRED_VARS Osmium_INCLUDE_DIR)
if(Osmium_FOUND AND NOT TARGET Osmium::io)
    find_package(ZLIB REQUIRED)
    find_package(BZip2 REQUIRED)
    find_package(EXPAT REQUIRED)
    find_package(Threads REQUIRED)
    add_library(Osmium::io INTERFACE IMPORTED)
    # SYSTEM: its headers are not ours to hold to our warning flags.
    set_target_properties(Osmium::io PROPERTIES
        INTERFACE_INCLUDE_DIRECTORIES "${Osmium_INCLUDE_DIR}"
        INTERFACE_SYSTEM_INCLUDE_DIRECTORIES "${Osmium_INCLUDE_DIR}"
        INTERFACE_LINK_LIBRARIES "ZLIB::ZLIB;BZip2::BZip2;EXPAT::EXPAT;Threads::Threads")
endif()
mark_as_advanced(Osmium_INCLUDE_DIR)
