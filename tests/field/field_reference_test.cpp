// The hash-grid field's C++ reference (engine/field): layout rules, configuration as
// JSON, and every gradient of the training step checked by central finite differences.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "engine/field/field_model.h"
#include "engine/field/field_random.h"

namespace scenezip::field {
namespace {

FieldConfig small_config() {
  FieldConfig c;
  c.levels = 4;
  c.log2_table_size = 6;  // 64 entries: levels 0-1 dense (27, 64 vertices), 2-3 hashed
  c.features = 2;
  c.base_resolution = 2;
  c.per_level_scale = 1.5f;
  c.direction_degree = 2;
  c.hidden_width = 8;
  c.hidden_layers = 2;
  c.output_dims = 3;
  c.batch_size = 20;
  return c;
}

struct RandomBatch {
  std::vector<float> positions, directions, targets;
  FieldBatch batch() const { return {positions.data(), directions.data(), positions.size() / 3}; }
};

RandomBatch random_batch(std::size_t count, int output_dims, std::uint64_t seed) {
  SplitMix64 rng(seed);
  RandomBatch b;
  for (std::size_t i = 0; i < count; ++i) {
    for (int a = 0; a < 3; ++a) b.positions.push_back(rng.uniform(0.0f, 1.0f));
    float d[3], len = 0;
    for (float& v : d) {
      v = rng.uniform(-1.0f, 1.0f);
      len += v * v;
    }
    for (float v : d) b.directions.push_back(v / std::sqrt(len));
    for (int o = 0; o < output_dims; ++o) b.targets.push_back(rng.uniform(0.0f, 1.0f));
  }
  return b;
}

TEST(FieldLayout, DenseCoarseLevelsAndHashedFineOnes) {
  const FieldConfig c = small_config();
  const HashGridLayout layout = make_hash_layout(c);
  ASSERT_EQ(layout.levels.size(), 4u);
  const std::uint32_t resolutions[4] = {2, 3, 4, 6};  // floor(2 * 1.5^l)
  std::uint32_t offset = 0;
  for (int l = 0; l < 4; ++l) {
    const HashLevel& level = layout.levels[l];
    EXPECT_EQ(level.resolution, resolutions[l]) << l;
    const std::uint32_t vertices = (level.resolution + 1) * (level.resolution + 1) * (level.resolution + 1);
    EXPECT_EQ(level.dense, vertices <= 64u) << l;
    EXPECT_EQ(level.size, level.dense ? vertices : 64u) << l;
    EXPECT_EQ(level.offset, offset) << l;
    offset += level.size;
  }
  EXPECT_EQ(layout.entries, offset);
  // The hashed index is Instant-NGP's: XOR of the coordinates times the three primes.
  const HashLevel& fine = layout.levels[3];
  EXPECT_EQ(hash_vertex_index(fine, 5, 6, 7), ((5u * 1u) ^ (6u * 2654435761u) ^ (7u * 805459861u)) & 63u);
}

TEST(FieldLayout, TrilinearWeightsSumToOneAndReproduceCorners) {
  const HashGridLayout layout = make_hash_layout(small_config());
  const float inside[3] = {0.3f, 0.71f, 0.05f};
  for (const HashLevel& level : layout.levels) {
    const CellCorners corners = cell_corners(level, inside);
    float sum = 0;
    for (float w : corners.weight) sum += w;
    EXPECT_NEAR(sum, 1.0f, 1e-6f);
  }
  // A grid vertex gets all its weight on that vertex; the far faces clamp into the last cell.
  const HashLevel& dense = layout.levels[0];
  const float vertex[3] = {0.5f, 1.0f, 0.0f};
  const CellCorners at = cell_corners(dense, vertex);
  for (int c = 0; c < 8; ++c) {
    const bool expected = (c & 1) == 0 && ((c >> 1) & 1) == 1 && ((c >> 2) & 1) == 0;
    EXPECT_NEAR(at.weight[c], expected ? 1.0f : 0.0f, 1e-6f) << c;
  }
  EXPECT_EQ(at.entry[2], dense.offset + 1 + 3 * (2 + 3 * 0));
}

TEST(FieldConfig, JsonRoundTripAndBadSettings) {
  FieldConfig c = small_config();
  c.output_activation = OutputActivation::kSigmoid;
  c.seed = 77;
  auto parsed = parse_field_config(field_config_json(c));
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(field_config_json(*parsed), field_config_json(c));
  auto partial = parse_field_config(R"({"levels": 12, "direction_degree": 3})");
  ASSERT_TRUE(partial.ok());
  EXPECT_EQ(partial->levels, 12);
  EXPECT_EQ(partial->direction_degree, 3);
  EXPECT_EQ(partial->features, FieldConfig().features);
  for (const char* bad : {R"({"levels": 0})", R"({"levels": 99999999999})", R"({"features": 2.5})",
                          R"({"per_level_scale": "x"})", R"({"lols": 1})", R"([1,2])", R"({"levels": )",
                          R"({"output_activation": "tanh"})", R"({"direction_degree": 4})",
                          R"({"base_resolution": 4096, "per_level_scale": 4, "levels": 16})", R"({"seed": -1})"}) {
    auto r = parse_field_config(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), ErrorCode::kInvalidInput) << bad;
    }
  }
}

