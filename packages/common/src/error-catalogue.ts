/**
 * Every error code tinyforge prints (`error[CODE]: message`), what it means and what the user does about it.
 * docs/errors.md is generated from this table (`npm run errors-doc`); a test scans the sources and fails when a
 * code is raised somewhere but missing here, when an entry names a code no source uses, or when the document is
 * out of date.
 */
export interface ErrorFamily {
  /** Code prefix (`FLASH_`) or, for a family of one, the whole code. */
  prefix: string;
  title: string;
  /** The error class that carries these codes and where it lives. */
  raisedBy: string;
}

export interface ErrorCodeInfo {
  code: string;
  /** What went wrong. */
  meaning: string;
  /** What the user does about it. */
  action: string;
}

export const ERROR_FAMILIES: readonly ErrorFamily[] = [
  { prefix: 'USAGE', title: 'Command line', raisedBy: 'UsageError (@tinyforge/cli); the CLI exits with status 2' },
  { prefix: 'INTERNAL', title: 'Unexpected errors', raisedBy: 'the CLI, for an exception that is not a TinyforgeError' },
  { prefix: 'FILE_', title: 'Files and folders', raisedBy: 'FileError (@tinyforge/common: the output checks, publishDir / publishFiles / writeFileAtomic, and input reads)' },
  { prefix: 'IR_', title: 'Graph IR', raisedBy: 'IrValidationError (@tinyforge/ir)' },
  { prefix: 'FORMAT_', title: 'Model files (ONNX, TFLite)', raisedBy: 'ModelFormatError (@tinyforge/model-format)' },
  { prefix: 'QUANT_', title: 'Quantizer', raisedBy: 'QuantizerError (@tinyforge/quantizer)' },
  { prefix: 'INTERP_', title: 'Reference interpreter', raisedBy: 'InterpreterError (@tinyforge/interpreter)' },
  { prefix: 'KERNEL_', title: 'Kernel lowering', raisedBy: 'KernelLoweringError (@tinyforge/kernels-cmsis)' },
  { prefix: 'CODEGEN_', title: 'C code generation', raisedBy: 'CodegenError (@tinyforge/codegen-c)' },
  { prefix: 'BOARD_', title: 'Boards, firmware builds, virtual boards', raisedBy: 'BoardError (@tinyforge/boards)' },
  { prefix: 'IMAGE_', title: 'Firmware images (ELF, Intel HEX, BIN)', raisedBy: 'ImageError (@tinyforge/flasher)' },
  { prefix: 'FLASH_', title: 'Flashing', raisedBy: 'FlashError (@tinyforge/flasher); the message ends with a hint when there is one' },
  { prefix: 'RUN_BOARD_', title: 'Running a model on a board', raisedBy: 'BoardRunError (@tinyforge/cli pipeline)' },
  { prefix: 'VALIDATE_', title: 'Validating a model on a data set', raisedBy: 'ValidateError (@tinyforge/cli validate)' },
  { prefix: 'PIPELINE_', title: 'Streaming pipelines (audio front end + classifier)', raisedBy: 'PipelineError (@tinyforge/cli pipeline)' },
  { prefix: 'PROFILE_', title: 'Profiling', raisedBy: 'ProfilerError (@tinyforge/serial-profiler)' },
  { prefix: 'CYCLES_', title: 'Cycle estimates on virtual boards', raisedBy: 'CycleModelError (@tinyforge/cycle-model)' },
  { prefix: 'NXPLUGIN_', title: 'Nx plugin', raisedBy: 'NxPluginError (@tinyforge/nx-plugin)' },
  { prefix: 'DATASET_', title: 'Fashion-MNIST example', raisedBy: 'DatasetError (examples/fashion-mnist)' },
  { prefix: 'FUZZ_', title: 'Fuzzing script', raisedBy: 'scripts/fuzz.js' },
];

const BUG = 'If the model came straight from a reader this is a tinyforge bug: report it with the model.';

