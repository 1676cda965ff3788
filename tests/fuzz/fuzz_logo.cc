// Fuzz target: the company logo check (JPEG markers, then a full libjpeg-turbo decode), the
// only binary format that arrives from the network (Praktijkverklaring/Bedrijfslogo).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "adapters/pdf/jpeg.h"
#include "adapters/pdf/praktijkloket_pdf.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const bool ok = edugate::adapters::pdf::check_logo(in).ok();
  // The rendering path decodes scaled down; it must agree with the check.
  auto img = edugate::adapters::pdf::decode_jpeg(in, 64);
  if (ok != img.ok()) __builtin_trap();
  if (img && (img->width < 1 || img->height < 1 || img->pixels.size() != static_cast<size_t>(img->width) * img->height))
    __builtin_trap();
  return 0;
}
