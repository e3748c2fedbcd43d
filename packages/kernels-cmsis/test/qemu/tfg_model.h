/* The tables a generated model program provides to model_main.c (written by src/testing/model-program.ts). */
#ifndef TFG_MODEL_H
#define TFG_MODEL_H

#include <stdint.h>

typedef struct {
  /* Byte range of the layer's vector inside tfg_model_vectors (4-byte aligned). */
  uint32_t vector_offset;
  uint32_t vector_size;
  /* Arena byte offsets of the activation inputs and the output. */
  uint32_t input_offset[2];
  uint32_t output_offset;
} tfg_model_layer;

extern const uint8_t tfg_model_vectors[];
extern const tfg_model_layer tfg_model_layers[];
extern const int32_t tfg_model_num_layers;
extern uint32_t tfg_model_arena[];
extern const int8_t tfg_model_input[];
extern const int32_t tfg_model_input_size, tfg_model_input_offset;
extern const int32_t tfg_model_output_size, tfg_model_output_offset;

#ifndef TFG_MODEL_SCRATCH_BYTES
#define TFG_MODEL_SCRATCH_BYTES (128 * 1024)
#endif

#endif /* TFG_MODEL_H */
