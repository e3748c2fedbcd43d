import { onnx } from '@tinyforge/onnx-proto';
import { ModelFormatError } from '../errors';
import { toInt } from './proto-values';

type Fail = (message: string) => ModelFormatError;

/** Typed access to a node's attributes; a wrong attribute type is a malformed file. */
export class Attributes {
  private readonly byName = new Map<string, onnx.IAttributeProto>();

  constructor(
    node: onnx.INodeProto,
    private readonly fail: Fail,
  ) {
    for (const a of node.attribute ?? []) this.byName.set(a.name ?? '', a);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  private get(name: string, type: onnx.AttributeProto.AttributeType): onnx.IAttributeProto | undefined {
    const a = this.byName.get(name);
    if (a === undefined) return undefined;
    if (a.refAttrName) throw this.fail(`attribute '${name}' refers to a function attribute, which is not supported`);
    // Old files may leave `type` unset; accept them when the matching field is present.
    if (a.type && a.type !== type) throw this.fail(`attribute '${name}' has type ${onnx.AttributeProto.AttributeType[a.type] ?? a.type}, expected ${onnx.AttributeProto.AttributeType[type]}`);
    return a;
  }

  int(name: string, fallback: number): number {
    const a = this.get(name, onnx.AttributeProto.AttributeType.INT);
    return a === undefined ? fallback : toInt(a.i);
  }

  float(name: string, fallback: number): number {
    const a = this.get(name, onnx.AttributeProto.AttributeType.FLOAT);
    return a === undefined ? fallback : (a.f ?? 0);
  }

  ints(name: string): number[] | undefined {
    const a = this.get(name, onnx.AttributeProto.AttributeType.INTS);
    return a === undefined ? undefined : (a.ints ?? []).map(toInt);
  }

  floats(name: string): number[] | undefined {
    const a = this.get(name, onnx.AttributeProto.AttributeType.FLOATS);
    return a === undefined ? undefined : [...(a.floats ?? [])];
  }

  string(name: string, fallback: string): string {
    const a = this.get(name, onnx.AttributeProto.AttributeType.STRING);
    return a === undefined ? fallback : Buffer.from(a.s ?? new Uint8Array()).toString('utf8');
  }

  tensor(name: string): onnx.ITensorProto | undefined {
    return this.get(name, onnx.AttributeProto.AttributeType.TENSOR)?.t ?? undefined;
  }
}
