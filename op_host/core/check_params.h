// CheckParams: every documented range and shape/dtype rule of QuantConv2d (configs/limits.yaml), with
// the first violation worded from the generated message templates, exactly as the Python checks word it.
#pragma once

#include "op_host/core/conv_params.h"
#include "op_host/core/soc_spec.h"
#include "op_host/core/status.h"

namespace qconv {

// `soc` adds the SoC's quirks (310P: output width 1 unsupported); nullptr checks the SoC-independent rules.
Status CheckParams(const ConvParams& params, const SocSpec* soc = nullptr);

}  // namespace qconv
