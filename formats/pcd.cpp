// Point Cloud Library PCD files: a text header (FIELDS SIZE TYPE COUNT WIDTH HEIGHT
// VIEWPOINT POINTS DATA), then the points as ASCII lines, packed binary records, or
// binary_compressed: LZF-compressed data laid out field by field. Positions come from
// x y z, normals from normal_x normal_y normal_z, colours from a packed rgb/rgba field
// (bytes b g r in a 4-byte value, whatever its TYPE says).
#include <cstring>
#include <limits>

#include "formats/geometry_formats.h"
#include "formats/text_scan.h"

namespace scenezip {

namespace {

struct Field {
  std::string name;
  std::int64_t size = 4;
  char type = 'F';
  std::int64_t count = 1;
  std::int64_t offset = 0;     // bytes into a binary record
  std::int64_t first_column = 0;  // column of its first value in an ASCII line
};

enum class Data { kAscii, kBinary, kBinaryCompressed };

struct Header {
  std::vector<Field> fields;
  std::int64_t width = -1, height = -1, points = -1;
  Data data = Data::kAscii;
  std::int64_t point_size = 0;  // bytes per binary record
  std::int64_t columns = 0;     // values per ASCII line
  std::size_t data_start = 0;
};

// Values every header line may hold: more than this many fields or values per field is
// not a point cloud this reader will size anything by.
constexpr std::int64_t kMaxFields = 1024;
constexpr std::int64_t kMaxFieldCount = 65536;

Result<Header> parse_header(const Bytes& bytes) {
  Header h;
  text::Lines lines(bytes);
  std::string_view line;
  bool have_data = false;
  // A header is short; a file without DATA in its first 64 KiB is not a PCD file.
  while (!have_data && lines.position() < (1u << 16) && lines.next(&line)) {
    std::string_view rest = line;
    const std::string_view keyword = text::next_token(&rest);
    if (keyword.empty() || keyword.front() == '#') continue;
    auto bad = [&](const char* what) {
      return invalid_input("PCD header line " + std::to_string(lines.line_number()) + " (" +
                           std::string(keyword.substr(0, 10)) + "): " + what);
    };
    auto per_field = [&](auto&& store) -> Status {
      std::size_t i = 0;
      for (std::string_view t = text::next_token(&rest); !t.empty(); t = text::next_token(&rest), ++i) {
        if (i >= h.fields.size()) return bad("more values than FIELDS names");
        SCZ_RETURN_IF_ERROR(store(h.fields[i], t));
      }
      if (i != h.fields.size()) return bad("fewer values than FIELDS names");
      return Status::Ok();
    };
    auto one_number = [&](std::int64_t* out) -> Status {
      if (!text::parse_int(text::next_token(&rest), out) || *out < 0) return bad("not a count");
      return Status::Ok();
    };
    if (keyword == "VERSION" || keyword == "VIEWPOINT") {
      continue;  // the viewpoint is a sensor pose, not applied to the points
    } else if (keyword == "FIELDS" || keyword == "COLUMNS") {
      h.fields.clear();
      for (std::string_view t = text::next_token(&rest); !t.empty(); t = text::next_token(&rest)) {
        if (static_cast<std::int64_t>(h.fields.size()) == kMaxFields) return bad("too many fields");
        h.fields.push_back(Field{std::string(t)});
      }
      if (h.fields.empty()) return bad("no field names");
    } else if (keyword == "SIZE") {
      SCZ_RETURN_IF_ERROR(per_field([&](Field& f, std::string_view t) -> Status {
        if (!text::parse_int(t, &f.size) || (f.size != 1 && f.size != 2 && f.size != 4 && f.size != 8))
          return bad("sizes must be 1, 2, 4 or 8");
        return Status::Ok();
      }));
    } else if (keyword == "TYPE") {
      SCZ_RETURN_IF_ERROR(per_field([&](Field& f, std::string_view t) -> Status {
        if (t != "F" && t != "I" && t != "U") return bad("types must be F, I or U");
        f.type = t.front();
        return Status::Ok();
      }));
    } else if (keyword == "COUNT") {
      SCZ_RETURN_IF_ERROR(per_field([&](Field& f, std::string_view t) -> Status {
        if (!text::parse_int(t, &f.count) || f.count < 1 || f.count > kMaxFieldCount)
          return bad("counts must be 1 to 65536");
        return Status::Ok();
      }));
    } else if (keyword == "WIDTH") {
      SCZ_RETURN_IF_ERROR(one_number(&h.width));
    } else if (keyword == "HEIGHT") {
      SCZ_RETURN_IF_ERROR(one_number(&h.height));
    } else if (keyword == "POINTS") {
      SCZ_RETURN_IF_ERROR(one_number(&h.points));
    } else if (keyword == "DATA") {
      const std::string_view kind = text::next_token(&rest);
      if (kind == "ascii") h.data = Data::kAscii;
      else if (kind == "binary") h.data = Data::kBinary;
      else if (kind == "binary_compressed") h.data = Data::kBinaryCompressed;
      else return bad("DATA must be ascii, binary or binary_compressed");
      have_data = true;
    } else {
      return invalid_input("not a PCD file (unknown header keyword " + text::quote(keyword) + ")");
    }
  }
  if (!have_data) return invalid_input("not a PCD file (no DATA line)");
  if (h.fields.empty()) return invalid_input("PCD has no FIELDS line");
  for (const Field& f : h.fields) {
    if (f.type == 'F' && f.size != 4 && f.size != 8) {
      return invalid_input("PCD float field " + text::quote(f.name) + " is not 4 or 8 bytes");
    }
  }
  // POINTS wins; WIDTH x HEIGHT stands in where it is missing. Both are bounded by the
  // 64-bit check below before they size anything.
  if (h.points < 0) {
    if (h.width < 0 || h.height < 0) return invalid_input("PCD has neither POINTS nor WIDTH and HEIGHT");
    if (h.height > 0 && h.width > std::numeric_limits<std::int64_t>::max() / h.height) {
      return invalid_input("PCD WIDTH " + std::to_string(h.width) + " x HEIGHT " + std::to_string(h.height) +
                           " is beyond any point count");
    }
    h.points = h.width * h.height;
  }
  if (h.points == 0) return invalid_input("PCD has no points");
  for (Field& f : h.fields) {
    f.offset = h.point_size;
    f.first_column = h.columns;
    h.point_size += f.size * f.count;  // at most 1024 * 8 * 65536: no overflow
    h.columns += f.count;
  }
  h.data_start = lines.position();
  return h;
}

// LZF as PCL writes it: literal runs (control < 32: control + 1 bytes follow) and
// back references (length from the top 3 bits, extended by a byte when they are all
// set; offset from the low 5 bits and the next byte). Every read and write is bounds
// checked; false on any violation or when the output is not exactly `out_size` bytes.
bool lzf_decompress(const std::uint8_t* in, std::size_t in_size, std::uint8_t* out, std::size_t out_size) {
  std::size_t ip = 0, op = 0;
  while (ip < in_size) {
    const unsigned control = in[ip++];
    if (control < 32) {
      const std::size_t run = control + 1;
      if (run > in_size - ip || run > out_size - op) return false;
      std::memcpy(out + op, in + ip, run);
      ip += run, op += run;
      continue;
    }
    std::size_t length = control >> 5;
    if (length == 7) {
      if (ip >= in_size) return false;
      length += in[ip++];
    }
    length += 2;
    if (ip >= in_size) return false;
    const std::size_t back = ((control & 0x1f) << 8) + in[ip++] + 1;
    if (back > op || length > out_size - op) return false;
    for (std::size_t i = 0; i < length; ++i, ++op) out[op] = out[op - back];  // may overlap
  }
  return op == out_size;
}

double load_value(const std::uint8_t* p, char type, std::int64_t size) {
  auto as = [p](auto dummy) {
    decltype(dummy) v;
    std::memcpy(&v, p, sizeof(v));
    return static_cast<double>(v);
  };
  switch (type) {
    case 'F': return size == 8 ? as(double{}) : as(float{});
    case 'I': return size == 1 ? as(std::int8_t{}) : size == 2 ? as(std::int16_t{}) : size == 4 ? as(std::int32_t{}) : as(std::int64_t{});
    default: return size == 1 ? as(std::uint8_t{}) : size == 2 ? as(std::uint16_t{}) : size == 4 ? as(std::uint32_t{}) : as(std::uint64_t{});
  }
}

// Where each attribute's values come from: a field index, or -1.
struct Sources {
  int position[3] = {-1, -1, -1};
  int normal[3] = {-1, -1, -1};
  int color = -1;
};

Result<Sources> find_sources(const Header& h) {
  Sources s;
  const char* const kPosition[3] = {"x", "y", "z"};
  const char* const kNormal[3] = {"normal_x", "normal_y", "normal_z"};
  for (int i = 0; i < static_cast<int>(h.fields.size()); ++i) {
    const std::string& name = h.fields[i].name;
    for (int k = 0; k < 3; ++k) {
      if (name == kPosition[k]) s.position[k] = i;
      if (name == kNormal[k]) s.normal[k] = i;
    }
    if ((name == "rgb" || name == "rgba") && h.fields[i].size == 4) s.color = i;
  }
  if (s.position[0] < 0 || s.position[1] < 0 || s.position[2] < 0) return invalid_input("PCD has no x, y and z fields");
  if (s.normal[0] < 0 || s.normal[1] < 0 || s.normal[2] < 0) s.normal[0] = -1;
  return s;
}

void append_color(std::vector<float>& colors, const std::uint8_t packed[4]) {
  for (int k = 2; k >= 0; --k) colors.push_back(static_cast<float>(packed[k] / 255.0));
}

// Appends point `i` of records laid out with `stride` bytes between points of a field
// and `base(f)` the address of field f's first value.
template <typename Base>
void append_point(PointCloud& out, const Header& h, const Sources& s, const Base& base, std::size_t stride,
                  std::size_t i) {
  for (int k = 0; k < 3; ++k) {
    const Field& f = h.fields[s.position[k]];
    out.positions.push_back(static_cast<float>(load_value(base(s.position[k]) + i * stride, f.type, f.size)));
  }
  if (s.normal[0] >= 0) {
    for (int k = 0; k < 3; ++k) {
      const Field& f = h.fields[s.normal[k]];
      out.normals.push_back(static_cast<float>(load_value(base(s.normal[k]) + i * stride, f.type, f.size)));
    }
  }
  if (s.color >= 0) append_color(out.colors, base(s.color) + i * stride);
}

Status read_ascii(const Bytes& bytes, const Header& h, const Sources& s, PointCloud& out) {
  text::Lines lines(bytes, h.data_start);
  std::string_view line;
  std::vector<std::string_view> columns;
  std::int64_t read = 0;
  while (read < h.points && lines.next(&line)) {
    columns.clear();
    for (std::string_view t = text::next_token(&line); !t.empty(); t = text::next_token(&line)) {
      if (static_cast<std::int64_t>(columns.size()) < h.columns) columns.push_back(t);
    }
    if (columns.empty()) continue;
    if (static_cast<std::int64_t>(columns.size()) < h.columns) {
      return invalid_input("PCD point " + std::to_string(read) + " has " + std::to_string(columns.size()) +
                           " values, " + std::to_string(h.columns) + " expected");
    }
    auto number = [&](int field, double* value) -> Status {
      const std::string_view t = columns[h.fields[field].first_column];
      if (!text::parse_double(t, value)) {
        return invalid_input("PCD point " + std::to_string(read) + ": " + text::quote(t) + " is not a number");
      }
      return Status::Ok();
    };
    double v = 0;
    for (int k = 0; k < 3; ++k) {
      SCZ_RETURN_IF_ERROR(number(s.position[k], &v));
      out.positions.push_back(static_cast<float>(v));
    }
    if (s.normal[0] >= 0) {
      for (int k = 0; k < 3; ++k) {
        SCZ_RETURN_IF_ERROR(number(s.normal[k], &v));
        out.normals.push_back(static_cast<float>(v));
      }
    }
    if (s.color >= 0) {
      // The packed colour is written as a number of the field's type: its 4 bytes are
      // what matters.
      const Field& f = h.fields[s.color];
      const std::string_view t = columns[f.first_column];
      std::uint8_t packed[4] = {0, 0, 0, 0};
      if (f.type == 'F') {
        float value = 0;
        if (!text::parse_float(t, &value)) return invalid_input("PCD point " + std::to_string(read) + ": bad colour");
        std::memcpy(packed, &value, 4);
      } else {
        std::int64_t value = 0;
        if (!text::parse_int(t, &value)) return invalid_input("PCD point " + std::to_string(read) + ": bad colour");
        const auto bits = static_cast<std::uint32_t>(static_cast<std::uint64_t>(value));
        std::memcpy(packed, &bits, 4);
      }
      append_color(out.colors, packed);
    }
    ++read;
  }
  if (read < h.points) {
    return invalid_input("truncated: " + std::to_string(read) + " of " + std::to_string(h.points) + " points present");
  }
  return Status::Ok();
}

}  // namespace

Result<PointCloud> decode_pcd(const Bytes& bytes) {
  if (bytes.empty()) return invalid_input("file is empty");
  SCZ_ASSIGN_OR_RETURN(Header h, parse_header(bytes));
  SCZ_ASSIGN_OR_RETURN(Sources s, find_sources(h));
  const std::size_t available = bytes.size() - h.data_start;
  const std::uint8_t* data = bytes.data() + h.data_start;
  PointCloud out;
  auto reserve = [&](std::size_t n) {
    out.positions.reserve(n * 3);
    if (s.normal[0] >= 0) out.normals.reserve(n * 3);
    if (s.color >= 0) out.colors.reserve(n * 3);
  };
  if (h.data == Data::kAscii) {
    // Two characters per value at least: a bound before reserving by the count.
    reserve(static_cast<std::size_t>(std::min<std::int64_t>(h.points, available / (2 * h.columns) + 1)));
    SCZ_RETURN_IF_ERROR(read_ascii(bytes, h, s, out));
  } else if (h.data == Data::kBinary) {
    if (h.points > static_cast<std::int64_t>(available / h.point_size)) {
      return invalid_input("truncated: " + std::to_string(h.points) + " points of " + std::to_string(h.point_size) +
                           " bytes need more than the " + std::to_string(available) + " bytes present");
    }
    reserve(h.points);
    auto base = [&](int field) { return data + h.fields[field].offset; };
    for (std::int64_t i = 0; i < h.points; ++i) append_point(out, h, s, base, h.point_size, i);
  } else {
    if (available < 8) return invalid_input("truncated: the compressed PCD data is missing");
    std::uint32_t compressed = 0, uncompressed = 0;
    std::memcpy(&compressed, data, 4);
    std::memcpy(&uncompressed, data + 4, 4);
    if (compressed > available - 8) {
      return invalid_input("truncated: compressed PCD data of " + std::to_string(compressed) + " bytes, " +
                           std::to_string(available - 8) + " present");
    }
    // Checked in 64 bits: points * point_size may exceed 32 bits when the header lies.
    if (h.points > std::numeric_limits<std::uint32_t>::max() / h.point_size ||
        static_cast<std::int64_t>(uncompressed) != h.points * h.point_size) {
      return invalid_input("compressed PCD data unpacks to " + std::to_string(uncompressed) + " bytes, not the " +
                           std::to_string(h.points) + " x " + std::to_string(h.point_size) + " its header implies");
    }
    // An LZF back reference of 3 bytes yields 264 at most, which bounds what honest
    // compressed data can unpack to before that much is allocated.
    if (uncompressed / 88 > compressed) {
      return invalid_input("compressed PCD data of " + std::to_string(compressed) + " bytes cannot unpack to " +
                           std::to_string(uncompressed));
    }
    Bytes unpacked(uncompressed);
    if (!lzf_decompress(data + 8, compressed, unpacked.data(), unpacked.size())) {
      return invalid_input("compressed PCD data is corrupt (LZF)");
    }
    reserve(h.points);
    // Field-major: all points' values of field f start at offset(f) * points.
    auto base = [&](int field) { return unpacked.data() + h.fields[field].offset * h.points; };
    for (std::int64_t i = 0; i < h.points; ++i) {
      // Each field's values are `size * count` bytes apart.
      for (int k = 0; k < 3; ++k) {
        const Field& f = h.fields[s.position[k]];
        out.positions.push_back(static_cast<float>(load_value(base(s.position[k]) + i * f.size * f.count, f.type, f.size)));
      }
      if (s.normal[0] >= 0) {
        for (int k = 0; k < 3; ++k) {
          const Field& f = h.fields[s.normal[k]];
          out.normals.push_back(static_cast<float>(load_value(base(s.normal[k]) + i * f.size * f.count, f.type, f.size)));
        }
      }
      if (s.color >= 0) append_color(out.colors, base(s.color) + i * 4 * h.fields[s.color].count);
    }
  }
  SCZ_RETURN_IF_ERROR(drop_unmeasured_points(out));
  return out;
}

}  // namespace scenezip
