#include "sim/move.h"

#include <algorithm>
#include <cstring>

#include "sim/error.h"

namespace qconv::sim {

void MoveBlocks(Core& core, const BlockMove& m, const Span& dst, const Span& src) {
    if (m.count == 0 || m.dst_bytes == 0) return;
    const uint64_t src_extent = (m.count - 1) * m.src_pitch + m.src_bytes;
    const uint64_t dst_extent = (m.count - 1) * m.dst_pitch + m.dst_bytes;
    if (m.src_bytes > 0) CheckSpan(m.api, "source", src, 0, src_extent);
    CheckSpan(m.api, "destination", dst, 0, dst_extent);
    core.Issue(m.pipe, m.count * m.dst_bytes, 0);
    const uint16_t api_id = InternName(m.api);
    Region& dr = *dst.region;
    const Region& sr = *src.region;
    for (uint64_t b = 0; b < m.count; ++b) {
        const uint64_t so = src.off + b * m.src_pitch;
        const uint64_t d0 = dst.off + b * m.dst_pitch;
        const uint64_t dd = d0 + m.dst_lead;
        if (m.src_bytes > 0) {
            core.CheckRead(m.pipe, sr, so, m.src_bytes, m.api);
            std::memmove(dr.data + dd, sr.data + so, m.src_bytes);
            dr.CopyPoison(dd, sr, so, m.src_bytes);
        }
        // Lead and tail (padding / dummy) bytes around the data.
        auto fill = [&](uint64_t from, uint64_t to) {
            if (from >= to) return;
            if (m.pad != nullptr) {
                for (uint64_t i = from; i < to; ++i) dr.data[i] = m.pad[(i - from) % m.pad_len];
                dr.SetPoison(from, to - from, 0);
            } else {
                dr.SetPoison(from, to - from, m.pad_origin);
            }
        };
        fill(d0, dd);
        const uint64_t data_end = dd + m.src_bytes;
        const uint64_t blk_end = d0 + m.dst_bytes;
        if (m.tail_poison_from != ~0ULL) {
            const uint64_t tp = std::max(data_end, d0 + m.tail_poison_from);
            fill(data_end, std::min(tp, blk_end));
            if (tp < blk_end) dr.SetPoison(tp, blk_end - tp, m.tail_origin);
        } else {
            fill(data_end, blk_end);
        }
        core.MarkWrite(m.pipe, dr, d0, m.dst_bytes, api_id);
    }
}

void MoveNd2Nz(Core& core, const Nd2NzMove& m, const Span& dst, const Span& src) {
    if (m.nd_num == 0 || m.n_value == 0 || m.d_value == 0) return;  // a NOP, as documented
    const uint64_t c0 = 32 / m.elem;
    const uint64_t col_blocks = (m.d_value + c0 - 1) / c0;
    const uint64_t row_bytes = m.d_value * m.elem;
    const uint64_t src_extent = ((m.nd_num - 1) * m.src_nd_stride + (m.n_value - 1) * m.src_d_value) * m.elem + row_bytes;
    const uint64_t dst_extent = (m.nd_num - 1) * m.dst_nd_stride * m.elem + (col_blocks - 1) * m.dst_c0_stride * 32 +
                                (m.n_value - 1) * m.dst_n_stride * 32 + 32;
    CheckSpan(m.api, "source", src, 0, src_extent);
    CheckSpan(m.api, "destination", dst, 0, dst_extent);
    core.Issue(Pipe::kMte2, m.nd_num * m.n_value * col_blocks * 32, 0);
    const uint16_t api_id = InternName(m.api);
    Region& dr = *dst.region;
    const Region& sr = *src.region;
    for (uint64_t i = 0; i < m.nd_num; ++i) {
        for (uint64_t r = 0; r < m.n_value; ++r) {
            const uint64_t so = src.off + (i * m.src_nd_stride + r * m.src_d_value) * m.elem;
            core.CheckRead(Pipe::kMte2, sr, so, row_bytes, m.api);
            for (uint64_t c = 0; c < col_blocks; ++c) {
                const uint64_t d = dst.off + i * m.dst_nd_stride * m.elem + c * m.dst_c0_stride * 32 + r * m.dst_n_stride * 32;
                const uint64_t n = std::min<uint64_t>(32, row_bytes - c * 32);
                std::memmove(dr.data + d, sr.data + so + c * 32, n);
                dr.CopyPoison(d, sr, so + c * 32, n);
                if (n < 32) {
                    std::memset(dr.data + d + n, 0, 32 - n);
                    dr.SetPoison(d + n, 32 - n, 0);
                }
                core.MarkWrite(Pipe::kMte2, dr, d, 32, api_id);
            }
        }
    }
}

}  // namespace qconv::sim
