#include "sim/error.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace qconv::sim {

[[noreturn]] void Fail(const std::string& message) {
    const char* abort_env = std::getenv("QCONV_SIM_ABORT");
    if (abort_env != nullptr && abort_env[0] == '1') {
        std::fprintf(stderr, "qconv sim: %s\n", message.c_str());
        std::abort();
    }
    throw SimError(message);
}

std::string Format(const char* fmt, ...) {
    va_list args;
    va_start(args, fmt);
    va_list copy;
    va_copy(copy, args);
    const int n = std::vsnprintf(nullptr, 0, fmt, copy);
    va_end(copy);
    std::vector<char> buf(static_cast<size_t>(n > 0 ? n : 0) + 1);
    std::vsnprintf(buf.data(), buf.size(), fmt, args);
    va_end(args);
    return std::string(buf.data());
}

}  // namespace qconv::sim
