// Replays tests/corpus/must-fail/: small files that once crashed a reader, made it
// allocate what a forged count asked for, or printed more than one line. Whatever the
// folder holds (hand-made inputs from scripts/make-must-fail-corpus.py, and the fuzzers'
// findings), `scenezip info FILE` must refuse it as bad input (exit code 2) with exactly
// one line on stderr that names the file, within a bounded amount of memory.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "tests/test_support.h"

namespace scenezip {
namespace {

namespace fs = std::filesystem;

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif

// Address space for the command: the binary with its libraries (Vulkan loader, Open3D)
// maps a few hundred MB; any reader that sizes an allocation by a forged count asks for
// far more than the rest.
constexpr long kAddressSpaceKiB = 2L << 20;  // 2 GiB

fs::path corpus_dir() { return fs::path(SCENEZIP_SOURCE_DIR) / "tests" / "corpus" / "must-fail"; }

std::string limited_info_command(const fs::path& file) {
  const std::string run = "exec " + test::scenezip_binary() + " info " + test::shell_quote(file.string());
  // AddressSanitizer reserves terabytes of address space for its shadow memory, so an
  // address-space limit would stop it at start-up; it gets its own RSS cap instead.
  if (kAddressSanitizer) return "ASAN_OPTIONS=\"${ASAN_OPTIONS:+$ASAN_OPTIONS:}hard_rss_limit_mb=2048\" " + run;
  return "ulimit -v " + std::to_string(kAddressSpaceKiB) + " || exit 99; " + run;
}

TEST(MustFail, EveryCorpusFileIsRefusedInOneLineWithBoundedMemory) {
  ASSERT_TRUE(fs::is_directory(corpus_dir())) << corpus_dir();
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(corpus_dir())) {
    if (entry.is_regular_file() && entry.path().filename().string().front() != '.') files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  ASSERT_GE(files.size(), 20u) << "the hand-made inputs are missing";
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    const test::CommandResult r = test::run_shell(limited_info_command(file));
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_EQ(r.err.rfind("scenezip: error: ", 0), 0u) << r.err;
    EXPECT_NE(r.err.find(file.string()), std::string::npos) << r.err;
    // The one line is plain text: no control characters quoted from the file.
    EXPECT_TRUE(std::none_of(r.err.begin(), r.err.end() - 1,
                             [](char c) { return static_cast<unsigned char>(c) < 0x20 && c != '\t'; }))
        << r.err;
  }
}

// The limit itself works: a command that asks for more than it is refused, so the test
// above would notice a reader that allocates by a forged count.
TEST(MustFail, TheMemoryLimitBites) {
  if (kAddressSanitizer) GTEST_SKIP() << "the limit under AddressSanitizer is its own RSS cap";
  const test::CommandResult r =
      test::run_shell("ulimit -v " + std::to_string(kAddressSpaceKiB) +
                      "; exec dd if=/dev/zero of=/dev/null bs=3G count=1");
  EXPECT_NE(r.exit_code, 0) << r.err;  // dd: memory exhausted by its 3 GiB buffer
}

}  // namespace
}  // namespace scenezip
