// The cube side's L1 / L0A / L0B / L0C budget (op_kernel/cube_buffer_budget.h) against what the kernel really
// allocates, in the CPU twin, whose TPipe carves each level bump-pointer per core (pool_top) and fails an
// InitBuffer past the level's size.
//   stage:  after CubeConv::Init, each level's top on the cube core equals the header's number for the tiling,
//           on a spread of tilings from the engine (every path the shapes reach, the 310P zero-point tile with
//           offset_x != 0 and without it) and on each of them with single buffers.
//   kernel: the real kernel entry (the same merged object as qconv._sim) runs on a copy of the SoC whose
//           L1, L0A, L0B and L0C are exactly the header's numbers, and fails at each level shrunk by 32 B
//           (InitBuffer's unit, so the allocation is exactly the budget) with the twin's "exceed the <level>
//           size"; the engine's report states the same numbers.
// Built once per arch by op_kernel/CMakeLists.txt (cube_buffer_budget_twin_test_2201 / _2002);
// tests/test_buffer_budgets.py runs it. Prints " 0 failures" at the end when every check holds.
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "kernel_operator.h"
#include "kernel_twin_run.h"
#include "cube_buffer_budget.h"
#include "op_host/tiling/tiling_engine.h"
#include "qconv_generated/soc_table.h"
#include "sim/core.h"
#include "sim/launch.h"
#include "stage_cube_conv.h"

using namespace qconv;
using twin_run::RunKernel;
using twin_run::Shape;

