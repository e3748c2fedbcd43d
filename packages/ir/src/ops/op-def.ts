import { DType } from '../dtype';
import { Tensor } from '../tensor';

/**
 * What an operator is, as one record: the shape of the entry every op has in OP_DEFS (ops/registry.ts). Shape
 * inference, validation and statistics look the op up here; nothing else in the IR switches over op types.
 */

export type FusedActivation = 'none' | 'relu' | 'relu_n1_to_1' | 'relu6' | 'tanh' | 'sign_bit';

export interface ExplicitPadding {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/** 'same' and 'valid' as TFLite defines them; explicit pads come from ONNX. */
export type Padding = 'same' | 'valid' | ExplicitPadding;

/** How an attribute's value is typed; validation checks the value against it. */
export type AttrKind = 'int' | 'float' | 'bool' | 'ints' | 'padding' | 'activation';

/** The kinds a TypeScript attribute type may be declared as. */
export type KindOf<T> = [T] extends [boolean]
  ? 'bool'
  : [T] extends [number]
    ? 'int' | 'float'
    : [T] extends [readonly number[]]
      ? 'ints'
      : [T] extends [FusedActivation]
        ? 'activation'
        : [T] extends [Padding]
          ? 'padding'
          : never;

export interface AttrSpec<T> {
  kind: KindOf<T>;
  /** The IR's neutral value ("nothing happens"): GraphBuilder fills it in when a node leaves the attribute out. */
  default?: T;
  /** Why a value is out of range (e.g. "must be a positive integer, got 0"), or undefined when it is fine. */
  check?: (value: T) => string | undefined;
}

/** An attribute spec whose default is known at compile time (so that callers may leave the attribute out). */
export type DefaultedAttrSpec<T> = AttrSpec<T> & { default: T };

/** One spec per attribute of A; the compiler checks that every attribute has one of a matching kind. */
export type AttrSpecs<A> = { readonly [P in keyof A]-?: AttrSpec<A[P]> };

/** What an op's shape rule sees: its attributes, its operands and a way to fail naming the node. */
export interface ShapeContext<A> {
  readonly attrs: A;
  /** Number of input slots (including omitted optional ones). */
  readonly inputCount: number;
  /** Input `i`, which must be present. */
  input(i: number): Tensor;
  /** Input `i`, or undefined when the slot is absent or omitted (-1). */
  optional(i: number): Tensor | undefined;
  /** The declared output tensor, if the node has one yet (Reshape falls back to its shape). */
  declaredOutput(): Tensor | undefined;
  /** Input `i`'s constant integer values; fails when it is not a constant. */
  constInts(i: number, what: string): number[];
  /** Fail unless `t` has rank `r`. */
  rank(t: Tensor, r: number, what: string): void;
  fail(message: string): never;
}

/** What an op's dtype rule sees. Problems are reported, not thrown, so that validation lists all of them. */
export interface DTypeContext {
  readonly op: string;
  readonly inputCount: number;
  /** Input `i`, or undefined when omitted. */
  input(i: number): Tensor | undefined;
  readonly output: Tensor;
  bad(message: string): void;
  /** Report a quantized-typed tensor (int8/uint8/int16) that has no quantization parameters. */
  needQuant(t: Tensor, role: string): void;
}

/**
 * Which element types an op accepts and how its inputs and output relate. `inputTypes` is the data (what the op
 * accepts on input 0, 'any' when it only moves or converts elements); `check` reports every violation.
 */
export interface DTypeRule {
  readonly inputTypes: readonly DType[] | 'any';
  check(c: DTypeContext): void;
}

/** What an op's cost rule sees. */
export interface StatsContext<A> {
  readonly attrs: A;
  /** Shape of input `i`. */
  inputShape(i: number): readonly number[];
  /** Elements of the (first) output. */
  readonly outputElements: number;
}

/** One operator. A is its attribute record (OpAttrMap[K]). */
export interface OpDef<A> {
  /** Inputs it takes, [min, max]; an omitted optional input is -1 and still counts. */
  arity: readonly [number, number];
  /** Positions below the minimum arity that may still be omitted (-1), e.g. the LSTM's peephole weights. */
  optionalInputs?: readonly number[];
  attrs: AttrSpecs<A>;
  dtypes: DTypeRule;
  /** The output's shape from the inputs (and constant operands); fails naming the problem. */
  inferShape(c: ShapeContext<A>): number[];
  /** Multiply-accumulates of one inference (0 when omitted). */
  macs?(c: StatsContext<A>): number;
  /** Constant inputs at or after this position are the layer's parameters (weights, bias) in statistics. */
  parametersFrom?: number;
  /**
   * A weighted layer: input 1 is its weight tensor (input 2 an optional bias, one per output channel), whose output
   * channels lie along `channelAxis` (per-channel quantization's axis: 0 for OHWI / [out, in], 3 for [1, H, W, C·M]).
   */
  weights?: { channelAxis: number };
  /** The output is the input reinterpreted (no data movement): planners and the interpreter may alias them. */
  view?: boolean;
  /**
   * Each output element is a function of the input element at the same position only, so the op commutes with any
   * transpose or reshape (foldTransposes moves it past them).
   */
  elementwise?: boolean;
  /**
   * A standalone clamp right after this op may be folded into its `activation` attribute: its int8 kernels clamp
   * the output range (TFLite's fused activation).
   */
  fusableActivation?: boolean;
  /** The fused activation this (clamp) op equals, or undefined when it equals none. */
  asFusedActivation?(attrs: A): FusedActivation | undefined;
}

/**
 * Declares an op definition, checked against OpDef<A>, while keeping the literal type of its attribute specs (so
 * that the attributes with defaults are known to the compiler).
 */
export const defineOp =
  <A>() =>
  <D extends OpDef<A>>(def: D): D & AttrsBrand<A> =>
    def;

/** Compile-time only (never set): the attribute record an op definition was declared for. */
export interface AttrsBrand<A> {
  readonly attrsType?: (attrs: A) => A;
}

/** Attribute spec builders. */
export const attr = {
  positiveInt: (): AttrSpec<number> => ({ kind: 'int', check: (v) => (Number.isInteger(v) && v >= 1 ? undefined : `must be a positive integer, got ${v}`) }),
  int: (): AttrSpec<number> => ({ kind: 'int' }),
  float: (): AttrSpec<number> => ({ kind: 'float' }),
  ints: (): AttrSpec<number[]> => ({ kind: 'ints' }),
  bool: (): AttrSpec<boolean> => ({ kind: 'bool' }),
  padding: (): AttrSpec<Padding> => ({ kind: 'padding' }),
  activation: (): AttrSpec<FusedActivation> => ({ kind: 'activation' }),
  /** The same spec with the IR's neutral value as its default. */
  withDefault: <T>(spec: AttrSpec<T>, value: T): DefaultedAttrSpec<T> => ({ ...spec, default: value }),
};

/** Activation attribute defaulting to 'none' (no clamp). */
export const noActivation = (): DefaultedAttrSpec<FusedActivation> => attr.withDefault(attr.activation(), 'none');

/** The type of an op with no attributes. */
export type NoAttrs = Record<string, never>;
