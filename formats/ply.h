// A PLY reader and writer for fixed-layout elements (Gaussians, packed splat chunks).
// Every element's rows are normalised to little-endian binary whatever the file's
// encoding, so readers access ASCII, little- and big-endian files the same way.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "engine/core/status.h"
#include "formats/file_io.h"

namespace scenezip::ply {

enum class Type : std::uint8_t { kInt8, kUint8, kInt16, kUint16, kInt32, kUint32, kFloat32, kFloat64 };
enum class Encoding { kAscii, kBinaryLittleEndian, kBinaryBigEndian };

int type_size(Type type);
const char* type_name(Type type);

struct Property {
  std::string name;
  Type type = Type::kFloat32;
  bool is_list = false;
  Type list_count_type = Type::kUint8;
  std::size_t offset = 0;  // byte offset inside a row (scalar properties only)
  // List properties only, filled by `parse` when asked to keep lists: every row's items
  // converted to double, row r's being list_items[list_starts[r] .. list_starts[r+1]).
  std::vector<double> list_items;
  std::vector<std::uint64_t> list_starts;
};

struct Element {
  std::string name;
  std::uint64_t count = 0;
  std::vector<Property> properties;
  std::size_t row_size = 0;  // bytes per row of scalar properties
  bool has_lists = false;
  // Rows of scalar properties, little endian, `row_size` bytes each; lists are skipped.
  Bytes rows;

  const Property* find(const std::string& property_name) const;
};

struct File {
  Encoding encoding = Encoding::kBinaryLittleEndian;
  std::vector<std::string> comments;
  std::vector<Element> elements;

  const Element* find(const std::string& element_name) const;
};

// The file's header alone (no rows are read); `header_end` receives the byte offset of
// the data section.
Result<File> parse_header(const Bytes& bytes, std::size_t* header_end = nullptr);
// Header and all rows. Counts are checked against the bytes present before anything is
// allocated. List properties are checked and skipped, or kept in Property::list_items
// when `keep_lists` is set.
Result<File> parse(const Bytes& bytes, bool keep_lists = false);

// Reads property `p` of row `row` converted to T. `row` must be < element.count.
template <typename T>
T get(const Element& element, std::size_t row, const Property& p);

// Serialises elements (binary little endian), taking each element's `rows` as written.
Bytes serialize(const File& file);
// Gives a property list its offsets and the element its row size.
void layout(Element& element);

}  // namespace scenezip::ply