namespace {

constexpr bool kCoupled = __NPU_ARCH__ == 2002;

std::vector<std::string> g_failures;
int g_checks = 0;

void Expect(bool ok, const std::string& what) {
    ++g_checks;
    if (!ok) {
        g_failures.push_back(what);
        std::printf("FAIL %s\n", what.c_str());
    }
}

// The four levels: the twin's pool, the header's number for a tiling, and the SoC field a test shrinks.
struct Level {
    const char* name;  // as the twin's errors name it (sim::MemName)
    sim::Mem mem;
    uint64_t (*budget)(const QuantConv2dTilingData&);
    uint64_t SocSpec::*capacity;
};

const Level kLevels[] = {
    {"L1", sim::Mem::kL1,
     [](const QuantConv2dTilingData& td) {
         return cube_buffers::L1Bytes(td.fmap_l1_buffers, td.fmap_l1_bytes, td.weight_l1_buffers, td.weight_l1_bytes);
     },
     &SocSpec::l1_bytes},
    {"L0A", sim::Mem::kL0A,
     [](const QuantConv2dTilingData& td) {
         return cube_buffers::L0ABytes(td.l0a_buffers, td.offset_x_zero_point, td.m_l0, td.k_l0);
     },
     &SocSpec::l0a_bytes},
    {"L0B", sim::Mem::kL0B,
     [](const QuantConv2dTilingData& td) { return cube_buffers::L0BBytes(td.l0b_buffers, td.k_l0, td.n_l0); },
     &SocSpec::l0b_bytes},
    {"L0C", sim::Mem::kL0C,
     [](const QuantConv2dTilingData& td) { return cube_buffers::L0CBytes(td.l0c_buffers, td.m_l0, td.n_l0); },
     &SocSpec::l0c_bytes},
};

std::string Describe(const SocSpec& soc, const ConvShape& s, const QuantConv2dTilingData& td) {
    char name[256];
    std::snprintf(name, sizeof(name),
                  "[%s] N%lld C%lld H%lldxW%lld Co%lld k%lldx%lld s%lld offset_x %lld: path %u m_l0 %u n_l0 %u k_l0 "
                  "%u buffers L1 %u/%u L0 %u/%u/%u zero-point %u",
                  soc.name, (long long)s.batch, (long long)s.cin, (long long)s.hin, (long long)s.win,
                  (long long)s.cout, (long long)s.kh, (long long)s.kw, (long long)s.stride_h, (long long)s.offset_x,
                  td.fmap_path, td.m_l0, td.n_l0, td.k_l0, td.fmap_l1_buffers, td.weight_l1_buffers, td.l0a_buffers,
                  td.l0b_buffers, td.l0c_buffers, td.offset_x_zero_point);
    return name;
}

// ---- the stage ----

void InitBody(const QuantConv2dTilingData& td, uint8_t* gm, const std::string& what) {
    if (!kCoupled && !ASCEND_IS_AIC) return;  // 2201: the vector cores hold no cube buffers
    AscendC::TPipe pipe;
    kernel::CubeConv cube;
    cube.Init(&pipe, gm, gm, gm, td, 0);
    for (const Level& level : kLevels) {
        const uint64_t got = sim::Cur().pool_top[static_cast<int>(level.mem)];
        const uint64_t want = level.budget(td);
        Expect(got == want, what + ": " + level.name + " top " + std::to_string(got) + " B, cube_buffer_budget.h says " +
                                std::to_string(want) + " B" + sim::Cur().Where());
    }
    cube.Finish();
}

void RunInit(const SocSpec& soc, const QuantConv2dTilingData& td, const std::string& what) {
    std::vector<uint8_t> gm(64, 0);
    std::vector<sim::GmBuffer> args = {{"gm", gm.data(), gm.size(), sim::GmRole::kInput}};
    uint8_t* g = gm.data();
    try {
        sim::LaunchBody(soc, 1, [&]() { InitBody(td, g, what); }, args, __NPU_ARCH__);
    } catch (const std::exception& e) {
        Expect(false, what + ": twin error: " + e.what());
    }
}

void CheckStage(const SocSpec& soc, const ConvShape& s) {
    tiling::TilingResult r;
    try {
        r = tiling::ComputeTiling(s, soc);
    } catch (const std::exception& e) {
        Expect(false, std::string("[") + soc.name + "] ComputeTiling: " + e.what());
        return;
    }
    const std::string what = Describe(soc, s, r.data);
    // The engine's report states the same numbers (tiling_engine.cpp Report).
    const tiling::BufferUse* reported[] = {&r.report.l1, &r.report.l0a, &r.report.l0b, &r.report.l0c};
    for (size_t i = 0; i < 4; ++i) {
        Expect(reported[i]->used_bytes == kLevels[i].budget(r.data),
               what + ": the report's " + kLevels[i].name + " " + std::to_string(reported[i]->used_bytes) +
                   " B differs from cube_buffer_budget.h");
    }
    RunInit(soc, r.data, what);
    QuantConv2dTilingData single = r.data;
    single.fmap_l1_buffers = single.weight_l1_buffers = 1;
    single.l0a_buffers = single.l0b_buffers = single.l0c_buffers = 1;
    RunInit(soc, single, what + " (single buffers)");
}

// ---- the whole kernel at its budget ----

void RunKernelAtBudget(const SocSpec& soc, const ConvShape& s, std::mt19937& rng) {
    const QuantConv2dTilingData td = tiling::ComputeTiling(s, soc).data;
    const std::string what = Describe(soc, s, td);
    SocSpec tight = soc;
    for (const Level& level : kLevels) {
        const uint64_t budget = level.budget(td);
        Expect(budget <= soc.*level.capacity, what + ": " + level.name + " budget " + std::to_string(budget) +
                                                  " B beyond the SoC's " + std::to_string(soc.*level.capacity) + " B");
        tight.*level.capacity = budget;
    }
    const std::string at_budget = RunKernel(tight, s, td, rng);
    Expect(at_budget.empty(), what + ": the kernel does not fit L1 / L0A / L0B / L0C = its budgets: " + at_budget);
    for (const Level& level : kLevels) {
        SocSpec below = tight;
        below.*level.capacity -= cube_buffers::kAlign;
        const std::string error = RunKernel(below, s, td, rng);
        Expect(error.find(std::string("exceed the ") + level.name + " size") != std::string::npos,
               what + ": the kernel still runs with " + level.name + " = budget - 32 B (the budget is loose): " +
                   (error.empty() ? std::string("no error") : error));
    }
}

ConvShape Dilated(ConvShape s, int64_t dilation) {
    s.dilation_h = s.dilation_w = dilation;
    return s;
}

}  // namespace

