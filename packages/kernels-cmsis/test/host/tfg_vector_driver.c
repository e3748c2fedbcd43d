/*
 * Host test driver: runs one kernel per vector file (format: test/common/tfg_vector.h) and writes the output.
 * Usage: tfg_vector_driver <vector> <output> [<vector> <output> ...]
 */
#include <stdio.h>
#include <stdlib.h>

#include "../common/tfg_vector.h"

static uint8_t *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  fseek(f, 0, SEEK_END);
  const long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  /* uint32_t storage keeps the blobs word aligned, as the kernels' int32 parameters need. */
  uint8_t *data = malloc(len > 0 ? ((size_t)len + 3u) & ~(size_t)3u : 4u);
  *size = data != NULL ? fread(data, 1, (size_t)len, f) : 0u;
  fclose(f);
  return data;
}

static void *allocate(int32_t size) { return malloc(size > 0 ? (size_t)size : 1u); }

int main(int argc, char **argv) {
  for (int i = 1; i + 1 < argc; i += 2) {
    size_t size = 0;
    uint8_t *data = read_file(argv[i], &size);
    tfg_vector v;
    if (data == NULL || !tfg_vector_parse(data, size, &v) || tfg_vector_output_size(&v) < 0) {
      fprintf(stderr, "%s: not a valid vector file\n", argv[i]);
      return 2;
    }
    const int32_t out_size = tfg_vector_output_size(&v);
    const int32_t scratch_size = tfg_vector_scratch_size(&v);
    int8_t *out = allocate(out_size);
    void *scratch = allocate(scratch_size);
    const tfg_status status = tfg_vector_run(&v, NULL, out, scratch, scratch_size);
    if (status != TFG_OK) {
      fprintf(stderr, "%s: kernel returned status %d\n", argv[i], (int)status);
      return 3;
    }
    FILE *f = fopen(argv[i + 1], "wb");
    if (f == NULL || fwrite(out, 1, (size_t)out_size, f) != (size_t)out_size) {
      fprintf(stderr, "%s: cannot write\n", argv[i + 1]);
      return 4;
    }
    fclose(f);
    free(scratch);
    free(out);
    free(data);
  }
  return 0;
}
