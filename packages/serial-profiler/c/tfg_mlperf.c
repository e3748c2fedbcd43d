/* The MLPerf Tiny runner's device protocol (tfg_mlperf.h). */
#include "tfg_mlperf.h"

static char command[TFG_MLPERF_COMMAND_MAX + 1u];
static uint32_t command_len;
static uint32_t load_expected;
static uint32_t load_done;
/* Board time: the counter widened to 64 bits (read at least once per wrap: every inference reads it). */
static uint32_t last_ticks;
static uint64_t total_ticks;

static void put_text(const tfg_mlperf_device_t *d, const char *s) {
  while (*s != '\0') d->put((uint8_t)*s++);
}

static void put_u64(const tfg_mlperf_device_t *d, uint64_t v) {
  char digits[21];
  uint32_t n = 0;
  do {
    digits[n++] = (char)('0' + (int)(v % 10u));
    v /= 10u;
  } while (v != 0u);
  while (n > 0u) d->put((uint8_t)digits[--n]);
}

static void put_i32(const tfg_mlperf_device_t *d, int32_t v) {
  if (v < 0) {
    d->put((uint8_t)'-');
    put_u64(d, (uint64_t)(-(int64_t)v));
  } else {
    put_u64(d, (uint64_t)v);
  }
}

static void line_end(const tfg_mlperf_device_t *d) { put_text(d, "\r\n"); }

static uint64_t now_ticks(const tfg_mlperf_device_t *d) {
  const uint32_t t = d->ticks();
  total_ticks += (uint32_t)(t - last_ticks);
  last_ticks = t;
  return total_ticks;
}

static void put_lap_us(const tfg_mlperf_device_t *d, uint64_t ticks) {
  put_text(d, "m-lap-us-");
  put_u64(d, d->ticks_hz != 0u ? ticks * 1000000u / d->ticks_hz : ticks);
  line_end(d);
}

/* Value with three decimals, rounded half away from zero (no printf float support needed). */
static void put_fixed3(const tfg_mlperf_device_t *d, float v) {
  const float scaled = v * 1000.0f;
  const int64_t milli = (int64_t)(scaled < 0.0f ? scaled - 0.5f : scaled + 0.5f);
  const uint64_t mag = (uint64_t)(milli < 0 ? -milli : milli);
  if (milli < 0) d->put((uint8_t)'-');
  put_u64(d, mag / 1000u);
  d->put((uint8_t)'.');
  d->put((uint8_t)('0' + (int)(mag / 100u % 10u)));
  d->put((uint8_t)('0' + (int)(mag / 10u % 10u)));
  d->put((uint8_t)('0' + (int)(mag % 10u)));
}

static void put_results(const tfg_mlperf_device_t *d) {
  put_text(d, "m-results-[");
  for (uint32_t i = 0; i < d->output_values; i++) {
    if (i > 0u) d->put((uint8_t)',');
    if (d->has_output_scale) {
      put_fixed3(d, d->output_scale * (float)((int32_t)d->output[i] - d->output_zero_point));
    } else {
      put_i32(d, d->output[i]);
    }
  }
  put_text(d, "]");
  line_end(d);
}

static int equal(const char *a, const char *b) {
  while (*a != '\0' && *a == *b) {
    a++;
    b++;
  }
  return *a == *b;
}

