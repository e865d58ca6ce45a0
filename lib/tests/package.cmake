# SPDX-License-Identifier: LGPL-2.1-or-later OR MIT
# cmake -DBUILD_DIR=... -DSRC_DIR=consumer -DWORK_DIR=... [-DSANITIZE=ON] -P package.cmake
# Install the build into a temporary prefix; build and run a consumer with
# find_package(vdswipe) (shared and static) and one with pkg-config.

function(run)
	execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
	if(rc)
		message(FATAL_ERROR "failed (${rc}): ${ARGN}\n${out}\n${err}")
	endif()
	set(run_out "${out}" PARENT_SCOPE)
endfunction()

set(prefix "${WORK_DIR}/prefix")
file(REMOVE_RECURSE "${WORK_DIR}")
run(${CMAKE_COMMAND} --install "${BUILD_DIR}" --prefix "${prefix}")

foreach(f include/vdswipe/vdswipe.h include/vdswipe/hresult.h include/linux/vdswipe.h
	  share/man/man3/vdsw_clean.3 share/man/man3/vdsw_async_wait.3)
	if(NOT EXISTS "${prefix}/${f}")
		message(FATAL_ERROR "not installed: ${f}")
	endif()
endforeach()
file(GLOB_RECURSE pcs "${prefix}/*/vdswipe.pc")
file(GLOB_RECURSE configs "${prefix}/*/vdswipeConfig.cmake")
if(NOT pcs OR NOT configs)
	message(FATAL_ERROR "vdswipe.pc or vdswipeConfig.cmake not installed")
endif()
list(GET pcs 0 pc)
get_filename_component(pcdir "${pc}" DIRECTORY)
get_filename_component(libdir "${pcdir}" DIRECTORY)

set(cflags "")
if(SANITIZE)
	set(cflags "-fsanitize=address,undefined")
endif()

run(${CMAKE_COMMAND} -S "${SRC_DIR}" -B "${WORK_DIR}/consumer"
	"-DCMAKE_PREFIX_PATH=${prefix}" "-DCMAKE_C_FLAGS=${cflags}")
run(${CMAKE_COMMAND} --build "${WORK_DIR}/consumer")
run("${WORK_DIR}/consumer/consumer-shared")
run("${WORK_DIR}/consumer/consumer-static")

# pkg-config, as a Makefile would use it
set(ENV{PKG_CONFIG_PATH} "${pcdir}")
run(pkg-config --cflags --libs vdswipe)
string(STRIP "${run_out}" pkgflags)
separate_arguments(pkgflags UNIX_COMMAND "${pkgflags}")
separate_arguments(sanflags UNIX_COMMAND "${cflags}")
run(cc ${sanflags} "${SRC_DIR}/main.c" -o "${WORK_DIR}/consumer-pc" ${pkgflags})
set(ENV{LD_LIBRARY_PATH} "${libdir}")
run("${WORK_DIR}/consumer-pc")
run(pkg-config --static --libs vdswipe)
if(NOT run_out MATCHES "-lblkid" OR NOT run_out MATCHES "-lkmod")
	message(FATAL_ERROR "pkg-config --static lacks blkid/kmod: ${run_out}")
endif()
message(STATUS "installed package works with find_package() and pkg-config")
