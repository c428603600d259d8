// Collects the first violated tiling invariant as "<what>: <details>" (tiling_invariants.cpp and the slab
// measurement it uses). Later violations are ignored: the first one names the broken rule.
#pragma once

#include <sstream>
#include <string>

namespace qconv::verify {

class Checker {
public:
    bool ok() const { return message_.empty(); }
    const std::string& message() const { return message_; }

    template <typename... Parts>
    bool Expect(bool condition, const Parts&... parts) {
        if (!condition && message_.empty()) {
            std::ostringstream os;
            (os << ... << parts);
            message_ = os.str();
        }
        return condition;
    }

private:
    std::string message_;
};

}  // namespace qconv::verify
