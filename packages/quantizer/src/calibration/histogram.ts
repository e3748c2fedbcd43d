/** A fixed-range histogram of float values, the input of the percentile, entropy and MSE observers. */
export class Histogram {
  readonly counts: Float64Array;
  readonly width: number;

  constructor(
    readonly lo: number,
    readonly hi: number,
    bins = 2048,
  ) {
    this.counts = new Float64Array(bins);
    this.width = hi > lo ? (hi - lo) / bins : 1;
  }

  get bins(): number {
    return this.counts.length;
  }

  add(values: ArrayLike<number>): void {
    const { lo, width, counts } = this;
    const last = counts.length - 1;
    for (let i = 0; i < values.length; i++) {
      let b = Math.floor((values[i] - lo) / width);
      if (b < 0) b = 0;
      else if (b > last) b = last;
      counts[b]++;
    }
  }

  center(bin: number): number {
    return this.lo + (bin + 0.5) * this.width;
  }

  total(): number {
    let n = 0;
    for (const c of this.counts) n += c;
    return n;
  }
}
