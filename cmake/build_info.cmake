# Run at every build (cmake -P): writes OUT from IN with the checkout's current git commit and dirty flag,
# touching OUT only when its content changes (so a commit re-links the binary, and nothing else rebuilds).
execute_process(COMMAND git rev-parse HEAD WORKING_DIRECTORY "${SRC}"
                OUTPUT_VARIABLE ADAPTLAB_GIT_SHA OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE _git_rc)
if(NOT _git_rc EQUAL 0 OR ADAPTLAB_GIT_SHA STREQUAL "")
  set(ADAPTLAB_GIT_SHA "unknown")
endif()
execute_process(COMMAND git status --porcelain --untracked-files=no WORKING_DIRECTORY "${SRC}"
                OUTPUT_VARIABLE _git_status ERROR_QUIET)
if(_git_status STREQUAL "")
  set(ADAPTLAB_GIT_DIRTY false)
else()
  set(ADAPTLAB_GIT_DIRTY true)
endif()
configure_file("${IN}" "${OUT}" @ONLY)  # leaves OUT untouched when the content is the same
