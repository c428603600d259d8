// Fills a message template of configs/limits.yaml ("{param} = {value} ...") the way Python's str.format
// fills the same template, so C++ and Python checks word every error identically.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace qconv {

using MessageField = std::pair<std::string_view, std::string>;

// Replaces each {name} by its field; "{{" and "}}" are literal braces as in str.format. A placeholder
// without a field is kept verbatim (a test on the templates catches such a mismatch).
std::string FormatMessage(std::string_view tmpl, std::initializer_list<MessageField> fields);

inline std::string ToText(int64_t v) { return std::to_string(v); }

// "out_of_range" for param = value against an inclusive range.
std::string OutOfRangeMessage(std::string_view param, int64_t value, int64_t min, int64_t max);

}  // namespace qconv
