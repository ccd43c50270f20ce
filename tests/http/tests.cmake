# HTTP backend, cache, parser and prompting methods against the project's
# own chat-completions server (tests/http/server.c) on 127.0.0.1.
pkg_check_modules(MHD REQUIRED IMPORTED_TARGET libmicrohttpd)
add_library(imagine_testserver STATIC ${CMAKE_CURRENT_LIST_DIR}/server.c)
target_include_directories(imagine_testserver PUBLIC ${CMAKE_CURRENT_LIST_DIR})
target_link_libraries(imagine_testserver PUBLIC PkgConfig::MHD PkgConfig::CJSON imagine_common)
# Beside the imagine binary, where `imagine bench http` looks for it.
add_executable(imagine-test-server ${CMAKE_CURRENT_LIST_DIR}/server_main.c)
target_link_libraries(imagine-test-server PRIVATE imagine_testserver)
set_target_properties(imagine-test-server PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/harness)
add_dependencies(imagine imagine-test-server)

add_executable(test_http ${CMAKE_CURRENT_LIST_DIR}/test_http.c)
target_link_libraries(test_http PRIVATE imagine_testserver imagine_agents imagine_tp imagine_common)
add_test(NAME http_backend COMMAND test_http ${IMAGINE_TEST_DATA})
set_tests_properties(http_backend PROPERTIES TIMEOUT 300)

# imagine run --method direct through the test server, the cache verbs,
# and a short bench http.
add_test(NAME http_e2e_run COMMAND ${CMAKE_CURRENT_LIST_DIR}/e2e_run.sh $<TARGET_FILE:imagine>
         $<TARGET_FILE:imagine-test-server> ${IMAGINE_TEST_DATA})
set_tests_properties(http_e2e_run PROPERTIES TIMEOUT 300)
# bench http exits 0 and prints every figure, each a positive number.
add_test(NAME http_bench_short COMMAND sh -c "set -e; out=$($1 bench http --requests 128 --latency-ms 20 --json); echo \"$out\"; echo \"$out\" | jq -e '.requests == 128 and .latency_ms == 20 and ([.wall_s, .requests_per_s, .ideal_requests_per_s, .cpu_ms_per_request, .cache_hit_ms, .cache_hit_cpu_ms] | all(type == \"number\" and . > 0))'"
         sh $<TARGET_FILE:imagine>)
set_tests_properties(http_bench_short PROPERTIES TIMEOUT 120)
# Before any run there is no cache file: stats and clear report an empty
# cache (exit 0) and create nothing.
add_test(NAME http_cache_absent COMMAND sh -c "$<TARGET_FILE:imagine> cache stats --cache \"$1/absent.db\" && $<TARGET_FILE:imagine> cache stats --json --cache \"$1/absent.db\" && $<TARGET_FILE:imagine> cache clear --cache \"$1/absent.db\" && test ! -e \"$1/absent.db\" && echo created-nothing" sh ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(http_cache_absent PROPERTIES PASS_REGULAR_EXPRESSION "0 answers \\(no cache file yet.*\"entries\": 0.*0 answers deleted.*created-nothing")
# Several processes opening one new cache at once (the main job's three evaluations): all get it.
add_test(NAME http_cache_open_race COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/cache_open_race.sh $<TARGET_FILE:imagine>)
