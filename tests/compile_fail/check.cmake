# Compiles one compile_fail case: with -DCTNN_COMPILE_FAIL it must fail and its diagnostics must
# match every one of the file's "// expect:" regexes; without, the compiling twin must build.
# cmake -DCXX=... -DSOURCE=... -DFLAGS="..." -DMODE=fail|pass -P check.cmake
# Every "// expect: REGEX" line must match somewhere in the diagnostics (CMake's regex engine
# backtracks badly on patterns spanning lines, so a case lists several single-line patterns).
file(STRINGS ${SOURCE} expects REGEX "^// expect: ")
separate_arguments(flags UNIX_COMMAND "${FLAGS}")
if(MODE STREQUAL "fail")
  list(APPEND flags -DCTNN_COMPILE_FAIL)
endif()
execute_process(COMMAND ${CXX} ${flags} -fsyntax-only ${SOURCE}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
string(APPEND out "${err}")
if(MODE STREQUAL "pass")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "the compiling twin of ${SOURCE} does not compile:\n${out}")
  endif()
  return()
endif()
if(rc EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled, but it must fail")
endif()
foreach(line IN LISTS expects)
  string(REGEX REPLACE "^// expect: " "" expect "${line}")
  if(NOT out MATCHES "${expect}")
    message(FATAL_ERROR "${SOURCE}: the diagnostic does not match '${expect}':\n${out}")
  endif()
endforeach()
# One mistake, one error: a second error line is the cascade the checks exist to prevent.
string(REGEX MATCHALL "error:" errors "${out}")
list(LENGTH errors error_count)
if(NOT error_count EQUAL 1)
  message(FATAL_ERROR "${SOURCE}: ${error_count} errors, expected exactly one:\n${out}")
endif()
string(REGEX MATCHALL "\n" newlines "${out}")
list(LENGTH newlines lines)
string(REGEX MATCH "[^\n]*error:[^\n]*" first_error "${out}")
message(STATUS "${SOURCE}: fails as expected; ${lines} diagnostic lines; first error: ${first_error}")
