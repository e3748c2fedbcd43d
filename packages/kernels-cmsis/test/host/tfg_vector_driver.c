/*
 * Host test driver: runs one kernel per vector file and writes the output bytes.
 * Usage: tfg_vector_driver <vector> <output> [<vector> <output> ...]
 *
 * Vector file (little-endian): "TFGV", int32 op, int32 count + count int32 parameters, int32 blob count, then
 * per blob int32 byte length + bytes padded to 4. The parameter order per op is written by vector-file.ts.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tfg_nn.h"

enum { OP_CONV = 1, OP_DEPTHWISE = 2, OP_FC = 3, OP_AVGPOOL = 4, OP_MAXPOOL = 5, OP_ADD = 6, OP_MUL = 7,
       OP_SOFTMAX = 8, OP_RESHAPE = 9 };

#define MAX_INTS 64
#define MAX_BLOBS 8

typedef struct {
  int32_t op;
  int32_t num_ints;
  int32_t ints[MAX_INTS];
  int32_t num_blobs;
  int32_t blob_size[MAX_BLOBS];
  const uint8_t *blob[MAX_BLOBS];
} vector;

static int32_t read_i32(const uint8_t *p) {
  return (int32_t)((uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24));
}

static int parse(const uint8_t *data, size_t size, vector *v) {
  size_t pos = 8;
  if (size < 16 || memcmp(data, "TFGV", 4) != 0) return 0;
  v->op = read_i32(data + 4);
  v->num_ints = read_i32(data + pos);
  pos += 4;
  if (v->num_ints < 0 || v->num_ints > MAX_INTS || pos + 4 * (size_t)v->num_ints + 4 > size) return 0;
  for (int32_t i = 0; i < v->num_ints; i++, pos += 4) v->ints[i] = read_i32(data + pos);
  v->num_blobs = read_i32(data + pos);
  pos += 4;
  if (v->num_blobs < 0 || v->num_blobs > MAX_BLOBS) return 0;
  for (int32_t b = 0; b < v->num_blobs; b++) {
    if (pos + 4 > size) return 0;
    v->blob_size[b] = read_i32(data + pos);
    pos += 4;
    if (v->blob_size[b] < 0 || pos + (size_t)v->blob_size[b] > size) return 0;
    v->blob[b] = v->blob_size[b] > 0 ? data + pos : NULL;
    pos += ((size_t)v->blob_size[b] + 3u) & ~(size_t)3u;
  }
  return 1;
}

static tfg_dims dims_at(const int32_t *p) {
  tfg_dims d = {p[0], p[1], p[2], p[3]};
  return d;
}

static int32_t dims_size(const tfg_dims *d) { return d->n * d->h * d->w * d->c; }

static void *scratch(int32_t size) { return malloc(size > 0 ? (size_t)size : 1u); }

#define I8(b) ((const int8_t *)v->blob[b])
#define I32(b) ((const int32_t *)(const void *)v->blob[b])

static tfg_status run(const vector *v, int8_t **out, int32_t *out_size) {
  const int32_t *p = v->ints;
  tfg_status status = TFG_ARG_ERROR;
  if (v->op == OP_CONV || v->op == OP_DEPTHWISE) {
    const tfg_dims in = dims_at(p), f = dims_at(p + 4), o = dims_at(p + 8);
    const tfg_per_channel_quant_params q = {I32(3), I32(4)};
    *out_size = dims_size(&o);
    *out = malloc((size_t)*out_size);
    if (v->op == OP_CONV) {
      const tfg_conv_params cp = {p[12], p[13], {p[15], p[14]}, {p[17], p[16]}, {p[19], p[18]}, {p[20], p[21]}};
      const int32_t size = tfg_convolve_wrapper_s8_get_buffer_size(&cp, &in, &f);
      tfg_context ctx = {scratch(size), size};
      status = tfg_convolve_wrapper_s8(&ctx, &cp, &q, &in, I8(0), &f, I8(1), I32(2), &o, *out);
      free(ctx.buf);
    } else {
      const tfg_dw_conv_params dp = {p[12], p[13], p[22], {p[15], p[14]}, {p[17], p[16]}, {p[19], p[18]},
                                     {p[20], p[21]}};
      const int32_t size = tfg_depthwise_conv_s8_get_buffer_size(&in, &f);
      tfg_context ctx = {scratch(size), size};
      status = tfg_depthwise_conv_s8(&ctx, &dp, &q, &in, I8(0), &f, I8(1), I32(2), &o, *out);
      free(ctx.buf);
    }
  } else if (v->op == OP_FC) {
    const tfg_dims in = {p[0], 1, 1, p[1]}, f = {p[1], 1, 1, p[2]}, o = {p[0], 1, 1, p[2]};
    const tfg_fc_params fp = {p[3], p[4], p[5], {p[6], p[7]}};
    const int32_t size = tfg_fully_connected_s8_get_buffer_size(&f);
    tfg_context ctx = {scratch(size), size};
    *out_size = dims_size(&o);
    *out = malloc((size_t)*out_size);
    if (p[8] != 0) {
      const tfg_per_channel_quant_params q = {I32(3), I32(4)};
      status = tfg_fully_connected_per_channel_s8(&ctx, &fp, &q, &in, I8(0), &f, I8(1), I32(2), &o, *out);
    } else {
      const tfg_per_tensor_quant_params q = {I32(3)[0], I32(4)[0]};
      status = tfg_fully_connected_s8(&ctx, &fp, &q, &in, I8(0), &f, I8(1), I32(2), &o, *out);
    }
    free(ctx.buf);
  } else if (v->op == OP_AVGPOOL || v->op == OP_MAXPOOL) {
    const tfg_dims in = dims_at(p), f = {1, p[4], p[5], 1}, o = dims_at(p + 6);
    const tfg_pool_params pp = {{p[11], p[10]}, {p[13], p[12]}, {p[14], p[15]}};
    const int32_t size = tfg_avgpool_s8_get_buffer_size(&o);
    tfg_context ctx = {scratch(size), size};
    *out_size = dims_size(&o);
    *out = malloc((size_t)*out_size);
    status = v->op == OP_AVGPOOL ? tfg_avgpool_s8(&ctx, &pp, &in, I8(0), &f, &o, *out)
                                 : tfg_maxpool_s8(&ctx, &pp, &in, I8(0), &f, &o, *out);
    free(ctx.buf);
  } else if (v->op == OP_ADD || v->op == OP_MUL) {
    const tfg_dims a = dims_at(p), b = dims_at(p + 4), o = dims_at(p + 8);
    *out_size = dims_size(&o);
    *out = malloc((size_t)*out_size);
    if (v->op == OP_ADD) {
      const tfg_add_params ap = {p[12], p[13], p[14], p[15], p[16], p[17], p[18], p[19], p[20], p[21],
                                 {p[22], p[23]}};
      status = tfg_elementwise_add_s8(&ap, &a, I8(0), &b, I8(1), &o, *out);
    } else {
      const tfg_mul_params mp = {p[12], p[13], p[14], p[15], p[16], {p[17], p[18]}};
      status = tfg_elementwise_mul_s8(&mp, &a, I8(0), &b, I8(1), &o, *out);
    }
  } else if (v->op == OP_SOFTMAX) {
    const tfg_softmax_params sp = {p[2], p[3], p[4]};
    *out_size = p[0] * p[1];
    *out = malloc((size_t)*out_size);
    status = tfg_softmax_s8(&sp, p[0], p[1], I8(0), *out);
  } else if (v->op == OP_RESHAPE) {
    *out_size = p[0];
    *out = malloc((size_t)*out_size);
    status = tfg_reshape_s8(I8(0), *out, p[0]);
  }
  return status;
}

static uint8_t *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  fseek(f, 0, SEEK_END);
  const long len = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *data = malloc(len > 0 ? (size_t)len : 1u);
  *size = fread(data, 1, (size_t)len, f);
  fclose(f);
  return data;
}

int main(int argc, char **argv) {
  for (int i = 1; i + 1 < argc; i += 2) {
    size_t size = 0;
    uint8_t *data = read_file(argv[i], &size);
    vector v;
    if (data == NULL || !parse(data, size, &v)) {
      fprintf(stderr, "%s: not a valid vector file\n", argv[i]);
      return 2;
    }
    int8_t *out = NULL;
    int32_t out_size = 0;
    const tfg_status status = run(&v, &out, &out_size);
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
    free(out);
    free(data);
  }
  return 0;
}
