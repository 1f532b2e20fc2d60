// A preset is a named set of parameters. Each scene kind keeps one list of its presets,
// best quality first (a table of `{name, ...}` entries in its settings file); the names
// the CLI offers, the lookup and the error for an unknown name all come from that list.
#pragma once

#include <string>
#include <vector>

#include "engine/core/status.h"

namespace scenezip::codec {

template <typename Preset>
std::vector<std::string> names_of(const std::vector<Preset>& presets) {
  std::vector<std::string> names;
  for (const Preset& p : presets) names.emplace_back(p.name);
  return names;
}

// "a, b or c", as error messages list choices.
inline std::string spoken_list(const std::vector<std::string>& names) {
  std::string text;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) text += i + 1 == names.size() ? " or " : ", ";
    text += names[i];
  }
  return text;
}

template <typename Preset>
Result<const Preset*> find_preset(const std::vector<Preset>& presets, const std::string& name) {
  for (const Preset& p : presets) {
    if (name == p.name) return &p;
  }
  return invalid_input("unknown preset '" + name + "' (expected " + spoken_list(names_of(presets)) + ")");
}

}  // namespace scenezip::codec