export const ERROR_CATALOGUE: readonly ErrorCodeInfo[] = [
  { code: 'USAGE', meaning: 'Wrong arguments or options: a missing or unknown option, a value out of range, options that contradict each other.', action: 'Read the message and `--help` of the command, and fix the command line.' },
  { code: 'INTERNAL', meaning: 'An unexpected exception: a bug in tinyforge, not bad input.', action: 'Run again with `--verbose` for the stack trace and report it.' },

  { code: 'FILE_WRITE', meaning: 'An output file or folder cannot be written: the message names the path you gave and says why in words (permission denied, no space left, not a folder, a special file system such as /proc). Checked before the work starts where possible; nothing partial is left behind.', action: 'Give a writable folder on an ordinary file system (and free some space if the disk is full).' },
  { code: 'FILE_READ', meaning: 'An input file cannot be read (the message names it and says why in words).', action: 'Check the path and its permissions.' },

  { code: 'IR_SHAPE', meaning: 'A tensor has an invalid shape, or an operator\'s inputs have shapes it cannot combine (names the node).', action: `Check the model's shapes at that node. ${BUG}` },
  { code: 'IR_QUANT', meaning: 'A tensor\'s quantization parameters are inconsistent (scale and zero-point counts, per-axis dimension).', action: `Check the quantization of the named tensor. ${BUG}` },
  { code: 'IR_REF', meaning: 'A node, graph input or graph output refers to a tensor that does not exist or is never produced.', action: BUG },
  { code: 'IR_NAME', meaning: 'Two nodes have the same name.', action: 'Rename one of them in the model.' },
  { code: 'IR_ARITY', meaning: 'A node has the wrong number of inputs or outputs for its operator.', action: BUG },
  { code: 'IR_ORDER', meaning: 'A node uses a tensor before the node producing it (the graph is not in topological order).', action: BUG },
  { code: 'IR_PRODUCER', meaning: 'A tensor is produced twice (by two nodes, or by a node and as a constant or graph input).', action: BUG },
  { code: 'IR_STATE', meaning: 'An op state tensor (LSTM/SVDF state, TFLite variable tensor) is also a constant, a graph input or a graph output, or has an unknown state kind.', action: `Check the named tensor in the model. ${BUG}` },
  { code: 'IR_ATTR', meaning: 'An operator attribute is missing or has the wrong type (names the node and the attribute).', action: `Check the named attribute of that node in the model. ${BUG}` },
  { code: 'IR_LIMIT', meaning: 'The graph exceeds a size limit (nodes, tensors, inputs of a node, bytes or rank of a tensor: LIMITS in @tinyforge/ir), checked before any stage whose cost grows with it.', action: 'Use a smaller model; the limits are far above what fits a microcontroller.' },
  { code: 'IR_DTYPE', meaning: 'An operator gets data types its rules do not allow (or a quantized tensor lacks its parameters).', action: 'Check the data types at the named node; quantize the model as a whole rather than in parts.' },

  { code: 'FORMAT_UNKNOWN', meaning: 'The file is neither a TFLite flatbuffer nor named .onnx, or has an unknown extension.', action: 'Give a .tflite or .onnx file (or the right extension for the output).' },
  { code: 'FORMAT_MALFORMED', meaning: 'The model file is inconsistent: bad attributes, mismatching shapes, broken structure (names the node or byte offset).', action: 'Re-export the model from its framework; if another tool reads it fine, report it with the file.' },
  { code: 'FORMAT_BOUNDS', meaning: 'An offset or length in a TFLite file points outside the file (truncated or corrupt).', action: 'Copy the file again or re-export it.' },
  { code: 'FORMAT_UNSUPPORTED', meaning: 'The model uses an operator, attribute, data type or opset tinyforge does not handle (names the node).', action: 'Replace that operator in the model, or export it with a supported opset (the message says which).' },
  { code: 'FORMAT_EXTERNAL_DATA', meaning: 'An ONNX tensor keeps its data in an external file.', action: 'Save the model with all tensors inside the .onnx file.' },
  { code: 'FORMAT_LIMIT', meaning: 'The model exceeds a size limit checked before allocating (tensor elements, rank, nodes, tensors).', action: 'Use a smaller model; the limits are far above what fits a microcontroller.' },
  { code: 'FORMAT_IO', meaning: 'The model file cannot be read (the message gives the system error).', action: 'Check the path and permissions.' },

  { code: 'QUANT_NOT_FLOAT', meaning: 'The model is already quantized (int8 inputs or outputs) or computes in a type other than float32. Hybrid models (int8 weights, float activations) are quantized, not refused.', action: 'Give the float model; an int8 model needs no quantization (codegen, build and run take it as it is).' },
  { code: 'QUANT_UNSUPPORTED', meaning: 'An operator (or an attribute of it) has no int8 quantization rule, or its weights are not constant (names the node).', action: 'Change that part of the model, or keep the model in float.' },
  { code: 'QUANT_CALIB_MISSING', meaning: 'No calibration data was given, or the given path does not exist.', action: 'Pass `--calib PATH` (a .npy/.npz file or an image folder), or `--calib random` on purpose.' },
  { code: 'QUANT_CALIB_FORMAT', meaning: 'A calibration file is malformed, or a calibration sample gives non-finite values (names the file and offset).', action: 'Check the .npy/.npz/image file; NaN or infinite inputs must be removed.' },
  { code: 'QUANT_CALIB_SHAPE', meaning: 'Calibration or evaluation samples (or labels) do not fit the model input.', action: 'Give samples of the model\'s input shape, or `--resize` / `--channels` for images.' },
  { code: 'QUANT_CALIB_EMPTY', meaning: 'The calibration source holds no samples.', action: 'Point `--calib` at a non-empty file or folder.' },
  { code: 'QUANT_OPTIONS', meaning: 'Quantizer options out of range or contradicting each other.', action: 'Fix the option the message names.' },

  { code: 'INTERP_UNSUPPORTED', meaning: 'The reference interpreter has no kernel for this operator, data type or quantization (names the node).', action: 'Run on another engine (`--engine host` or a board), or change the model.' },
  { code: 'INTERP_GRAPH', meaning: 'The graph is invalid or too large to interpret (constant sizes, total activation bytes).', action: BUG },
  { code: 'INTERP_INPUT', meaning: 'Wrong number or size of inputs for the model.', action: 'Give one input per model input with the byte size the message states.' },

  { code: 'KERNEL_UNSUPPORTED_OP', meaning: 'No int8 kernel for this operator or this use of it (names the node).', action: 'Change that part of the model, or run it on the reference interpreter.' },
  { code: 'KERNEL_UNSUPPORTED_TYPE', meaning: 'The node\'s tensors are not int8 (or the pair of types has no kernel).', action: 'Quantize the model fully to int8 first.' },
  { code: 'KERNEL_BAD_QUANTIZATION', meaning: 'The node\'s quantization parameters do not fit the kernel (per-tensor where required, softmax output scale, pooling in = out).', action: 'Quantize with tinyforge `quantize`, which follows the TFLite int8 scheme the kernels expect.' },
  { code: 'KERNEL_BAD_SHAPE', meaning: 'The node\'s shapes or geometry do not fit the kernel (rank above 4, inconsistent weights or padding).', action: 'Check the shapes at the named node.' },

  { code: 'CODEGEN_UNSUPPORTED', meaning: 'The model has inputs or outputs of a type the kernels do not exchange (int64, bool), or no input/output bytes to exchange with a board.', action: 'Quantize the model with int8 inputs and outputs (`quantize --io int8`).' },
  { code: 'CODEGEN_RAM_OVERFLOW', meaning: 'The activation arena does not fit the board\'s RAM (the message gives the overflow in bytes); on a board with several RAM regions, no split over them fits (the message names each region, its room, the one-arena size and the tensor left without a place).', action: 'Use a smaller model or a board with more RAM; `--planner optimal` may shrink the arena; a tensor larger than every region needs a larger region in board.json.' },
  { code: 'CODEGEN_FLASH_OVERFLOW', meaning: 'The model\'s constant data does not fit the board\'s flash.', action: 'Use a smaller model or a board with more flash.' },
  { code: 'CODEGEN_OPTION', meaning: 'A code generator option is out of its range (e.g. a negative or non-numeric flash budget).', action: 'Give the option a value in the range the message names.' },
  { code: 'CODEGEN_PLAN_INVALID', meaning: 'The memory plan failed its own check.', action: 'A tinyforge bug: report it with the model.' },
  { code: 'CODEGEN_HOST_COMPILER', meaning: 'The host C compiler cannot be run.', action: 'Install gcc (or set the compiler the message names).' },
  { code: 'CODEGEN_HOST_COMPILE', meaning: 'The host C compiler rejected the generated code or the kernels.', action: 'A tinyforge bug if the generated code does not compile: report it with the model and the compiler output.' },
  { code: 'CODEGEN_HOST_RUN', meaning: 'The host build of the generated code exited with an error while running the model.', action: 'Report it with the model; the message has the program\'s error output.' },

  { code: 'BOARD_INVALID', meaning: 'A board.json does not match the schema, is not JSON, is too large, or its name differs from its directory (names the file and JSON path).', action: 'Fix the board file at the JSON path the message names; boards/README.md describes the fields.' },
  { code: 'BOARD_UNKNOWN', meaning: 'No board of that name (the message lists the known ones).', action: 'Use one of the listed names (`tinyforge board list`).' },
  { code: 'BOARD_IO', meaning: 'A board file, firmware source, ELF or serial port cannot be read, written or opened.', action: 'Check the path and permissions the message names.' },
  { code: 'BOARD_TOOLCHAIN', meaning: 'arm-none-eabi-gcc, qemu-system-arm or socat is missing or cannot run.', action: 'Install the tool as the message says (`npm run setup` installs all of them).' },
  { code: 'BOARD_FLASH', meaning: 'The board has no flashing method of the kind asked for, or no port or drive was given to flash through.', action: 'Pick one of the methods the message lists (--protocol), or give --port (or the drive) the hint names.' },
  { code: 'BOARD_BUILD', meaning: 'The cross-compiler or linker rejected the firmware sources, or the generated code lacks what the firmware needs.', action: 'Read the compiler output in the message; with generated code unchanged this is a tinyforge bug.' },
  { code: 'BOARD_OVERFLOW', meaning: 'The firmware does not fit the board\'s flash or RAM, or one of its extra RAM regions (the message gives the overflow in bytes per region).', action: 'Use a smaller model or a larger board.' },
  { code: 'BOARD_QEMU', meaning: 'A virtual board could not be started or died, or the board is not a virtual one.', action: 'Check that qemu-system-arm works; use `--board` with a virtual board for `run`.' },

  { code: 'IMAGE_READ', meaning: 'The firmware image file cannot be read.', action: 'Check the path and permissions.' },
  { code: 'IMAGE_FORMAT', meaning: 'The ELF file is not a 32-bit little-endian ARM executable or is malformed (names the byte offset).', action: 'Flash the linked .elf (not an object file), or a .hex/.bin.' },
  { code: 'IMAGE_TRUNCATED', meaning: 'The image ends before its headers or records say it should.', action: 'Rebuild or copy the image again.' },
  { code: 'IMAGE_CHECKSUM', meaning: 'An Intel HEX record has a wrong checksum (names the line).', action: 'The file is corrupt: rebuild or copy it again.' },
  { code: 'IMAGE_RECORD', meaning: 'An Intel HEX line is not a valid record (names the line).', action: 'Rebuild the HEX file with a standard tool.' },
  { code: 'IMAGE_OVERLAP', meaning: 'Two segments of the image overlap.', action: 'Fix the linker script or the HEX file.' },
  { code: 'IMAGE_EMPTY', meaning: 'The image holds no bytes to write (or the ELF has no program headers).', action: 'Flash a linked image with code in it.' },
  { code: 'IMAGE_ADDRESS', meaning: 'A raw binary has no load address, or a segment leaves the 32-bit address space.', action: 'Pass `--address` (e.g. 0x08000000) for a .bin; check the linker script.' },
  { code: 'IMAGE_TOO_LARGE', meaning: 'The image file is larger than any flash it could go to.', action: 'Check that this is the right file.' },

  { code: 'FLASH_NO_SYNC', meaning: 'The bootloader (STM32 AN3155 or SAM-BA) does not answer.', action: 'Put the board into its bootloader (BOOT0 high and reset, or the double-tap/1200-baud touch) and check the port; the hint says how for the protocol.' },
  { code: 'FLASH_NACK', meaning: 'The STM32 bootloader refused a command at every attempt.', action: 'Check readout/write protection (`flash info`) and the address range.' },
  { code: 'FLASH_TIMEOUT', meaning: 'The device stopped answering, or a drive did not take the image in time.', action: 'Check the cable and baud rate; reset into the bootloader and try again.' },
  { code: 'FLASH_VERIFY', meaning: 'Flash still differs from the image after writing (and a rewrite).', action: 'Run again; if it persists the flash may be worn or the sector locked (try `--erase all`).' },
  { code: 'FLASH_PROTECTED', meaning: 'Readout or write protection blocks the operation.', action: 'Remove it as the hint says (`--unprotect read --force` mass-erases the chip).' },
  { code: 'FLASH_TOO_LARGE', meaning: 'The image runs past the end of the device\'s flash.', action: 'Use a smaller image or the right board.' },
  { code: 'FLASH_ADDRESS', meaning: 'Image data lies outside flash, or would overwrite the bootloader area.', action: 'Link the image for the board\'s flash (or application) address, or pass `--address` for a raw binary.' },
  { code: 'FLASH_PORT_CLOSED', meaning: 'The port or drive went away during flashing.', action: 'Check the cable (the board may have been unplugged or reset) and flash again.' },
  { code: 'FLASH_PORT_OPEN', meaning: 'The serial port or drive cannot be opened, or did not come back after the 1200-baud touch.', action: 'Check the name with `flash --list` and that no other program holds the port.' },
  { code: 'FLASH_PROTOCOL', meaning: 'The device answered something the protocol does not allow (corrupt line, wrong baud rate, wrong device), or a UF2 file is malformed.', action: 'Check the baud rate and that the port is the board\'s bootloader; re-create the UF2 file.' },
  { code: 'FLASH_UNSUPPORTED', meaning: 'The device or host lacks something the flasher needs (unknown STM32 product id, missing bootloader command or SAM-BA extension, no port listing).', action: 'Follow the hint: give the flash map in the board file, choose another verify mode, or install udev.' },
  { code: 'FLASH_SIGNALS_UNAVAILABLE', meaning: 'The port has no DTR/RTS lines to drive reset and BOOT0.', action: 'Reset the board into its bootloader by hand, or use `--reset none`.' },
  { code: 'FLASH_NEEDS_FORCE', meaning: 'The operation would mass-erase the chip.', action: 'Add `--force` if that is what you want.' },
  { code: 'FLASH_DEVICE_FAILED', meaning: 'The flashing drive reported a failure (FAIL.TXT).', action: 'Read the drive\'s message; usually the image is for another chip.' },
  { code: 'FLASH_BAD_OPTION', meaning: 'Flash options are missing or contradict each other (e.g. a UF2 drive without a family id).', action: 'Give the option the message names (or flash with `--board`).' },

  { code: 'PIPELINE_FILE', meaning: 'A pipeline file (.json naming a front end and a classifier) is not valid: not JSON, an unknown or missing field, labels that do not match the classifier\'s scores, a front end that does not take 16-bit samples.', action: 'Fix the named field; see the pipeline file format in docs/pipelines.md.' },
  { code: 'PIPELINE_AUDIO', meaning: 'A .wav file given to a pipeline has another sample rate than the pipeline takes, or is shorter than one frame.', action: 'Resample the audio to the pipeline\'s rate (e.g. `sox in.wav -r 16000 -c 1 -b 16 out.wav`) or give a longer clip.' },
  { code: 'RUN_BOARD_OPTION', meaning: 'The board or options cannot run a model (a hardware board, no AN3155 bootloader for serial loading, an unknown load method).', action: 'Use a virtual board for `run --board`, or `--load direct`; flash hardware boards with `flash`.' },
  { code: 'RUN_BOARD_FIRMWARE', meaning: 'A firmware folder given to run or profile (--firmware) was not built by `tinyforge build` for this board, image kind, profiling choice or model.', action: 'Build it again with `tinyforge build` for this board and model (with --profile to profile it), or leave out --firmware.' },
  { code: 'RUN_BOARD_BUILD', meaning: 'Compiling the kernel library for the board failed.', action: 'Check the arm-none-eabi-gcc installation; the message has the compiler output.' },
  { code: 'RUN_BOARD_TIMEOUT', meaning: 'The board did not answer within the time-out.', action: 'Check that the board runs tinyforge firmware; a larger model may need a longer time-out.' },
  { code: 'RUN_BOARD_PROTOCOL', meaning: 'The board answered with a malformed frame or runs a model with other input/output sizes.', action: 'Rebuild and reflash the firmware for this model.' },
  { code: 'RUN_BOARD_INVOKE', meaning: 'The model failed on the board in the named layer (a kernel error).', action: 'Report it with the model and the board.' },
  { code: 'RUN_BOARD_CLOSED', meaning: 'The board\'s serial port closed during the run (the board stopped or crashed).', action: 'Run again; if it repeats, report it with the model and the board output in the message.' },
  { code: 'RUN_BOARD_INTERRUPTED', meaning: 'A board run was interrupted before it finished.', action: 'Run again.' },
  { code: 'VALIDATE_INPUT', meaning: 'The validation data, labels or engines do not go together (fewer labels than samples, the board engine without a board).', action: 'Give one label per sample (or more), and --board with --engine …,board.' },
  { code: 'VALIDATE_MODELS', meaning: "The float model's inputs or outputs differ from the model's, or an input is neither float nor quantized.", action: 'Give the float model this model was quantized from.' },

  { code: 'PROFILE_TIMEOUT', meaning: 'No profile data, or not all runs, arrived in time.', action: 'Check the port and that the board runs firmware with the profiling hooks (generated without `--no-profile`).' },
  { code: 'PROFILE_PORT', meaning: 'The serial port cannot be opened or failed.', action: 'Check the port name and that no other program holds it.' },
  { code: 'CYCLES_TRACE', meaning: 'QEMU\'s execution log could not be read (a block ran whose instructions were not logged, an unreadable line), or QEMU failed or timed out while tracing.', action: 'Check that qemu-system-arm is the 7.2 build the estimator reads (`-d in_asm,exec,nochain`) and that the firmware runs on the machine given.' },
  { code: 'CYCLES_SYMBOL', meaning: 'A symbol the per-layer attribution needs (the invoke function, the counter function) is not in the ELF.', action: 'Build the firmware with the profiler hooks (`TINYFORGE_PROFILE`) and without stripping symbols.' },
  { code: 'CYCLES_TOOL', meaning: 'qemu-system-arm, arm-none-eabi-gcc or arm-none-eabi-nm is missing.', action: 'Install them (`npm run setup`).' },
  { code: 'PROFILE_PORT_CLOSED', meaning: 'The port closed before all runs arrived.', action: 'Check the cable and run again.' },
  { code: 'PROFILE_BAD_RECORD', meaning: 'A profile record cannot be encoded: a field out of range.', action: 'Keep indices, counts and ranks within the limits the message states.' },
  { code: 'PROFILE_BAD_REPORT', meaning: 'A saved profile report is malformed, or two reports cannot be compared (different units or boards).', action: 'Compare reports of the same board and counter, written by `profile --json`.' },
  { code: 'PROFILE_BAD_TABLE', meaning: 'A layer table (codegen\'s plan.json / layer names) is malformed.', action: 'Regenerate it with `codegen` for the same model.' },
  { code: 'PROFILE_NO_RUNS', meaning: 'The stream held no complete inference run.', action: 'Let the board run longer (`--runs`), and check it runs profiling firmware.' },
  { code: 'PROFILE_BAD_OPTION', meaning: 'A profile option is out of range, or a file it names cannot be read or written.', action: 'Fix the option or path the message names.' },
  { code: 'PROFILE_MLPERF_REPLY', meaning: 'A device speaking the MLPerf Tiny runner protocol refused a command (an `e-[…]` line) or replied in a form the runner does not accept.', action: 'Check that the firmware was built for this model (`tinyforge mlperf` builds it) and that nothing else writes to the console.' },

  { code: 'NXPLUGIN_CONFIG', meaning: 'A firmware.json is missing, not JSON, or does not match the schema (names the file and field).', action: 'Fix firmware.json; the generator writes a valid one.' },
  { code: 'NXPLUGIN_PATH', meaning: 'A path in the config leaves the workspace, or a file it names does not exist.', action: 'Put the model and data inside the workspace and fix the path.' },
  { code: 'NXPLUGIN_OPTIONS', meaning: 'Generator or executor options that contradict each other or are out of range.', action: 'Fix the option the message names.' },
  { code: 'NXPLUGIN_BOARD', meaning: 'The board cannot do what the target needs (`run` on a hardware board, `flash` on a virtual one, a missing flashing method).', action: 'Use the target that fits the board, as the message says.' },

  { code: 'DATASET_NOT_FOUND', meaning: 'A Fashion-MNIST file is not in the dataset directory.', action: 'Install Debian\'s dataset-fashion-mnist or set FASHION_MNIST_DIR.' },
  { code: 'DATASET_IO', meaning: 'A dataset file cannot be read.', action: 'Check permissions.' },
  { code: 'DATASET_MALFORMED', meaning: 'An IDX file is malformed: bad magic, truncated, sizes that disagree with the header, labels out of range.', action: 'Download the dataset again.' },
  { code: 'DATASET_MISMATCH', meaning: 'Images and labels disagree, or the model does not take 28×28×1 images.', action: 'Use matching files and the example\'s model.' },
  { code: 'DATASET_LIMIT', meaning: 'An IDX header asks for more than the loader allocates.', action: 'The file is corrupt or not Fashion-MNIST.' },

  { code: 'FUZZ_NOT_BUILT', meaning: 'The fuzzer runs on the built packages and they are missing.', action: 'Run `npx tsc -b tsconfig.build.json` first.' },
  { code: 'FUZZ_NO_MODELS', meaning: 'The model directory to mutate does not exist.', action: 'Point `--models` at a directory of .tflite files (../shared by default).' },
];

