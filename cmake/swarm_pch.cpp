// swarm_pch's one file: CMake precompiles SWARM_PCH_HEADERS (cmake/SwarmBuildTime.cmake)
// with it.
