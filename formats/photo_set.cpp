#include "formats/photo_set.h"

#include <stb/stb_image.h>

#include <algorithm>
#include <climits>
#include <cmath>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "formats/file_io.h"
#include "formats/text_scan.h"
#include "formats/texture_image.h"

namespace scenezip {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// A transforms.json of 100,000 frames is about 60 MB; anything far past that is not one.
constexpr std::uint64_t kMaxJsonBytes = std::uint64_t{512} << 20;

std::string frame_label(std::size_t index) { return "frame " + std::to_string(index); }

// A finite number at `key` of `object`, or `fallback` where the key is absent.
Result<double> number_at(const json& object, const char* key, double fallback, const std::string& where) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) return fallback;
  if (!it->is_number()) return invalid_input(where + ": \"" + key + "\" is not a number");
  const double v = it->get<double>();
  if (!std::isfinite(v)) return invalid_input(where + ": \"" + key + "\" is not finite");
  return v;
}

// The key's value from the frame where it has one (Instant-NGP allows per-frame
// intrinsics), else from the top level, else `fallback`.
Result<double> frame_number(const json& frame, const json& top, const char* key, double fallback,
                            const std::string& path, std::size_t index) {
  SCZ_ASSIGN_OR_RETURN(const double global, number_at(top, key, fallback, path));
  return number_at(frame, key, global, path + ": " + frame_label(index));
}

bool has_key(const json& frame, const json& top, const char* key) {
  return (frame.contains(key) && !frame[key].is_null()) || (top.contains(key) && !top[key].is_null());
}

// A side length from the JSON ("w": 1080.0 is how Instant-NGP's scripts write it).
Result<int> side_from_json(double v, const char* key, const std::string& where) {
  if (!(v >= 1 && v <= kMaxPhotoSide) || v != std::floor(v)) {
    return invalid_input(where + ": \"" + key + "\" is " + std::to_string(v) + ", not a whole number in 1.." +
                         std::to_string(kMaxPhotoSide));
  }
  return static_cast<int>(v);
}

Status check_pose(const json& m, std::array<double, 16>* out, const std::string& where) {
  // 4 rows of 4, or 3 rows (the last row of a pose is always 0 0 0 1).
  if (!m.is_array() || (m.size() != 4 && m.size() != 3)) {
    return invalid_input(where + ": transform_matrix is not a 4x4 array of numbers");
  }
  *out = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  for (std::size_t r = 0; r < m.size(); ++r) {
    if (!m[r].is_array() || m[r].size() != 4) return invalid_input(where + ": transform_matrix is not a 4x4 array of numbers");
    for (int c = 0; c < 4; ++c) {
      if (!m[r][c].is_number() || !std::isfinite(m[r][c].get<double>())) {
        return invalid_input(where + ": transform_matrix holds a value that is not a finite number");
      }
      (*out)[4 * r + c] = m[r][c].get<double>();
    }
  }
  const auto& a = *out;
  if (a[12] != 0 || a[13] != 0 || a[14] != 0 || a[15] != 1) {
    return invalid_input(where + ": transform_matrix's last row is not 0 0 0 1");
  }
  // The rotation part must be a rotation: a scaled or sheared matrix would be silently
  // drawn as some other camera.
  for (int i = 0; i < 3; ++i) {
    for (int j = 0; j < 3; ++j) {
      const double d = a[i] * a[j] + a[4 + i] * a[4 + j] + a[8 + i] * a[8 + j];
      if (std::abs(d - (i == j ? 1.0 : 0.0)) > 1e-3) {
        return invalid_input(where + ": transform_matrix's 3x3 part is not a rotation (columns not orthonormal)");
      }
    }
  }
  const double det = a[0] * (a[5] * a[10] - a[6] * a[9]) - a[1] * (a[4] * a[10] - a[6] * a[8]) +
                     a[2] * (a[4] * a[9] - a[5] * a[8]);
  if (det < 0) return invalid_input(where + ": transform_matrix's 3x3 part is a reflection, not a rotation");
  return Status::Ok();
}