const BY_CODE = new Map(ERROR_CATALOGUE.map((e) => [e.code, e]));

/** The catalogue entry of a code, if it has one. */
export function errorInfo(code: string): ErrorCodeInfo | undefined {
  return BY_CODE.get(code);
}

/** The family a code belongs to: the longest matching prefix. */
export function errorFamily(code: string): ErrorFamily | undefined {
  return ERROR_FAMILIES.filter((f) => code === f.prefix || (f.prefix.endsWith('_') && code.startsWith(f.prefix))).sort((a, b) => b.prefix.length - a.prefix.length)[0];
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** docs/errors.md: one table per family. */
export function errorCatalogueMarkdown(): string {
  const out = [
    '# Error codes',
    '',
    '<!-- Generated from packages/common/src/error-catalogue.ts by `npm run errors-doc`; do not edit by hand. -->',
    '',
    'Every error tinyforge reports on bad input carries a stable code. The command line prints it as',
    '`error[CODE]: message` and exits with status 1 (2 for `USAGE`); callers branch on `error.code`. The message',
    'names the file, node or byte offset where that helps.',
    '',
  ];
  const titles = [...new Set(ERROR_FAMILIES.map((f) => f.title))];
  for (const title of titles) {
    const families = ERROR_FAMILIES.filter((f) => f.title === title);
    const entries = ERROR_CATALOGUE.filter((e) => families.includes(errorFamily(e.code)!));
    out.push(`## ${title}`, '', `Raised by ${families.map((f) => f.raisedBy).join('; ')}.`, '', '| Code | Meaning | What to do |', '| --- | --- | --- |');
    for (const e of entries) out.push(`| \`${e.code}\` | ${cell(e.meaning)} | ${cell(e.action)} |`);
    out.push('');
  }
  return out.join('\n');
}
