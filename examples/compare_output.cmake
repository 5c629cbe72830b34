# cmake -DPROGRAM=<exe> -DEXPECTED=<file> -P compare_output.cmake
# Runs PROGRAM and compares its standard output with EXPECTED line by line. Each expected line is
# a regular expression matched against the whole printed line (tests/reference/tutorial.py
# escapes the exact lines; a pattern line stands for numbers that may differ). Lines are taken
# apart with string(FIND) rather than CMake lists, which would merge lines holding '['.
execute_process(COMMAND ${PROGRAM} RESULT_VARIABLE rc OUTPUT_VARIABLE printed ERROR_VARIABLE err)
if(rc)
  message(FATAL_ERROR "${PROGRAM} exited with ${rc}\n${printed}${err}")
endif()
file(READ ${EXPECTED} expected)
set(line 0)
while(NOT expected STREQUAL "" OR NOT printed STREQUAL "")
  math(EXPR line "${line} + 1")
  foreach(text expected printed)
    string(FIND "${${text}}" "\n" end)
    if(end EQUAL -1)
      message(FATAL_ERROR "line ${line}: the ${text} text ends early (or lacks its last newline)")
    endif()
    string(SUBSTRING "${${text}}" 0 ${end} ${text}_line)
    math(EXPR end "${end} + 1")
    string(SUBSTRING "${${text}}" ${end} -1 ${text})
  endforeach()
  if(NOT printed_line MATCHES "^${expected_line}$")
    message(FATAL_ERROR "line ${line}: printed\n  ${printed_line}\nexpected (pattern)\n  ${expected_line}")
  endif()
endwhile()
message("all ${line} lines as expected")
