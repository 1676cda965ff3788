# Embeds a file into the binary as a function returning std::string_view (run with cmake -P at
# build time, so an edit of the file regenerates the source).
#   -DINPUT=<file> -DOUTPUT=<.cc> -DHEADER=<include declaring FUNCTION> -DFUNCTION=<qualified name>
foreach(v INPUT OUTPUT HEADER FUNCTION)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "embed.cmake: ${v} is not set")
  endif()
endforeach()
file(READ "${INPUT}" hex HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x..,){20})" "\\1\n    " bytes "${bytes}")
get_filename_component(name "${INPUT}" NAME)
file(WRITE "${OUTPUT}.tmp"
"// Generated from ${name} by adapters/embed.cmake; do not edit.
#include <string_view>

#include \"${HEADER}\"

namespace {
const unsigned char kData[] = {
    ${bytes}};
}  // namespace

std::string_view ${FUNCTION}() { return {reinterpret_cast<const char*>(kData), sizeof kData}; }
")
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
