/**
 * Names a hostile model file may carry in any name field: C comment and string breakers, HTML/script injection,
 * control characters (NUL, ESC, bidi overrides, line separators), format strings, paths, huge and invalid UTF-8.
 * Every one must reach C, JSON, HTML and the terminal only escaped or sanitized.
 */
export const HOSTILE_NAMES: ReadonlyArray<string | Uint8Array> = [
  '*/ int injected; /*',
  '</script><script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  'nul\u0000byte',
  'esc\u001b[31mred\u001b[0m',
  '%s%s%s%n',
  '../../../../etc/passwd',
  'x'.repeat(5000),
  'rtl\u202eevil',
  '#include "/dev/zero"',
  'trailing\\',
  '"quoted" and \'single\'',
  'trigraph ??/ and ??=',
  'line\r\nbreak',
  '${process.exit(1)}',
  "'; DROP TABLE models; --",
  'sep\u2028\u2029',
  new Uint8Array([0x62, 0x61, 0x64, 0xff, 0xfe, 0xc0, 0x80, 0xed, 0xa0, 0x80]),
  '',
];
