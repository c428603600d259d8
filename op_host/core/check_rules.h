// The building blocks of CheckParams and InferShape: one rule each, worded from the generated templates.
#pragma once

#include <qconv_generated/limits.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "op_host/core/conv_params.h"
#include "op_host/core/message.h"
#include "op_host/core/status.h"

#define QCONV_RETURN_IF_ERROR(expr)      \
    do {                                 \
        ::qconv::Status status_ = (expr);         \
        if (!status_.ok) return status_; \
    } while (0)

namespace qconv::check_rules {

// Tensor dims and element counts must fit int32 (configs/limits.yaml: tensor_elements).
inline constexpr int64_t kMaxTensorElements = limits::kTensorElements.max;

inline std::string Indexed(const char* name, size_t i) { return std::string(name) + "[" + std::to_string(i) + "]"; }

inline Status InRange(const std::string& param, int64_t value, const limits::Range& r) {
    if (value < r.min || value > r.max) return Status::Error(OutOfRangeMessage(param, value, r.min, r.max));
    return Status::Ok();
}

inline Status Rank(const char* param, const TensorDesc& t, size_t expected) {
    if (t.shape.size() == expected) return Status::Ok();
    return Status::Error(FormatMessage(limits::messages::kWrongRank,
                                       {{"param", param},
                                        {"expected", ToText(static_cast<int64_t>(expected))},
                                        {"actual", ToText(static_cast<int64_t>(t.shape.size()))}}));
}

// `allowed` in preference order; the message lists them joined by " or ".
inline Status Dtype(const char* param, const TensorDesc& t, std::initializer_list<const char*> allowed) {
    std::string expected;
    for (const char* name : allowed) {
        if (t.dtype == name) return Status::Ok();
        expected += (expected.empty() ? "" : " or ") + std::string(name);
    }
    return Status::Error(FormatMessage(limits::messages::kWrongDtype,
                                       {{"param", param}, {"expected", expected}, {"actual", t.dtype}}));
}

inline Status Length(const char* param, const std::vector<int64_t>& v, size_t expected) {
    if (v.size() == expected) return Status::Ok();
    return Status::Error(FormatMessage(limits::messages::kWrongLength,
                                       {{"param", param},
                                        {"expected", ToText(static_cast<int64_t>(expected))},
                                        {"actual", ToText(static_cast<int64_t>(v.size()))}}));
}

// A (h, w) attribute: two elements, each in range, named param[0] / param[1].
inline Status PairInRange(const char* param, const std::vector<int64_t>& v, const limits::Range& r) {
    QCONV_RETURN_IF_ERROR(Length(param, v, 2));
    for (size_t i = 0; i < 2; ++i) QCONV_RETURN_IF_ERROR(InRange(Indexed(param, i), v[i], r));
    return Status::Ok();
}

inline Status NotSupported(const std::string& param, const std::string& value, const std::string& allowed) {
    return Status::Error(FormatMessage(limits::messages::kNotSupported,
                                       {{"param", param}, {"value", value}, {"allowed", allowed}}));
}

inline Status Equal(const std::string& param, int64_t actual, const std::string& other, int64_t expected) {
    if (actual == expected) return Status::Ok();
    return Status::Error(FormatMessage(limits::messages::kMismatch, {{"param", param},
                                                                      {"actual", ToText(actual)},
                                                                      {"other", other},
                                                                      {"expected", ToText(expected)}}));
}

// Product of dims (0 if any dim is <= 0), saturating at INT64_MAX so that no intermediate overflows; the
// messages then show the true element count.
inline int64_t Elements(const std::vector<int64_t>& dims) {
    constexpr int64_t kSaturated = INT64_MAX;
    int64_t n = 1;
    for (int64_t d : dims) {
        if (d <= 0) return 0;
        n = (n > kSaturated / d) ? kSaturated : n * d;
    }
    return n;
}

}  // namespace qconv::check_rules
