# cmake -DMODE=subdirectory|install -DSOURCE=<checkout> -DBUILD=<gradflow build> -DWORK=<dir>
#       [-DSANITIZE=ON] -P run.cmake
# Configures and builds tests/consumer in WORK (fresh) against gradflow, then runs it; ctest
# checks its output. install: `cmake --install BUILD --prefix WORK/prefix` first, then
# find_package. subdirectory: add_subdirectory(SOURCE) (ccache, when present, keeps it quick).
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(args -S ${SOURCE}/tests/consumer -B ${WORK}/build -DCMAKE_BUILD_TYPE=Release)
find_program(CCACHE ccache)
if(CCACHE)
  list(APPEND args -DCMAKE_CXX_COMPILER_LAUNCHER=${CCACHE})
endif()
if(MODE STREQUAL "install")
  execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD} --prefix ${WORK}/prefix
                  RESULT_VARIABLE rc OUTPUT_QUIET)
  if(rc)
    message(FATAL_ERROR "cmake --install failed (${rc})")
  endif()
  list(APPEND args -DCMAKE_PREFIX_PATH=${WORK}/prefix)
  if(SANITIZE)  # the installed libraries are instrumented: so must the program be
    list(APPEND args "-DCMAKE_CXX_FLAGS=-fsanitize=address,undefined"
         "-DCMAKE_EXE_LINKER_FLAGS=-fsanitize=address,undefined")
  endif()
else()
  list(APPEND args -DGRADFLOW_SOURCE_DIR=${SOURCE})
endif()
foreach(step configure build)
  if(step STREQUAL "configure")
    set(command ${CMAKE_COMMAND} ${args})
  else()
    set(command ${CMAKE_COMMAND} --build ${WORK}/build -j2 --target consumer)
  endif()
  execute_process(COMMAND ${command} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(rc)
    message(FATAL_ERROR "consumer ${step} (${MODE}) failed:\n${out}")
  endif()
endforeach()
execute_process(COMMAND ${WORK}/build/consumer WORKING_DIRECTORY ${WORK}/build
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
message("${out}")
if(rc)
  message(FATAL_ERROR "consumer exited with ${rc}")
endif()
# Seed 001's numbers, and both pictures written.
if(NOT out MATCHES "L = -12, dL/dx = -4, dL/dy = -4, dL/dz = 3\ngraph.svg starts <\\?xml, sigmoid.png is PNG")
  message(FATAL_ERROR "unexpected consumer output (${MODE})")
endif()
file(REMOVE_RECURSE ${WORK})
