# package.cmake - install layout and the Debian package (CPack DEB).
#
# `scripts/package` (or `cpack -G DEB` in a build directory) makes
# isobench_<version>_amd64.deb. Layout on the installed host:
#   /usr/lib/isobench/isobench          the binary, with isobench-payload beside it
#                                       (the payload is found next to the binary's own
#                                       location, /proc/self/exe, so the symlink below works)
#   /usr/bin/isobench                   -> ../lib/isobench/isobench
#   /usr/share/isobench/scenarios/      the scenario files
#   /usr/share/man/man1/isobench.1.gz   the manual page (man/isobench.1.in + `isobench help`)
#   /usr/share/doc/isobench/            README.md, copyright
# Dependencies: dpkg-shlibdeps computes the shared-library ones (libc6,
# libcjson1, libcsv3, libcurl4, libplot2c2); busybox-static (the container
# image) is declared here, the engines are recommended.
include(GNUInstallDirs)

set(ISOBENCH_LIBDIR "lib/isobench")
set(ISOBENCH_DATADIR "${CMAKE_INSTALL_DATADIR}/isobench")

install(TARGETS isobench isobench-payload RUNTIME DESTINATION ${ISOBENCH_LIBDIR})
install(CODE "file(MAKE_DIRECTORY \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}\")
  execute_process(COMMAND \${CMAKE_COMMAND} -E create_symlink ../${ISOBENCH_LIBDIR}/isobench
    \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}/isobench\")")
install(DIRECTORY scenarios/ DESTINATION ${ISOBENCH_DATADIR}/scenarios FILES_MATCHING PATTERN "*.json")

# The manual page: its command list comes from the built binary's `help`
# (cmake/manpage.cmake), compressed reproducibly (gzip -n: no name or time).
add_custom_command(OUTPUT ${CMAKE_BINARY_DIR}/isobench.1.gz
  COMMAND ${CMAKE_COMMAND} -DBIN=$<TARGET_FILE:isobench> -DIN=${CMAKE_SOURCE_DIR}/man/isobench.1.in
          -DOUT=${CMAKE_BINARY_DIR}/isobench.1 -DVERSION=${PROJECT_VERSION}
          -P ${CMAKE_SOURCE_DIR}/cmake/manpage.cmake
  COMMAND gzip -9nf ${CMAKE_BINARY_DIR}/isobench.1
  DEPENDS isobench ${CMAKE_SOURCE_DIR}/man/isobench.1.in ${CMAKE_SOURCE_DIR}/cmake/manpage.cmake VERBATIM)
add_custom_target(isobench-man ALL DEPENDS ${CMAKE_BINARY_DIR}/isobench.1.gz)
install(FILES ${CMAKE_BINARY_DIR}/isobench.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES README.md man/copyright DESTINATION ${CMAKE_INSTALL_DOCDIR})

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "isobench")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_CONTACT "isobench maintainers <isobench@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "container isolation benchmarks and capacity estimates")
set(CPACK_PACKAGE_DESCRIPTION "isobench launches fleets of real containers in each isolation mode
(namespaces, runc, gVisor, Docker, QEMU microVMs), measures start latency,
memory, CPU and storage per container, and estimates how many containers of
each mode a host holds and which resource binds.")
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "admin")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "busybox-static")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "runc, docker.io, qemu-system-x86")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "runsc")
set(CPACK_STRIP_FILES ON)
include(CPack)
