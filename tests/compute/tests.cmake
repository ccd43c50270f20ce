# Compute tests: safetensors, config, tokenizer, chat templates, model init,
# the reference forward and the Vulkan path (lavapipe in CI).
set(COMPUTE_TESTS safetensors tokenizer model vulkan)
foreach(t ${COMPUTE_TESTS})
  add_executable(test_compute_${t} ${CMAKE_CURRENT_LIST_DIR}/test_${t}.c)
  target_link_libraries(test_compute_${t} PRIVATE imagine_compute)
  target_include_directories(test_compute_${t} PRIVATE ${CMAKE_CURRENT_LIST_DIR})
endforeach()
add_test(NAME compute_safetensors COMMAND test_compute_safetensors)
add_test(NAME compute_tokenizer COMMAND test_compute_tokenizer ${IMAGINE_TEST_DATA})
add_test(NAME compute_model COMMAND test_compute_model ${IMAGINE_TEST_DATA})
add_test(NAME compute_vulkan COMMAND test_compute_vulkan ${IMAGINE_TEST_DATA})
add_test(NAME compute_serve COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/test_serve.sh $<TARGET_FILE:imagine> ${IMAGINE_TEST_DATA})
