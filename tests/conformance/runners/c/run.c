/* The C conformance runner: every scenario of tests/conformance/scenarios over the C ABI
 * (cqlbridge.h), written canonically (tests/conformance/README.md). JSON through jansson.
 * Usage: run <scenarios dir> <output file>. */
#include <ctype.h>
#include <dirent.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "cqlbridge.h"

#define KS "conformance_c"
#define S(s) (s), strlen(s)

static cqlb_session session;

static void die(const char *what) {
  const char *msg = NULL;
  size_t len = 0;
  cqlb_last_error_message(&msg, &len);
  fprintf(stderr, "conformance (C): %s: %.*s\n", what, (int)len, msg ? msg : "");
  exit(2);
}

/* Core's error kind of a status: CQLB_SYNTAX_ERROR -> SyntaxError. */
static json_t *kind_of(cqlb_status st) {
  const char *name = cqlb_status_name(st) + 5;
  char out[64];
  size_t n = 0;
  int upper = 1;
  for (; *name && n + 1 < sizeof out; name++) {
    if (*name == '_') {
      upper = 1;
      continue;
    }
    out[n++] = upper ? *name : (char)tolower((unsigned char)*name);
    upper = 0;
  }
  out[n] = 0;
  return json_string(out);
}

static char *subst(const char *cql) {
  size_t cap = strlen(cql) * 2 + 64, n = 0;
  char *out = malloc(cap);
  for (const char *p = cql; *p;) {
    if (strncmp(p, "{ks}", 4) == 0) {
      memcpy(out + n, KS, strlen(KS));
      n += strlen(KS);
      p += 4;
    } else {
      out[n++] = *p++;
    }
  }
  out[n] = 0;
  return out;
}

static const char *tag_of(json_t *v) { return json_string_value(json_array_get(v, 0)); }
static const char *text_of(json_t *v) { return json_string_value(json_array_get(v, 1)); }

static void uuid_bytes(const char *s, uint8_t out[16]) {
  int n = 0;
  for (const char *p = s; *p && n < 16; p++) {
    if (*p == '-') continue;
    unsigned b;
    sscanf(p, "%2x", &b);
    out[n++] = (uint8_t)b;
    p++;
  }
}

static uint8_t *hex_bytes(const char *s, size_t *len) {
  *len = strlen(s) / 2;
  uint8_t *b = malloc(*len + 1);
  for (size_t i = 0; i < *len; i++) {
    unsigned x;
    sscanf(s + 2 * i, "%2x", &x);
    b[i] = (uint8_t)x;
  }
  return b;
}

static double number(const char *s) {
  if (strcmp(s, "NaN") == 0) return 0.0 / 0.0;
  if (strcmp(s, "Infinity") == 0) return 1.0 / 0.0;
  if (strcmp(s, "-Infinity") == 0) return -1.0 / 0.0;
  return strtod(s, NULL);
}

/* -- typed input values */

static cqlb_value build(json_t *v);

/* The first failure while building a collection value (an element that does not append). */
static cqlb_status build_error;

/* Raw bytes as text (bad input): the C ABI's text binders check UTF-8 and answer
 * CQLB_INVALID_UTF8, which is the C form of a BindError for a value: it cannot be bound, and
 * nothing is sent (tests/conformance/README.md). */
static cqlb_status text_bytes_status(cqlb_status st) { return st == CQLB_INVALID_UTF8 ? CQLB_BIND_ERROR : st; }

static char *long_text(const char *n) {
  size_t len = strtoul(n, NULL, 10);
  char *s = malloc(len + 1);
  memset(s, 'x', len);
  s[len] = 0;
  return s;
}

static cqlb_status append(cqlb_value b, json_t *v) {
  if (json_is_null(v)) return cqlb_value_append_null(b);
  const char *tag = tag_of(v), *t = text_of(v);
  if (!strcmp(tag, "tinyint")) return cqlb_value_append_int8(b, (int8_t)atoi(t));
  if (!strcmp(tag, "smallint")) return cqlb_value_append_int16(b, (int16_t)atoi(t));
  if (!strcmp(tag, "int")) return cqlb_value_append_int32(b, (int32_t)strtol(t, NULL, 10));
  if (!strcmp(tag, "bigint") || !strcmp(tag, "counter")) return cqlb_value_append_int64(b, strtoll(t, NULL, 10));
  if (!strcmp(tag, "varint")) return cqlb_value_append_varint(b, S(t));
  if (!strcmp(tag, "decimal")) return cqlb_value_append_decimal(b, S(t));
  if (!strcmp(tag, "float")) return cqlb_value_append_float(b, (float)number(t));
  if (!strcmp(tag, "double")) return cqlb_value_append_double(b, number(t));
  if (!strcmp(tag, "text") || !strcmp(tag, "ascii") || !strcmp(tag, "uuid_text")) return cqlb_value_append_string(b, S(t));
  if (!strcmp(tag, "long_text")) {
    char *x = long_text(t);
    cqlb_status st = cqlb_value_append_string(b, S(x));
    free(x);
    return st;
  }
  if (!strcmp(tag, "text_bytes")) {
    size_t n;
    uint8_t *bytes = hex_bytes(t, &n);
    cqlb_status st = cqlb_value_append_string(b, (const char *)bytes, n);
    free(bytes);
    return text_bytes_status(st);
  }
  if (!strcmp(tag, "boolean")) return cqlb_value_append_bool(b, !strcmp(t, "true"));
  if (!strcmp(tag, "uuid") || !strcmp(tag, "timeuuid")) {
    uint8_t u[16];
    uuid_bytes(t, u);
    return !strcmp(tag, "uuid") ? cqlb_value_append_uuid(b, u) : cqlb_value_append_timeuuid(b, u);
  }
  if (!strcmp(tag, "blob")) {
    size_t n;
    uint8_t *bytes = hex_bytes(t, &n);
    cqlb_status st = cqlb_value_append_blob(b, bytes, n);
    free(bytes);
    return st;
  }
  if (!strcmp(tag, "inet")) return cqlb_value_append_inet(b, S(t));
  if (!strcmp(tag, "date")) return cqlb_value_append_date(b, (int32_t)strtol(t, NULL, 10));
  if (!strcmp(tag, "time")) return cqlb_value_append_time(b, strtoll(t, NULL, 10));
  if (!strcmp(tag, "timestamp")) return cqlb_value_append_timestamp(b, strtoll(t, NULL, 10));
  if (!strcmp(tag, "duration")) {
    int32_t mo, d;
    int64_t ns;
    sscanf(t, "%" SCNd32 ",%" SCNd32 ",%" SCNd64, &mo, &d, &ns);
    return cqlb_value_append_duration(b, mo, d, ns);
  }
  cqlb_value nested = build(v);
  cqlb_status st = cqlb_value_append_value(b, nested);
  cqlb_value_free(nested);
  return st;
}

