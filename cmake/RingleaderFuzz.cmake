# ringleader_add_fuzzer(NAME SOURCES ... CORPUS dir LIBS ... [RUNS n] [SECONDS s])
# A libFuzzer target compiles the code it fuzzes itself (instrumented), so the rest of the build
# stays uninstrumented; ctest runs it briefly (label `fuzz`) over the committed seed corpus.
function(ringleader_add_fuzzer name)
  cmake_parse_arguments(ARG "" "CORPUS;RUNS;SECONDS" "SOURCES;LIBS" ${ARGN})
  if(NOT RINGLEADER_FUZZ OR NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  target_link_libraries(${name} PRIVATE ${ARG_LIBS})
  if(RINGLEADER_TESTS)
    set(work ${CMAKE_CURRENT_BINARY_DIR}/${name}_work)
    file(MAKE_DIRECTORY ${work})
    add_test(NAME ${name}_short
             COMMAND ${name} -runs=${ARG_RUNS} -max_total_time=${ARG_SECONDS} -seed=1 ${work}
                     ${ARG_CORPUS})
    set_tests_properties(${name}_short PROPERTIES LABELS "fuzz" TIMEOUT 120)
  endif()
endfunction()
