#include "engine/field/field_config.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "shaders/shaderio.h"

namespace scenezip::field {

namespace {

// Bounds the engine and its shaders are built for (features and layer widths from
// shaders/shaderio.h, where the kernels' limits are stated).
constexpr int kMaxLevels = 32;
constexpr int kMaxFeatures = static_cast<int>(shaderio::kFieldMaxFeatures);
constexpr int kMaxLog2TableSize = 24;
constexpr int kMaxHiddenWidth = static_cast<int>(shaderio::kFieldMaxWidth);
constexpr int kMaxHiddenLayers = 4;
constexpr int kMaxOutputDims = 16;
constexpr int kMaxBatch = 1 << 22;

Status range(const char* name, double value, double lo, double hi) {
  if (!(value >= lo && value <= hi)) {
    return invalid_input(std::string("field setting '") + name + "' is " + std::to_string(value) + ", outside " +
                         std::to_string(lo) + ".." + std::to_string(hi));
  }
  return Status::Ok();
}

}  // namespace

const char* output_activation_name(OutputActivation activation) {
  return activation == OutputActivation::kSigmoid ? "sigmoid" : "none";
}

Status FieldConfig::validate() const {
  SCZ_RETURN_IF_ERROR(range("levels", levels, 1, kMaxLevels));
  SCZ_RETURN_IF_ERROR(range("log2_table_size", log2_table_size, 4, kMaxLog2TableSize));
  SCZ_RETURN_IF_ERROR(range("features", features, 1, kMaxFeatures));
  SCZ_RETURN_IF_ERROR(range("base_resolution", base_resolution, 1, 1 << 16));
  SCZ_RETURN_IF_ERROR(range("per_level_scale", per_level_scale, 1.0, 4.0));
  // The finest level's vertex coordinates must stay in 32 bits for the hash.
  const double finest = base_resolution * std::pow(static_cast<double>(per_level_scale), levels - 1);
  SCZ_RETURN_IF_ERROR(range("finest resolution", finest, 1, 1 << 20));
  SCZ_RETURN_IF_ERROR(range("direction_degree", direction_degree, -1, 3));
  SCZ_RETURN_IF_ERROR(range("hidden_width", hidden_width, 1, kMaxHiddenWidth));
  SCZ_RETURN_IF_ERROR(range("hidden_layers", hidden_layers, 0, kMaxHiddenLayers));
  SCZ_RETURN_IF_ERROR(range("output_dims", output_dims, 1, kMaxOutputDims));
  SCZ_RETURN_IF_ERROR(range("input dims", input_dims(), 1, kMaxHiddenWidth));
  SCZ_RETURN_IF_ERROR(range("learning_rate", learning_rate, 0, 10));
  SCZ_RETURN_IF_ERROR(range("beta1", beta1, 0, 0.999999));
  SCZ_RETURN_IF_ERROR(range("beta2", beta2, 0, 0.999999999));
  SCZ_RETURN_IF_ERROR(range("epsilon", epsilon, 0, 1));
  SCZ_RETURN_IF_ERROR(range("batch_size", batch_size, 1, kMaxBatch));
  SCZ_RETURN_IF_ERROR(range("steps", steps, 0, 1e8));
  return Status::Ok();
}

std::string field_config_json(const FieldConfig& c) {
  nlohmann::ordered_json j = {
      {"levels", c.levels},
      {"log2_table_size", c.log2_table_size},
      {"features", c.features},
      {"base_resolution", c.base_resolution},
      {"per_level_scale", c.per_level_scale},
      {"direction_degree", c.direction_degree},
      {"hidden_width", c.hidden_width},
      {"hidden_layers", c.hidden_layers},
      {"output_dims", c.output_dims},
      {"output_activation", output_activation_name(c.output_activation)},
      {"learning_rate", c.learning_rate},
      {"beta1", c.beta1},
      {"beta2", c.beta2},
      {"epsilon", c.epsilon},
      {"batch_size", c.batch_size},
      {"steps", c.steps},
      {"seed", c.seed},
  };
  return j.dump();
}

Result<FieldConfig> parse_field_config(const std::string& json_text) {
  FieldConfig c;
  try {
    const nlohmann::json j = nlohmann::json::parse(json_text);
    if (!j.is_object()) return invalid_input("field settings: expected a JSON object");
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string& key = it.key();
      const nlohmann::json& v = it.value();
      auto integer = [&](int* out) -> Status {
        if (!v.is_number_integer()) return invalid_input("field setting '" + key + "': expected an integer");
        const std::int64_t value = v.get<std::int64_t>();
        if (value < -(std::int64_t{1} << 30) || value > (std::int64_t{1} << 30)) {
          return invalid_input("field setting '" + key + "' is out of range: " + std::to_string(value));
        }
        *out = static_cast<int>(value);
        return Status::Ok();
      };
      auto real = [&](float* out) -> Status {
        if (!v.is_number()) return invalid_input("field setting '" + key + "': expected a number");
        const double value = v.get<double>();
        if (!std::isfinite(value) || std::fabs(value) > 1e30) {
          return invalid_input("field setting '" + key + "' is not a finite number");
        }
        *out = static_cast<float>(value);
        return Status::Ok();
      };
      if (key == "levels") SCZ_RETURN_IF_ERROR(integer(&c.levels));
      else if (key == "log2_table_size") SCZ_RETURN_IF_ERROR(integer(&c.log2_table_size));
      else if (key == "features") SCZ_RETURN_IF_ERROR(integer(&c.features));
      else if (key == "base_resolution") SCZ_RETURN_IF_ERROR(integer(&c.base_resolution));
      else if (key == "per_level_scale") SCZ_RETURN_IF_ERROR(real(&c.per_level_scale));
      else if (key == "direction_degree") SCZ_RETURN_IF_ERROR(integer(&c.direction_degree));
      else if (key == "hidden_width") SCZ_RETURN_IF_ERROR(integer(&c.hidden_width));
      else if (key == "hidden_layers") SCZ_RETURN_IF_ERROR(integer(&c.hidden_layers));
      else if (key == "output_dims") SCZ_RETURN_IF_ERROR(integer(&c.output_dims));
      else if (key == "output_activation") {
        const std::string name = v.is_string() ? v.get<std::string>() : "";
        if (name == "none") c.output_activation = OutputActivation::kNone;
        else if (name == "sigmoid") c.output_activation = OutputActivation::kSigmoid;
        else return invalid_input("field setting 'output_activation': expected \"none\" or \"sigmoid\"");
      } else if (key == "learning_rate") SCZ_RETURN_IF_ERROR(real(&c.learning_rate));
      else if (key == "beta1") SCZ_RETURN_IF_ERROR(real(&c.beta1));
      else if (key == "beta2") SCZ_RETURN_IF_ERROR(real(&c.beta2));
      else if (key == "epsilon") SCZ_RETURN_IF_ERROR(real(&c.epsilon));
      else if (key == "batch_size") SCZ_RETURN_IF_ERROR(integer(&c.batch_size));
      else if (key == "steps") SCZ_RETURN_IF_ERROR(integer(&c.steps));
      else if (key == "seed") {
        if (!v.is_number_unsigned()) return invalid_input("field setting 'seed': expected a non-negative integer");
        c.seed = v.get<std::uint64_t>();
      } else {
        return invalid_input("unknown field setting '" + key + "'");
      }
    }
  } catch (const nlohmann::json::exception& e) {
    return invalid_input(std::string("field settings are not valid JSON: ") + e.what());
  }
  SCZ_RETURN_IF_ERROR(c.validate());
  return c;
}

}  // namespace scenezip::field