static void note(cqlb_status st) {
  if (st && !build_error) build_error = st;
}

/* A collection, tuple or UDT value. */
static cqlb_value build(json_t *v) {
  const char *tag = tag_of(v);
  json_t *arg = json_array_get(v, 1);
  cqlb_value b = {0};
  if (!strcmp(tag, "list") || !strcmp(tag, "repeat")) cqlb_value_new_list(&b);
  else if (!strcmp(tag, "set")) cqlb_value_new_set(&b);
  else if (!strcmp(tag, "vector")) cqlb_value_new_vector(&b);
  else if (!strcmp(tag, "tuple")) cqlb_value_new_tuple(&b);
  else if (!strcmp(tag, "map")) cqlb_value_new_map(&b);
  else if (!strcmp(tag, "udt")) cqlb_value_new_udt(&b);
  size_t i;
  json_t *e;
  if (!strcmp(tag, "map")) {
    json_array_foreach(arg, i, e) {
      note(append(b, json_array_get(e, 0)));
      note(append(b, json_array_get(e, 1)));
    }
  } else if (!strcmp(tag, "udt")) {
    const char *k;
    json_object_foreach(arg, k, e) {
      cqlb_value_field(b, S(k));
      note(append(b, e));
    }
  } else if (!strcmp(tag, "repeat")) {
    size_t n = strtoul(json_string_value(json_array_get(arg, 0)), NULL, 10);
    for (i = 0; i < n; i++) note(append(b, json_array_get(arg, 1)));
  } else {
    json_array_foreach(arg, i, e) note(append(b, e));
  }
  return b;
}

static cqlb_status bind(cqlb_statement st, size_t i, json_t *v) {
  if (json_is_null(v)) return cqlb_statement_bind_null(st, i);
  const char *tag = tag_of(v), *t = text_of(v);
  if (!strcmp(tag, "unset")) return cqlb_statement_bind_unset(st, i);
  if (!strcmp(tag, "tinyint")) return cqlb_statement_bind_int8(st, i, (int8_t)atoi(t));
  if (!strcmp(tag, "smallint")) return cqlb_statement_bind_int16(st, i, (int16_t)atoi(t));
  if (!strcmp(tag, "int")) return cqlb_statement_bind_int32(st, i, (int32_t)strtol(t, NULL, 10));
  if (!strcmp(tag, "bigint") || !strcmp(tag, "counter")) return cqlb_statement_bind_int64(st, i, strtoll(t, NULL, 10));
  if (!strcmp(tag, "varint")) return cqlb_statement_bind_varint(st, i, S(t));
  if (!strcmp(tag, "decimal")) return cqlb_statement_bind_decimal(st, i, S(t));
  if (!strcmp(tag, "float")) return cqlb_statement_bind_float(st, i, (float)number(t));
  if (!strcmp(tag, "double")) return cqlb_statement_bind_double(st, i, number(t));
  if (!strcmp(tag, "text") || !strcmp(tag, "ascii") || !strcmp(tag, "uuid_text")) return cqlb_statement_bind_string(st, i, S(t));
  if (!strcmp(tag, "long_text")) {
    char *x = long_text(t);
    cqlb_status s = cqlb_statement_bind_string(st, i, S(x));
    free(x);
    return s;
  }
  if (!strcmp(tag, "text_bytes")) {
    size_t n;
    uint8_t *bytes = hex_bytes(t, &n);
    cqlb_status s = cqlb_statement_bind_string(st, i, (const char *)bytes, n);
    free(bytes);
    return text_bytes_status(s);
  }
  if (!strcmp(tag, "boolean")) return cqlb_statement_bind_bool(st, i, !strcmp(t, "true"));
  if (!strcmp(tag, "uuid") || !strcmp(tag, "timeuuid")) {
    uint8_t u[16];
    uuid_bytes(t, u);
    return !strcmp(tag, "uuid") ? cqlb_statement_bind_uuid(st, i, u) : cqlb_statement_bind_timeuuid(st, i, u);
  }
  if (!strcmp(tag, "blob")) {
    size_t n;
    uint8_t *bytes = hex_bytes(t, &n);
    cqlb_status s = cqlb_statement_bind_blob(st, i, bytes, n);
    free(bytes);
    return s;
  }
  if (!strcmp(tag, "inet")) return cqlb_statement_bind_inet(st, i, S(t));
  if (!strcmp(tag, "date")) return cqlb_statement_bind_date(st, i, (int32_t)strtol(t, NULL, 10));
  if (!strcmp(tag, "time")) return cqlb_statement_bind_time(st, i, strtoll(t, NULL, 10));
  if (!strcmp(tag, "timestamp")) return cqlb_statement_bind_timestamp(st, i, strtoll(t, NULL, 10));
  if (!strcmp(tag, "duration")) {
    int32_t mo, d;
    int64_t ns;
    sscanf(t, "%" SCNd32 ",%" SCNd32 ",%" SCNd64, &mo, &d, &ns);
    return cqlb_statement_bind_duration(st, i, mo, d, ns);
  }
  build_error = CQLB_OK;
  cqlb_value b = build(v);
  cqlb_status s = build_error ? build_error : cqlb_statement_bind_value(st, i, b);
  cqlb_value_free(b);
  return s;
}

static cqlb_status bind_all(cqlb_statement st, json_t *values) {
  size_t i;
  json_t *v;
  json_array_foreach(values, i, v) {
    cqlb_status s = bind(st, i, v);
    if (s != CQLB_OK) return s;
  }
  return CQLB_OK;
}

