# soapcpp2 names the .nsmap after the binding; give it one stable name.
file(GLOB maps ${GEN}/*.nsmap)
list(FILTER maps EXCLUDE REGEX "edugate\\.nsmap$")
list(LENGTH maps n)
if(NOT n EQUAL 1)
  message(FATAL_ERROR "expected one generated namespace table, found: ${maps}")
endif()
file(READ ${maps} content)
file(WRITE ${GEN}/edugate.nsmap "${content}")
