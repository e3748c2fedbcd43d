// What users of the quantizer call: quantize a model file or a graph, load calibration data, measure and report,
// export ONNX QDQ. Internals the benches and rounding analyses reach are in '@tinyforge/quantizer/testing'.
export { QuantizerError } from './errors';
export type { QuantizerErrorCode } from './errors';
export { quantizeFile } from './quantize-file';
export type { QuantizeFileOptions, QuantizeFileResult, QuantizeStep } from './quantize-file';
export { dropWarnings } from './quantize-file';
export { quantizeModel } from './quantize/quantize-model';
export type { QuantizeOptions, QuantizeResult } from './quantize/quantize-model';
export type { IoType } from './quantize/quantize-graph';
export { HEAD_TIE_RISK } from './quantize/classifier-head';
export type { HeadPrecision } from './quantize/classifier-head';
export type { Sample } from './calibration/calibrate';
export { CALIBRATION_METHODS, DEFAULT_CALIBRATION_METHOD } from './calibration/observers';
export type { CalibrationMethod } from './calibration/observers';
export { DEFAULT_RANDOM_SAMPLES, loadCalibration, loadLabels } from './calibration/load-calibration';
export type { CalibrationData, LoadCalibrationOptions } from './calibration/load-calibration';
export { CALIBRATION_HELP, inputRangeWarnings } from './calibration/input-range';
export type { ImagePreprocess } from './calibration/images';
export { FLOAT_PASSES, runFloatPasses } from './passes';
export type { NamedPass } from './passes';
export { int8Inputs, measureQuantization, quantizeInput } from './report/measure';
export type { LayerReport, QuantizationReport } from './report/measure';
export { reportToHtml, reportToJson, reportToTable } from './report/format';
export { computesQuantized, qdqGraphForOnnx, toQdqGraph } from './qdq/to-qdq';
export type { QdqOptions } from './qdq/to-qdq';
