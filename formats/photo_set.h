// Photographs with camera poses: the NeRF-synthetic `transforms_*.json` and Instant-NGP
// `transforms.json` layouts, read into one description of every frame (image file, size,
// intrinsics, lens distortion, camera-to-world pose), and the photos decoded one at a
// time, so a set of any length costs one image of memory.
//
// Both layouts store the pose as a 4x4 camera-to-world matrix with OpenGL camera axes
// (x right, y up, the camera looking down -z); Instant-NGP moves and cycles the world
// axes only inside its own testbed (nerf_matrix_to_ngp), so the file's world frame is
// the scene's. engine/render/camera.h's `photo_camera` turns a frame into the project's
// COLMAP-axes camera.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/status.h"

namespace scenezip {

enum class PhotoSetLayout { kNerfSynthetic, kInstantNgp };

// OpenCV radial-tangential distortion in normalized camera coordinates: a pinhole point
// (x, y) is photographed at x * (1 + k1 r^2 + k2 r^4) + 2 p1 x y + p2 (r^2 + 2 x^2), and
// likewise for y with p1 and p2 swapped.
struct LensDistortion {
  double k1 = 0, k2 = 0, p1 = 0, p2 = 0;
  bool none() const { return k1 == 0 && k2 == 0 && p1 == 0 && p2 == 0; }
};

struct PhotoFrame {
  std::string name;        // file_path as the JSON writes it
  std::string image_path;  // resolved beside the JSON; ".png" added when file_path has no extension
  // Size and intrinsics after the set's downscale, in pixels, pixel centres at
  // (i + 0.5, j + 0.5) (COLMAP's and Instant-NGP's cx, cy).
  int width = 0, height = 0;
  double fx = 0, fy = 0, cx = 0, cy = 0;
  LensDistortion distortion;  // unchanged by downscaling (normalized coordinates)
  // Camera-to-world as in the file, row-major: OpenGL camera axes, the file's world.
  std::array<double, 16> camera_to_world{};
};

struct PhotoSet {
  std::string path;  // the transforms*.json
  PhotoSetLayout layout = PhotoSetLayout::kNerfSynthetic;
  int downscale = 1;
  double aabb_scale = 1;  // Instant-NGP's scene box scale; 1 where the file has none
  std::vector<PhotoFrame> frames;
};

// Limits checked before anything is allocated from a file's numbers.
inline constexpr std::size_t kMaxPhotoFrames = 100000;
inline constexpr int kMaxPhotoSide = 16384;
inline constexpr std::uint64_t kMaxPhotoPixels = std::uint64_t{1} << 26;
inline constexpr int kMaxPhotoDownscale = 64;

struct PhotoSetOptions {
  // Box-filter factor K: sizes become floor(w / K) x floor(h / K), intrinsics divide by K.
  int downscale = 1;
  // When true (eval, training), every image must exist and its header must agree with the
  // JSON's size, checked now so a long run does not fail at frame 80. When false (a
  // camera alone, e.g. `render --camera`), images are opened only where the JSON lacks
  // the size (NeRF-synthetic takes the size from the images).
  bool require_images = true;
};

// Reads a transforms*.json. Errors are one line naming the file (the JSON, or the image
// whose header was wrong or missing) and the frame.
Result<PhotoSet> read_photo_set(const std::string& path, const PhotoSetOptions& options = {});

struct Photo {
  int width = 0, height = 0;
  std::vector<float> rgb;    // 3 per pixel in [0,1], row-major from the top-left
  std::vector<float> alpha;  // 1 per pixel; empty unless PhotoLoadOptions::keep_alpha
};

struct PhotoLoadOptions {
  // What transparent pixels are composited on: white, the NeRF-synthetic convention.
  std::array<float, 3> background{1, 1, 1};
  // Where the frame has lens distortion, resample it (bilinear, at full size before the
  // box filter) to the pinhole camera of the same intrinsics, which is what the
  // renderers draw. False keeps the photo as taken.
  bool undistort = true;
  bool keep_alpha = false;
};

// Decodes frame `index` at the set's downscale: the image's size must match the frame's,
// its header is checked (kMaxPhotoPixels, PNG chunk lengths) before decoding.
Result<Photo> load_photo(const PhotoSet& set, std::size_t index, const PhotoLoadOptions& options = {});

// Train/test split: frame i is a test frame when i % test_every == 0 (frames 0, K, 2K,
// ..., as 3DGS's and Mip-NeRF 360's "every 8th image" holds them out), a training frame
// otherwise. kAll is every frame.
enum class PhotoSplit { kAll, kTrain, kTest };
Result<PhotoSplit> parse_photo_split(const std::string& text);  // "all", "train", "test"
const char* photo_split_name(PhotoSplit split);
// Frame indices of the split, ascending. test_every must be >= 1 (1 makes every frame a
// test frame and the training split empty).
std::vector<std::size_t> photo_split(std::size_t frame_count, PhotoSplit split, int test_every = 8);

}  // namespace scenezip
