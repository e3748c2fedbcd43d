#!/usr/bin/env bash
# Regenerate the static protobufjs code for ONNX from Debian's libonnx-dev onnx.proto (ONNX 1.12, IR 8).
# The output is checked in; other packages never compile it (pbjs output does not typecheck under allowJs).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
root="$(cd "$here/../.." && pwd)"
proto="${ONNX_PROTO:-/usr/include/onnx/onnx.proto}"
[ -f "$proto" ] || { echo "error: $proto not found (apt-get install libonnx-dev, or set ONNX_PROTO)" >&2; exit 1; }
"$root/node_modules/.bin/pbjs" -t static-module -w commonjs --no-verify --no-convert --no-delimited \
  -o "$here/src/index.js" "$proto"
"$root/node_modules/.bin/pbts" -o "$here/src/index.d.ts" "$here/src/index.js"
echo "generated $here/src/index.js and index.d.ts from $proto"
