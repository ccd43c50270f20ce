# Compute tests: safetensors, config, tokenizer, chat templates, model init,
# the reference forward and the Vulkan path (lavapipe in CI).
set(COMPUTE_TESTS safetensors tokenizer unicode model vulkan ops_ref ops_vk train_vk)
foreach(t ${COMPUTE_TESTS})
  add_executable(test_compute_${t} ${CMAKE_CURRENT_LIST_DIR}/test_${t}.c)
  target_link_libraries(test_compute_${t} PRIVATE imagine_compute)
  target_include_directories(test_compute_${t} PRIVATE ${CMAKE_CURRENT_LIST_DIR})
endforeach()
add_test(NAME compute_safetensors COMMAND test_compute_safetensors)
add_test(NAME compute_tokenizer COMMAND test_compute_tokenizer ${IMAGINE_TEST_DATA})
add_test(NAME compute_unicode COMMAND test_compute_unicode ${IMAGINE_UNICODE_DIR})
add_test(NAME compute_model COMMAND test_compute_model ${IMAGINE_TEST_DATA})
add_test(NAME compute_vulkan COMMAND test_compute_vulkan ${IMAGINE_TEST_DATA})
add_test(NAME compute_ops_ref COMMAND test_compute_ops_ref)
add_test(NAME compute_ops_vk COMMAND test_compute_ops_vk)
add_test(NAME compute_train_vk COMMAND test_compute_train_vk ${IMAGINE_TEST_DATA})
# The kernels at another subgroup width: llvmpipe with 128-bit vectors runs 4 lanes
# (8 by default with AVX2); and a claimed width the device does not run, which vk.c's
# probe must replace by the real one (common.glsl: a workgroup is one subgroup).
add_test(NAME compute_ops_vk_4lanes COMMAND test_compute_ops_vk)
add_test(NAME compute_train_vk_4lanes COMMAND test_compute_train_vk ${IMAGINE_TEST_DATA})
add_test(NAME compute_vulkan_4lanes COMMAND test_compute_vulkan ${IMAGINE_TEST_DATA})
set_tests_properties(compute_ops_vk_4lanes compute_train_vk_4lanes compute_vulkan_4lanes PROPERTIES ENVIRONMENT LP_NATIVE_VECTOR_WIDTH=128)
add_test(NAME compute_ops_vk_claimed_lanes COMMAND test_compute_ops_vk)
set_tests_properties(compute_ops_vk_claimed_lanes PROPERTIES ENVIRONMENT IMAGINE_VK_LANES=32)
add_test(NAME compute_serve COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/test_serve.sh $<TARGET_FILE:imagine> ${IMAGINE_TEST_DATA})
# Same ids and texts as Hugging Face's tokenizers.js; skipped when node or
# its module is absent, a failure in CI (.ci/run installs both:
# npm install --prefix DIR @huggingface/tokenizers@0.2.0, then
# IMAGINE_NODE_MODULES=DIR/node_modules at configure time).
set(IMAGINE_NODE_MODULES "$ENV{IMAGINE_NODE_MODULES}" CACHE PATH "node_modules holding @huggingface/tokenizers")
if(NOT IMAGINE_NODE_MODULES)
  set(IMAGINE_NODE_MODULES ${CMAKE_CURRENT_LIST_DIR}/js/node_modules)
endif()
add_executable(test_compute_tokjs ${CMAKE_CURRENT_LIST_DIR}/test_tokjs.c)
target_link_libraries(test_compute_tokjs PRIVATE imagine_compute)
target_include_directories(test_compute_tokjs PRIVATE ${CMAKE_CURRENT_LIST_DIR})
target_compile_definitions(test_compute_tokjs PRIVATE SRC_DIR="${CMAKE_CURRENT_LIST_DIR}")
add_test(NAME compute_tokenizer_tokjs COMMAND test_compute_tokjs ${IMAGINE_TEST_DATA} ${IMAGINE_NODE_MODULES})
set_tests_properties(compute_tokenizer_tokjs PROPERTIES SKIP_RETURN_CODE 77)
# `imagine serve` against hostile clients (issue 13): disconnects, limits, bad fields, SIGTERM.
add_test(NAME compute_serve_hostile COMMAND python3 ${CMAKE_CURRENT_LIST_DIR}/test_serve_hostile.py $<TARGET_FILE:imagine> ${IMAGINE_TEST_DATA})
set_tests_properties(compute_serve_hostile PROPERTIES TIMEOUT 240)
# The C reference (forward, every gradient, AdamW) against an independent
# PyTorch CPU model (Debian python3-torch) on tiny Qwen3 and Llama folders.
add_executable(test_compute_train_dump ${CMAKE_CURRENT_LIST_DIR}/train_dump.c)
target_link_libraries(test_compute_train_dump PRIVATE imagine_compute)
add_test(NAME compute_torch_ref COMMAND /usr/bin/python3 ${CMAKE_CURRENT_LIST_DIR}/torch_check.py
  $<TARGET_FILE:imagine> $<TARGET_FILE:test_compute_train_dump> ${IMAGINE_TEST_DATA})
# model init --corpus and shape overrides (the main job sizes its model this way).
add_test(NAME compute_model_init_opts COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/test_model_init_opts.sh $<TARGET_FILE:imagine>)
# bench train --rounds: ours and the torch peer alternate; the median ratio is the middle round's.
add_test(NAME compute_bench_rounds COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/test_bench_rounds.sh $<TARGET_FILE:imagine>)
add_test(NAME compute_bench_train_opts COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/test_bench_train_opts.sh $<TARGET_FILE:imagine>)
# --cpu-latency: the PM QoS request written and held (common/cpulat.h).
add_test(NAME compute_cpu_latency COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/test_cpu_latency.sh $<TARGET_FILE:imagine>)
