import { escapeHtml, formatTable, printable, shortName } from './text';

describe('printable', () => {
  it('replaces control characters and bidi overrides, and shortens from either end', () => {
    expect(printable('conv\u001b[31m\u202eevil\n')).toBe('conv?[31m?evil?');
    expect(printable('abcdefghij', 5)).toBe('abcd…');
    expect(printable('model/block_3/conv', 8, 'end')).toBe('…_3/conv');
    expect(printable('short', 8, 'end')).toBe('short');
  });
});

describe('escapeHtml', () => {
  it('leaves no character that could end text or an attribute', () => {
    const evil = `<img src=x onerror="a('b')">\`&`;
    expect(escapeHtml(evil)).not.toMatch(/[<>"'`]|&(?!#\d+;)/);
    expect(escapeHtml('a<b')).toBe('a&#60;b');
  });

  it('lets no raw NUL, ESC, C1 control, bidi override or lone surrogate from a model name into the page (issue 21)', () => {
    const name = 'nul\u0000 esc\u001b[31m c1\u009b rtl\u202e lone\ud800 pair\ud83d\ude00';
    const html = escapeHtml(name);
    expect(html).toBe('nul? esc?[31m c1? rtl? lone\ufffd pair\ud83d\ude00');
    // eslint-disable-next-line no-control-regex
    expect(html).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
  });

  it('formatTable takes tables of 100,000 rows (no spread of the rows onto the stack)', () => {
    const rows = Array.from({ length: 100000 }, (_, i) => [String(i)]);
    expect(formatTable([{ header: 'n' }], rows).split('\n')).toHaveLength(100002);
  });
});

describe('formatTable', () => {
  it('aligns columns two spaces apart, right-aligned where asked, with no trailing spaces', () => {
    const text = formatTable([{ header: 'layer' }, { header: 'MACs', align: 'right' }, { header: 'note' }], [
      ['conv_1', '1,024', ''],
      ['fc', '10', 'last'],
    ]);
    expect(text.split('\n')).toEqual(['layer    MACs  note', '------  -----  ----', 'conv_1  1,024', 'fc         10  last']);
  });
});

describe('shortName', () => {
  const kws = 'functional_1/activation_1/Relu;functional_1/batch_normalization_1/FusedBatchNormV3;functional_1/depthwise_conv2d/depthwise;functional_1/depthwise_conv2d/BiasAdd/ReadVariableOp/resource1';
  it("keeps the fused op's own name (the first of TFLite's ';'-joined names) and says more follow", () => {
    expect(shortName(kws)).toBe('functional_1/activation_1/Relu;…');
    expect(shortName('model/dense/MatMul;model/dense/BiasAdd')).toBe('model/dense/MatMul;…');
    expect(shortName('Identity_int8')).toBe('Identity_int8');
    expect(shortName(';x;')).toBe('x');
  });

  it('cuts a long name in the middle, keeping its start and its last path components', () => {
    const s = shortName('a/very/long/scope/name/that/goes/on/and/on/conv2d_12/Conv2D');
    expect(s.length).toBeLessThanOrEqual(40);
    expect(s.startsWith('a/')).toBe(true);
    expect(s.endsWith('/conv2d_12/Conv2D')).toBe(true);
    expect(s).toContain('…');
    expect(shortName('x'.repeat(100), 24)).toHaveLength(24);
  });

  it('makes names terminal-safe like printable', () => {
    expect(shortName('evil\u001b[31m\u202e;b')).toBe('evil?[31m?;…');
  });
});
