#include "formats/gltf_files.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "formats/file_io.h"

namespace scenezip {

namespace {

namespace fs = std::filesystem;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// glTF URIs are RFC 3986 references: "my%20texture.png" names "my texture.png".
std::string percent_decode(const std::string& uri) {
  std::string out;
  for (std::size_t i = 0; i < uri.size(); ++i) {
    if (uri[i] == '%' && i + 2 < uri.size() && hex_value(uri[i + 1]) >= 0 && hex_value(uri[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(uri[i + 1]) * 16 + hex_value(uri[i + 2]));
      i += 2;
    } else {
      out += uri[i];
    }
  }
  return out;
}

}  // namespace

Result<std::vector<std::string>> gltf_referenced_files(const std::string& path) {
  SCZ_ASSIGN_OR_RETURN(Bytes text, read_file(path));
  const nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return invalid_input("not a glTF JSON document");
  const fs::path folder = fs::path(path).parent_path();
  std::vector<std::string> files;
  std::set<std::string> seen;
  for (const char* list : {"buffers", "images"}) {
    if (!j.contains(list) || !j[list].is_array()) continue;
    for (const auto& entry : j[list]) {
      if (!entry.is_object() || !entry.contains("uri") || !entry["uri"].is_string()) continue;
      const std::string uri = entry["uri"].get<std::string>();
      if (uri.rfind("data:", 0) == 0) continue;
      const std::string file = (folder / percent_decode(uri)).lexically_normal().string();
      if (seen.insert(file).second) files.push_back(file);
    }
  }
  return files;
}

Result<std::uint64_t> gltf_bytes_on_disk(const std::string& path) {
  SCZ_ASSIGN_OR_RETURN(std::uint64_t total, file_size(path));
  SCZ_ASSIGN_OR_RETURN(std::vector<std::string> files, gltf_referenced_files(path));
  for (const std::string& file : files) {
    auto size = file_size(file);
    if (size.ok()) total += *size;
  }
  return total;
}

}  // namespace scenezip
