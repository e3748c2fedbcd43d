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
