import { dropWarnings } from '../quantize-file';
import { LayerReport, QuantizationReport } from './measure';

function layer(tensor: string, sqnrDb: number): LayerReport {
  return { node: tensor, op: 'Conv2D', tensor, range: { min: 0, max: 1 }, calibrated: { min: 0, max: 1 }, scale: 1, zeroPoint: 0, sqnrDb, clipping: 0 };
}

function report(over: Partial<QuantizationReport>): QuantizationReport {
  return { samples: 10, layers: [layer('a', 30), layer('b', 4.2), layer('c', Infinity), layer('d', 12), layer('e', 8)], outputSqnrDb: 30, warnings: [], ...over };
}

const limits = { dropPoints: 1, minSqnrDb: 15 };

describe('accuracy-drop warnings', () => {
  it('warns when accuracy falls by more than the threshold, naming the three worst layers', () => {
    const w = dropWarnings(report({ accuracy: { float: 0.913, int8: 0.846 }, top1Agreement: 0.9 }), limits);
    expect(w).toBe('int8 accuracy 84.60% against float 91.30% (6.70 points lower; the threshold is 1); worst layers: b (Conv2D, 4.2 dB), e (Conv2D, 8.0 dB), d (Conv2D, 12.0 dB)');
  });

  it('stays quiet within the threshold, and uses top-1 agreement without labels', () => {
    expect(dropWarnings(report({ accuracy: { float: 0.913, int8: 0.905 }, top1Agreement: 0.5 }), limits)).toBeUndefined();
    expect(dropWarnings(report({ top1Agreement: 0.995 }), limits)).toBeUndefined();
    expect(dropWarnings(report({ top1Agreement: 0.98 }), limits)).toMatch(/^int8 agrees with the float model's top-1 on 98.00% of samples/);
  });

  it('warns on a low output SQNR', () => {
    expect(dropWarnings(report({ outputSqnrDb: 9.4 }), limits)).toMatch(/^output SQNR 9.4 dB is below 15 dB; worst layers: b /);
    expect(dropWarnings(report({ outputSqnrDb: 9.4 }), { dropPoints: 1, minSqnrDb: 5 })).toBeUndefined();
  });
});
