import { Builder } from 'flatbuffers';
import { Graph, Quantization, Tensor } from '@tinyforge/ir';
import { ModelFormatError } from '../errors';
import { IO_LAYOUTS_KEY, ioLayoutsEntry } from './io-layouts';
import { lowerNode, TensorTable, TfliteOp } from './write-ops';
import {
  BUFFER,
  BUILTIN,
  METADATA,
  MODEL,
  OPERATOR,
  OPERATOR_CODE,
  QUANTIZATION,
  SUBGRAPH,
  TENSOR,
  TENSOR_TYPE,
  TENSOR_TYPE_OF,
  TFLITE_IDENTIFIER,
  TFLITE_SCHEMA_VERSION,
} from './schema';

/**
 * Write a graph as a TFLite flatbuffer (schema 3, identifier "TFL3"): buffer 0 empty, one buffer per constant
 * tensor (16-byte aligned), operator codes deduplicated. Ops TFLite lacks raise FORMAT_UNSUPPORTED naming the
 * node. Returns the bytes; writing them to disk (atomically) is the caller's job.
 */
export function writeTflite(graph: Graph): Uint8Array {
  const tensors: TensorTable = {
    tensors: [...graph.tensors],
    add(t: Tensor): number {
      this.tensors.push(t);
      return this.tensors.length - 1;
    },
  };
  const ops = graph.nodes.flatMap((n) => lowerNode(n, tensors));
  const dataBytes = tensors.tensors.reduce((s, t) => s + (t.data?.length ?? 0) + 16, 0);
  const b = new Builder(dataBytes + 1024 * (1 + tensors.tensors.length));

  // Buffers: 0 is the empty sentinel, then one per constant tensor, then one per metadata entry.
  const bufferOffsets: number[] = [emptyTable(b)];
  const bufferOf = tensors.tensors.map((t) => (t.data === undefined ? 0 : pushBuffer(b, bufferOffsets, t.data)));
  const layouts = ioLayoutsEntry(graph);
  const props = { ...graph.metadata.props, ...(layouts === undefined ? {} : { [IO_LAYOUTS_KEY]: layouts }) };
  const metadataEntries = Object.entries(props).map(([name, value]) => ({
    name,
    buffer: pushBuffer(b, bufferOffsets, new TextEncoder().encode(value)),
  }));

  const tensorOffsets = tensors.tensors.map((t, i) => writeTensor(b, t, bufferOf[i]));
  const { codes, indexOf } = operatorCodes(ops);
  const opOffsets = ops.map((op) => writeOperator(b, op, indexOf(op)));

  const subgraphName = b.createString(graph.name);
  const tensorsVec = offsetVector(b, tensorOffsets);
  const inputsVec = int32Vector(b, graph.inputs);
  const outputsVec = int32Vector(b, graph.outputs);
  const operatorsVec = offsetVector(b, opOffsets);
  b.startObject(5);
  b.addFieldOffset(SUBGRAPH.tensors, tensorsVec, 0);
  b.addFieldOffset(SUBGRAPH.inputs, inputsVec, 0);
  b.addFieldOffset(SUBGRAPH.outputs, outputsVec, 0);
  b.addFieldOffset(SUBGRAPH.operators, operatorsVec, 0);
  b.addFieldOffset(SUBGRAPH.name, subgraphName, 0);
  const subgraph = b.endObject();

  const codeOffsets = codes.map(([builtin, version]) => {
    b.startObject(4);
    b.addFieldInt8(OPERATOR_CODE.deprecatedBuiltinCode, Math.min(builtin, BUILTIN.PLACEHOLDER_FOR_GREATER_OP_CODES), 0);
    b.addFieldInt32(OPERATOR_CODE.version, version, 1);
    b.addFieldInt32(OPERATOR_CODE.builtinCode, builtin, 0);
    return b.endObject();
  });
  const metadataOffsets = metadataEntries.map((m) => {
    const name = b.createString(m.name);
    b.startObject(2);
    b.addFieldOffset(METADATA.name, name, 0);
    b.addFieldInt32(METADATA.buffer, m.buffer, 0);
    return b.endObject();
  });

  const codesVec = offsetVector(b, codeOffsets);
  const subgraphsVec = offsetVector(b, [subgraph]);
  const description = graph.metadata.producer === undefined ? 0 : b.createString(graph.metadata.producer);
  const buffersVec = offsetVector(b, bufferOffsets);
  const metadataVec = metadataOffsets.length > 0 ? offsetVector(b, metadataOffsets) : 0;
  b.startObject(7);
  b.addFieldInt32(MODEL.version, TFLITE_SCHEMA_VERSION, 0);
  b.addFieldOffset(MODEL.operatorCodes, codesVec, 0);
  b.addFieldOffset(MODEL.subgraphs, subgraphsVec, 0);
  b.addFieldOffset(MODEL.description, description, 0);
  b.addFieldOffset(MODEL.buffers, buffersVec, 0);
  b.addFieldOffset(MODEL.metadata, metadataVec, 0);
  const model = b.endObject();
  b.finish(model, TFLITE_IDENTIFIER);
  return b.asUint8Array().slice();
}