/* A row of named values (a UDT builder), as the mapper takes them. */
static cqlb_value named(json_t *obj) {
  cqlb_value b;
  cqlb_value_new_udt(&b);
  const char *k;
  json_t *v;
  json_object_foreach(obj, k, v) {
    cqlb_value_field(b, S(k));
    note(append(b, v));
  }
  return b;
}

/* A list of (text, int, value) tuples. */
static cqlb_value terms(json_t *list, const char *const *codes) {
  cqlb_value l;
  cqlb_value_new_list(&l);
  size_t i;
  json_t *t;
  json_array_foreach(list, i, t) {
    cqlb_value tup;
    cqlb_value_new_tuple(&tup);
    const char *name = json_string_value(json_array_get(t, 0));
    const char *op = json_string_value(json_array_get(t, 1));
    int32_t code = 0;
    while (codes[code] && strcmp(codes[code], op)) code++;
    cqlb_value_append_string(tup, S(name));
    cqlb_value_append_int32(tup, code);
    append(tup, json_array_get(t, 2));
    cqlb_value_append_value(l, tup);
    cqlb_value_free(tup);
  }
  return l;
}

/* -- CQL types and canonical output */

typedef struct ctype {
  char name[64];
  int n;
  struct ctype *params[8];
} ctype;

static ctype *parse_type(const char **p) {
  ctype *t = calloc(1, sizeof *t);
  while (**p == ' ') (*p)++;
  size_t n = 0;
  while (**p && **p != '<' && **p != '>' && **p != ',' && n + 1 < sizeof t->name) t->name[n++] = *(*p)++;
  t->name[n] = 0;
  while (n > 0 && t->name[n - 1] == ' ') t->name[--n] = 0;
  if (**p == '<') {
    (*p)++;
    for (;;) {
      ctype *c = parse_type(p);
      if (!strcmp(t->name, "frozen")) {
        *t = *c;
        free(c);
        while (**p == ' ') (*p)++;
        if (**p == '>') (*p)++;
        return t;
      }
      if (t->n < 8) t->params[t->n++] = c;
      while (**p == ' ') (*p)++;
      if (**p == ',') {
        (*p)++;
        continue;
      }
      if (**p == '>') (*p)++;
      break;
    }
  }
  return t;
}

static void free_type(ctype *t) {
  for (int i = 0; i < t->n; i++) free_type(t->params[i]);
  free(t);
}

static json_t *str(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#include <stdarg.h>
static json_t *str(const char *fmt, ...) {
  char buf[128];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return json_string(buf);
}

static json_t *float_text(double x, int bits32, float f) {
  if (isnan(x)) return json_string("NaN");
  if (isinf(x)) return json_string(x > 0 ? "Infinity" : "-Infinity");
  if (bits32) {
    uint32_t u;
    memcpy(&u, &f, 4);
    return str("0x%08" PRIx32, u);
  }
  uint64_t u;
  memcpy(&u, &x, 8);
  return str("0x%016" PRIx64, u);
}

static json_t *hex(const uint8_t *b, size_t n) {
  char *s = malloc(n * 2 + 1);
  for (size_t i = 0; i < n; i++) sprintf(s + 2 * i, "%02x", b[i]);
  s[n * 2] = 0;
  json_t *j = json_string(s);
  free(s);
  return j;
}

static json_t *uuid_text(const uint8_t u[16]) {
  return str("%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1], u[2], u[3], u[4],
             u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14], u[15]);
}

/* "3.14" -> "314e-2", "-1E+5" -> "-1e5", "0.00" -> "0e-2". */
static json_t *decimal_text(const char *s, size_t len) {
  char digits[256];
  size_t n = 0;
  long scale = 0, exp = 0;
  int in_frac = 0;
  size_t i = 0;
  if (i < len && (s[i] == '-' || s[i] == '+')) {
    if (s[i] == '-') digits[n++] = '-';
    i++;
  }
  for (; i < len; i++) {
    if (s[i] == '.') in_frac = 1;
    else if (s[i] == 'e' || s[i] == 'E') {
      exp = strtol(s + i + 1, NULL, 10);
      break;
    } else if (n + 1 < sizeof digits) {
      digits[n++] = s[i];
      if (in_frac) scale++;
    }
  }
  digits[n] = 0;
  /* strip leading zeros of the unscaled value (keep one) */
  char *d = digits[0] == '-' ? digits + 1 : digits;
  size_t lead = 0;
  while (d[lead] == '0' && d[lead + 1]) lead++;
  memmove(d, d + lead, strlen(d + lead) + 1);
  if (!strcmp(digits, "-0")) strcpy(digits, "0");
  return str("%se%ld", digits, exp - scale);
}

static json_t *untyped(cqlb_result r, size_t row, size_t col, size_t *path, size_t depth);

