import { Param } from './layer';

export interface AdamOptions {
  beta1: number;
  beta2: number;
  epsilon: number;
}

export const ADAM_DEFAULTS: AdamOptions = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8 };

/** Adam (Kingma & Ba) with bias correction; moments kept in double precision, one pair per parameter. */
export class Adam {
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  private step = 0;

  constructor(
    private readonly params: Param[],
    private readonly options: AdamOptions = ADAM_DEFAULTS,
  ) {
    this.m = params.map((p) => new Float64Array(p.value.length));
    this.v = params.map((p) => new Float64Array(p.value.length));
  }

  /** One update with learning rate `lr`; gradients are divided by `gradScale` (the batch size) first. */
  update(lr: number, gradScale: number): void {
    const { beta1, beta2, epsilon } = this.options;
    this.step++;
    const c1 = 1 - Math.pow(beta1, this.step);
    const c2 = 1 - Math.pow(beta2, this.step);
    this.params.forEach((p, k) => {
      const m = this.m[k];
      const v = this.v[k];
      for (let i = 0; i < p.value.length; i++) {
        const g = p.grad[i] / gradScale;
        m[i] = beta1 * m[i] + (1 - beta1) * g;
        v[i] = beta2 * v[i] + (1 - beta2) * g * g;
        p.value[i] -= (lr * (m[i] / c1)) / (Math.sqrt(v[i] / c2) + epsilon);
      }
    });
  }
}
