import { ConvAttrs, explicitPadding } from '@tinyforge/ir';

/** Everything a 2-D window op needs to index NHWC input and output, computed once in preparation. */
export interface WindowGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  filterH: number;
  filterW: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  padTop: number;
  padLeft: number;
}

export function windowGeometry(
  inShape: readonly number[],
  filterH: number,
  filterW: number,
  outC: number,
  a: Pick<ConvAttrs, 'strideH' | 'strideW' | 'padding'> & { dilationH?: number; dilationW?: number },
): WindowGeometry {
  const [batch, inH, inW, inC] = inShape;
  const dilationH = a.dilationH ?? 1;
  const dilationW = a.dilationW ?? 1;
  const p = explicitPadding(inH, inW, filterH, filterW, a.strideH, a.strideW, dilationH, dilationW, a.padding);
  return {
    batch,
    inH,
    inW,
    inC,
    outH: p.outH,
    outW: p.outW,
    outC,
    filterH,
    filterW,
    strideH: a.strideH,
    strideW: a.strideW,
    dilationH,
    dilationW,
    padTop: p.top,
    padLeft: p.left,
  };
}
