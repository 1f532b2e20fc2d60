// Photographs with cameras for `train-field`, read through formats/photo_set: a NeRF-synthetic folder
// (transforms_train.json) or an Instant-NGP transforms.json, every image downscaled by
// an integer factor (box filter), split into train and test (every test_every-th frame,
// from frame 0, is held out): test photos on white, training photos premultiplied with
// their alpha (the trainer composites them over each ray's background).
#pragma once

#include <string>
#include <vector>

#include "engine/field/nerf.h"
#include "engine/gpu/nerf_trainer.h"

namespace scenezip::cli {

struct NerfDataset {
  std::string transforms;  // the JSON file read
  float aabb_scale = 1;
  gpu::NerfImages train;     // cameras as rows for the settings given to load
  std::vector<Camera> test_cameras;
  std::vector<Image> test_images;
  std::vector<Camera> train_cameras;
};

Result<NerfDataset> load_nerf_dataset(const std::string& path, int downscale, int test_every);
// Cameras as the kernels take them, once the settings (box) are known.
void set_training_rows(NerfDataset* dataset, const field::NerfSettings& settings);

}  // namespace scenezip::cli
