#pragma once
// JPEG checks and decoding for the company logo (libjpeg-turbo). Internal to adapters/pdf.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace edugate::adapters::pdf {

// Limits for a logo: per side and in total, so a small file cannot ask for gigabytes.
inline constexpr int kMaxLogoZijde = 6000;
inline constexpr long kMaxLogoPixels = 24L * 1000 * 1000;

struct JpegFrame {
  int width = 0, height = 0, components = 0, precision = 0;
};

// Walks the markers up to the first SOF; refuses what is not a JPEG or has unusable dimensions.
Result<JpegFrame> read_jpeg_frame(std::string_view bytes);

struct DecodedJpeg {
  int width = 0, height = 0;          // of `pixels` (after downscaling)
  std::vector<std::uint32_t> pixels;  // 0x00RRGGBB per pixel, row-major (cairo RGB24)
  bool embeddable = false;            // gray or YCbCr: the original bytes can go into the PDF as is
};

// A full decode; warnings (corrupt or truncated data) count as errors. With max_side > 0 the image
// is scaled down by libjpeg (1/2, 1/4, 1/8) until its longer side fits and its pixels are kept;
// with max_side == 0 the pixels are only checked, not kept.
Result<DecodedJpeg> decode_jpeg(std::string_view bytes, int max_side);

}  // namespace edugate::adapters::pdf