static json_t *canonical(cqlb_result r, size_t row, size_t col, size_t *path, size_t depth, const ctype *t) {
  bool null = false;
  if (depth == 0 ? cqlb_result_is_null(r, row, col, &null) : cqlb_result_element_is_null(r, row, col, path, depth, &null)) {
    return json_null();
  }
  if (null) return json_null();
  const char *n = t->name;
  if (!strcmp(n, "tinyint")) {
    int8_t v = 0;
    if (cqlb_result_element_get_int8(r, row, col, path, depth, &v)) return json_null();
    return str("%d", v);
  }
  if (!strcmp(n, "smallint")) {
    int16_t v = 0;
    if (cqlb_result_element_get_int16(r, row, col, path, depth, &v)) return json_null();
    return str("%d", v);
  }
  if (!strcmp(n, "int")) {
    int32_t v = 0;
    if (cqlb_result_element_get_int32(r, row, col, path, depth, &v)) return json_null();
    return str("%" PRId32, v);
  }
  if (!strcmp(n, "bigint") || !strcmp(n, "counter")) {
    int64_t v = 0;
    if (cqlb_result_element_get_int64(r, row, col, path, depth, &v)) return json_null();
    return str("%" PRId64, v);
  }
  if (!strcmp(n, "float")) {
    float v = 0;
    if (cqlb_result_element_get_float(r, row, col, path, depth, &v)) return json_null();
    return float_text(v, 1, v);
  }
  if (!strcmp(n, "double")) {
    double v = 0;
    if (cqlb_result_element_get_double(r, row, col, path, depth, &v)) return json_null();
    return float_text(v, 0, 0);
  }
  if (!strcmp(n, "text") || !strcmp(n, "ascii") || !strcmp(n, "varchar")) {
    const char *s;
    size_t len;
    if (cqlb_result_element_get_string(r, row, col, path, depth, &s, &len)) return json_null();
    return json_stringn(s, len);
  }
  if (!strcmp(n, "boolean")) {
    bool v = false;
    if (cqlb_result_element_get_bool(r, row, col, path, depth, &v)) return json_null();
    return json_string(v ? "true" : "false");
  }
  if (!strcmp(n, "uuid") || !strcmp(n, "timeuuid")) {
    uint8_t u[16];
    if (cqlb_result_element_get_uuid(r, row, col, path, depth, u)) return json_null();
    return uuid_text(u);
  }
  if (!strcmp(n, "date")) {
    int32_t v = 0;
    if (cqlb_result_element_get_date(r, row, col, path, depth, &v)) return json_null();
    return str("%" PRId32, v);
  }
  if (!strcmp(n, "time") || !strcmp(n, "timestamp")) {
    int64_t v = 0;
    cqlb_status st = !strcmp(n, "time") ? cqlb_result_element_get_time(r, row, col, path, depth, &v)
                                        : cqlb_result_element_get_timestamp(r, row, col, path, depth, &v);
    if (st) return json_null();
    return str("%" PRId64, v);
  }
  if (depth == 0 && (!strcmp(n, "varint") || !strcmp(n, "decimal"))) {
    const char *s;
    size_t len;
    if (cqlb_result_get_number_text(r, row, col, &s, &len)) return json_null();
    return !strcmp(n, "varint") ? json_stringn(s, len) : decimal_text(s, len);
  }
  if (depth == 0 && !strcmp(n, "blob")) {
    const uint8_t *b;
    size_t len;
    if (cqlb_result_get_blob(r, row, col, &b, &len)) return json_null();
    return hex(b, len);
  }
  if (depth == 0 && !strcmp(n, "inet")) {
    uint8_t a[16];
    size_t len = 16;
    if (cqlb_result_get_inet(r, row, col, a, &len)) return json_null();
    return hex(a, len);
  }
  if (depth == 0 && !strcmp(n, "duration")) {
    int32_t mo, d;
    int64_t ns;
    if (cqlb_result_get_duration(r, row, col, &mo, &d, &ns)) return json_null();
    return str("%" PRId32 ",%" PRId32 ",%" PRId64, mo, d, ns);
  }
  /* A column whose type the result does not say (a subtype's, read through its base model). */
  int composite = !strcmp(n, "list") || !strcmp(n, "set") || !strcmp(n, "map") || !strcmp(n, "tuple") ||
                  !strcmp(n, "vector") || strchr(n, '.') != NULL;
  if (!composite) return untyped(r, row, col, path, depth);
  size_t count = 0;
  if (cqlb_result_element_count(r, row, col, path, depth, &count)) return json_string("<unreadable>");
  json_t *out = json_array();
  if (!strcmp(n, "list") || !strcmp(n, "set") || !strcmp(n, "vector") || !strcmp(n, "tuple")) {
    for (size_t i = 0; i < count; i++) {
      path[depth] = i;
      const ctype *et = !strcmp(n, "tuple") ? t->params[i] : t->params[0];
      json_array_append_new(out, canonical(r, row, col, path, depth + 1, et));
    }
    return out;
  }
  if (!strcmp(n, "map")) {
    for (size_t i = 0; i + 1 < count; i += 2) {
      json_t *pair = json_array();
      path[depth] = i;
      json_array_append_new(pair, canonical(r, row, col, path, depth + 1, t->params[0]));
      path[depth] = i + 1;
      json_array_append_new(pair, canonical(r, row, col, path, depth + 1, t->params[1]));
      json_array_append_new(out, pair);
    }
    return out;
  }
  json_decref(out);
  /* A user-defined type: its fields, read from their values. */
  json_t *obj = json_object();
  for (size_t i = 0; i < count; i++) {
    path[depth] = i;
    const char *fname;
    size_t flen;
    if (cqlb_result_element_name(r, row, col, path, depth + 1, &fname, &flen)) continue;
    char key[128];
    snprintf(key, sizeof key, "%.*s", (int)flen, fname);
    json_object_set_new(obj, key, untyped(r, row, col, path, depth + 1));
  }
  return obj;
}

/* A value whose type the result does not say (a UDT field): the first getter that reads it. */
static json_t *untyped(cqlb_result r, size_t row, size_t col, size_t *path, size_t depth) {
  bool null = false;
  if (cqlb_result_element_is_null(r, row, col, path, depth, &null) == CQLB_OK && null) return json_null();
  static const char *order[] = {"text", "int", "bigint", "smallint", "tinyint", "boolean", "double", "uuid", NULL};
  for (int i = 0; order[i]; i++) {
    ctype t = {0};
    snprintf(t.name, sizeof t.name, "%s", order[i]);
    json_t *j = canonical(r, row, col, path, depth, &t);
    if (!json_is_null(j)) return j;
    json_decref(j);
  }
  size_t count = 0;
  if (cqlb_result_element_count(r, row, col, path, depth, &count)) return json_null();
  json_t *out = json_array();
  for (size_t i = 0; i < count; i++) {
    path[depth] = i;
    json_array_append_new(out, untyped(r, row, col, path, depth + 1));
  }
  return out;
}

static ctype **column_types(cqlb_result r, size_t *ncols) {
  cqlb_result_column_count(r, ncols);
  ctype **types = calloc(*ncols + 1, sizeof *types);
  for (size_t c = 0; c < *ncols; c++) {
    const char *t;
    size_t len;
    cqlb_result_column_type(r, c, &t, &len);
    char *copy = strndup(t, len);
    const char *p = copy;
    types[c] = parse_type(&p);
    free(copy);
  }
  return types;
}

