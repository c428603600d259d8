// The vector side's UB budget (op_kernel/vector_ub_budget.h) against what the kernel really allocates, in the
// CPU twin, whose TPipe carves UB bump-pointer per core (pool_top) and fails an InitBuffer past the UB size.
//   stages: after each vector stage's Init, the core's UB top equals the header's number for that stage
//           (layout transform, also as the subsampled path carves it; 2002 soft-SyncAll scratch; dequant epilogue
//           over passes, buffers, n tiles, both acc sources), so a buffer added to or resized in a stage without
//           the header fails here.
//   kernel: the real kernel entry (the same merged object as qconv._sim) runs on a copy of the SoC whose UB
//           is exactly the header's peak for the tiling (vector_ub::PeakBytes with the launch's block count)
//           and fails with 32 B less; the tiling's ub_bytes covers that peak and fits the real UB.
// Built once per arch by op_kernel/CMakeLists.txt (vector_ub_budget_twin_test_2201 / _2002);
// tests/test_buffer_budgets.py runs it. Prints " 0 failures" at the end when every check holds.
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernel_operator.h"
#include "kernel_twin_run.h"
#include "op_host/tiling/tiling_engine.h"
#include "qconv_generated/soc_table.h"
#include "sim/core.h"
#include "sim/launch.h"
#include "sim/positions.h"
#include "stage_cross_core.h"
#include "epilogue_dequant_nz_to_nchw.h"
#include "layout_x_and_filter_to_workspace.h"
#include "vector_ub_budget.h"

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

uint64_t UbTop() { return sim::Cur().pool_top[static_cast<int>(sim::Mem::kUb)]; }

void ExpectTop(const std::string& what, uint64_t want) {
    const uint64_t got = UbTop();
    Expect(got == want, what + ": UB top " + std::to_string(got) + " B, vector_ub_budget.h says " +
                            std::to_string(want) + " B" + sim::Cur().Where());
}

// ---- stages ----

struct StageCase {
    uint32_t ub_m, ub_n, buffers, n_l0;
    bool acc_from_workspace;
};

std::vector<StageCase> StageCases() {
    std::vector<StageCase> cases;
    for (uint32_t ub_m : {16u, 40u, 128u, 256u, 1008u, 2000u})
        for (uint32_t ub_n : {16u, 48u, 128u})
            for (uint32_t buffers : {0u, 1u, 2u})
                for (uint32_t n_l0 : {16u, 112u, 256u, 1024u})
                    for (bool from_ws : {false, true})
                        if (ub_n <= n_l0) cases.push_back({ub_m, ub_n, buffers, n_l0, from_ws});
    return cases;
}

void StagesBody(uint8_t* gm, uint8_t* sync_area) {
    using namespace qconv::kernel;
    AscendC::TPipe pipe;
    if (!kCoupled && !ASCEND_IS_AIV) return;  // 2201: the AIC has no UB
    {
        LayoutTransformArgs args;
        args.batch = 1;
        args.cin = 40;
        args.in_hw = 300;
        args.cout = 24;
        args.kernel_hw = 9;
        LayoutTransform transform;
        transform.Init(&pipe, gm, gm, gm, gm, args);
        ExpectTop("layout transform", vector_ub::LayoutTransformBytes(kCoupled));
#if __CCE_AICORE__ != 220
        SoftSyncAll(&pipe, sync_area);
        ExpectTop("phase 1 with the soft SyncAll scratch",
                  vector_ub::Phase1Bytes(true, static_cast<uint32_t>(AscendC::GetBlockNum())));
#else
        (void)sync_area;
#endif
    }
    pipe.Reset();
    for (uint32_t kind : {kSubsampleRows, kSubsamplePlanes, kSubsampleSpans}) {  // the subsampled path's carve-up
        LayoutTransformArgs args;
        args.batch = 1;
        args.cin = 40;
        args.in_hw = 14 * 14;
        args.cout = 24;
        args.kernel_hw = 1;
        args.subsample = true;
        args.sub = {14, 14, 2, 2, 7, 7, kind == kSubsampleRows ? 1u : 7u, 1, kind};
        LayoutTransform transform;
        transform.Init(&pipe, gm, gm, gm, gm, args);
        ExpectTop("subsampled layout transform, item kind " + std::to_string(kind), vector_ub::LayoutTransformBytes(kCoupled));
        pipe.Reset();
    }
    for (const StageCase& c : StageCases()) {
        QuantConv2dTilingData td{};
        td.batch = 1;
        td.cout = 100;
        td.hout = 5;
        td.wout = 10;
        td.m_l0 = 256;
        td.n_l0 = c.n_l0;
        td.ub_m = c.ub_m;
        td.ub_n = c.ub_n;
        td.ub_buffers = c.buffers;
        const uint32_t want = vector_ub::DequantBytes(vector_ub::DequantPassRows(c.ub_m), vector_ub::DequantPassGroups(c.ub_n),
                                                      vector_ub::DequantBuffers(c.buffers), c.n_l0, c.acc_from_workspace, 1);
        if (want > sim::PoolBytes(sim::Cur().spec, sim::Mem::kUb)) continue;  // no tiling asks for it
        {
            DequantEpilogue epilogue;
            epilogue.Init(&pipe, gm, gm, gm, td, c.acc_from_workspace);
            ExpectTop("dequant epilogue ub_m " + std::to_string(c.ub_m) + " ub_n " + std::to_string(c.ub_n) +
                          " buffers " + std::to_string(c.buffers) +
                          " n_l0 " + std::to_string(c.n_l0) + (c.acc_from_workspace ? " from ws.acc" : " in UB"),
                      want);
        }
        pipe.Reset();
    }
}

