# Golden tests: the shipped train submissions must give eval.py's output
# (expected/*.pkgdb_eval.txt) byte for byte, and every per-plan verdict
# and message of expected/*.pkgdb_perplan.jsonl.
set(TP_OUT "${IMAGINE_TEST_DATA}/outputs/train")
foreach(name train_annotated_plans
             train_gpt-4-1106-preview_direct_sole-planning_submission
             train_gpt-4-1106-preview_cot_sole-planning_submission
             train_gpt-4-1106-preview_two-stage_submission)
  add_test(NAME golden_${name}
           COMMAND ${CMAKE_SOURCE_DIR}/tests/golden/check_golden.sh $<TARGET_FILE:imagine>
                   ${IMAGINE_TEST_DATA} ${TP_OUT}/${name}.jsonl
                   ${TP_OUT}/expected/${name}.pkgdb_eval.txt ${TP_OUT}/expected/${name}.pkgdb_perplan.jsonl)
endforeach()
