#include "sim/positions.h"

#include "op_host/core/soc_spec.h"
#include "sim/core.h"
#include "sim/error.h"

namespace qconv::sim {

const char* PositionName(AscendC::TPosition p) {
    using AscendC::TPosition;
    switch (p) {
        case TPosition::GM: return "GM";
        case TPosition::A1: return "A1";
        case TPosition::A2: return "A2";
        case TPosition::B1: return "B1";
        case TPosition::B2: return "B2";
        case TPosition::C1: return "C1";
        case TPosition::C2: return "C2";
        case TPosition::CO1: return "CO1";
        case TPosition::CO2: return "CO2";
        case TPosition::VECIN: return "VECIN";
        case TPosition::VECOUT: return "VECOUT";
        case TPosition::VECCALC: return "VECCALC";
        case TPosition::SPM: return "SPM";
        case TPosition::TSCM: return "TSCM";
        case TPosition::C2PIPE2GM: return "C2PIPE2GM";
        case TPosition::C2PIPE2LOCAL: return "C2PIPE2LOCAL";
        case TPosition::MAX: break;
    }
    return "?";
}

uint64_t PoolBytes(const SocSpec& spec, Mem m) {
    switch (m) {
        case Mem::kUb: return spec.ub_bytes;
        case Mem::kL1: return spec.l1_bytes;
        case Mem::kL0A: return spec.l0a_bytes;
        case Mem::kL0B: return spec.l0b_bytes;
        case Mem::kL0C: return spec.l0c_bytes;
        case Mem::kBias: return spec.bias_table_bytes;
        case Mem::kFixbuf: return spec.fixpipe_buffer_bytes;
        default: return 0;
    }
}

bool QueueEvents(Mem src, Mem dst, AscendC::HardEvent* enque, AscendC::HardEvent* free) {
    using E = AscendC::HardEvent;
    auto set = [&](E a, E b) {
        *enque = a;
        *free = b;
        return true;
    };
    if (src == Mem::kGm && dst == Mem::kUb) return set(E::MTE2_V, E::V_MTE2);
    if (src == Mem::kUb && dst == Mem::kGm) return set(E::V_MTE3, E::MTE3_V);
    if (src == Mem::kUb && dst == Mem::kUb) return set(E::MTE2_MTE3, E::MTE3_MTE2);
    if (src == Mem::kGm && dst == Mem::kL1) return set(E::MTE2_MTE1, E::MTE1_MTE2);
    if (src == Mem::kL1 && (dst == Mem::kL0A || dst == Mem::kL0B || dst == Mem::kBias)) return set(E::MTE1_M, E::M_MTE1);
    if (src == Mem::kL0C && dst == Mem::kGm) return set(E::M_FIX, E::FIX_M);
    if (src == Mem::kL0C && dst == Mem::kUb) return set(E::M_V, E::V_M);
    if (src == Mem::kUb && dst == Mem::kL0C) return set(E::V_M, E::M_V);
    if (src == Mem::kL1 && dst == Mem::kL1) return set(E::MTE2_MTE1, E::MTE1_MTE2);
    if (src == Mem::kL0A && dst == Mem::kL0A) return set(E::MTE1_M, E::M_MTE1);
    if (src == Mem::kL0B && dst == Mem::kL0B) return set(E::MTE1_M, E::M_MTE1);
    if (src == Mem::kL0C && dst == Mem::kL0C) return set(E::M_FIX, E::FIX_M);
    return false;
}

namespace {
std::string Where() {
    Core* c = CurOrNull();
    return c ? c->Where() : std::string();
}
}  // namespace

void CheckSpan(const char* api, const char* operand, const Span& s, uint64_t rel_off, uint64_t need) {
    if (rel_off + need > s.len || s.off + rel_off + need > s.region->bytes) {
        Fail(Format("%s: out-of-bounds access of %s: bytes [%llu, %llu) of %s, but the operand covers [%llu, %llu) "
                    "and %s holds %llu bytes%s",
                    api, operand, static_cast<unsigned long long>(s.off + rel_off),
                    static_cast<unsigned long long>(s.off + rel_off + need), s.region->name.c_str(),
                    static_cast<unsigned long long>(s.off), static_cast<unsigned long long>(s.off + s.len),
                    s.region->name.c_str(), static_cast<unsigned long long>(s.region->bytes), Where().c_str()));
    }
}

void CheckAlign(const char* api, const char* operand, const Span& s, uint32_t align) {
    if (align > 1 && s.off % align != 0) {
        Fail(Format("%s: misaligned %s: offset %llu of %s is not a multiple of %u bytes%s", api, operand,
                    static_cast<unsigned long long>(s.off), s.region->name.c_str(), align, Where().c_str()));
    }
}

}  // namespace qconv::sim
