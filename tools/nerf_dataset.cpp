#include "tools/nerf_dataset.h"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "engine/core/parallel.h"

namespace scenezip::cli {

namespace fs = std::filesystem;

namespace {

Image downscale_box(const Image& in, int k) {
  if (k <= 1) return in;
  Image out(in.width / k, in.height / k);
  for (int y = 0; y < out.height; ++y) {
    for (int x = 0; x < out.width; ++x) {
      for (int c = 0; c < 3; ++c) {
        float sum = 0;
        for (int j = 0; j < k; ++j) {
          for (int i = 0; i < k; ++i) sum += in.rgb[3 * (static_cast<std::size_t>(y * k + j) * in.width + x * k + i) + c];
        }
        out.rgb[3 * (static_cast<std::size_t>(y) * out.width + x) + c] = sum / (k * k);
      }
    }
  }
  return out;
}

std::uint32_t pack(const float* rgb) {
  std::uint32_t v = 0xFF000000u;
  for (int c = 0; c < 3; ++c) {
    const float x = std::clamp(rgb[c], 0.0f, 1.0f);
    v |= static_cast<std::uint32_t>(std::lround(x * 255.0f)) << (8 * c);
  }
  return v;
}

}  // namespace

Result<NerfDataset> load_nerf_dataset(const std::string& path, int downscale, int test_every) {
  if (downscale < 1 || downscale > 64) return invalid_input("--downscale must be in 1..64");
  if (test_every < 2) return invalid_input("--test-every must be at least 2");
  NerfDataset d;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    d.transforms = (fs::path(path) / "transforms_train.json").string();
    if (!fs::exists(d.transforms, ec)) d.transforms = (fs::path(path) / "transforms.json").string();
  } else {
    d.transforms = path;
  }
  std::ifstream in(d.transforms);
  if (!in) return invalid_input(d.transforms + ": cannot read (give a folder with transforms_train.json or "
                                "transforms.json, or the JSON file)");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(in);
  } catch (const std::exception& e) {
    return invalid_input(d.transforms + ": not valid JSON");
  }
  if (!j.is_object() || !j.contains("frames") || !j["frames"].is_array() || j["frames"].empty()) {
    return invalid_input(d.transforms + ": no frames");
  }
  const std::size_t frames = j["frames"].size();
  if (frames > 100000) return invalid_input(d.transforms + ": more than 100000 frames");
  if (j.contains("aabb_scale") && j["aabb_scale"].is_number()) d.aabb_scale = j["aabb_scale"].get<float>();
  if (!(d.aabb_scale >= 1 && d.aabb_scale <= 128)) return invalid_input(d.transforms + ": aabb_scale outside 1..128");
  const fs::path base = fs::path(d.transforms).parent_path();
  std::vector<Image> images(frames);
  std::vector<Camera> cameras(frames);
  std::vector<Status> errors(frames, Status::Ok());
  parallel_chunks(frames, 0, [&](std::size_t i) {
    try {
      std::string file = j["frames"][i].at("file_path").get<std::string>();
      fs::path p = base / file;
      if (!p.has_extension()) p += ".png";
      Result<Image> image = read_png(p.string());
      if (!image.ok()) {
        errors[i] = image.status();
        return;
      }
      images[i] = downscale_box(*image, downscale);
      Result<Camera> camera = load_camera_file(d.transforms, static_cast<int>(i), images[i].width, images[i].height);
      if (!camera.ok()) {
        errors[i] = camera.status();
        return;
      }
      // The principal point where the file gives one (scaled like the image).
      if (j.contains("cx") && j.contains("w")) camera->cx = j["cx"].get<double>() * images[i].width / j["w"].get<double>();
      if (j.contains("cy") && j.contains("h")) camera->cy = j["cy"].get<double>() * images[i].height / j["h"].get<double>();
      cameras[i] = *camera;
    } catch (const std::exception& e) {
      errors[i] = invalid_input(d.transforms + ": frame " + std::to_string(i) + " lacks file_path");
    }
  });
  for (const Status& s : errors) {
    if (!s.ok()) return s;
  }
  for (std::size_t i = 0; i < frames; ++i) {
    if (images[i].width != images[0].width || images[i].height != images[0].height) {
      return invalid_input(d.transforms + ": images of different sizes");
    }
    if (i % test_every == 0) {
      d.test_cameras.push_back(cameras[i]);
      d.test_images.push_back(std::move(images[i]));
    } else {
      d.train_cameras.push_back(cameras[i]);
      for (std::size_t p = 0; p < images[i].rgb.size() / 3; ++p) d.train.pixels.push_back(pack(&images[i].rgb[3 * p]));
      d.train.width = images[i].width;
      d.train.height = images[i].height;
    }
  }
  if (d.train_cameras.empty()) return invalid_input(d.transforms + ": no training images after the test split");
  return d;
}

void set_training_rows(NerfDataset* d, const field::NerfSettings& settings) {
  d->train.cameras.clear();
  for (const Camera& c : d->train_cameras) d->train.cameras.push_back(field::nerf_camera_rows(c, settings));
}

}  // namespace scenezip::cli
