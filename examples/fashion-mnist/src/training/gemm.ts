/**
 * The three products a layer y = x·Wᵀ + b needs, with every inner loop running over contiguous memory:
 * x [M, K] (rows are pixels or samples), W [N, K] (TFLite OHWI / [out, in] layout), y and dy [M, N].
 * Sums are accumulated in double precision. Loops are blocked by four (outputs, or rows) so that each value loaded
 * is used four times: this is JavaScript's only lever on a matrix product's speed.
 */

/**
 * y[m, n] = fround(Σk x[m, k]·W[n, k]) + b[n], then ReLU when asked. Each output's sum runs over k in order and
 * is rounded where the reference interpreter's float kernels round it, so the trained network and the exported
 * model compute the same float32 values.
 */
export function forwardLinear(x: Float32Array, w: Float32Array, b: Float32Array, y: Float32Array, m: number, n: number, k: number, relu: boolean): void {
  const n4 = n - (n % 4);
  for (let r = 0; r < m; r++) {
    const xr = r * k;
    const yr = r * n;
    for (let o = 0; o < n4; o += 4) {
      const w0 = o * k;
      const w1 = w0 + k;
      const w2 = w1 + k;
      const w3 = w2 + k;
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let i = 0; i < k; i++) {
        const v = x[xr + i];
        a0 += v * w[w0 + i];
        a1 += v * w[w1 + i];
        a2 += v * w[w2 + i];
        a3 += v * w[w3 + i];
      }
      y[yr + o] = finish(a0, b[o], relu);
      y[yr + o + 1] = finish(a1, b[o + 1], relu);
      y[yr + o + 2] = finish(a2, b[o + 2], relu);
      y[yr + o + 3] = finish(a3, b[o + 3], relu);
    }
    for (let o = n4; o < n; o++) {
      const wo = o * k;
      let acc = 0;
      for (let i = 0; i < k; i++) acc += x[xr + i] * w[wo + i];
      y[yr + o] = finish(acc, b[o], relu);
    }
  }
}

function finish(acc: number, bias: number, relu: boolean): number {
  const v = Math.fround(acc) + bias;
  return relu && v < 0 ? 0 : v;
}

/** dW[n, k] += Σm dy[m, n]·x[m, k] and db[n] += Σm dy[m, n], four rows of x per pass over dW. */
export function accumulateWeightGrad(dy: Float32Array, x: Float32Array, dw: Float64Array, db: Float64Array, m: number, n: number, k: number): void {
  const m4 = m - (m % 4);
  for (let r = 0; r < m4; r += 4) {
    const x0 = r * k;
    const x1 = x0 + k;
    const x2 = x1 + k;
    const x3 = x2 + k;
    for (let o = 0; o < n; o++) {
      const g0 = dy[r * n + o];
      const g1 = dy[(r + 1) * n + o];
      const g2 = dy[(r + 2) * n + o];
      const g3 = dy[(r + 3) * n + o];
      if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0) continue; // ReLU-masked: nothing to add
      db[o] += g0 + g1 + g2 + g3;
      const wo = o * k;
      for (let i = 0; i < k; i++) dw[wo + i] += g0 * x[x0 + i] + g1 * x[x1 + i] + g2 * x[x2 + i] + g3 * x[x3 + i];
    }
  }
  for (let r = m4; r < m; r++) {
    const xr = r * k;
    for (let o = 0; o < n; o++) {
      const g = dy[r * n + o];
      if (g === 0) continue;
      db[o] += g;
      const wo = o * k;
      for (let i = 0; i < k; i++) dw[wo + i] += g * x[xr + i];
    }
  }
}

/** dx[m, k] = Σn dy[m, n]·W[n, k], four rows of W per pass over dx. */
export function inputGrad(dy: Float32Array, w: Float32Array, dx: Float32Array, m: number, n: number, k: number): void {
  dx.fill(0, 0, m * k);
  const n4 = n - (n % 4);
  for (let r = 0; r < m; r++) {
    const xr = r * k;
    const yr = r * n;
    for (let o = 0; o < n4; o += 4) {
      const g0 = dy[yr + o];
      const g1 = dy[yr + o + 1];
      const g2 = dy[yr + o + 2];
      const g3 = dy[yr + o + 3];
      if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0) continue;
      const w0 = o * k;
      const w1 = w0 + k;
      const w2 = w1 + k;
      const w3 = w2 + k;
      for (let i = 0; i < k; i++) dx[xr + i] += g0 * w[w0 + i] + g1 * w[w1 + i] + g2 * w[w2 + i] + g3 * w[w3 + i];
    }
    for (let o = n4; o < n; o++) {
      const g = dy[yr + o];
      if (g === 0) continue;
      const wo = o * k;
      for (let i = 0; i < k; i++) dx[xr + i] += g * w[wo + i];
    }
  }
}

/** Zero the gradient wherever the (post-ReLU) output is not positive: ReLU's derivative. */
export function maskByRelu(dy: Float32Array, y: Float32Array): void {
  for (let i = 0; i < dy.length; i++) if (y[i] <= 0) dy[i] = 0;
}