/* A decimal count; -1 when the word is not one (or is too large). */
static int64_t count_of(const char *s) {
  int64_t v = 0;
  if (s == 0 || *s == '\0') return -1;
  for (; *s != '\0'; s++) {
    if (*s < '0' || *s > '9') return -1;
    v = v * 10 + (*s - '0');
    if (v > 0x7FFFFFFF) return -1;
  }
  return v;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static void error_line(const tfg_mlperf_device_t *d, const char *what, const char *word) {
  put_text(d, "e-[");
  put_text(d, what);
  if (word != 0) put_text(d, word);
  put_text(d, "]");
  line_end(d);
}

static void db_command(const tfg_mlperf_device_t *d, char **words, uint32_t count) {
  if (count < 2u) {
    error_line(d, "Command 'db' requires a subcommand", 0);
  } else if (equal(words[1], "load")) {
    const int64_t n = count > 2u ? count_of(words[2]) : -1;
    if (n <= 0) {
      error_line(d, "Command 'db load' requires the # of bytes (>0)", 0);
    } else if ((uint64_t)n > d->input_bytes) {
      error_line(d, "db load: more bytes than the model input holds", 0);
    } else {
      load_expected = (uint32_t)n;
      load_done = 0;
      put_text(d, "m-[Expecting ");
      put_u64(d, (uint64_t)n);
      put_text(d, " bytes]");
      line_end(d);
    }
  } else if (equal(words[1], "print")) {
    for (uint32_t i = 0; i < load_expected; i++) {
      static const char hex[] = "0123456789abcdef";
      if (i % 8u == 0u) put_text(d, "m-buffer-");
      d->put((uint8_t)hex[d->input[i] >> 4]);
      d->put((uint8_t)hex[d->input[i] & 15u]);
      if ((i + 1u) % 8u == 0u || i + 1u == load_expected) {
        line_end(d);
      } else {
        d->put((uint8_t)'-');
      }
    }
  } else {
    const char *p = words[1];
    uint32_t len = 0;
    while (p[len] != '\0') len++;
    if (len % 2u != 0u) {
      error_line(d, "Insufficent number of hex digits", 0);
      return;
    }
    for (uint32_t i = 0; i < len && load_done < load_expected; i += 2u) {
      const int hi = hex_value(p[i]), lo = hex_value(p[i + 1u]);
      if (hi < 0 || lo < 0) {
        error_line(d, "Invalid hex digit", 0);
        return;
      }
      d->input[load_done++] = (uint8_t)(hi * 16 + lo);
      if (load_done == load_expected) {
        put_text(d, "m-load-done");
        line_end(d);
      }
    }
  }
}

static void infer_command(const tfg_mlperf_device_t *d, char **words, uint32_t count) {
  const int64_t n = count > 1u ? count_of(words[1]) : 1;
  const int64_t w = count > 2u ? count_of(words[2]) : 10;
  uint64_t start, end;
  if (n <= 0) {
    error_line(d, "Inference iterations must be >0", 0);
    return;
  }
  if (w < 0) {
    error_line(d, "Inference warmup must be >=0", 0);
    return;
  }
  put_text(d, "m-warmup-start-");
  put_u64(d, (uint64_t)w);
  line_end(d);
  for (int64_t i = 0; i < w; i++) {
    if (d->invoke() != 0u) {
      error_line(d, "invoke failed", 0);
      return;
    }
    (void)now_ticks(d);
  }
  put_text(d, "m-warmup-done");
  line_end(d);
  put_text(d, "m-infer-start-");
  put_u64(d, (uint64_t)n);
  line_end(d);
  start = now_ticks(d);
  for (int64_t i = 0; i < n; i++) {
    if (d->invoke() != 0u) {
      error_line(d, "invoke failed", 0);
      return;
    }
    (void)now_ticks(d);
  }
  end = now_ticks(d);
  put_lap_us(d, start);
  put_lap_us(d, end);
  put_text(d, "m-tfg-ticks-");
  put_u64(d, end - start);
  line_end(d);
  put_text(d, "m-infer-done");
  line_end(d);
  put_results(d);
}

static void run_command(const tfg_mlperf_device_t *d) {
  char *words[4];
  uint32_t count = 0;
  char *p = command;
  while (*p != '\0' && count < 4u) {
    while (*p == ' ') *p++ = '\0';
    if (*p == '\0') break;
    words[count++] = p;
    while (*p != '\0' && *p != ' ') p++;
  }
  if (count == 0u) {
    error_line(d, "Unknown command: ", "");
  } else if (equal(words[0], "name")) {
    put_text(d, "m-name-dut-[tinyforge]");
    line_end(d);
  } else if (equal(words[0], "profile")) {
    put_text(d, "m-profile-[tinyforge MLPerf Tiny runner protocol 1]");
    line_end(d);
    put_text(d, "m-model-[");
    put_text(d, d->model_id);
    put_text(d, "]");
    line_end(d);
  } else if (equal(words[0], "timestamp")) {
    put_lap_us(d, now_ticks(d));
  } else if (equal(words[0], "db")) {
    db_command(d, words, count);
  } else if (equal(words[0], "infer")) {
    infer_command(d, words, count);
  } else if (equal(words[0], "results")) {
    put_results(d);
  } else {
    error_line(d, "Unknown command: ", words[0]);
  }
  put_text(d, "m-ready");
  line_end(d);
}

void tfg_mlperf_start(const tfg_mlperf_device_t *device) {
  command_len = 0;
  load_expected = 0;
  load_done = 0;
  total_ticks = 0;
  last_ticks = device->ticks();
  put_text(device, "m-timestamp-mode-performance");
  line_end(device);
  put_text(device, "m-init-done");
  line_end(device);
  put_text(device, "m-ready");
  line_end(device);
}

void tfg_mlperf_receive(const tfg_mlperf_device_t *device, char c) {
  if (c == '%') {
    command[command_len] = '\0';
    command_len = 0;
    run_command(device);
  } else if (c == '\r' || c == '\n') {
    /* line ends between commands are not part of them */
  } else if (command_len < TFG_MLPERF_COMMAND_MAX) {
    command[command_len++] = c;
  }
}