static json_t *rows_of(cqlb_result r) {
  size_t ncols = 0, nrows = 0;
  ctype **types = column_types(r, &ncols);
  cqlb_result_row_count(r, &nrows);
  json_t *rows = json_array();
  size_t path[16];
  for (size_t i = 0; i < nrows; i++) {
    json_t *row = json_array();
    for (size_t c = 0; c < ncols; c++) json_array_append_new(row, canonical(r, i, c, path, 0, types[c]));
    json_array_append_new(rows, row);
  }
  for (size_t c = 0; c < ncols; c++) free_type(types[c]);
  free(types);
  return rows;
}

/* A model row: its non-null, non-empty attributes. */
static json_t *model_row(cqlb_result r, size_t i) {
  size_t ncols = 0;
  ctype **types = column_types(r, &ncols);
  json_t *obj = json_object();
  size_t path[16];
  for (size_t c = 0; c < ncols; c++) {
    json_t *v = canonical(r, i, c, path, 0, types[c]);
    const char *name;
    size_t len;
    cqlb_result_column_name(r, c, &name, &len);
    char key[128];
    snprintf(key, sizeof key, "%.*s", (int)len, name);
    if (json_is_null(v) || (json_is_array(v) && json_array_size(v) == 0)) json_decref(v);
    else json_object_set_new(obj, key, v);
    free_type(types[c]);
  }
  free(types);
  return obj;
}

static json_t *applied_of(cqlb_result r) {
  int32_t a = -1;
  cqlb_result_was_applied(r, &a);
  return a < 0 ? json_null() : json_boolean(a == 1);
}

/* -- steps */

typedef struct {
  char *name;
  cqlb_model model;
} model_entry;

static model_entry models[32];
static size_t nmodels;

static cqlb_model model_named(const char *name) {
  for (size_t i = 0; i < nmodels; i++)
    if (!strcmp(models[i].name, name)) return models[i].model;
  die("unknown model");
  return (cqlb_model){0};
}

static json_t *ok(void) {
  json_t *o = json_object();
  json_object_set_new(o, "error", json_null());
  return o;
}

static json_t *failed(cqlb_status st) {
  json_t *o = json_object();
  json_object_set_new(o, "error", kind_of(st));
  return o;
}

static cqlb_write_options write_options(json_t *step, cqlb_value *conditions) {
  cqlb_write_options o = {0};
  o.consistency = 0xFFFF;
  json_t *ttl = json_object_get(step, "ttl");
  if (ttl) o.ttl = (int32_t)json_integer_value(ttl);
  o.if_not_exists = json_is_true(json_object_get(step, "if_not_exists"));
  o.if_exists = json_is_true(json_object_get(step, "if_exists"));
  json_t *conds = json_object_get(step, "conditions");
  if (conds) {
    /* The C ABI takes equality conditions as a row of named values. */
    cqlb_value_new_udt(conditions);
    size_t i;
    json_t *c;
    json_array_foreach(conds, i, c) {
      const char *name = json_string_value(json_array_get(c, 0));
      cqlb_value_field(*conditions, S(name));
      append(*conditions, json_array_get(c, 2));
    }
    o.conditions = *conditions;
  }
  return o;
}

static const char *const FILTER_OPS[] = {"eq", "in", "gt", "gte", "lt", "lte", "contains", "contains_key", NULL};
static const char *const CHANGES[] = {"set", "add", "remove", "prepend", "put", "remove_keys", NULL};

static json_t *model_step(json_t *step) {
  cqlb_status st = CQLB_OK;
  cqlb_result r = {0};
  json_t *batch = json_object_get(step, "model_batch");
  if (batch) {
    cqlb_model_batch b;
    cqlb_model_batch_new(0, &b);
    size_t i;
    json_t *w;
    json_array_foreach(batch, i, w) {
      cqlb_model m = model_named(json_string_value(json_object_get(w, "model")));
      cqlb_value v;
      if (json_object_get(w, "create")) {
        v = named(json_object_get(w, "create"));
        st = cqlb_model_batch_add_create(b, m, v, NULL);
      } else {
        v = named(json_object_get(json_object_get(w, "delete"), "key"));
        st = cqlb_model_batch_add_delete(b, m, v, NULL);
      }
      cqlb_value_free(v);
      if (st) break;
    }
    if (!st) st = cqlb_model_batch_execute(session, b);
    cqlb_model_batch_free(b);
    return st ? failed(st) : ok();
  }
  cqlb_model m = model_named(json_string_value(json_object_get(step, "model")));
  cqlb_value conditions = {0};
  cqlb_write_options wo = write_options(step, &conditions);
  json_t *out = NULL;
  json_t *arg;
  if ((arg = json_object_get(step, "create"))) {
    cqlb_value v = named(arg);
    st = cqlb_model_create(session, m, v, &wo, &r, NULL);
    cqlb_value_free(v);
    if (!st) {
      out = ok();
      json_object_set_new(out, "row", model_row(r, 0));
    }
  } else if ((arg = json_object_get(step, "get"))) {
    cqlb_value v = named(arg);
    st = cqlb_model_get(session, m, v, &r);
    cqlb_value_free(v);
    if (!st) {
      out = ok();
      json_object_set_new(out, "row", model_row(r, 0));
    }
  } else if ((arg = json_object_get(step, "select")) || (arg = json_object_get(step, "count"))) {
    int counting = json_object_get(step, "count") != NULL;
    json_t *filters = json_object_get(arg, "filters");
    cqlb_value f = filters ? terms(filters, FILTER_OPS) : (cqlb_value){0};
    cqlb_value order = {0};
    json_t *ob = json_object_get(arg, "order_by");
    if (ob) {
      cqlb_value_new_list(&order);
      size_t i;
      json_t *o;
      json_array_foreach(ob, i, o) {
        cqlb_value tup;
        cqlb_value_new_tuple(&tup);
        const char *name = json_string_value(json_array_get(o, 0));
        cqlb_value_append_string(tup, S(name));
        cqlb_value_append_bool(tup, !strcmp(json_string_value(json_array_get(o, 1)), "desc"));
        cqlb_value_append_value(order, tup);
        cqlb_value_free(tup);
      }
    }
    cqlb_query_options qo = {0, false, 0xFFFF};
    json_t *limit = json_object_get(arg, "limit");
    if (limit) qo.limit = (int32_t)json_integer_value(limit);
    if (counting) {
      int64_t n = 0;
      st = cqlb_model_count_where(session, m, f, &qo, &n);
      if (!st) {
        out = ok();
        json_object_set_new(out, "count", str("%" PRId64, n));
      }
    } else {
      st = cqlb_model_select_where(session, m, f, order, &qo, &r);
      if (!st) {
        size_t n = 0;
        cqlb_result_row_count(r, &n);
        json_t *rows = json_array();
        for (size_t i = 0; i < n; i++) json_array_append_new(rows, model_row(r, i));
        out = ok();
        json_object_set_new(out, "rows", rows);
      }
    }
    if (f.handle) cqlb_value_free(f);
    if (order.handle) cqlb_value_free(order);
  } else if ((arg = json_object_get(step, "update"))) {
    cqlb_value key = named(json_object_get(arg, "key"));
    cqlb_value ch = terms(json_object_get(arg, "changes"), CHANGES);
    st = cqlb_model_update_changes(session, m, key, ch, &wo, NULL);
    cqlb_value_free(key);
    cqlb_value_free(ch);
    if (!st) out = ok();
  } else if ((arg = json_object_get(step, "delete"))) {
    cqlb_value key = named(json_object_get(arg, "key"));
    st = cqlb_model_delete(session, m, key, &wo, NULL);
    cqlb_value_free(key);
    if (!st) out = ok();
  }
  if (r.handle) cqlb_result_free(r);
  if (conditions.handle) cqlb_value_free(conditions);
  return st ? failed(st) : out;
}

