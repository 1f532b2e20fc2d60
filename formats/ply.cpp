#include "formats/ply.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <sstream>

#include "formats/text_scan.h"

namespace scenezip::ply {

int type_size(Type type) {
  switch (type) {
    case Type::kInt8: case Type::kUint8: return 1;
    case Type::kInt16: case Type::kUint16: return 2;
    case Type::kInt32: case Type::kUint32: case Type::kFloat32: return 4;
    case Type::kFloat64: return 8;
  }
  return 0;
}

const char* type_name(Type type) {
  switch (type) {
    case Type::kInt8: return "char";
    case Type::kUint8: return "uchar";
    case Type::kInt16: return "short";
    case Type::kUint16: return "ushort";
    case Type::kInt32: return "int";
    case Type::kUint32: return "uint";
    case Type::kFloat32: return "float";
    case Type::kFloat64: return "double";
  }
  return "?";
}

const Property* Element::find(const std::string& property_name) const {
  for (const auto& p : properties) {
    if (p.name == property_name) return &p;
  }
  return nullptr;
}

const Element* File::find(const std::string& element_name) const {
  for (const auto& e : elements) {
    if (e.name == element_name) return &e;
  }
  return nullptr;
}

void layout(Element& element) {
  std::size_t offset = 0;
  element.has_lists = false;
  for (auto& p : element.properties) {
    if (p.is_list) {
      element.has_lists = true;
      continue;
    }
    p.offset = offset;
    offset += type_size(p.type);
  }
  element.row_size = offset;
}

namespace {

bool parse_type(const std::string& word, Type* type) {
  static const std::pair<const char*, Type> kNames[] = {
      {"char", Type::kInt8},     {"int8", Type::kInt8},       {"uchar", Type::kUint8},   {"uint8", Type::kUint8},
      {"short", Type::kInt16},   {"int16", Type::kInt16},     {"ushort", Type::kUint16}, {"uint16", Type::kUint16},
      {"int", Type::kInt32},     {"int32", Type::kInt32},     {"uint", Type::kUint32},   {"uint32", Type::kUint32},
      {"float", Type::kFloat32}, {"float32", Type::kFloat32}, {"double", Type::kFloat64}, {"float64", Type::kFloat64}};
  for (const auto& [name, t] : kNames) {
    if (word == name) {
      *type = t;
      return true;
    }
  }
  return false;
}

// Largest count any element may claim; larger ones are rejected before allocation.
constexpr std::uint64_t kMaxElementCount = 1ull << 32;

template <typename T>
T load_le(const std::uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;
}

double load_as_double(const std::uint8_t* p, Type type) {
  switch (type) {
    case Type::kInt8: return load_le<std::int8_t>(p);
    case Type::kUint8: return load_le<std::uint8_t>(p);
    case Type::kInt16: return load_le<std::int16_t>(p);
    case Type::kUint16: return load_le<std::uint16_t>(p);
    case Type::kInt32: return load_le<std::int32_t>(p);
    case Type::kUint32: return load_le<std::uint32_t>(p);
    case Type::kFloat32: return load_le<float>(p);
    case Type::kFloat64: return load_le<double>(p);
  }
  return 0;
}

// Stores an ASCII token as `type`; false when it is not a number of that type.
bool store_token(const std::string_view token, Type type, std::uint8_t* out) {
  const char* begin = token.data();
  const char* end = token.data() + token.size();
  auto store_int = [&](auto dummy) {
    using T = decltype(dummy);
    long long v = 0;
    auto r = std::from_chars(begin, end, v);
    if (r.ec != std::errc() || r.ptr != end) {
      // Some writers print integers as "1.0"; accept integral floats. The range test
      // comes before the conversion, which is undefined for values that do not fit.
      double d = 0;
      auto rd = std::from_chars(begin, end, d);
      if (rd.ec != std::errc() || rd.ptr != end || d != std::floor(d) || !(std::fabs(d) < 9.2e18)) return false;
      v = static_cast<long long>(d);
    }
    if (v < static_cast<long long>(std::numeric_limits<T>::min()) ||
        v > static_cast<long long>(std::numeric_limits<T>::max())) {
      return false;
    }
    const T t = static_cast<T>(v);
    std::memcpy(out, &t, sizeof(T));
    return true;
  };
  switch (type) {
    case Type::kInt8: return store_int(std::int8_t{});
    case Type::kUint8: return store_int(std::uint8_t{});
    case Type::kInt16: return store_int(std::int16_t{});
    case Type::kUint16: return store_int(std::uint16_t{});
    case Type::kInt32: return store_int(std::int32_t{});
    case Type::kUint32: return store_int(std::uint32_t{});
    case Type::kFloat32: {
      float v = 0;
      auto r = std::from_chars(begin, end, v);
      if (r.ec != std::errc() || r.ptr != end) {
        // from_chars rejects "nan"/"inf" spellings some writers use: map them explicitly
        // so the finiteness check downstream can name them.
        if (token == "nan" || token == "-nan") v = NAN;
        else if (token == "inf") v = INFINITY;
        else if (token == "-inf") v = -INFINITY;
        else return false;
      }
      std::memcpy(out, &v, 4);
      return true;
    }
    case Type::kFloat64: {
      double v = 0;
      auto r = std::from_chars(begin, end, v);
      if (r.ec != std::errc() || r.ptr != end) return false;
      std::memcpy(out, &v, 8);
      return true;
    }
  }
  return false;
}

class AsciiTokens {
 public:
  AsciiTokens(const Bytes& bytes, std::size_t pos) : bytes_(bytes), pos_(pos) {}
  bool next(std::string_view* token) {
    while (pos_ < bytes_.size() && std::isspace(bytes_[pos_])) ++pos_;
    if (pos_ >= bytes_.size()) return false;
    const std::size_t start = pos_;
    while (pos_ < bytes_.size() && !std::isspace(bytes_[pos_])) ++pos_;
    *token = std::string_view(reinterpret_cast<const char*>(bytes_.data()) + start, pos_ - start);
    return true;
  }
  std::size_t remaining() const { return bytes_.size() - pos_; }

