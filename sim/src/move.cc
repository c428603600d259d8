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

}  // namespace qconv::sim