typedef struct {
  char *cql;
  cqlb_prepared prepared;
} prepared_entry;

static prepared_entry prepared_cache[256];
static size_t nprepared;

static cqlb_status prepared_for(const char *cql, cqlb_prepared *out) {
  for (size_t i = 0; i < nprepared; i++)
    if (!strcmp(prepared_cache[i].cql, cql)) {
      *out = prepared_cache[i].prepared;
      return CQLB_OK;
    }
  cqlb_status st = cqlb_session_prepare(session, S(cql), out);
  if (st == CQLB_OK && nprepared < 256) {
    prepared_cache[nprepared].cql = strdup(cql);
    prepared_cache[nprepared++].prepared = *out;
  }
  return st;
}

/* The C ABI binds by index and leaves a marker without a value unset; a values list of the
 * wrong length is a BindError in every other language's API, and so it is here. */
static cqlb_status arity(cqlb_prepared p, json_t *values) {
  size_t n = 0;
  cqlb_prepared_param_count(p, &n);
  return json_array_size(values) == n ? CQLB_OK : CQLB_BIND_ERROR;
}

static cqlb_status connect_to(const char *keyspace, cqlb_session *out);

/* A closed session and freed handles: C's close is its free; each handle is used after it. */
static cqlb_status after_free(json_t *step) {
  const char *what = json_string_value(json_object_get(step, "freed_handle"));
  cqlb_status st;
  cqlb_statement s;
  cqlb_result r;
  if (json_object_get(step, "closed_session") || !strcmp(what, "session")) {
    cqlb_session other;
    if ((st = connect_to(NULL, &other))) return st;
    cqlb_session_free(other);
    if (!what) {
      char *cql = subst(json_string_value(json_object_get(step, "closed_session")));
      st = cqlb_statement_new(S(cql), &s);
      free(cql);
      if (st) return st;
      st = cqlb_session_execute(other, s, &r);
      cqlb_statement_free(s);
      if (!st) cqlb_result_free(r);
      return st;
    }
    cqlb_prepared p;
    st = cqlb_session_prepare(other, S("SELECT release_version FROM system.local"), &p);
    if (!st) cqlb_prepared_free(p);
    return st;
  }
  if (!strcmp(what, "statement")) {
    if ((st = cqlb_statement_new(S("SELECT release_version FROM system.local"), &s))) return st;
    cqlb_statement_free(s);
    st = cqlb_session_execute(session, s, &r);
    if (!st) cqlb_result_free(r);
    return st;
  }
  if (!strcmp(what, "prepared")) {
    cqlb_prepared p;
    if ((st = cqlb_session_prepare(session, S("SELECT release_version FROM system.local"), &p))) return st;
    cqlb_prepared_free(p);
    st = cqlb_prepared_bind(p, &s);
    if (!st) cqlb_statement_free(s);
    return st;
  }
  if (!strcmp(what, "result")) {
    if ((st = cqlb_statement_new(S("SELECT release_version FROM system.local"), &s))) return st;
    st = cqlb_session_execute(session, s, &r);
    cqlb_statement_free(s);
    if (st) return st;
    cqlb_result_free(r);
    size_t n;
    return cqlb_result_row_count(r, &n);
  }
  die("unknown freed_handle");
  return CQLB_OK;
}