// Width and height from an image's header only (stb reads the bytes it needs to find
// them), or an error naming the image.
Status image_header_size(const std::string& image, int* w, int* h) {
  std::error_code ec;
  if (!fs::is_regular_file(image, ec)) return io_error(image + ": no such image");
  int channels = 0;
  if (!stbi_info(image.c_str(), w, h, &channels)) return invalid_input(image + ": not a PNG or JPEG image");
  if (*w <= 0 || *h <= 0 || *w > kMaxPhotoSide || *h > kMaxPhotoSide ||
      std::uint64_t(*w) * std::uint64_t(*h) > kMaxPhotoPixels) {
    return invalid_input(image + ": claims " + std::to_string(*w) + "x" + std::to_string(*h) +
                         " pixels, past the limit of " + std::to_string(kMaxPhotoSide) + " a side and " +
                         std::to_string(kMaxPhotoPixels) + " in all");
  }
  return Status::Ok();
}

}  // namespace

Result<PhotoSet> read_photo_set(const std::string& path, const PhotoSetOptions& options) {
  if (options.downscale < 1 || options.downscale > kMaxPhotoDownscale) {
    return invalid_input("--downscale must be in 1.." + std::to_string(kMaxPhotoDownscale) + ", got " +
                         std::to_string(options.downscale));
  }
  auto size = file_size(path);
  if (!size.ok()) return size.status().with_context(path);
  if (*size > kMaxJsonBytes) return invalid_input(path + ": " + std::to_string(*size) + " bytes, too large for a transforms.json");
  auto bytes = read_file(path);
  if (!bytes.ok()) return bytes.status().with_context(path);
  const json top = json::parse(bytes->begin(), bytes->end(), nullptr, /*allow_exceptions=*/false);
  bytes->clear();
  if (top.is_discarded()) return invalid_input(path + ": not valid JSON");
  if (!top.is_object()) return invalid_input(path + ": not a transforms.json (the top level is not an object)");
  const auto frames_it = top.find("frames");
  if (frames_it == top.end() || !frames_it->is_array()) {
    return invalid_input(path + ": not a transforms.json (no \"frames\" array)");
  }
  const json& frames = *frames_it;
  if (frames.empty()) return invalid_input(path + ": \"frames\" is empty");
  if (frames.size() > kMaxPhotoFrames) {
    return invalid_input(path + ": " + std::to_string(frames.size()) + " frames, past the limit of " +
                         std::to_string(kMaxPhotoFrames));
  }

  PhotoSet set;
  set.path = path;
  set.downscale = options.downscale;
  // Instant-NGP writes the focal length in pixels; NeRF-synthetic only the field of view.
  set.layout = top.contains("fl_x") || top.contains("w") ? PhotoSetLayout::kInstantNgp : PhotoSetLayout::kNerfSynthetic;
  SCZ_ASSIGN_OR_RETURN(set.aabb_scale, number_at(top, "aabb_scale", 1.0, path));
  if (!(set.aabb_scale > 0)) return invalid_input(path + ": \"aabb_scale\" must be positive");
  const fs::path folder = fs::path(path).parent_path();
  set.frames.reserve(frames.size());
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const json& f = frames[i];
    const std::string where = path + ": " + frame_label(i);
    if (!f.is_object()) return invalid_input(where + " is not an object");
    PhotoFrame frame;
    const auto file_it = f.find("file_path");
    if (file_it == f.end() || !file_it->is_string() || file_it->get<std::string>().empty()) {
      return invalid_input(where + " has no \"file_path\" string");
    }
    frame.name = file_it->get<std::string>();
    if (frame.name.find('\0') != std::string::npos) return invalid_input(where + ": \"file_path\" holds a NUL byte");
    fs::path image = folder / fs::path(frame.name);
    // NeRF-synthetic writes "./train/r_0" for train/r_0.png.
    if (!image.has_extension()) image += ".png";
    frame.image_path = image.lexically_normal().string();
    const auto pose_it = f.find("transform_matrix");
    if (pose_it == f.end()) return invalid_input(where + " has no \"transform_matrix\"");
    SCZ_RETURN_IF_ERROR(check_pose(*pose_it, &frame.camera_to_world, where));

    // Full-size image: the JSON's w/h, else the image header's.
    int full_w = 0, full_h = 0;
    const bool json_size = has_key(f, top, "w") || has_key(f, top, "h");
    if (json_size) {
      if (!has_key(f, top, "w") || !has_key(f, top, "h")) return invalid_input(where + ": has \"w\" or \"h\" but not both");
      SCZ_ASSIGN_OR_RETURN(const double w, frame_number(f, top, "w", 0, path, i));
      SCZ_ASSIGN_OR_RETURN(const double h, frame_number(f, top, "h", 0, path, i));
      SCZ_ASSIGN_OR_RETURN(full_w, side_from_json(w, "w", where));
      SCZ_ASSIGN_OR_RETURN(full_h, side_from_json(h, "h", where));
      if (std::uint64_t(full_w) * std::uint64_t(full_h) > kMaxPhotoPixels) {
        return invalid_input(where + ": " + std::to_string(full_w) + "x" + std::to_string(full_h) +
                             " pixels, past the limit of " + std::to_string(kMaxPhotoPixels));
      }
    }
    if (!json_size || options.require_images) {
      int image_w = 0, image_h = 0;
      SCZ_RETURN_IF_ERROR(image_header_size(frame.image_path, &image_w, &image_h).with_context(path + ": " + frame_label(i)));
      if (json_size && (image_w != full_w || image_h != full_h)) {
        return invalid_input(frame.image_path + ": is " + std::to_string(image_w) + "x" + std::to_string(image_h) +
                             " but " + path + " says " + std::to_string(full_w) + "x" + std::to_string(full_h));
      }
      full_w = image_w;
      full_h = image_h;
    }
    if (full_w < options.downscale || full_h < options.downscale) {
      return invalid_input(where + ": " + std::to_string(full_w) + "x" + std::to_string(full_h) +
                           " pixels is smaller than --downscale " + std::to_string(options.downscale));
    }

    // Focal lengths: fl_x / fl_y in pixels, else from camera_angle_x / camera_angle_y;
    // a missing one is the other (square pixels).
    double fx = 0, fy = 0;
    if (has_key(f, top, "fl_x")) {
      SCZ_ASSIGN_OR_RETURN(fx, frame_number(f, top, "fl_x", 0, path, i));
    } else if (has_key(f, top, "camera_angle_x")) {
      SCZ_ASSIGN_OR_RETURN(const double angle, frame_number(f, top, "camera_angle_x", 0, path, i));
      if (!(angle > 0 && angle < 3.1)) return invalid_input(where + ": \"camera_angle_x\" must be in (0, 3.1) radians");
      fx = 0.5 * full_w / std::tan(0.5 * angle);
    }
    if (has_key(f, top, "fl_y")) {
      SCZ_ASSIGN_OR_RETURN(fy, frame_number(f, top, "fl_y", 0, path, i));
    } else if (has_key(f, top, "camera_angle_y")) {
      SCZ_ASSIGN_OR_RETURN(const double angle, frame_number(f, top, "camera_angle_y", 0, path, i));
      if (!(angle > 0 && angle < 3.1)) return invalid_input(where + ": \"camera_angle_y\" must be in (0, 3.1) radians");
      fy = 0.5 * full_h / std::tan(0.5 * angle);
    }
    if (fx == 0) fx = fy;
    if (fy == 0) fy = fx;
    if (!(fx > 0) || !(fy > 0) || fx > 1e7 || fy > 1e7) {
      return invalid_input(where + ": no positive focal length (\"fl_x\" or \"camera_angle_x\")");
    }
    SCZ_ASSIGN_OR_RETURN(double cx, frame_number(f, top, "cx", 0.5 * full_w, path, i));
    SCZ_ASSIGN_OR_RETURN(double cy, frame_number(f, top, "cy", 0.5 * full_h, path, i));
    if (std::abs(cx) > 4.0 * full_w || std::abs(cy) > 4.0 * full_h) {
      return invalid_input(where + ": principal point (" + std::to_string(cx) + ", " + std::to_string(cy) +
                           ") lies far outside the image");
    }
    SCZ_ASSIGN_OR_RETURN(frame.distortion.k1, frame_number(f, top, "k1", 0, path, i));
    SCZ_ASSIGN_OR_RETURN(frame.distortion.k2, frame_number(f, top, "k2", 0, path, i));
    SCZ_ASSIGN_OR_RETURN(frame.distortion.p1, frame_number(f, top, "p1", 0, path, i));
    SCZ_ASSIGN_OR_RETURN(frame.distortion.p2, frame_number(f, top, "p2", 0, path, i));
    for (const double k : {frame.distortion.k1, frame.distortion.k2, frame.distortion.p1, frame.distortion.p2}) {
      if (std::abs(k) > 10) return invalid_input(where + ": a distortion coefficient past +-10 is not a lens");
    }
    // A box of K x K pixels becomes one pixel: coordinates with centres at i + 0.5
    // divide by K; the right and bottom remainders are cropped, which moves nothing.
    const double k = options.downscale;
    frame.width = full_w / options.downscale;
    frame.height = full_h / options.downscale;
    frame.fx = fx / k;
    frame.fy = fy / k;
    frame.cx = cx / k;
    frame.cy = cy / k;
    set.frames.push_back(std::move(frame));
  }
  return set;
}

