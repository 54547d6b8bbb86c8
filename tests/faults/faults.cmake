# The fault suite: what a hostile or careless user does, each case a script run against the real CLI
# (see tests/faults/*.sh for what each checks).
set(_fault_cases slurm_injection db_deleted lock_other_path exit_codes non_finite resource_limits bad_writes
    bare_plugin database_files crash_loop big_sweep study_files plugins_status text_files image_inputs model_files)
foreach(_case IN LISTS _fault_cases)
  add_test(NAME faults.${_case}
           COMMAND bash "${CMAKE_CURRENT_SOURCE_DIR}/faults/${_case}.sh" $<TARGET_FILE:adaptlab_cli>
                   $<TARGET_FILE:example_plugin> "${CMAKE_CURRENT_SOURCE_DIR}/fixtures"
                   "${CMAKE_BINARY_DIR}/test-tmp/faults-${_case}")
  set_tests_properties(faults.${_case} PROPERTIES TIMEOUT 300 FAIL_REGULAR_EXPRESSION "FAIL: ")
endforeach()
# database_files says "adaptlab-skip: why" when it cannot make a read-only archive here (no read-only mount,
# chattr or other user as root). A skip match wins over FAIL_REGULAR_EXPRESSION and the exit code in CTest,
# so the script prints it only when nothing else failed.
set_tests_properties(faults.database_files PROPERTIES SKIP_REGULAR_EXPRESSION "adaptlab-skip:")