// Loss of the model with its current parameters, in double.
double loss_of(const FieldModel& model, const RandomBatch& b) {
  const ForwardPass pass = forward(model, b.batch());
  return mean_squared_error(pass, b.targets.data(), model.config().output_dims);
}

// Every analytic gradient against (L(p + h) - L(p - h)) / 2h over a sample of parameters
// of each kind: hash entries of dense and hashed levels, every layer's weights.
void check_gradients(FieldConfig config, std::size_t batch_size) {
  auto created = FieldModel::create(config);
  ASSERT_TRUE(created.ok()) << created.status().message();
  FieldModel model = std::move(*created);
  // Features far from zero, so the hash table's gradients are not negligible next to
  // the MLP's and ReLUs sit in both regimes.
  SplitMix64 rng(5);
  for (std::size_t i = 0; i < model.hash_parameter_count(); ++i) model.params[i] = rng.uniform(-1.0f, 1.0f);
  const RandomBatch b = random_batch(batch_size, config.output_dims, 11);
  const ForwardPass pass = forward(model, b.batch());
  std::vector<float> gradients(model.parameter_count(), 0.0f);
  backward(model, b.batch(), pass, b.targets.data(), gradients.data());

  std::vector<std::size_t> checked;
  for (std::size_t i = 0; i < model.hash_parameter_count(); i += 3) checked.push_back(i);
  for (const LayerShape& shape : model.layers()) {
    const std::size_t n = static_cast<std::size_t>(shape.in_dims) * shape.out_dims;
    for (std::size_t i = 0; i < n; i += 5) checked.push_back(shape.weight_offset + i);
  }
  const float h = 1e-3f;
  int nonzero = 0;
  for (std::size_t p : checked) {
    const float saved = model.params[p];
    model.params[p] = saved + h;
    const double plus = loss_of(model, b);
    model.params[p] = saved - h;
    const double minus = loss_of(model, b);
    model.params[p] = saved;
    const double numeric = (plus - minus) / (2.0 * h);
    if (std::fabs(numeric) > 1e-4) ++nonzero;
    EXPECT_NEAR(gradients[p], numeric, 2e-4 + 0.02 * std::fabs(numeric)) << "parameter " << p;
  }
  // The check means something only if most parameters move the loss.
  EXPECT_GT(nonzero, static_cast<int>(checked.size() / 2));
}

TEST(FieldGradients, MatchFiniteDifferencesWithDirections) { check_gradients(small_config(), 20); }

TEST(FieldGradients, MatchFiniteDifferencesSigmoidNoDirectionsOneLayer) {
  FieldConfig c = small_config();
  c.direction_degree = -1;
  c.hidden_layers = 1;
  c.output_activation = OutputActivation::kSigmoid;
  c.output_dims = 2;
  check_gradients(c, 600);  // past two weight-gradient chunks
}

