import { escapeHtml, formatTable, printable } from './text';

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
