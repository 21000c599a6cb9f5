# manpage.cmake - writes the manual page from man/isobench.1.in, with the
# COMMANDS section taken from the built binary's `isobench help`, so the page
# lists exactly the commands the binary has.
# cmake -DBIN=.../isobench -DIN=man/isobench.1.in -DOUT=isobench.1 -DVERSION=x -P manpage.cmake
execute_process(COMMAND ${BIN} help OUTPUT_VARIABLE help RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${BIN} help failed (${rc})")
endif()
string(REPLACE "\\" "\\e" help "${help}")
string(REPLACE "-" "\\-" help "${help}")
string(REPLACE ";" "\\;" help "${help}")
string(REPLACE "\n" ";" lines "${help}")
set(commands "")
foreach(line IN LISTS lines)
  # command lines are "  NAME       TEXT"
  if(line MATCHES "^  ([a-z]+) +(.*)$")
    string(APPEND commands ".TP\n.B isobench ${CMAKE_MATCH_1}\n${CMAKE_MATCH_2}\n")
  endif()
endforeach()
if(commands STREQUAL "")
  message(FATAL_ERROR "${BIN} help listed no commands")
endif()
file(READ ${IN} page)
string(REPLACE "@COMMANDS@\n" "${commands}" page "${page}")
string(REPLACE "@VERSION@" "${VERSION}" page "${page}")
file(WRITE ${OUT} "${page}")