void RunStages(const SocSpec& soc) {
    constexpr uint32_t kBlocks = 2;
    std::vector<uint8_t> gm(64, 0), sync_area(kBlocks * vector_ub::kSoftSyncBytesPerCore, 0);
    std::vector<sim::GmBuffer> args = {{"gm", gm.data(), gm.size(), sim::GmRole::kInput},
                                       {"sync area", sync_area.data(), sync_area.size(), sim::GmRole::kInput}};
    uint8_t* g = gm.data();
    uint8_t* s = sync_area.data();
    try {
        sim::LaunchBody(soc, kBlocks, [&]() { StagesBody(g, s); }, args, __NPU_ARCH__);
    } catch (const std::exception& e) {
        Expect(false, std::string("[") + soc.name + "] stages: twin error: " + e.what());
    }
}

// ---- the whole kernel at its budget ----

void RunKernelAtBudget(const SocSpec& soc, const ConvShape& s, std::mt19937& rng) {
    const tiling::TilingResult r = tiling::ComputeTiling(s, soc);
    const QuantConv2dTilingData& td = r.data;
    char name[160];
    std::snprintf(name, sizeof(name), "[%s] N%lld C%lld H%lldxW%lld Co%lld k%lld m_l0 %u n_l0 %u ub_m %u blocks %u",
                  soc.name, (long long)s.batch, (long long)s.cin, (long long)s.hin, (long long)s.win,
                  (long long)s.cout, (long long)s.kh, td.m_l0, td.n_l0, td.ub_m, td.block_dim);
    const uint32_t peak =
        vector_ub::PeakBytes(kCoupled, td.block_dim, td.m_l0, td.n_l0, td.ub_m, td.ub_n, td.ub_buffers,
                             schedule::KSlices(td));
    Expect(td.ub_bytes >= peak && td.ub_bytes <= soc.ub_bytes,
           std::string(name) + ": ub_bytes " + std::to_string(td.ub_bytes) + " not in [peak " + std::to_string(peak) +
               ", UB " + std::to_string(soc.ub_bytes) + "]");
    SocSpec tight = soc;
    tight.ub_bytes = peak;
    const std::string at_peak = RunKernel(tight, s, td, rng);
    Expect(at_peak.empty(), std::string(name) + ": the kernel does not fit UB = its budget " + std::to_string(peak) +
                                " B: " + at_peak);
    tight.ub_bytes = peak - vector_ub::kUbAlign;
    const std::string below = RunKernel(tight, s, td, rng);
    Expect(below.find("exceed the UB size") != std::string::npos,
           std::string(name) + ": the kernel still runs with UB = budget - 32 B (the budget is loose): " +
               (below.empty() ? std::string("no error") : below));
}

}  // namespace

int main() {
    std::mt19937 rng(5);
    int socs = 0, shapes = 0;
    for (const SocSpec& soc : soc_table::kSocs) {
        if (soc.npu_arch != __NPU_ARCH__) continue;
        ++socs;
        RunStages(soc);
        const ConvShape cases[] = {
            Shape(1, 32, 4, 4, 16, 1, 1, 0),      // one small tile
            Shape(2, 40, 11, 13, 33, 3, 2, 1),    // channel tails, two images
            Shape(1, 64, 20, 20, 64, 3, 1, 1),
            Shape(1, 64, 56, 56, 256, 1, 1, 0),   // ResNet-50 layer1.x.conv3
            Shape(1, 256, 14, 14, 256, 3, 1, 1),  // ResNet-50 layer3.x.conv2
            Shape(1, 16, 9, 300, 48, 3, 1, 1),    // long rows
            Shape(1, 256, 28, 28, 128, 1, 2, 0),  // subsampled fmap (1x1 stride 2), rows
            Shape(2, 40, 14, 14, 24, 1, 2, 0),    // subsampled fmap, small planes
            Shape(1, 3, 64, 64, 16, 1, 2, 0),     // subsampled fmap, few channels: spans
        };
        for (const ConvShape& s : cases) {
            RunKernelAtBudget(soc, s, rng);
            ++shapes;
        }
    }
    std::printf("arch %d: %d SoCs, %d kernel shapes, %d checks, %zu failures\n", __NPU_ARCH__, socs, shapes, g_checks,
                g_failures.size());
    return g_failures.empty() && socs > 0 ? 0 : 1;
}
