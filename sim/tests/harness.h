// A minimal test harness for the twin's C++ tests (no test framework is available offline): TEST cases
// register themselves; the executable runs all of them, or those named on the command line, and
// `--list` prints the names (the pytest driver runs each case separately).
#pragma once

#include <cstdio>
#include <cstring>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "sim/error.h"

namespace simtest {

struct Case {
    const char* name;
    std::function<void()> fn;
};
inline std::vector<Case>& Registry() {
    static std::vector<Case> r;
    return r;
}
struct Registrar {
    Registrar(const char* name, std::function<void()> fn) { Registry().push_back({name, std::move(fn)}); }
};
struct Failure {
    std::string what;
};

inline int Main(int argc, char** argv) {
    if (argc > 1 && std::strcmp(argv[1], "--list") == 0) {
        for (const auto& c : Registry()) std::printf("%s\n", c.name);
        return 0;
    }
    int failed = 0, run = 0;
    for (const auto& c : Registry()) {
        bool selected = argc <= 1;
        for (int i = 1; i < argc; ++i) selected = selected || std::strcmp(argv[i], c.name) == 0;
        if (!selected) continue;
        ++run;
        try {
            c.fn();
            std::printf("[ PASS ] %s\n", c.name);
        } catch (const Failure& f) {
            ++failed;
            std::printf("[ FAIL ] %s: %s\n", c.name, f.what.c_str());
        } catch (const std::exception& e) {
            ++failed;
            std::printf("[ FAIL ] %s: unexpected exception: %s\n", c.name, e.what());
        }
    }
    std::printf("%d of %d passed\n", run - failed, run);
    return failed == 0 && run > 0 ? 0 : 1;
}

template <typename A, typename B>
inline void ExpectEq(const A& a, const B& b, const char* ea, const char* eb, const char* file, int line) {
    if (!(a == b)) {
        std::ostringstream s;
        s << file << ":" << line << ": " << ea << " == " << eb << " failed: " << +a << " vs " << +b;
        throw Failure{s.str()};
    }
}

// Runs fn, which must throw SimError whose message contains every one of `parts`.
inline void ExpectSimError(const std::function<void()>& fn, const std::vector<std::string>& parts, const char* file,
                           int line) {
    try {
        fn();
    } catch (const qconv::sim::SimError& e) {
        const std::string msg = e.what();
        for (const auto& p : parts) {
            if (msg.find(p) == std::string::npos) {
                throw Failure{std::string(file) + ":" + std::to_string(line) + ": SimError message lacks \"" + p +
                              "\": " + msg};
            }
        }
        return;
    }
    throw Failure{std::string(file) + ":" + std::to_string(line) + ": expected a SimError, none was thrown"};
}

}  // namespace simtest

#define SIM_CAT2(a, b) a##b
#define SIM_CAT(a, b) SIM_CAT2(a, b)
#define TEST(name)                                                                   \
    static void name();                                                              \
    static ::simtest::Registrar SIM_CAT(reg_, name)(#name, name);                    \
    static void name()
#define EXPECT_EQ(a, b) ::simtest::ExpectEq((a), (b), #a, #b, __FILE__, __LINE__)
#define EXPECT_TRUE(a) ::simtest::ExpectEq(static_cast<bool>(a), true, #a, "true", __FILE__, __LINE__)
#define EXPECT_SIM_ERROR(stmt, ...) ::simtest::ExpectSimError([&] { stmt; }, {__VA_ARGS__}, __FILE__, __LINE__)
