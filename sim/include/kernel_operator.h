// The CPU twin's kernel_operator.h: the subset of the Ascend C API (CANN 8.1.RC1 signatures) that
// qconv-kit's op_kernel uses, so the same kernel source compiles with CANN's compiler and with g++ here.
// Compile with -D__CCE_AICORE__=220 -D__NPU_ARCH__=2201 (ascend910b, ascend910_93) or
// -D__CCE_AICORE__=200 -D__NPU_ARCH__=2002 (ascend310p). See sim/README.md.
#pragma once

#include "sim/kernel_macros.h"  // qualifiers first: the API headers use them

#include "sim/cast.h"
#include "sim/cube.h"
#include "sim/data_copy.h"
#include "sim/enums.h"
#include "sim/gather.h"
#include "sim/half.h"
#include "sim/scalar.h"
#include "sim/sync.h"
#include "sim/tensor.h"
#include "sim/tpipe.h"
#include "sim/transdata.h"
#include "sim/vector.h"
#include "sim/workspace.h"
