import { Graph, tensorBytes } from '@tinyforge/ir';
import { CWriter } from './c-writer';

/**
 * A host test program for generated code: `prog IN.bin OUT.bin [DUMP_DIR]` reads all inputs concatenated, runs
 * the model, writes all outputs concatenated; built with -DTINYFORGE_DEBUG_DUMP it also writes every layer
 * output as DUMP_DIR/t<tensor index>.bin (the layout of the gold layers_0/ directories). IN.bin may hold several
 * inputs back to back: the model runs on each in turn (op state carrying over, as on a board) and OUT.bin gets
 * each run's outputs in turn (a dump holds the last run's tensors).
 */
export function generateHostMain(graph: Graph, prefix: string): string {
  const P = prefix.toUpperCase();
  const w = new CWriter();
  w.comment(`Host test driver for ${prefix}_run (generated).`);
  w.line('#include <stdint.h>');
  w.line('#include <stdio.h>');
  w.line('#include <stdlib.h>');
  w.line('#include <string.h>');
  w.line();
  w.line('#ifdef TINYFORGE_DEBUG_DUMP');
  w.line('static const char *dump_dir = 0;');
  w.block('static void dump_tensor(int tensor, const int8_t *data, size_t size)', () => {
    w.line('char path[4096];');
    w.line('FILE *f;');
    w.line('if (dump_dir == 0) return;');
    w.line('snprintf(path, sizeof path, "%s/t%d.bin", dump_dir, tensor);');
    w.line('f = fopen(path, "wb");');
    w.line('if (f == 0) return;');
    w.line('if (fwrite(data, 1, size, f) != size) fprintf(stderr, "short write: %s\\n", path);');
    w.line('fclose(f);');
  });
  w.line('#define TINYFORGE_TENSOR_DUMP(layer, tensor, data, size) dump_tensor((tensor), (data), (size_t)(size))');
  w.line('#endif');
  w.line();
  w.comment('The generated source is compiled into this file so that the dump hook reaches it.');
  w.line(`#include "${prefix}.c"`);
  w.line();
  const inBytes = graph.inputs.reduce((s, t) => s + tensorBytes(graph.tensors[t]), 0);
  w.block('int main(int argc, char **argv)', () => {
    w.line('FILE *f;');
    w.line('FILE *o;');
    w.line('int status;');
    w.line('int runs = 0;');
    w.line('int k;');
    w.line('size_t got;');
    w.block('if (argc < 3)', () => {
      w.line('fprintf(stderr, "usage: %s IN.bin OUT.bin [DUMP_DIR]\\n", argv[0]);');
      w.line('return 2;');
    });
    w.line('#ifdef TINYFORGE_DEBUG_DUMP');
    w.line('if (argc > 3) dump_dir = argv[3];');
    w.line('#endif');
    w.line('f = fopen(argv[1], "rb");');
    w.line('o = fopen(argv[2], "wb");');
    w.block('if (f == 0 || o == 0)', () => {
      w.line('fprintf(stderr, "cannot open %s or %s\\n", argv[1], argv[2]);');
      w.line('return 1;');
    });
    w.comment(`Each whole input in turn, read straight into the model's input tensors (${prefix}_input); the outputs are written from its output tensors. The model state carries from one run to the next.`);
    w.line(`static const size_t input_size[${P}_INPUT_COUNT + 1] = {${[...graph.inputs.map((_, k) => `${P}_INPUT${k}_SIZE`), '0'].join(', ')}};`);
    w.line(`static const size_t output_size[${P}_OUTPUT_COUNT + 1] = {${[...graph.outputs.map((_, k) => `${P}_OUTPUT${k}_SIZE`), '0'].join(', ')}};`);
    w.block('for (;;)', () => {
      w.line('got = 0;');
      w.line(`for (k = 0; k < ${P}_INPUT_COUNT; k++) got += fread(${prefix}_input(k), 1, input_size[k], f);`);
      w.line('if (got == 0 && runs > 0) break;');
      w.block(`if (got != ${inBytes}u)`, () => {
        w.line(`fprintf(stderr, "%s: expected a whole number (>= 1) of ${inBytes}-byte inputs\\n", argv[1]);`);
        w.line('return 1;');
      });
      w.line(`status = ${prefix}_run();`);
      w.block('if (status != 0)', () => {
        w.line(`fprintf(stderr, "${prefix}_run failed in layer %d of %d\\n", status - 1, ${P}_LAYER_COUNT);`);
        w.line('return 1;');
      });
      w.block(`for (k = 0; k < ${P}_OUTPUT_COUNT; k++)`, () => {
        w.block(`if (fwrite(${prefix}_output(k), 1, output_size[k], o) != output_size[k])`, () => {
          w.line('fprintf(stderr, "%s: cannot write the output\\n", argv[2]);');
          w.line('return 1;');
        });
      });
      w.line('runs++;');
    });
    w.line('fclose(f);');
    w.block('if (fclose(o) != 0)', () => {
      w.line('fprintf(stderr, "%s: cannot write the output\\n", argv[2]);');
      w.line('return 1;');
    });
    w.line('return 0;');
  });
  return w.toString();
}
