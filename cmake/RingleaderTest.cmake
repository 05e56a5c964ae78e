# ringleader_add_test(NAME SOURCES... LABELS l... LIBS t... [TIMEOUT s])
# One helper for every test binary: links gtest_main, registers it with CTest under labels.
find_package(GTest REQUIRED)
function(ringleader_add_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LABELS;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gmock GTest::gtest_main
                                        ringleader::warnings)
  add_test(NAME ${name} COMMAND ${name})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "RINGLEADER_BIN_DIR=${CMAKE_RUNTIME_OUTPUT_DIRECTORY};RINGLEADER_SOURCE_DIR=${CMAKE_SOURCE_DIR}")
endfunction()