TEST(FieldGradients, HashBackwardIsTheTransposeOfTheEncoding) {
  // <encode(table), g> = <table, encode_backward(g)> for any table and g: the two are
  // the same linear map and its transpose.
  const FieldConfig c = small_config();
  const HashGridLayout layout = make_hash_layout(c);
  SplitMix64 rng(3);
  std::vector<float> table(layout.parameter_count());
  for (float& v : table) v = rng.uniform(-1, 1);
  const RandomBatch b = random_batch(50, 1, 8);
  const std::size_t dims = c.encoding_dims();
  std::vector<float> encoded(50 * dims), g(50 * dims), back(table.size(), 0.0f);
  for (float& v : g) v = rng.uniform(-1, 1);
  hash_encode(layout, table.data(), b.positions.data(), 50, encoded.data(), dims);
  hash_encode_backward(layout, b.positions.data(), 50, g.data(), dims, back.data());
  double lhs = 0, rhs = 0;
  for (std::size_t i = 0; i < encoded.size(); ++i) lhs += static_cast<double>(encoded[i]) * g[i];
  for (std::size_t i = 0; i < table.size(); ++i) rhs += static_cast<double>(table[i]) * back[i];
  EXPECT_NEAR(lhs, rhs, 1e-4 * std::fabs(lhs) + 1e-5);
}

TEST(FieldTraining, AdamFitsASmoothFunction) {
  // A field learns f(p, d) = (0.5 + 0.3 sin(6x) * y, 0.2 + 0.5 z^2 + 0.1 d_x) from random
  // batches: the loss falls by two orders of magnitude.
  FieldConfig c = small_config();
  c.log2_table_size = 10;
  c.levels = 6;
  c.hidden_width = 16;
  c.output_dims = 2;
  c.learning_rate = 1e-2f;
  auto created = FieldModel::create(c);
  ASSERT_TRUE(created.ok());
  FieldModel model = std::move(*created);
  AdamState adam = make_adam(model);
  auto target = [](const float* p, const float* d, float* t) {
    t[0] = 0.5f + 0.3f * std::sin(6 * p[0]) * p[1];
    t[1] = 0.2f + 0.5f * p[2] * p[2] + 0.1f * d[0];
  };
  double first = 0, last = 0;
  for (int step = 0; step < 400; ++step) {
    RandomBatch b = random_batch(64, 2, 1000 + step);
    for (std::size_t i = 0; i < 64; ++i) target(&b.positions[3 * i], &b.directions[3 * i], &b.targets[2 * i]);
    const double loss = train_step(&model, &adam, b.batch(), b.targets.data());
    if (step == 0) first = loss;
    last = loss;
  }
  EXPECT_EQ(adam.step, 400u);
  EXPECT_LT(last, first * 0.01) << "first " << first << " last " << last;
}

TEST(FieldTraining, AdamUpdateMatchesTheFormula) {
  FieldConfig c = small_config();
  c.learning_rate = 0.1f;
  auto created = FieldModel::create(c);
  ASSERT_TRUE(created.ok());
  FieldModel model = std::move(*created);
  AdamState adam = make_adam(model);
  std::vector<float> g(model.parameter_count(), 0.5f);
  std::vector<float> before = model.params;
  adam_update(c, g, &adam, &model.params);
  // First step: m_hat = g, v_hat = g^2, so every parameter moves by lr * sign(g).
  for (std::size_t i = 0; i < before.size(); i += 17) EXPECT_NEAR(model.params[i], before[i] - 0.1f, 1e-6f);
  adam_update(c, std::vector<float>(g.size(), -0.5f), &adam, &model.params);
  const float m = (0.9f * 0.05f - 0.05f) / (1 - 0.81f);
  const float v = (0.99f * 0.0025f + 0.0025f) / (1 - 0.9801f);
  EXPECT_NEAR(model.params[0], before[0] - 0.1f - 0.1f * m / (std::sqrt(v) + c.epsilon), 1e-5f);
}

}  // namespace
}  // namespace scenezip::field
