# ringleader_add_test(NAME SOURCES... LABELS l... LIBS t... [TIMEOUT s])
# ringleader_add_test(NAME SCRIPT file [ARGS a...] LABELS l... [TIMEOUT s])
# One helper for every test: a gtest binary (links gtest_main) or a script (exit 77: skipped),
# registered with CTest under labels.
find_package(GTest REQUIRED)
function(ringleader_add_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT;SCRIPT" "SOURCES;LABELS;LIBS;ARGS" ${ARGN})
  if(ARG_SCRIPT)
    add_test(NAME ${name} COMMAND ${ARG_SCRIPT} ${ARG_ARGS})
    set_tests_properties(${name} PROPERTIES SKIP_RETURN_CODE 77)
  else()
    add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gmock GTest::gtest_main
                                          ringleader::warnings)
    add_test(NAME ${name} COMMAND ${name})
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "RINGLEADER_BIN_DIR=${CMAKE_RUNTIME_OUTPUT_DIRECTORY};RINGLEADER_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
endfunction()
