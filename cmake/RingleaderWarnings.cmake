# One INTERFACE target carries our warning set; every target links it PRIVATE.
# -Werror is not here: presets decide whether warnings fail the build.
add_library(ringleader_warnings INTERFACE)
target_compile_options(ringleader_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Wcast-align -Woverloaded-virtual -Wimplicit-fallthrough
  -Werror=switch -Wno-gnu-zero-variadic-macro-arguments)
add_library(ringleader::warnings ALIAS ringleader_warnings)
# Exported with the libraries only because they link it PRIVATE: in a static library's export
# that is a link-only dependency, so it gives a user's code none of these flags.
ringleader_install_library(ringleader_warnings)
