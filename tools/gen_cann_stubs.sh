#!/usr/bin/env bash
# Build stand-ins for the CANN shared libraries that torch_npu's binaries are linked against, so that
# `import torch_npu, torchair` works on a machine without CANN. Every missing function becomes a no-op
# returning 0: enough to load the libraries and run torch_npu's Python (schemas, meta kernels, the
# torchair converters and graph builder); no device op can work.
#
#   tools/gen_cann_stubs.sh <dir holding torch_npu/> <dir holding torch/> <out dir>
#
# Writes <out>/lib/<soname>.so for each missing soname and <out>/symbols.txt (one stubbed name a line).
set -euo pipefail
[ $# -eq 3 ] || { echo "usage: $0 <torch_npu site dir> <torch site dir> <out dir>" >&2; exit 2; }
NPU_SITE=$1; TORCH_SITE=$2; OUT=$3
for tool in readelf nm gcc; do
  command -v "$tool" >/dev/null || { echo "gen_cann_stubs: '$tool' is missing (Debian: apt-get install binutils gcc)" >&2; exit 1; }
done
WORK=$(mktemp -d); trap 'rm -rf "$WORK"' EXIT

mapfile -t npu_libs < <(find "$NPU_SITE/torch_npu" -name '*.so' -type f | sort)
[ ${#npu_libs[@]} -gt 0 ] || { echo "gen_cann_stubs: no shared libraries under $NPU_SITE/torch_npu" >&2; exit 1; }

# A soname is missing when neither the wheels nor the system loader provide it.
provided() {
  local name=$1
  [ -n "$(find "$NPU_SITE/torch_npu" "$TORCH_SITE/torch/lib" -name "$name" -print -quit)" ] && return 0
  ldconfig -p | grep -q "/$name\$"
}
missing=()
for so in $(for f in "${npu_libs[@]}"; do readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; done | sort -u); do
  provided "$so" || missing+=("$so")
done

# Symbols the wheels need that nothing present defines (torch's libraries, libc/libm/libstdc++/libgcc,
# the wheels themselves). Python C-API, TM and profiling hooks are resolved by the interpreter.
system_libs=$(ldconfig -p | awk '/(libc|libm|libstdc\+\+|libgcc_s)\.so\.[0-9]+ .*x86-64/{print $NF}' | sort -u)
for f in "${npu_libs[@]}"; do nm -D --undefined-only "$f"; done | awk '{print $NF}' | sed 's/@.*//' | sort -u > "$WORK/needed"
for f in "${npu_libs[@]}" "$TORCH_SITE"/torch/lib/*.so* $system_libs; do
  nm -D --defined-only "$f" 2>/dev/null | awk '{print $NF}'
done | sed 's/@.*//' | sort -u > "$WORK/defined"
comm -23 "$WORK/needed" "$WORK/defined" \
  | grep -vE '^(_?Py|_ITM_|__gmon_start__$|__tls_get_addr$|snprintf_s$|strcpy_s$|vsnprintf_s$)' > "$WORK/symbols"

# securec's bounded string functions are called for real (log formatting), so they get real bodies.
{
  cat <<'C'
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
int vsnprintf_s(char *dst, size_t dst_max, size_t count, const char *fmt, va_list ap) {
  (void)count;
  if (dst == NULL || dst_max == 0) return -1;
  int n = vsnprintf(dst, dst_max, fmt, ap);
  return (n < 0 || (size_t)n >= dst_max) ? -1 : n;
}
int snprintf_s(char *dst, size_t dst_max, size_t count, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf_s(dst, dst_max, count, fmt, ap);
  va_end(ap);
  return n;
}
int strcpy_s(char *dst, size_t dst_max, const char *src) {
  if (dst == NULL || src == NULL || strlen(src) >= dst_max) return 1;
  memcpy(dst, src, strlen(src) + 1);
  return 0;
}
C
  while read -r sym; do echo "long $sym(void) { return 0; }"; done < "$WORK/symbols"
} > "$WORK/stub.c"

mkdir -p "$OUT/lib"
rm -f "$OUT"/lib/*.so
for so in "${missing[@]}"; do
  gcc -shared -fPIC -w -o "$OUT/lib/$so" -Wl,-soname,"$so" "$WORK/stub.c"
done
cp "$WORK/symbols" "$OUT/symbols.txt"
echo "gen_cann_stubs: ${#missing[@]} libraries (${missing[*]}), $(wc -l < "$WORK/symbols") symbols -> $OUT/lib"
