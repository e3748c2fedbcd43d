import { BUILTIN, builtinName, OPTIONS_TYPE, optionsTypeName } from './schema';

describe('TFLite schema names', () => {
  it('give the BuiltinOperator and BuiltinOptions values of schema.fbs', () => {
    // Values as the schema numbers them (these are what the MLPerf Tiny and TFLM example files carry).
    expect(BUILTIN).toMatchObject({ ADD: 0, CONV_2D: 3, DEPTHWISE_CONV_2D: 4, FULLY_CONNECTED: 9, RESHAPE: 22, SOFTMAX: 25, CUSTOM: 32, PAD: 34, MEAN: 40 });
    expect(BUILTIN).toMatchObject({ STRIDED_SLICE: 45, PADV2: 60, LEAKY_RELU: 98, QUANTIZE: 114, HARD_SWISH: 117, PLACEHOLDER_FOR_GREATER_OP_CODES: 127 });
    expect(BUILTIN).toMatchObject({ DIV: 42, CAST: 53, ABS: 101, ROUND: 116, BATCH_MATMUL: 126, GELU: 150, SIGN: 158, REDUCE_WINDOW: 205 });
    expect(OPTIONS_TYPE).toMatchObject({ NONE: 0, Conv2DOptions: 1, Pool2DOptions: 5, FullyConnectedOptions: 8, ReshapeOptions: 17, SqueezeOptions: 30 });
    expect(OPTIONS_TYPE).toMatchObject({ DequantizeOptions: 38, PadV2Options: 43, LeakyReluOptions: 75, QuantizeOptions: 89, HardSwishOptions: 91, RightShiftOptions: 126 });
  });

  it('name codes for messages, and say when a code is unknown', () => {
    expect(builtinName(23)).toBe('RESIZE_BILINEAR');
    expect(builtinName(225)).toBe('TEMP_STREAMING_CONV_2D');
    expect(builtinName(206)).toBe('unknown builtin operator 206');
    expect(optionsTypeName(21)).toBe('MulOptions');
    expect(optionsTypeName(200)).toBe('unknown options type 200');
  });
});
