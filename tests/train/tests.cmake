# tests/train: the trainer (issue 14). test_train_unit needs no forward
# pass (data, packing, AdamW, checkpoints, PEFT layout and merge).
add_executable(test_train_unit ${CMAKE_CURRENT_LIST_DIR}/test_train_unit.c)
target_link_libraries(test_train_unit PRIVATE imagine_train)
target_include_directories(test_train_unit PRIVATE ${CMAKE_CURRENT_LIST_DIR}/..)
add_test(NAME train_unit COMMAND test_train_unit ${IMAGINE_TEST_DATA} ${CMAKE_CURRENT_BINARY_DIR}/train_unit_tmp)
# The SFT verb end to end: kill -9 and --resume give the same curve and
# weights bit for bit; refusals; LoRA in PEFT's layout and `model merge`.
add_test(NAME train_sft_resume COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/sft_resume.sh $<TARGET_FILE:imagine> ${IMAGINE_TEST_DATA}
         ${CMAKE_CURRENT_BINARY_DIR}/train_sft_resume_tmp)
# The same on the Vulkan trainer (lavapipe): kill -9, --resume, the same curve, weights and
# optimizer state bit for bit.
add_test(NAME train_sft_resume_vulkan COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/sft_resume.sh $<TARGET_FILE:imagine> ${IMAGINE_TEST_DATA}
         ${CMAKE_CURRENT_BINARY_DIR}/train_sft_resume_vulkan_tmp vulkan)
# LoRA merge = base + adapter through compute's forward; GRPO's per-token
# loss against central differences; advantages.
add_executable(test_train_model ${CMAKE_CURRENT_LIST_DIR}/test_train_model.c)
target_link_libraries(test_train_model PRIVATE imagine_train)
target_include_directories(test_train_model PRIVATE ${CMAKE_CURRENT_LIST_DIR}/..)
add_test(NAME train_model COMMAND test_train_model ${IMAGINE_TEST_DATA} ${CMAKE_CURRENT_BINARY_DIR}/train_model_tmp)
# The demonstrations: SFT of a tiny model (held-out loss and answers in the
# suite's format), then GRPO from its checkpoint (mean reward rises; trainer
# and sampler log-probs agree). demo_grpo needs demo_sft's folder.
add_test(NAME train_demo_sft COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/demo_sft.sh $<TARGET_FILE:imagine> ${IMAGINE_TEST_DATA}
         ${CMAKE_CURRENT_BINARY_DIR}/train_demo_tmp)
add_test(NAME train_demo_grpo COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/demo_grpo.sh $<TARGET_FILE:imagine> ${IMAGINE_TEST_DATA}
         ${CMAKE_CURRENT_BINARY_DIR}/train_demo_tmp)
set_tests_properties(train_demo_sft PROPERTIES FIXTURES_SETUP train_demo)
set_tests_properties(train_demo_grpo PROPERTIES FIXTURES_REQUIRED train_demo)
# Bad training input (NUL bytes, malformed or empty data, missing files) is
# refused naming the file, line and column, with nothing added to the store.
add_test(NAME train_bad_input COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/bad_input.sh $<TARGET_FILE:imagine> ${IMAGINE_TEST_DATA}
         ${IMAGINE_PB_DATA} ${CMAKE_CURRENT_BINARY_DIR}/train_bad_input_tmp)
# The same demonstrations with the model trained on the Vulkan trainer (lavapipe in CI), not the C one:
# the thresholds above hold unchanged.
add_test(NAME train_demo_sft_vulkan COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/demo_sft.sh $<TARGET_FILE:imagine> ${IMAGINE_TEST_DATA}
         ${CMAKE_CURRENT_BINARY_DIR}/train_demo_vulkan_tmp vulkan)
add_test(NAME train_demo_grpo_vulkan COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/demo_grpo.sh $<TARGET_FILE:imagine> ${IMAGINE_TEST_DATA}
         ${CMAKE_CURRENT_BINARY_DIR}/train_demo_vulkan_tmp vulkan)
set_tests_properties(train_demo_sft_vulkan PROPERTIES FIXTURES_SETUP train_demo_vulkan)
set_tests_properties(train_demo_grpo_vulkan PROPERTIES FIXTURES_REQUIRED train_demo_vulkan)
