// How the twin stops a run: every violation becomes one SimError (or abort() for gdb when
// QCONV_SIM_ABORT=1), carrying the API, the buffer, the offset and the size in its message.
#pragma once

#include <stdexcept>
#include <string>

namespace qconv::sim {

class SimError : public std::runtime_error {
public:
    explicit SimError(const std::string& what) : std::runtime_error(what) {}
};

// Stops the whole run: throws SimError in the calling core (the launcher unblocks all other cores and
// rethrows to the caller), or aborts the process when QCONV_SIM_ABORT=1.
[[noreturn]] void Fail(const std::string& message);

// printf-style formatting for error messages (the twin's only formatting helper).
std::string Format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace qconv::sim
