#include "tools/nerf_dataset.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "engine/core/parallel.h"
#include "formats/photo_set.h"

namespace scenezip::cli {

namespace fs = std::filesystem;

namespace {

std::uint32_t to_byte(float x) { return static_cast<std::uint32_t>(std::lround(std::clamp(x, 0.0f, 1.0f) * 255.0f)); }

// Premultiplied colour (the photo on black) and alpha, as gpu::NerfImages holds them.
std::uint32_t pack(const float* rgb, float alpha) {
  std::uint32_t v = to_byte(alpha) << 24;
  for (int c = 0; c < 3; ++c) v |= to_byte(rgb[c]) << (8 * c);
  return v;
}

}  // namespace

Result<NerfDataset> load_nerf_dataset(const std::string& path, int downscale, int test_every) {
  if (downscale < 1 || downscale > kMaxPhotoDownscale) {
    return invalid_input("--downscale must be in 1.." + std::to_string(kMaxPhotoDownscale));
  }
  if (test_every < 2) return invalid_input("--test-every must be at least 2 (1 leaves nothing to train on)");
  NerfDataset d;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    d.transforms = (fs::path(path) / "transforms_train.json").string();
    if (!fs::exists(d.transforms, ec)) d.transforms = (fs::path(path) / "transforms.json").string();
  } else {
    d.transforms = path;
  }
  // The set's reader checks every count, size and image header before anything is
  // decoded; photos come back on white and, where the set has lens distortion, resampled
  // to the pinhole camera the trainer and renderers use.
  SCZ_ASSIGN_OR_RETURN(const PhotoSet set, read_photo_set(d.transforms, {.downscale = downscale}));
  if (!(set.aabb_scale >= 1 && set.aabb_scale <= 128)) return invalid_input(d.transforms + ": aabb_scale outside 1..128");
  d.aabb_scale = static_cast<float>(set.aabb_scale);
  const std::size_t frames = set.frames.size();
  for (const PhotoFrame& frame : set.frames) {
    // The trainer keeps one image size for the whole set.
    if (frame.width != set.frames[0].width || frame.height != set.frames[0].height) {
      return invalid_input(d.transforms + ": frame " + frame.name + " is " + std::to_string(frame.width) + "x" +
                           std::to_string(frame.height) + ", the first frame " + std::to_string(set.frames[0].width) +
                           "x" + std::to_string(set.frames[0].height) + ": training needs one image size");
    }
  }
  const std::vector<std::size_t> test = photo_split(frames, PhotoSplit::kTest, test_every);
  const std::vector<std::size_t> train = photo_split(frames, PhotoSplit::kTrain, test_every);
  if (train.empty()) return invalid_input(d.transforms + ": no training images after the test split");
  std::vector<bool> is_test(frames, false);
  for (std::size_t i : test) is_test[i] = true;
  std::vector<Photo> photos(frames);
  std::vector<Status> errors(frames, Status::Ok());
  parallel_chunks(frames, 0, [&](std::size_t i) {
    // Test photos on white, as renders are scored; training photos keep alpha (colour on
    // black is the premultiplied colour) for the trainer's random backgrounds.
    PhotoLoadOptions options;
    if (!is_test[i]) {
      options.background = {0, 0, 0};
      options.keep_alpha = true;
    }
    Result<Photo> photo = load_photo(set, i, options);
    if (!photo.ok()) {
      errors[i] = photo.status();
      return;
    }
    photos[i] = std::move(*photo);
  });
  for (const Status& s : errors) {
    if (!s.ok()) return s;
  }
  for (std::size_t i : test) {
    Image image(photos[i].width, photos[i].height);
    image.rgb = std::move(photos[i].rgb);
    d.test_cameras.push_back(photo_camera(set.frames[i]));
    d.test_images.push_back(std::move(image));
  }
  d.train.width = set.frames[0].width;
  d.train.height = set.frames[0].height;
  d.train.pixels.reserve(train.size() * static_cast<std::size_t>(d.train.width) * d.train.height);
  for (std::size_t i : train) {
    d.train_cameras.push_back(photo_camera(set.frames[i]));
    const std::vector<float>& rgb = photos[i].rgb;
    const std::vector<float>& alpha = photos[i].alpha;
    for (std::size_t p = 0; p < alpha.size(); ++p) d.train.pixels.push_back(pack(&rgb[3 * p], alpha[p]));
    photos[i] = Photo{};
  }
  return d;
}

void set_training_rows(NerfDataset* d, const field::NerfSettings& settings) {
  d->train.cameras.clear();
  for (const Camera& c : d->train_cameras) d->train.cameras.push_back(field::nerf_camera_rows(c, settings));
}

}  // namespace scenezip::cli
