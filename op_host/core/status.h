// Result of a host-side step: ok, or one user-facing message. Crosses library boundaries (CANN adapters,
// pybind) instead of exceptions.
#pragma once

#include <string>
#include <utility>

namespace qconv {

struct Status {
    bool ok = true;
    std::string message;

    static Status Ok() { return {}; }
    static Status Error(std::string text) { return {false, std::move(text)}; }
};

}  // namespace qconv
