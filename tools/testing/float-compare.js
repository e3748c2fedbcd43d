// Test helpers shared by the suites that run float models in onnxruntime (our writer's NCHW ONNX models) and
// compare with another float result (TFLite Micro gold, the interpreter).
'use strict';

/** An NHWC tensor's values as onnxruntime feeds a 4-D NCHW input ({ dims, data }); other ranks pass through. */
function nchwFeed(shape, nhwc) {
  if (shape.length !== 4) return { dims: [...shape], data: nhwc };
  const [n, h, w, c] = shape;
  const data = new Float32Array(nhwc.length);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let k = 0; k < c; k++) data[((b * c + k) * h + y) * w + x] = nhwc[((b * h + y) * w + x) * c + k];
  return { dims: [n, c, h, w], data };
}

/** max |got − want| and the range (max − min) of `want`: float results agree when worst ≤ 1e-4 × range. */
function errorAndRange(got, want) {
  if (got.length !== want.length) throw new Error(`length ${got.length} ≠ ${want.length}`);
  let lo = Infinity;
  let hi = -Infinity;
  let worst = 0;
  want.forEach((v, i) => {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
    worst = Math.max(worst, Math.abs(got[i] - v));
  });
  return { worst, range: hi - lo };
}

module.exports = { nchwFeed, errorAndRange };
