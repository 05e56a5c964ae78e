# Install rules, the CMake package and the Debian package, in one place.
#
#   cmake --install build/release --prefix P     everything below, in P
#   cpack --config build/release/CPackConfig.cmake  ringleader_<version>_<arch>.deb (Runtime only)
#
# Two components:
#   Runtime      P/bin/{ringleader,ringleader-trace,ringleader-ctl}, P/share/doc/ringleader — the .deb
#   Development  P/lib/libringleader_*.a (static: a server built on the library carries exactly
#                the ringleader it was compiled against; its headers expose inline C++ and abseil
#                types, so there is no ABI to keep stable across a shared library), the headers
#                under P/include/ringleader/{core,fsm,ipc,net,cluster}/ (out of the way of other
#                projects' `core/`, `net/`), and P/lib/cmake/ringleader/ for
#                find_package(ringleader) → ringleader::cluster (and ::core, ::net, ...).
# Tests, benchmarks, fuzzers and the tools' own libraries have no install rules.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(RINGLEADER_INSTALL_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR}/ringleader)
set(RINGLEADER_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/ringleader)

# ringleader_install_library(target...)
# Exports each library as ringleader::<name without "ringleader_"> and installs the headers of the
# calling folder (not its subfolders, not *_test.h / *_test_util.h) at the same relative path.
function(ringleader_install_library)
  foreach(target IN LISTS ARGN)
    string(REGEX REPLACE "^ringleader_" "" name ${target})
    set_target_properties(${target} PROPERTIES EXPORT_NAME ${name})
  endforeach()
  install(TARGETS ${ARGN} EXPORT ringleaderTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT Development
          INCLUDES DESTINATION ${RINGLEADER_INSTALL_INCLUDEDIR})
  file(GLOB headers CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.h)
  list(FILTER headers EXCLUDE REGEX "_test(_util)?\\.h$")
  if(headers)
    file(RELATIVE_PATH folder ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR})
    install(FILES ${headers} DESTINATION ${RINGLEADER_INSTALL_INCLUDEDIR}/${folder}
            COMPONENT Development)
  endif()
endfunction()

# ringleader_install_program(target...): a binary for P/bin (and the .deb).
function(ringleader_install_program)
  install(TARGETS ${ARGN} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT Runtime)
endfunction()

# ringleader_install_package(): called once at the end of the root CMakeLists, when every
# library has joined the export set: the targets file, ringleaderConfig.cmake (which finds what
# the targets link: abseil, simdjson, liburing and hiredis), the version file, and CPack.
function(ringleader_install_package)
  install(EXPORT ringleaderTargets NAMESPACE ringleader:: DESTINATION ${RINGLEADER_INSTALL_CMAKEDIR}
          COMPONENT Development)
  configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/ringleaderConfig.cmake.in
    ${PROJECT_BINARY_DIR}/ringleaderConfig.cmake INSTALL_DESTINATION ${RINGLEADER_INSTALL_CMAKEDIR})
  # 0.x: a minor release may break the API, so only the same major.minor is compatible.
  write_basic_package_version_file(${PROJECT_BINARY_DIR}/ringleaderConfigVersion.cmake
    COMPATIBILITY SameMinorVersion)
  install(FILES ${PROJECT_BINARY_DIR}/ringleaderConfig.cmake
                ${PROJECT_BINARY_DIR}/ringleaderConfigVersion.cmake
          DESTINATION ${RINGLEADER_INSTALL_CMAKEDIR} COMPONENT Development)
  install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR}
          COMPONENT Runtime)

  # The .deb: the binaries and the docs (the Runtime component). The dev files stay out: they
  # are static archives built with one compiler and flag set, for `cmake --install` into a
  # prefix, and a -dev package would have to pull libabsl-dev & co. for them.
  set(CPACK_GENERATOR DEB)
  set(CPACK_PACKAGE_NAME ringleader)
  set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
  set(CPACK_PACKAGE_CONTACT "ringleader maintainers <maintainers@users.noreply.r-seed-1a362d0d.example>")
  set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
      "Node-cluster-style HTTP server and process supervisor on io_uring")
  set(CPACK_PACKAGE_DESCRIPTION
      "ringleader runs a primary that supervises worker processes serving HTTP/1.1 on io_uring \
(rolling restarts, crash-loop backoff, a message bus, a control socket), or supervises any \
program with `ringleader exec`. ringleader-ctl drives a running primary; ringleader-trace reads \
its lifecycle traces.")
  set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # ringleader_<version>_<arch>.deb
  set(CPACK_DEBIAN_PACKAGE_SECTION httpd)
  set(CPACK_DEB_COMPONENT_INSTALL ON)
  set(CPACK_COMPONENTS_ALL Runtime)
  set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
  # Depends: dpkg-shlibdeps reads the binaries' NEEDED entries and names Debian's packages
  # (liburing2, libsimdjson14, libhiredis0.14, libstdc++6, libc6 ..., and libabsl20220623 when
  # RINGLEADER_STATIC_ABSL is OFF); without dpkg-dev, the Debian 12 names are spelled out.
  find_program(RINGLEADER_DPKG_SHLIBDEPS dpkg-shlibdeps)
  if(RINGLEADER_DPKG_SHLIBDEPS)
    set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  else()
    set(CPACK_DEBIAN_PACKAGE_DEPENDS "liburing2 (>= 2.3), libsimdjson14, libhiredis0.14, libstdc++6, libc6")
    if(NOT RINGLEADER_STATIC_ABSL)
      string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS ", libabsl20220623")
    endif()
  endif()
  include(CPack)
endfunction()
