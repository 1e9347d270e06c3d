#include "router/service/wire_checks.h"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/unknown_field_set.h"

namespace caserouter {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using google::protobuf::UnknownField;
using google::protobuf::UnknownFieldSet;

absl::Status FieldError(absl::string_view field, absl::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(field, ": ", what));
}

absl::Status Malformed(const Descriptor* type) {
  return absl::InvalidArgumentError(absl::StrCat("request: not a valid ", type->full_name()));
}

std::string Path(absl::string_view prefix, absl::string_view field) {
  return prefix.empty() ? std::string(field) : absl::StrCat(prefix, ".", field);
}

bool ParseUnknown(absl::string_view bytes, UnknownFieldSet* fields) {
  return bytes.size() <= kMaxRequestBytes &&
         fields->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

// Walks the wire form of a message of type `type` (read as unknown fields, which the runtime
// parses without checking or logging anything) and checks every string field it meets.
// Malformed nesting is reported as a malformed request: parsing it would fail anyway, and
// might first log a string it met on the way.
absl::Status CheckWireUtf8(const Descriptor* root, const Descriptor* type,
                           const UnknownFieldSet& fields, const std::string& prefix, int depth) {
  if (depth > kMaxWireDepth) return Malformed(root);
  absl::flat_hash_map<int, int> seen;  // field number -> occurrences so far (repeated index)
  for (int i = 0; i < fields.field_count(); ++i) {
    const UnknownField& f = fields.field(i);
    const FieldDescriptor* fd = type->FindFieldByNumber(f.number());
    if (fd == nullptr || f.type() != UnknownField::TYPE_LENGTH_DELIMITED) continue;
    std::string name = Path(prefix, fd->name());
    const int index = seen[f.number()]++;
    if (fd->is_repeated()) absl::StrAppend(&name, "[", index, "]");
    if (fd->type() == FieldDescriptor::TYPE_STRING) {
      if (!IsValidUtf8(f.length_delimited())) return FieldError(name, "must be valid UTF-8");
    } else if (fd->type() == FieldDescriptor::TYPE_MESSAGE) {
      UnknownFieldSet nested;
      if (!ParseUnknown(f.length_delimited(), &nested)) return Malformed(root);
      if (absl::Status s = CheckWireUtf8(root, fd->message_type(), nested, name, depth + 1);
          !s.ok()) {
        return s;
      }
    }
  }
  return absl::OkStatus();
}

// Checks the set fields of a parsed message: enum values always, string contents when
// `utf8` (a parsed message had its strings checked on the wire already).
absl::Status CheckFields(const Message& message, const std::string& prefix, bool utf8, int depth) {
  if (depth > kMaxWireDepth) return Malformed(message.GetDescriptor());
  const Reflection* reflection = message.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  reflection->ListFields(message, &fields);
  for (const FieldDescriptor* fd : fields) {
    const std::string name = Path(prefix, fd->name());
    const int count = fd->is_repeated() ? reflection->FieldSize(message, fd) : 1;
    for (int i = 0; i < count; ++i) {
      const std::string path = fd->is_repeated() ? absl::StrCat(name, "[", i, "]") : name;
      switch (fd->type()) {
        case FieldDescriptor::TYPE_ENUM: {
          const int value = fd->is_repeated() ? reflection->GetRepeatedEnumValue(message, fd, i)
                                              : reflection->GetEnumValue(message, fd);
          if (fd->enum_type()->FindValueByNumber(value) == nullptr) {
            return FieldError(path, absl::StrCat("not a value of ", fd->enum_type()->name()));
          }
          break;
        }
        case FieldDescriptor::TYPE_STRING: {
          if (!utf8) break;
          std::string scratch;
          const std::string& text =
              fd->is_repeated() ? reflection->GetRepeatedStringReference(message, fd, i, &scratch)
                                : reflection->GetStringReference(message, fd, &scratch);
          if (!IsValidUtf8(text)) return FieldError(path, "must be valid UTF-8");
          break;
        }
        case FieldDescriptor::TYPE_MESSAGE: {
          const Message& nested = fd->is_repeated() ? reflection->GetRepeatedMessage(message, fd, i)
                                                    : reflection->GetMessage(message, fd);
          if (absl::Status s = CheckFields(nested, path, utf8, depth + 1); !s.ok()) return s;
          break;
        }
        default:
          break;
      }
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status ParseRequest(absl::string_view bytes, Message* message) {
  const Descriptor* type = message->GetDescriptor();
  if (bytes.size() > kMaxRequestBytes) {
    return absl::InvalidArgumentError(
        absl::StrCat("request: larger than ", kMaxRequestBytes, " bytes"));
  }
  UnknownFieldSet fields;
  if (!ParseUnknown(bytes, &fields)) return Malformed(type);
  if (absl::Status s = CheckWireUtf8(type, type, fields, "", 0); !s.ok()) return s;
  if (!message->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Malformed(type);
  }
  return CheckFields(*message, "", /*utf8=*/false, 0);
}

absl::Status CheckRequest(const Message& message) {
  return CheckFields(message, "", /*utf8=*/true, 0);
}

void ParseNumbersOnly(absl::string_view bytes, Message* message) {
  message->Clear();
  UnknownFieldSet fields;
  if (!ParseUnknown(bytes, &fields)) return;
  UnknownFieldSet numbers;
  for (int i = 0; i < fields.field_count(); ++i) {
    const UnknownField& f = fields.field(i);
    switch (f.type()) {
      case UnknownField::TYPE_VARINT:
        numbers.AddVarint(f.number(), f.varint());
        break;
      case UnknownField::TYPE_FIXED32:
        numbers.AddFixed32(f.number(), f.fixed32());
        break;
      case UnknownField::TYPE_FIXED64:
        numbers.AddFixed64(f.number(), f.fixed64());
        break;
      default:
        break;
    }
  }
  std::string clean;
  if (numbers.SerializeToString(&clean)) message->ParseFromString(clean);
}

bool IsValidUtf8(absl::string_view text) {
  const auto* p = reinterpret_cast<const unsigned char*>(text.data());
  const auto* end = p + text.size();
  while (p < end) {
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int extra;
    uint32_t cp;
    uint32_t min;
    if ((c & 0xE0) == 0xC0) {
      extra = 1, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3, cp = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (end - p <= extra) return false;
    for (int i = 1; i <= extra; ++i) {
      if ((p[i] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    p += extra + 1;
  }
  return true;
}

}  // namespace caserouter
