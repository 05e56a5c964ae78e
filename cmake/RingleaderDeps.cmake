# Finds the Debian-packaged dependencies once, as imported targets the folders link.
find_package(PkgConfig REQUIRED)
pkg_check_modules(URING REQUIRED IMPORTED_TARGET liburing>=2.3)
find_package(absl REQUIRED)

# Debian's abseil is 46 shared libraries; loading them was most of a worker's start (issue 15).
# With this option our binaries link Debian's libabsl_*.a instead (libabsl-dev ships both):
# 9 shared libraries instead of 55. Release build, 2-core machine, dynamic → static:
# `ringleader --help` 4.2 → 1.8 ms; bench/crash_replace p50 fork → online 5.1 → 2.1 ms, exit →
# replacement listening 5.6 → 2.5 ms (quiet machine; while it was busy building, 15.0 → 7.3 ms).
# It changes only this build tree: the installed package's targets still name absl::…, which a
# user's find_package(absl) resolves as usual.
option(RINGLEADER_STATIC_ABSL "Link abseil statically (Debian's libabsl_*.a) into our binaries" ON)
if(RINGLEADER_STATIC_ABSL)
  get_directory_property(imported IMPORTED_TARGETS)
  foreach(target IN LISTS imported)
    if(NOT target MATCHES "^absl::")
      continue()
    endif()
    get_target_property(type ${target} TYPE)
    get_target_property(location ${target} IMPORTED_LOCATION_NONE)
    if(NOT type STREQUAL "SHARED_LIBRARY" OR NOT location)
      continue()
    endif()
    string(REGEX REPLACE "\\.so[.0-9]*$" ".a" archive "${location}")
    if(NOT EXISTS "${archive}")
      message(FATAL_ERROR "RINGLEADER_STATIC_ABSL: no ${archive} (set it OFF to link abseil's .so)")
    endif()
    set_target_properties(${target} PROPERTIES IMPORTED_LOCATION_NONE "${archive}"
                                               IMPORTED_SONAME_NONE "")
  endforeach()
endif()
find_package(simdjson REQUIRED)

# llhttp ships as C sources (Debian's node-llhttp); we compile them as our own static library.
set(LLHTTP_ROOT /usr/share CACHE PATH "Prefix holding llhttp/ sources and include/llhttp/")
add_library(llhttp STATIC
  ${LLHTTP_ROOT}/llhttp/api.c
  ${LLHTTP_ROOT}/llhttp/http.c
  ${LLHTTP_ROOT}/llhttp/llhttp.c)
target_include_directories(llhttp SYSTEM PUBLIC $<BUILD_INTERFACE:${LLHTTP_ROOT}/include/llhttp>
                                               $<INSTALL_INTERFACE:${RINGLEADER_INSTALL_INCLUDEDIR}/llhttp>)
# Installed as libringleader_llhttp.a, out of the way of a system libllhttp.
set_target_properties(llhttp PROPERTIES C_STANDARD 11 POSITION_INDEPENDENT_CODE ON
                                        OUTPUT_NAME ringleader_llhttp)
add_library(ringleader::llhttp ALIAS llhttp)
# net/http_parser.h includes <llhttp.h>, so a server built on the installed library needs both.
ringleader_install_library(llhttp)
install(FILES ${LLHTTP_ROOT}/include/llhttp/llhttp.h
        DESTINATION ${RINGLEADER_INSTALL_INCLUDEDIR}/llhttp COMPONENT Development)