int main() {
    std::mt19937 rng(7);
    int socs = 0, tilings = 0, kernels = 0;
    // Tilings the engine makes on the paths and chunkings it has: img2col across rows and in a row, the direct GEMM
    // (1x1, stride 1, Cin % 32 == 0 on 2201), kw-packed filters (kw * Cin <= 32), several whole images per tile
    // (small outputs at a large batch on 2201), channel-group and kernel-row K chunks, one buffer where two do not
    // fit; offset_x 0 and not (the 310P zero-point tile).
    const ConvShape stage_shapes[] = {
        Shape(1, 32, 4, 4, 16, 1, 1, 0),
        Shape(2, 40, 11, 13, 33, 3, 2, 1),
        Shape(1, 64, 56, 56, 256, 1, 1, 0),
        Shape(1, 64, 56, 56, 256, 1, 1, 0, 0),
        Shape(1, 256, 14, 14, 256, 3, 1, 1),
        Shape(16, 512, 7, 7, 512, 3, 1, 1),
        Shape(1, 3, 224, 224, 64, 7, 2, 3),
        Shape(1, 3, 224, 224, 64, 7, 2, 3, 0),
        Shape(1, 16, 9, 300, 48, 3, 1, 1),
        Shape(1, 2048, 7, 7, 2048, 3, 1, 1, -128),
        Shape(1, 65536, 8, 8, 16, 1, 1, 0),
        Shape(1, 8, 64, 64, 16, 63, 1, 31),
        Dilated(Shape(1, 64, 256, 256, 64, 5, 1, 0), 16),
        Shape(1, 1, 1000, 4096, 1, 1, 1, 0),
    };
    // The kernel runs: small enough for the twin, and between them every level double and single buffered.
    const ConvShape kernel_shapes[] = {
        Shape(1, 32, 4, 4, 16, 1, 1, 0),
        Shape(2, 40, 11, 13, 33, 3, 2, 1),
        Shape(1, 64, 20, 20, 64, 3, 1, 1),
        Shape(1, 64, 20, 20, 64, 3, 1, 1, 0),
        Shape(1, 3, 24, 24, 16, 7, 2, 3),
    };
    for (const SocSpec& soc : soc_table::kSocs) {
        if (soc.npu_arch != __NPU_ARCH__) continue;
        ++socs;
        for (const ConvShape& s : stage_shapes) {
            CheckStage(soc, s);
            ++tilings;
        }
        for (int i = 0; i < 24; ++i) {  // random layers of moderate size
            ConvShape s = Shape(1 + rng() % 4, 1 + rng() % 300, 1 + rng() % 80, 2 + rng() % 80, 1 + rng() % 300,
                                1 + 2 * (rng() % 3), 1 + rng() % 2, rng() % 2, static_cast<int64_t>(rng() % 256) - 128);
            s.kw = 1 + rng() % 5;
            if (OutputH(s) <= 0 || OutputW(s) < 2) continue;
            CheckStage(soc, s);
            ++tilings;
        }
        for (const ConvShape& s : kernel_shapes) {
            RunKernelAtBudget(soc, s, rng);
            ++kernels;
        }
    }
    std::printf("arch %d: %d SoCs, %d tilings, %d kernel shapes, %d checks, %zu failures\n", __NPU_ARCH__, socs,
                tilings, kernels, g_checks, g_failures.size());
    return g_failures.empty() && socs > 0 ? 0 : 1;
}