 private:
  const Bytes& bytes_;
  std::size_t pos_;
};

// A list's length as stored in a file, which may be of any type (even float): it must
// be a whole number no larger than `limit`, tested before any conversion or arithmetic
// so that NaN, negative and huge values are all caught.
bool list_length(double stored, std::uint64_t limit, std::uint64_t* length) {
  if (!(stored >= 0) || stored != std::floor(stored) || stored > static_cast<double>(limit)) return false;
  *length = static_cast<std::uint64_t>(stored);
  return *length <= limit;
}

void start_lists(Element& element, bool keep_lists) {
  for (auto& p : element.properties) {
    p.list_items.clear();
    p.list_starts.clear();
    if (p.is_list && keep_lists) {
      p.list_starts.reserve(element.count + 1);
      p.list_starts.push_back(0);
    }
  }
}

Status read_ascii(const Bytes& bytes, std::size_t pos, File& file, bool keep_lists) {
  AsciiTokens tokens(bytes, pos);
  for (auto& element : file.elements) {
    // Every row needs at least two characters per property ("0 "): a cheap bound that
    // stops a lying header before the allocation.
    const std::uint64_t min_row_chars = 2 * std::max<std::size_t>(1, element.properties.size());
    if (element.count > tokens.remaining() / min_row_chars + 1) {
      return invalid_input("element '" + element.name + "' claims " + std::to_string(element.count) +
                           " rows but the file is too short for them");
    }
    element.rows.assign(element.count * element.row_size, 0);
    start_lists(element, keep_lists);
    std::string_view token;
    std::uint8_t scratch[8];
    for (std::uint64_t row = 0; row < element.count; ++row) {
      std::uint8_t* out = element.rows.data() + row * element.row_size;
      for (auto& p : element.properties) {
        if (!tokens.next(&token)) {
          return invalid_input("truncated: element '" + element.name + "' ends at row " + std::to_string(row) +
                               " of " + std::to_string(element.count));
        }
        if (p.is_list) {
          std::uint32_t n = 0;
          // Each item takes two characters at least, which bounds the length.
          if (!store_token(token, Type::kUint32, reinterpret_cast<std::uint8_t*>(&n)) ||
              n > tokens.remaining() / 2 + 1) {
            return invalid_input("bad list length " + text::quote(token, 20) + " in element '" + element.name + "'");
          }
          for (std::uint32_t i = 0; i < n; ++i) {
            if (!tokens.next(&token)) return invalid_input("truncated list in element '" + element.name + "'");
            if (!store_token(token, p.type, scratch)) {
              return invalid_input("bad value " + text::quote(token, 20) + " in element '" + element.name + "'");
            }
            if (keep_lists) p.list_items.push_back(load_as_double(scratch, p.type));
          }
          if (keep_lists) p.list_starts.push_back(p.list_items.size());
          continue;
        }
        if (!store_token(token, p.type, out + p.offset)) {
          return invalid_input("bad value " + text::quote(token, 20) + " for property '" + p.name + "' at row " +
                               std::to_string(row));
        }
      }
    }
  }
  return Status::Ok();
}

void byte_swap(std::uint8_t* p, int size) { std::reverse(p, p + size); }

Status read_binary(const Bytes& bytes, std::size_t pos, File& file, bool keep_lists) {
  const bool big_endian = file.encoding == Encoding::kBinaryBigEndian;
  for (auto& element : file.elements) {
    const std::size_t remaining = bytes.size() - pos;
    if (!element.has_lists) {
      if (element.row_size > 0 && element.count > remaining / element.row_size) {
        return invalid_input("truncated: element '" + element.name + "' claims " + std::to_string(element.count) +
                             " rows of " + std::to_string(element.row_size) + " bytes but only " +
                             std::to_string(remaining) + " bytes remain");
      }
      const std::size_t size = element.count * element.row_size;
      element.rows.assign(bytes.begin() + pos, bytes.begin() + pos + size);
      pos += size;
      if (big_endian) {
        for (std::uint64_t row = 0; row < element.count; ++row) {
          for (const auto& p : element.properties) {
            byte_swap(element.rows.data() + row * element.row_size + p.offset, type_size(p.type));
          }
        }
      }
      continue;
    }
    // Rows of variable size: walk them, keeping scalar properties and checking lists.
    // A row takes its scalars and every list's length at least, which bounds the count
    // before allocation.
    std::size_t min_row_size = element.row_size;
    for (const auto& p : element.properties) {
      if (p.is_list) min_row_size += type_size(p.list_count_type);
    }
    if (element.count > remaining / min_row_size) {
      return invalid_input("truncated: element '" + element.name + "' claims " + std::to_string(element.count) +
                           " rows of at least " + std::to_string(min_row_size) + " bytes but only " +
                           std::to_string(remaining) + " bytes remain");
    }
    element.rows.assign(element.count * element.row_size, 0);
    start_lists(element, keep_lists);
    for (std::uint64_t row = 0; row < element.count; ++row) {
      for (auto& p : element.properties) {
        if (p.is_list) {
          const int count_size = type_size(p.list_count_type);
          if (bytes.size() - pos < static_cast<std::size_t>(count_size)) {
            return invalid_input("truncated list in element '" + element.name + "'");
          }
          std::uint8_t raw[8];
          std::memcpy(raw, bytes.data() + pos, count_size);
          if (big_endian) byte_swap(raw, count_size);
          pos += count_size;
          const std::size_t item_size = type_size(p.type);
          std::uint64_t n = 0;
          if (!list_length(load_as_double(raw, p.list_count_type), (bytes.size() - pos) / item_size, &n)) {
            return invalid_input("bad list length in element '" + element.name + "' row " + std::to_string(row));
          }
          if (keep_lists) {
            for (std::uint64_t i = 0; i < n; ++i) {
              std::uint8_t item[8];
              std::memcpy(item, bytes.data() + pos + i * item_size, item_size);
              if (big_endian) byte_swap(item, static_cast<int>(item_size));
              p.list_items.push_back(load_as_double(item, p.type));
            }
            p.list_starts.push_back(p.list_items.size());
          }
          pos += n * item_size;
          continue;
        }
        const int size = type_size(p.type);
        if (bytes.size() - pos < static_cast<std::size_t>(size)) {
          return invalid_input("truncated: element '" + element.name + "' ends at row " + std::to_string(row));
        }
        std::uint8_t* out = element.rows.data() + row * element.row_size + p.offset;
        std::memcpy(out, bytes.data() + pos, size);
        if (big_endian) byte_swap(out, size);
        pos += size;
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Result<File> parse_header(const Bytes& bytes, std::size_t* header_end) {
  static constexpr char kMagic[] = "ply";
  if (bytes.size() < 4 || std::memcmp(bytes.data(), kMagic, 3) != 0 || (bytes[3] != '\n' && bytes[3] != '\r')) {
    return invalid_input("not a PLY file (missing 'ply' magic)");
  }
  // The header is ASCII and short; a missing end_header within 1 MiB means garbage.
  const std::size_t limit = std::min<std::size_t>(bytes.size(), 1 << 20);
  static constexpr char kEnd[] = "end_header";
  std::size_t end = std::string::npos;
  for (std::size_t i = 0; i + sizeof(kEnd) - 1 <= limit; ++i) {
    if (std::memcmp(bytes.data() + i, kEnd, sizeof(kEnd) - 1) == 0 && (i == 0 || bytes[i - 1] == '\n')) {
      end = i;
      break;
    }
  }
  if (end == std::string::npos) return invalid_input("PLY header has no end_header line");
  std::size_t data = end + sizeof(kEnd) - 1;
  if (data < bytes.size() && bytes[data] == '\r') ++data;
  if (data < bytes.size() && bytes[data] == '\n') ++data;

  File file;
  bool have_format = false;
  std::istringstream lines(std::string(reinterpret_cast<const char*>(bytes.data()), end));
  std::string line;
  int line_number = 0;
  while (std::getline(lines, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::istringstream words(line);
    std::string keyword;
    words >> keyword;
    auto bad = [&](const std::string& what) {
      return invalid_input("PLY header line " + std::to_string(line_number) + ": " + what);
    };
    if (keyword.empty() || keyword == "ply" || keyword == "obj_info") continue;
    if (keyword == "comment") {
      file.comments.push_back(line.size() > 8 ? line.substr(8) : "");
    } else if (keyword == "format") {
      std::string encoding, version;
      words >> encoding >> version;
      if (encoding == "ascii") file.encoding = Encoding::kAscii;
      else if (encoding == "binary_little_endian") file.encoding = Encoding::kBinaryLittleEndian;
      else if (encoding == "binary_big_endian") file.encoding = Encoding::kBinaryBigEndian;
      else return bad("unknown format " + text::quote(encoding));
      have_format = true;
    } else if (keyword == "element") {
      Element element;
      std::string count;
      words >> element.name >> count;
      std::uint64_t n = 0;
      auto r = std::from_chars(count.data(), count.data() + count.size(), n);
      if (element.name.empty() || r.ec != std::errc() || r.ptr != count.data() + count.size()) {
        return bad("bad element line " + text::quote(line));
      }
      if (n > kMaxElementCount) return bad("element " + text::quote(element.name) + " claims an absurd count " + count);
      element.count = n;
      file.elements.push_back(std::move(element));
    } else if (keyword == "property") {
      if (file.elements.empty()) return bad("property before any element");
      Property p;
      std::string type_word;
      words >> type_word;
      if (type_word == "list") {
        std::string count_type, item_type;
        words >> count_type >> item_type >> p.name;
        if (!parse_type(count_type, &p.list_count_type) || !parse_type(item_type, &p.type)) {
          return bad("unknown list types in " + text::quote(line));
        }
        p.is_list = true;
      } else {
        if (!parse_type(type_word, &p.type)) return bad("unknown property type " + text::quote(type_word));
        words >> p.name;
      }
      if (p.name.empty()) return bad("property without a name");
      file.elements.back().properties.push_back(std::move(p));
    } else {
      return bad("unknown keyword " + text::quote(keyword));
    }
  }
  if (!have_format) return invalid_input("PLY header has no format line");
  for (auto& element : file.elements) layout(element);
  if (header_end) *header_end = data;
  return file;
}

Result<File> parse(const Bytes& bytes, bool keep_lists) {
  std::size_t data = 0;
  SCZ_ASSIGN_OR_RETURN(File file, parse_header(bytes, &data));
  if (file.encoding == Encoding::kAscii) {
    SCZ_RETURN_IF_ERROR(read_ascii(bytes, data, file, keep_lists));
  } else {
    SCZ_RETURN_IF_ERROR(read_binary(bytes, data, file, keep_lists));
  }
  return file;
}

template <typename T>
T get(const Element& element, std::size_t row, const Property& p) {
  const std::uint8_t* ptr = element.rows.data() + row * element.row_size + p.offset;
  if constexpr (std::is_same_v<T, float>) {
    if (p.type == Type::kFloat32) return load_le<float>(ptr);
  }
  if constexpr (std::is_same_v<T, std::uint32_t>) {
    if (p.type == Type::kUint32) return load_le<std::uint32_t>(ptr);
  }
  return static_cast<T>(load_as_double(ptr, p.type));
}

template float get<float>(const Element&, std::size_t, const Property&);
template double get<double>(const Element&, std::size_t, const Property&);
template std::uint32_t get<std::uint32_t>(const Element&, std::size_t, const Property&);
template std::uint8_t get<std::uint8_t>(const Element&, std::size_t, const Property&);

Bytes serialize(const File& file) {
  std::ostringstream header;
  header << "ply\nformat binary_little_endian 1.0\n";
  for (const auto& c : file.comments) header << "comment " << c << "\n";
  for (const auto& e : file.elements) {
    header << "element " << e.name << " " << e.count << "\n";
    for (const auto& p : e.properties) header << "property " << type_name(p.type) << " " << p.name << "\n";
  }
  header << "end_header\n";
  const std::string text = header.str();
  std::size_t total = text.size();
  for (const auto& e : file.elements) total += e.rows.size();
  Bytes out;
  out.reserve(total);
  out.insert(out.end(), text.begin(), text.end());
  for (const auto& e : file.elements) out.insert(out.end(), e.rows.begin(), e.rows.end());
  return out;
}

}  // namespace scenezip::ply
