# Finds the Debian-packaged dependencies once, as imported targets the folders link.
find_package(PkgConfig REQUIRED)
pkg_check_modules(URING REQUIRED IMPORTED_TARGET liburing>=2.3)
find_package(absl REQUIRED)
find_package(simdjson REQUIRED)

# llhttp ships as C sources (Debian's node-llhttp); we compile them as our own static library.
set(LLHTTP_ROOT /usr/share CACHE PATH "Prefix holding llhttp/ sources and include/llhttp/")
add_library(llhttp STATIC
  ${LLHTTP_ROOT}/llhttp/api.c
  ${LLHTTP_ROOT}/llhttp/http.c
  ${LLHTTP_ROOT}/llhttp/llhttp.c)
target_include_directories(llhttp SYSTEM PUBLIC ${LLHTTP_ROOT}/include/llhttp)
set_target_properties(llhttp PROPERTIES C_STANDARD 11 POSITION_INDEPENDENT_CODE ON)
add_library(ringleader::llhttp ALIAS llhttp)
