#include "adapters/pdf/jpeg.h"

// clang-format off
#include <cstdio>  // jpeglib.h needs FILE
#include <jpeglib.h>
// clang-format on

#include <csetjmp>
#include <cstring>
#include <new>

namespace edugate::adapters::pdf {
namespace {

constexpr const char* kCode = "LOGO";
constexpr const char* kField = "Bedrijfslogo";
constexpr int kMaxScans = 100;                  // progressive files: a "scan bomb" costs CPU per scan
constexpr long kMaxDecoderMemory = 256L << 20;  // libjpeg's own allocations

Error geen_jpeg() { return make_error(kCode, "bedrijfslogo moet een JPEG-afbeelding zijn", kField); }
Error kapot() {
  return make_error(kCode, "bedrijfslogo is geen geldige JPEG-afbeelding (beschadigd of onvolledig)", kField);
}

unsigned be16(const unsigned char* p) { return (static_cast<unsigned>(p[0]) << 8) | p[1]; }

bool is_sof(unsigned char m) { return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC; }

// libjpeg reports through these; every error and every warning ends the decode.
struct Fout {
  jpeg_error_mgr pub;
  std::jmp_buf jump;
};

extern "C" void on_error(j_common_ptr c) { std::longjmp(reinterpret_cast<Fout*>(c->err)->jump, 1); }

extern "C" void on_message(j_common_ptr c, int level) {
  if (level < 0) std::longjmp(reinterpret_cast<Fout*>(c->err)->jump, 1);  // a warning: corrupt data
}

extern "C" void on_progress(j_common_ptr c) {
  auto* d = reinterpret_cast<j_decompress_ptr>(c);
  if (d->input_scan_number > kMaxScans) std::longjmp(reinterpret_cast<Fout*>(c->err)->jump, 1);
}

struct Opdracht {
  const unsigned char* data = nullptr;
  std::size_t size = 0;
  int max_side = 0;
  DecodedJpeg* out = nullptr;
};

// The only function that calls setjmp: it holds no C++ objects, and everything it produces goes
// through `job.out`, which lives in the caller's frame.
bool run_decoder(const Opdracht& job) {
  jpeg_decompress_struct cinfo;
  Fout fout;
  jpeg_progress_mgr progress;
  std::memset(&cinfo, 0, sizeof cinfo);
  cinfo.err = jpeg_std_error(&fout.pub);
  fout.pub.error_exit = on_error;
  fout.pub.emit_message = on_message;
  if (setjmp(fout.jump) != 0) {
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_create_decompress(&cinfo);
  cinfo.mem->max_memory_to_use = kMaxDecoderMemory;
  progress.progress_monitor = on_progress;
  cinfo.progress = &progress;
  jpeg_mem_src(&cinfo, job.data, static_cast<unsigned long>(job.size));
  if (jpeg_read_header(&cinfo, TRUE) != JPEG_HEADER_OK) {
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  const bool cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
  cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
  job.out->embeddable = cinfo.jpeg_color_space == JCS_GRAYSCALE || cinfo.jpeg_color_space == JCS_YCbCr;
  cinfo.scale_num = 1;
  cinfo.scale_denom = 1;
  if (job.max_side > 0) {
    const unsigned longest = cinfo.image_width > cinfo.image_height ? cinfo.image_width : cinfo.image_height;
    while (cinfo.scale_denom < 8 && (longest + cinfo.scale_denom - 1) / cinfo.scale_denom > unsigned(job.max_side))
      cinfo.scale_denom *= 2;
  }
  jpeg_start_decompress(&cinfo);
  const unsigned w = cinfo.output_width, h = cinfo.output_height;
  const int comps = cinfo.output_components;
  if (job.max_side > 0) {
    try {
      job.out->pixels.assign(static_cast<std::size_t>(w) * h, 0);
    } catch (const std::bad_alloc&) {
      jpeg_destroy_decompress(&cinfo);
      return false;
    }
  }
  JSAMPARRAY row = (*cinfo.mem->alloc_sarray)(reinterpret_cast<j_common_ptr>(&cinfo), JPOOL_IMAGE,
                                              w * static_cast<unsigned>(comps), 1);
  while (cinfo.output_scanline < h) {
    const unsigned y = cinfo.output_scanline;
    if (jpeg_read_scanlines(&cinfo, row, 1) != 1) {  // only a suspending source does this
      jpeg_destroy_decompress(&cinfo);
      return false;
    }
    if (job.max_side <= 0) continue;
    std::uint32_t* dst = job.out->pixels.data() + static_cast<std::size_t>(y) * w;
    const JSAMPLE* s = row[0];
    for (unsigned x = 0; x < w; ++x, s += comps) {
      unsigned r, g, b;
      if (comps == 4) {
        // Adobe writes CMYK inverted (as almost every CMYK JPEG has an Adobe marker).
        unsigned c = s[0], m = s[1], yy = s[2], k = s[3];
        if (!cinfo.saw_Adobe_marker) c = 255 - c, m = 255 - m, yy = 255 - yy, k = 255 - k;
        r = c * k / 255, g = m * k / 255, b = yy * k / 255;
      } else {
        r = s[0], g = s[1], b = s[2];
      }
      dst[x] = (r << 16) | (g << 8) | b;
    }
  }
  job.out->width = static_cast<int>(w);
  job.out->height = static_cast<int>(h);
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return true;
}

}  // namespace

Result<JpegFrame> read_jpeg_frame(std::string_view bytes) {
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const std::size_t n = bytes.size();
  if (n < 4 || p[0] != 0xFF || p[1] != 0xD8 || p[2] != 0xFF) return geen_jpeg();
  std::size_t pos = 2;
  while (true) {
    if (pos >= n || p[pos] != 0xFF) return geen_jpeg();
    while (pos < n && p[pos] == 0xFF) ++pos;  // fill bytes
    if (pos >= n) return geen_jpeg();
    const unsigned char m = p[pos++];
    if (m == 0x01 || (m >= 0xD0 && m <= 0xD7)) continue;          // markers without a length
    if (m == 0xD8 || m == 0xD9 || m == 0xDA) return geen_jpeg();  // no frame before the image data
    if (pos + 2 > n) return geen_jpeg();
    const unsigned len = be16(p + pos);
    if (len < 2 || pos + len > n) return geen_jpeg();
    if (is_sof(m)) {
      if (len < 8) return geen_jpeg();
      JpegFrame f{static_cast<int>(be16(p + pos + 5)), static_cast<int>(be16(p + pos + 3)), p[pos + 7], p[pos + 2]};
      if (f.precision != 8 || (f.components != 1 && f.components != 3 && f.components != 4)) return geen_jpeg();
      if (f.width < 1 || f.height < 1 || f.width > kMaxLogoZijde || f.height > kMaxLogoZijde ||
          static_cast<long>(f.width) * f.height > kMaxLogoPixels)
        return make_error(kCode,
                          "bedrijfslogo heeft onbruikbare afmetingen (hoogstens " + std::to_string(kMaxLogoZijde) +
                              " × " + std::to_string(kMaxLogoZijde) + " pixels)",
                          kField);
      return f;
    }
    pos += len;
  }
}

Result<DecodedJpeg> decode_jpeg(std::string_view bytes, int max_side) {
  auto frame = read_jpeg_frame(bytes);
  if (!frame) return frame.error();
  DecodedJpeg out;
  Opdracht job{reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), max_side, &out};
  if (!run_decoder(job)) return kapot();
  return out;
}

}  // namespace edugate::adapters::pdf
