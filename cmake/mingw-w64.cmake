# cmake/mingw-w64.cmake - cross-compile isobench for 64-bit Windows with
# Debian's mingw-w64 (x86_64-w64-mingw32-gcc, win32 thread model; the
# runner's pthread calls use mingw-w64's winpthreads, linked statically).
#
# Dependencies are searched in the mingw sysroot and in ISOBENCH_WIN_DEPS,
# the prefix scripts/build-windows fills with cJSON and libcsv cross-built
# from Debian's own source packages.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER x86_64-w64-mingw32-gcc)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)
set(CMAKE_AR x86_64-w64-mingw32-ar CACHE FILEPATH "")
set(CMAKE_RANLIB x86_64-w64-mingw32-ranlib CACHE FILEPATH "")

set(ISOBENCH_WIN_DEPS "" CACHE PATH "prefix holding the cross-built cJSON and libcsv")
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES ISOBENCH_WIN_DEPS)
set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32 ${ISOBENCH_WIN_DEPS})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# Static libraries only: the .exe must run without mingw DLLs next to it.
set(CMAKE_FIND_LIBRARY_SUFFIXES .a)
