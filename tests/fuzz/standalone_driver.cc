// Runs a libFuzzer target without libFuzzer: every file of the seed corpus, then N
// deterministic mutations (bit flips, truncation, byte insertion, splicing) of those seeds.
// Prints "<n> passed, 0 failed" when no input crashed (a crash ends the process).
#include <cstdint>
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<std::string> seeds;
  long mutations = 1000;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--mutations=", 0) == 0) {
      mutations = std::stol(a.substr(12));
      continue;
    }
    auto add = [&](const std::filesystem::path& p) {
      std::ifstream in(p, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      seeds.push_back(ss.str());
    };
    if (std::filesystem::is_directory(a)) {
      std::vector<std::filesystem::path> files;
      for (const auto& e : std::filesystem::directory_iterator(a))
        if (e.is_regular_file()) files.push_back(e.path());
      std::sort(files.begin(), files.end());
      for (const auto& f : files) add(f);
    } else {
      add(a);
    }
  }
  if (seeds.empty()) seeds.push_back("");
  long runs = 0;
  for (const auto& s : seeds) {
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    ++runs;
  }
  std::mt19937_64 rng(0xED06A7E);
  for (long i = 0; i < mutations; ++i) {
    std::string s = seeds[rng() % seeds.size()];
    int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits; ++e) {
      switch (rng() % 6) {
        case 0: if (!s.empty()) s[rng() % s.size()] ^= static_cast<char>(1u << (rng() % 8)); break;
        case 1: if (!s.empty()) s.resize(rng() % s.size()); break;
        case 2: s.insert(s.begin() + static_cast<long>(s.empty() ? 0 : rng() % s.size()), static_cast<char>(rng() % 256)); break;
        case 3: {
          const std::string& o = seeds[rng() % seeds.size()];
          if (!o.empty() && !s.empty()) {
            size_t from = rng() % o.size(), len = rng() % (o.size() - from + 1);
            s.insert(rng() % s.size(), o.substr(from, len));
          }
          break;
        }
        case 4: {
          static const char* tokens[] = {"<", ">", "</", "/>", "&", "&amp;", "<!DOCTYPE x>", "<![CDATA[", "]]>",
                                         "xmlns=\"\"", "\"", "'", "?oin=", "urn:uuid:", "\xC3", "\xFF", "\0"};
          const char* t = tokens[rng() % (sizeof tokens / sizeof tokens[0])];
          s.insert(s.empty() ? 0 : rng() % s.size(), t, std::max<size_t>(1, std::strlen(t)));
          break;
        }
        case 5: if (s.size() > 2) { size_t a = rng() % s.size(), b = rng() % s.size(); std::swap(s[a], s[b]); } break;
      }
    }
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(s.data()), s.size());
    ++runs;
  }
  std::printf("%ld passed, 0 failed\n", runs);
  return 0;
}
