# Builds and runs tests/consumers/app.cpp the way an outside user would (cmake -P script).
#   -DMODE=plain|find_package|add_subdirectory -DAG_SOURCE_DIR=... -DAG_BINARY_DIR=...
#   -DWORK_DIR=... -DCXX=... -DLIB_DIR=...
cmake_minimum_required(VERSION 3.25)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

function(run)
  execute_process(COMMAND ${ARGV} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "command failed (${rc}): ${ARGV}\n${out}")
  endif()
  message(STATUS "${out}")
endfunction()

set(here ${AG_SOURCE_DIR}/tests/consumers)
if(MODE STREQUAL "plain")
  # g++ app.cpp -Iinclude -Lbuild -lag
  run(${CXX} -std=c++20 ${here}/app.cpp -I${AG_SOURCE_DIR}/include -L${LIB_DIR} -lag
      -o ${WORK_DIR}/app)
elseif(MODE STREQUAL "find_package")
  run(${CMAKE_COMMAND} --install ${AG_BINARY_DIR} --prefix ${WORK_DIR}/prefix)
  run(${CMAKE_COMMAND} -S ${here}/find_package -B ${WORK_DIR}/build
      -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix -DCMAKE_CXX_COMPILER=${CXX})
  run(${CMAKE_COMMAND} --build ${WORK_DIR}/build)
  file(RENAME ${WORK_DIR}/build/app ${WORK_DIR}/app)
elseif(MODE STREQUAL "add_subdirectory")
  # No optimisation: this only proves the project embeds cleanly, and -O0 builds fastest.
  run(${CMAKE_COMMAND} -S ${here}/add_subdirectory -B ${WORK_DIR}/build
      -DAG_SOURCE_DIR=${AG_SOURCE_DIR} -DCMAKE_BUILD_TYPE=None -DCMAKE_CXX_COMPILER=${CXX})
  run(${CMAKE_COMMAND} --build ${WORK_DIR}/build --parallel 2)
  file(RENAME ${WORK_DIR}/build/app ${WORK_DIR}/app)
endif()
run(${WORK_DIR}/app)
