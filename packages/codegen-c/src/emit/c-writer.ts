/** Builds C source text line by line with consistent two-space indentation. */
export class CWriter {
  private readonly lines: string[] = [];
  private depth = 0;

  line(text = ''): this {
    this.lines.push(text === '' ? '' : '  '.repeat(this.depth) + text);
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

  /** A brace initializer list of numbers, wrapped to lines of `perLine` values. */
  numberList(values: ArrayLike<number>, perLine = 16): this {
    this.depth++;
    for (let i = 0; i < values.length; i += perLine) {
      const chunk = Array.from({ length: Math.min(perLine, values.length - i) }, (_, k) => values[i + k]);
      this.line(chunk.map(String).join(', ') + (i + perLine < values.length ? ',' : ''));
    }
    this.depth--;
    return this;
  }

  toString(): string {
    return this.lines.join('\n') + '\n';
  }
}