Result<Photo> load_photo(const PhotoSet& set, std::size_t index, const PhotoLoadOptions& options) {
  if (index >= set.frames.size()) {
    return invalid_input(set.path + ": frame " + std::to_string(index) + " outside 0.." +
                         std::to_string(set.frames.size() - 1));
  }
  const PhotoFrame& frame = set.frames[index];
  const std::string& image = frame.image_path;
  auto encoded = read_file(image);
  if (!encoded.ok()) return encoded.status().with_context(image);
  SCZ_RETURN_IF_ERROR(check_texture_image_size(*encoded, image));
  int w = 0, h = 0, channels = 0;
  std::unique_ptr<unsigned char, void (*)(void*)> pixels(
      stbi_load_from_memory(encoded->data(), static_cast<int>(encoded->size()), &w, &h, &channels, 4), stbi_image_free);
  if (!pixels) return invalid_input(image + ": cannot be decoded (" + stbi_failure_reason() + ")");
  encoded->clear();
  encoded->shrink_to_fit();
  const int k = set.downscale;
  if (w / k != frame.width || h / k != frame.height) {
    return invalid_input(image + ": is " + std::to_string(w) + "x" + std::to_string(h) + ", not the " +
                         std::to_string(frame.width * k) + "x" + std::to_string(frame.height * k) + " of " + set.path);
  }
  // Full-size values are made from the decoded bytes as they are needed, so the only
  // full-size buffer is the decoder's 4 bytes a pixel.
  const unsigned char* bytes = pixels.get();
  const auto& bg = options.background;
  // Pixel (x, y) composited on the background: r, g, b, alpha.
  auto texel = [&](int x, int y, float* out) {
    const unsigned char* p = bytes + 4 * (std::size_t(y) * w + x);
    const float a = p[3] / 255.0f;
    for (int c = 0; c < 3; ++c) out[c] = p[c] / 255.0f * a + bg[c] * (1.0f - a);
    out[3] = a;
  };
  // Bilinear at continuous coordinates (pixel centres at i + 0.5), edges clamped.
  auto bilinear = [&](double u, double v, float* out) {
    const double x = std::clamp(u - 0.5, 0.0, static_cast<double>(w - 1));
    const double y = std::clamp(v - 0.5, 0.0, static_cast<double>(h - 1));
    const int x0 = static_cast<int>(x), y0 = static_cast<int>(y);
    const int x1 = std::min(x0 + 1, w - 1), y1 = std::min(y0 + 1, h - 1);
    const float fx = static_cast<float>(x - x0), fy = static_cast<float>(y - y0);
    float a[4], b[4], d[4], e[4];
    texel(x0, y0, a);
    texel(x1, y0, b);
    texel(x0, y1, d);
    texel(x1, y1, e);
    for (int c = 0; c < 4; ++c) out[c] = (a[c] * (1 - fx) + b[c] * fx) * (1 - fy) + (d[c] * (1 - fx) + e[c] * fx) * fy;
  };
  // Undistorting: each full-size pinhole pixel takes the photo's colour where the lens
  // put its ray (OpenCV's model, in the full-size intrinsics).
  const bool undistort = options.undistort && !frame.distortion.none();
  const LensDistortion& dist = frame.distortion;
  const double fx = frame.fx * k, fy = frame.fy * k, cx = frame.cx * k, cy = frame.cy * k;
  auto full_size = [&](int x, int y, float* out) {
    if (!undistort) return texel(x, y, out);
    const double px = (x + 0.5 - cx) / fx, py = (y + 0.5 - cy) / fy;
    const double r2 = px * px + py * py, radial = 1 + dist.k1 * r2 + dist.k2 * r2 * r2;
    const double dx = px * radial + 2 * dist.p1 * px * py + dist.p2 * (r2 + 2 * px * px);
    const double dy = py * radial + dist.p1 * (r2 + 2 * py * py) + 2 * dist.p2 * px * py;
    bilinear(fx * dx + cx, fy * dy + cy, out);
  };

  Photo photo;
  photo.width = frame.width;
  photo.height = frame.height;
  photo.rgb.assign(std::size_t(photo.width) * photo.height * 3, 0.0f);
  if (options.keep_alpha) photo.alpha.assign(std::size_t(photo.width) * photo.height, 0.0f);
  const float inv = 1.0f / static_cast<float>(k * k);
  for (int y = 0; y < photo.height; ++y) {
    for (int x = 0; x < photo.width; ++x) {
      float sum[4] = {0, 0, 0, 0}, value[4];
      for (int dy = 0; dy < k; ++dy)
        for (int dx = 0; dx < k; ++dx) {
          full_size(x * k + dx, y * k + dy, value);
          for (int c = 0; c < 4; ++c) sum[c] += value[c];
        }
      const std::size_t o = std::size_t(y) * photo.width + x;
      for (int c = 0; c < 3; ++c) photo.rgb[3 * o + c] = sum[c] * inv;
      if (options.keep_alpha) photo.alpha[o] = sum[3] * inv;
    }
  }
  return photo;
}

Result<PhotoSplit> parse_photo_split(const std::string& text) {
  if (text == "all") return PhotoSplit::kAll;
  if (text == "train") return PhotoSplit::kTrain;
  if (text == "test") return PhotoSplit::kTest;
  return invalid_input("--split takes all, train or test, got " + text::quote(text));
}

const char* photo_split_name(PhotoSplit split) {
  switch (split) {
    case PhotoSplit::kAll: return "all";
    case PhotoSplit::kTrain: return "train";
    case PhotoSplit::kTest: return "test";
  }
  return "?";
}

std::vector<std::size_t> photo_split(std::size_t frame_count, PhotoSplit split, int test_every) {
  std::vector<std::size_t> out;
  const std::size_t every = static_cast<std::size_t>(std::max(1, test_every));
  for (std::size_t i = 0; i < frame_count; ++i) {
    const bool test = i % every == 0;
    if (split == PhotoSplit::kAll || (split == PhotoSplit::kTest) == test) out.push_back(i);
  }
  return out;
}

}  // namespace scenezip