static json_t *run_step(json_t *step) {
  if (json_object_get(step, "model") || json_object_get(step, "model_batch")) return model_step(step);
  if (json_object_get(step, "closed_session") || json_object_get(step, "freed_handle")) {
    cqlb_status st = after_free(step);
    return st ? failed(st) : ok();
  }
  if (json_object_get(step, "use_keyspace")) {
    /* The C ABI switches keyspaces with a USE statement. */
    char cql[256];
    snprintf(cql, sizeof cql, "USE %s", json_string_value(json_object_get(step, "use_keyspace")));
    cqlb_statement s;
    cqlb_result r;
    cqlb_status st = cqlb_statement_new(S(cql), &s);
    if (!st) {
      st = cqlb_session_execute(session, s, &r);
      if (!st) cqlb_result_free(r);
      cqlb_statement_free(s);
    }
    return st ? failed(st) : ok();
  }
  if (json_object_get(step, "connect_keyspace")) {
    cqlb_session other;
    cqlb_status st = connect_to(json_string_value(json_object_get(step, "connect_keyspace")), &other);
    if (!st) cqlb_session_free(other);
    return st ? failed(st) : ok();
  }
  json_t *sleep_ms = json_object_get(step, "sleep_ms");
  if (sleep_ms) {
    struct timespec ts = {json_integer_value(sleep_ms) / 1000, (json_integer_value(sleep_ms) % 1000) * 1000000};
    nanosleep(&ts, NULL);
    return ok();
  }
  cqlb_status st = CQLB_OK;
  json_t *out = NULL;
  json_t *values = json_object_get(step, "values");
  json_t *page_size = json_object_get(step, "page_size");
  if (json_object_get(step, "execute") || json_object_get(step, "pages")) {
    int paging = json_object_get(step, "pages") != NULL;
    char *cql = subst(json_string_value(json_object_get(step, paging ? "pages" : "execute")));
    cqlb_statement s = {0};
    if (json_is_true(json_object_get(step, "prepared"))) {
      cqlb_prepared p;
      st = prepared_for(cql, &p);
      if (!st) st = arity(p, values);
      if (!st) st = cqlb_prepared_bind(p, &s);
    } else {
      st = cqlb_statement_new(S(cql), &s);
    }
    free(cql);
    if (!st && values) st = bind_all(s, values);
    if (!st && page_size) st = cqlb_statement_set_page_size(s, (int32_t)json_integer_value(page_size));
    json_t *pages = json_array(), *rows = json_array();
    for (; !st;) {
      cqlb_result r;
      st = cqlb_session_execute(session, s, &r);
      if (st) break;
      json_t *page = rows_of(r);
      if (!paging) {
        out = ok();
        json_object_set_new(out, "rows", page);
        json_object_set_new(out, "applied", applied_of(r));
        cqlb_result_free(r);
        break;
      }
      json_array_append_new(pages, json_integer((json_int_t)json_array_size(page)));
      json_array_extend(rows, page);
      json_decref(page);
      const uint8_t *state;
      size_t len = 0;
      cqlb_result_paging_state(r, &state, &len);
      if (len == 0) {
        cqlb_result_free(r);
        out = ok();
        json_object_set(out, "pages", pages);
        json_object_set(out, "rows", rows);
        break;
      }
      st = cqlb_statement_set_paging_state(s, state, len);
      cqlb_result_free(r);
    }
    json_decref(pages);
    json_decref(rows);
    if (s.handle) cqlb_statement_free(s);
  } else if (json_object_get(step, "batch")) {
    const char *type = json_string_value(json_object_get(step, "batch"));
    cqlb_batch b;
    st = cqlb_batch_new(!strcmp(type, "LOGGED") ? 0 : !strcmp(type, "UNLOGGED") ? 1 : 2, &b);
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(step, "statements"), i, item) {
      if (st) break;
      char *cql = subst(json_string_value(json_object_get(item, "cql")));
      cqlb_statement s;
      st = cqlb_statement_new(S(cql), &s);
      free(cql);
      if (!st && json_object_get(item, "values")) st = bind_all(s, json_object_get(item, "values"));
      if (!st) st = cqlb_batch_add_statement(b, s);
      cqlb_statement_free(s);
    }
    cqlb_result r;
    if (!st) st = cqlb_session_execute_batch(session, b, &r);
    if (!st) {
      out = ok();
      json_object_set_new(out, "applied", applied_of(r));
      cqlb_result_free(r);
    }
    cqlb_batch_free(b);
  } else if (json_object_get(step, "concurrent")) {
    char *cql = subst(json_string_value(json_object_get(step, "concurrent")));
    cqlb_prepared p;
    st = prepared_for(cql, &p);
    free(cql);
    json_t *rowsin = json_object_get(step, "rows");
    size_t n = json_array_size(rowsin);
    cqlb_statement *sts = calloc(n + 1, sizeof *sts);
    json_t *outcomes = json_array();
    /* A row that does not bind is an outcome of its own, as in the other languages. */
    json_t **bind_errors = calloc(n + 1, sizeof *bind_errors);
    size_t ok_count = 0;
    size_t *index = calloc(n + 1, sizeof *index);
    for (size_t i = 0; !st && i < n; i++) {
      cqlb_statement s;
      cqlb_prepared_bind(p, &s);
      cqlb_status b = arity(p, json_array_get(rowsin, i));
      if (!b) b = bind_all(s, json_array_get(rowsin, i));
      if (b) {
        bind_errors[i] = kind_of(b);
        cqlb_statement_free(s);
      } else {
        index[ok_count] = i;
        sts[ok_count++] = s;
      }
    }
    json_t *json_concurrency = json_object_get(step, "concurrency");
    size_t concurrency = json_concurrency ? (size_t)json_integer_value(json_concurrency) : 4;
    json_t **results = calloc(n + 1, sizeof *results);
    if (!st && ok_count > 0) {
      cqlb_future f;
      st = cqlb_session_execute_concurrent(session, sts, ok_count, concurrency, false, &f);
      if (!st) {
        cqlb_future_wait(f);
        cqlb_outcomes o;
        st = cqlb_future_outcomes(f, &o);
        for (size_t k = 0; !st && k < ok_count; k++) {
          cqlb_status each = CQLB_OK;
          cqlb_outcomes_status(o, k, &each);
          results[index[k]] = each ? kind_of(each) : json_string("ok");
        }
        if (!st) cqlb_outcomes_free(o);
        cqlb_future_free(f);
      }
    }
    for (size_t k = 0; k < ok_count; k++) cqlb_statement_free(sts[k]);
    if (!st) {
      for (size_t i = 0; i < n; i++) json_array_append_new(outcomes, bind_errors[i] ? bind_errors[i] : results[i]);
      out = ok();
      json_object_set_new(out, "outcomes", outcomes);
    } else {
      json_decref(outcomes);
    }
    free(sts);
    free(bind_errors);
    free(results);
    free(index);
  }
  return st ? failed(st) : out;
}

static int by_name(const struct dirent **a, const struct dirent **b) { return strcmp((*a)->d_name, (*b)->d_name); }

