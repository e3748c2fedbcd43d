/** Builds C source text line by line with consistent two-space indentation. */
export class CWriter {
  private readonly lines: string[] = [];
  private depth = 0;

  private readonly indents: string[] = [''];

  line(text = ''): this {
    this.lines.push(text === '' ? '' : (this.indents[this.depth] ??= '  '.repeat(this.depth)) + text);
    return this;
  }

  /** `head {`, the body one level deeper, then `}` plus an optional tail (e.g. `;`). */
  block(head: string, body: () => void, tail = ''): this {
    this.line(`${head} {`);
    this.depth++;
    body();
    this.depth--;
    return this.line(`}${tail}`);
  }

  comment(text: string): this {
    return this.line(`/* ${text} */`);
  }

  /** A brace initializer list of numbers (or literals), wrapped to lines of `perLine` values. */
  numberList(values: ArrayLike<number | string>, perLine = 16): this {
    this.depth++;
    for (let i = 0; i < values.length; i += perLine) {
      const end = Math.min(i + perLine, values.length);
      let text = String(values[i]);
      for (let k = i + 1; k < end; k++) text += `, ${values[k]}`;
      this.line(end < values.length ? `${text},` : text);
    }
    this.depth--;
    return this;
  }

  toString(): string {
    return this.lines.join('\n') + '\n';
  }
}
