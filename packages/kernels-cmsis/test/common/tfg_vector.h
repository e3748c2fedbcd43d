/*
 * Test vectors: one kernel call (its op, integer parameters and constant blobs) in the little-endian format
 * src/vector-file.ts writes: "TFGV", int32 op, int32 count + count int32 parameters, int32 blob count, then per
 * blob int32 byte length + bytes padded to 4. Parsing never allocates; running takes caller memory, so the same
 * code serves the host driver and the bare-metal model benchmark.
 */
#ifndef TFG_VECTOR_H
#define TFG_VECTOR_H

#include <stddef.h>
#include <stdint.h>

#include "tfg_nn.h"

#define TFG_VECTOR_MAX_INTS 96
#define TFG_VECTOR_MAX_BLOBS 24

typedef struct {
  int32_t op;
  int32_t num_ints;
  int32_t ints[TFG_VECTOR_MAX_INTS];
  int32_t num_blobs;
  int32_t blob_size[TFG_VECTOR_MAX_BLOBS];
  const uint8_t *blob[TFG_VECTOR_MAX_BLOBS];
} tfg_vector;

/* Non-zero when `data` holds a well-formed vector; blobs point into `data` (4-byte aligned if `data` is). */
int tfg_vector_parse(const uint8_t *data, size_t size, tfg_vector *v);

/* Bytes of output the kernel writes; -1 for an unknown op. */
int32_t tfg_vector_output_size(const tfg_vector *v);

/* Scratch bytes the kernel asks for. */
int32_t tfg_vector_scratch_size(const tfg_vector *v);

/* Activation inputs the kernel reads (they are the first blobs of the vector). */
int32_t tfg_vector_num_inputs(const tfg_vector *v);

/*
 * Run the kernel. `inputs` (may be NULL: the vector's own input blobs are used) overrides the activation
 * inputs, so a chained model can feed one layer's output to the next.
 */
tfg_status tfg_vector_run(const tfg_vector *v, const int8_t *const *inputs, int8_t *output, void *scratch,
                          int32_t scratch_size);

/* Ops 17..37 (16-bit activations, float32, recurrent layers, layout of any element size, transposed and grouped
   convolutions): tfg_vector_s16.c. Recurrent vectors carry their initial state as blobs; the runner keeps the state
   in scratch after the kernel's own and runs the kernel twice (persistent state carries over, per-run state starts again), so the output is the second run's. */
int32_t tfg_vector_s16_num_inputs(const tfg_vector *v);
int32_t tfg_vector_s16_output_size(const tfg_vector *v);
int32_t tfg_vector_s16_scratch_size(const tfg_vector *v);
tfg_status tfg_vector_s16_run(const tfg_vector *v, const int8_t *const *inputs, int8_t *output, void *scratch,
                              int32_t scratch_size);

#endif /* TFG_VECTOR_H */
