# floe_add_fuzzer(<name> SOURCES <files...> LIBS <targets...> [CORPUS <dir>])
#
# A fuzz target defines LLVMFuzzerTestOneInput. Two builds use it:
# - FLOE_FUZZ (clang, `make fuzz`): linked with libFuzzer for long coverage-guided runs.
# - the test build (`make test`, g++ with ASan+UBSan): linked with fuzz/standalone_driver.cc, which replays the
#   seed corpus and then feeds mutated seeds for a few seconds, registered as a CTest test.
function(floe_add_fuzzer name)
  cmake_parse_arguments(ARG "" "CORPUS" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/src)
  if(FLOE_FUZZ)
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  else()
    target_sources(${name} PRIVATE ${PROJECT_SOURCE_DIR}/fuzz/standalone_driver.cc)
    set(corpus "")
    if(ARG_CORPUS)
      set(corpus ${ARG_CORPUS})
    endif()
    add_test(NAME fuzz_short_${name} COMMAND ${name} --seconds=10 ${corpus})
  endif()
endfunction()