function emptyTable(b: Builder): number {
  b.startObject(0);
  return b.endObject();
}

/** A Buffer table holding `data`, 16-byte aligned as the schema asks (force_align: 16); returns its index. */
function pushBuffer(b: Builder, buffers: number[], data: Uint8Array): number {
  b.prep(16, data.length);
  const vec = b.createByteVector(data);
  b.startObject(1);
  b.addFieldOffset(BUFFER.data, vec, 0);
  buffers.push(b.endObject());
  return buffers.length - 1;
}

function writeTensor(b: Builder, t: Tensor, buffer: number): number {
  const name = b.createString(t.name);
  const shape = int32Vector(b, t.shape);
  const quant = t.quant === undefined ? 0 : writeQuantization(b, t.quant);
  b.startObject(t.state === undefined ? 5 : 6);
  b.addFieldOffset(TENSOR.shape, shape, 0);
  b.addFieldInt8(TENSOR.type, TENSOR_TYPE_OF[t.dtype], TENSOR_TYPE.FLOAT32);
  b.addFieldInt32(TENSOR.buffer, buffer, 0);
  b.addFieldOffset(TENSOR.name, name, 0);
  b.addFieldOffset(TENSOR.quantization, quant, 0);
  // TFLite has one kind of op state, the variable tensor, which persists across invocations ('per-run' state too).
  if (t.state !== undefined) b.addFieldInt8(TENSOR.isVariable, 1, 0);
  return b.endObject();
}

function writeQuantization(b: Builder, q: Quantization): number {
  b.startVector(4, q.scale.length, 4);
  for (let i = q.scale.length - 1; i >= 0; i--) b.addFloat32(q.scale[i]);
  const scale = b.endVector();
  b.startVector(8, q.zeroPoint.length, 8);
  for (let i = q.zeroPoint.length - 1; i >= 0; i--) b.addInt64(BigInt(q.zeroPoint[i]));
  const zeroPoint = b.endVector();
  b.startObject(7);
  b.addFieldOffset(QUANTIZATION.scale, scale, 0);
  b.addFieldOffset(QUANTIZATION.zeroPoint, zeroPoint, 0);
  b.addFieldInt32(QUANTIZATION.quantizedDimension, q.axis, 0);
  return b.endObject();
}

/** Distinct (builtin, version) pairs in first-use order, and each op's index among them. */
function operatorCodes(ops: TfliteOp[]): { codes: [number, number][]; indexOf: (op: TfliteOp) => number } {
  const index = new Map<string, number>();
  const codes: [number, number][] = [];
  for (const op of ops) {
    const key = `${op.builtin}/${op.version}`;
    if (!index.has(key)) {
      index.set(key, codes.length);
      codes.push([op.builtin, op.version]);
    }
  }
  return { codes, indexOf: (op) => index.get(`${op.builtin}/${op.version}`) as number };
}

function writeOperator(b: Builder, op: TfliteOp, opcodeIndex: number): number {
  const inputs = int32Vector(b, op.inputs);
  const outputs = int32Vector(b, op.outputs);
  const options = op.writeOptions === undefined ? 0 : op.writeOptions(b);
  const intermediates = op.intermediates === undefined ? 0 : int32Vector(b, op.intermediates);
  b.startObject(intermediates === 0 ? 5 : OPERATOR.intermediates + 1);
  b.addFieldInt32(OPERATOR.opcodeIndex, opcodeIndex, 0);
  b.addFieldOffset(OPERATOR.inputs, inputs, 0);
  b.addFieldOffset(OPERATOR.outputs, outputs, 0);
  if (options !== 0) {
    b.addFieldInt8(OPERATOR.builtinOptionsType, op.optionsType, 0);
    b.addFieldOffset(OPERATOR.builtinOptions, options, 0);
  }
  if (intermediates !== 0) b.addFieldOffset(OPERATOR.intermediates, intermediates, 0);
  return b.endObject();
}

function int32Vector(b: Builder, values: readonly number[]): number {
  b.startVector(4, values.length, 4);
  for (let i = values.length - 1; i >= 0; i--) {
    if (!Number.isInteger(values[i]) || values[i] < -(2 ** 31) || values[i] >= 2 ** 31) {
      throw new ModelFormatError('FORMAT_UNSUPPORTED', `value ${values[i]} does not fit a TFLite int32 field`);
    }
    b.addInt32(values[i]);
  }
  return b.endVector();
}

function offsetVector(b: Builder, offsets: readonly number[]): number {
  b.startVector(4, offsets.length, 4);
  for (let i = offsets.length - 1; i >= 0; i--) b.addOffset(offsets[i]);
  return b.endVector();
}
