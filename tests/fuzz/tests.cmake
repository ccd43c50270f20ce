# libFuzzer target for the plan parser and the checks (only -DIMAGINE_FUZZ=ON,
# with clang). The evaluator's sources are compiled again here with
# -fsanitize=fuzzer-no-link,address,undefined so that no other target changes.
if(IMAGINE_FUZZ)
  if(NOT CMAKE_C_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "IMAGINE_FUZZ=ON needs clang: CC=clang cmake -S . -B build-fuzz -DIMAGINE_FUZZ=ON")
  endif()
  file(GLOB FUZZ_TP_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/suites/travelplanner/*.c)
  file(GLOB FUZZ_COMMON_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/common/*.c)
  list(FILTER FUZZ_COMMON_SOURCES EXCLUDE REGEX "/dbwal\\.c$") # SQLite's WAL helper: the store's and the cache's, not the evaluator's
  add_executable(fuzz_eval ${CMAKE_CURRENT_LIST_DIR}/fuzz_eval.c ${FUZZ_TP_SOURCES} ${FUZZ_COMMON_SOURCES}
                 ${CMAKE_SOURCE_DIR}/suites/suite.c)
  target_include_directories(fuzz_eval PRIVATE ${CMAKE_SOURCE_DIR}/suites/travelplanner ${CMAKE_SOURCE_DIR}/suites
                             ${CMAKE_SOURCE_DIR}/common)
  target_compile_options(fuzz_eval PRIVATE -g -O1 -fno-omit-frame-pointer
                         -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined)
  target_link_options(fuzz_eval PRIVATE -fsanitize=fuzzer,address,undefined)
  find_package(Threads REQUIRED)
  # datapkg*.c (the suite's data_check op): libcrypto's sha256; libcurl is dlopen'ed by common/net.c
  target_link_libraries(fuzz_eval PRIVATE PkgConfig::CJSON PkgConfig::PCRE2 PkgConfig::CRYPTO Threads::Threads ${CMAKE_DL_LIBS} m)
  # A short run: the committed seeds plus every line of the shipped submissions.
  add_test(NAME fuzz_eval
           COMMAND ${CMAKE_CURRENT_LIST_DIR}/run_fuzz.sh $<TARGET_FILE:fuzz_eval> ${IMAGINE_TEST_DATA}
                   ${CMAKE_CURRENT_LIST_DIR}/corpus)
  set_tests_properties(fuzz_eval PROPERTIES TIMEOUT 300)
endif()
