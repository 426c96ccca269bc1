# Runs an example as a smoke test (cmake -P):
#   -DPROGRAM=<exe> [-DARGS="a;b"] [-DGOLDEN=<file> -DGOLDEN_UNTIL=<line starting the free part>]
# Fails when the program fails, when its output before GOLDEN_UNTIL differs from GOLDEN, or
# when it prints "loss <x>" lines and the last loss is not below the first.
cmake_minimum_required(VERSION 3.25)
execute_process(COMMAND ${PROGRAM} ${ARGS} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${PROGRAM} exited with ${rc}\n${err}")
endif()

if(GOLDEN)
  file(READ ${GOLDEN} expected)
  string(FIND "${out}" "${GOLDEN_UNTIL}" cut)
  if(cut EQUAL -1)
    message(FATAL_ERROR "the output has no line '${GOLDEN_UNTIL}'")
  endif()
  string(SUBSTRING "${out}" 0 ${cut} head)
  if(NOT head STREQUAL expected)
    file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/actual_output.txt "${head}")
    message(FATAL_ERROR "the output differs from ${GOLDEN}; it was written to "
                        "${CMAKE_CURRENT_BINARY_DIR}/actual_output.txt")
  endif()
endif()

string(REGEX MATCHALL "loss [-+0-9.eE]+" losses "${out}")
list(LENGTH losses n)
if(n GREATER 1)
  list(GET losses 0 first)
  list(GET losses -1 last)
  string(REPLACE "loss " "" first "${first}")
  string(REPLACE "loss " "" last "${last}")
  if(NOT last LESS first)
    message(FATAL_ERROR "the loss did not fall: first ${first}, last ${last}")
  endif()
endif()