static void model_from(const char *name, json_t *spec, json_t *all) {
  json_t *base = json_object_get(spec, "extends") ? json_object_get(all, json_string_value(json_object_get(spec, "extends"))) : NULL;
  json_t *root = base ? base : spec;
  cqlb_model m;
  if (cqlb_model_new(S(name), &m)) die("model");
  cqlb_model_set_keyspace(m, S(KS));
  const char *table = json_string_value(json_object_get(root, "table"));
  cqlb_model_set_table(m, S(table));
  const char *disc = json_string_value(json_object_get(root, "discriminator"));
  json_t *lists[2] = {json_object_get(root, "columns"), base ? json_object_get(spec, "columns") : NULL};
  for (int l = 0; l < 2; l++) {
    size_t i;
    json_t *c;
    if (!lists[l]) continue;
    json_array_foreach(lists[l], i, c) {
      const char *cname = json_string_value(json_object_get(c, "name"));
      const char *type = json_string_value(json_object_get(c, "type"));
      const char *key = json_string_value(json_object_get(c, "key"));
      uint32_t k = !key ? 0 : !strcmp(key, "partition") ? 1 : !strcmp(key, "clustering") ? 2 : 3;
      uint32_t flags = json_is_true(json_object_get(c, "required")) ? CQLB_COLUMN_REQUIRED : 0;
      if (disc && !strcmp(disc, cname)) flags |= CQLB_COLUMN_DISCRIMINATOR;
      if (cqlb_model_add_column(m, S(cname), S(type), k, flags)) die("model column");
      const char *db = json_string_value(json_object_get(c, "db_field"));
      if (db) cqlb_model_set_column_db_field(m, S(cname), S(db));
      json_t *max = json_object_get(c, "max_length");
      if (max) cqlb_model_set_column_length(m, S(cname), 0, (size_t)json_integer_value(max));
    }
  }
  if (disc) {
    const char *value = base ? text_of(json_object_get(spec, "discriminator_value")) : NULL;
    if (cqlb_model_set_polymorphism(m, S(disc), value, value ? strlen(value) : 0)) die("polymorphism");
    const char *v;
    json_t *sub;
    json_object_foreach(json_object_get(root, "subtypes"), v, sub) {
      const char *sname = json_string_value(sub);
      cqlb_model_add_subtype(m, S(v), S(sname));
    }
  }
  bool changed;
  if (cqlb_session_sync_table(session, m, &changed)) die("sync_table");
  models[nmodels].name = strdup(name);
  models[nmodels++].model = m;
}

/* A new session to CQLB_CONTACT_POINTS (using `keyspace` when not NULL). */
static cqlb_status connect_to(const char *keyspace, cqlb_session *out) {
  const char *points = getenv("CQLB_CONTACT_POINTS");
  char buf[512];
  snprintf(buf, sizeof buf, "%s", points && *points ? points : "127.0.0.1");
  cqlb_cluster_config config;
  cqlb_cluster_config_new(&config);
  for (char *p = strtok(buf, ","); p; p = strtok(NULL, ",")) cqlb_cluster_config_add_contact_point(config, S(p));
  cqlb_cluster_config_set_connect_timeout_ms(config, 20000);
  if (keyspace) cqlb_cluster_config_set_keyspace(config, S(keyspace));
  cqlb_future f;
  cqlb_status st = cqlb_session_connect(config, &f);
  if (!st) {
    st = cqlb_future_wait(f);
    if (!st) st = cqlb_future_session(f, out);
    cqlb_future_free(f);
  }
  cqlb_cluster_config_free(config);
  return st;
}

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s <scenarios dir> <output file>\n", argv[0]);
    return 2;
  }
  if (connect_to(NULL, &session)) die("connect");
  cqlb_statement s;
  cqlb_result r;
  const char *ddl[] = {"DROP KEYSPACE IF EXISTS " KS,
                       "CREATE KEYSPACE " KS " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}"};
  for (int i = 0; i < 2; i++) {
    if (cqlb_statement_new(S(ddl[i]), &s) || cqlb_session_execute(session, s, &r)) die(ddl[i]);
    cqlb_result_free(r);
    cqlb_statement_free(s);
  }

  json_t *results = json_object();
  struct dirent **files;
  int nfiles = scandir(argv[1], &files, NULL, by_name);
  if (nfiles < 0) die("scenarios dir");
  for (int fi = 0; fi < nfiles; fi++) {
    const char *fname = files[fi]->d_name;
    size_t len = strlen(fname);
    if (len < 5 || strcmp(fname + len - 5, ".json")) {
      free(files[fi]);
      continue;
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", argv[1], fname);
    free(files[fi]);
    json_error_t err;
    json_t *doc = json_load_file(path, 0, &err);
    if (!doc) die(err.text);
    size_t i;
    json_t *item;
    json_array_foreach(json_object_get(doc, "schema"), i, item) {
      char *cql = subst(json_string_value(item));
      if (cqlb_statement_new(S(cql), &s) || cqlb_session_execute(session, s, &r)) die(cql);
      cqlb_result_free(r);
      cqlb_statement_free(s);
      free(cql);
    }
    const char *mname;
    json_t *spec;
    json_t *all_models = json_object_get(doc, "models");
    json_object_foreach(all_models, mname, spec) model_from(mname, spec, all_models);
    const char *group = json_string_value(json_object_get(doc, "group"));
    json_t *sc;
    json_array_foreach(json_object_get(doc, "scenarios"), i, sc) {
      json_t *outcomes = json_array();
      size_t j;
      json_t *step;
      json_array_foreach(json_object_get(sc, "steps"), j, step) json_array_append_new(outcomes, run_step(step));
      char key[512];
      snprintf(key, sizeof key, "%s/%s", group, json_string_value(json_object_get(sc, "name")));
      json_object_set_new(results, key, outcomes);
    }
    json_decref(doc);
  }
  free(files);
  json_t *out = json_object();
  json_object_set_new(out, "language", json_string("c"));
  json_object_set_new(out, "results", results);
  if (json_dump_file(out, argv[2], JSON_INDENT(1))) die("write output");
  json_decref(out);
  for (size_t i = 0; i < nprepared; i++) {
    cqlb_prepared_free(prepared_cache[i].prepared);
    free(prepared_cache[i].cql);
  }
  for (size_t i = 0; i < nmodels; i++) {
    cqlb_model_free(models[i].model);
    free(models[i].name);
  }
  cqlb_session_free(session);
  return 0;
}
