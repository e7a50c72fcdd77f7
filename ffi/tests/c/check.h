/* A minimal test harness for the C suite: CHECK and CHECK_OK count failures and say where. */
#ifndef CQLB_CHECK_H
#define CQLB_CHECK_H

#include <stdio.h>
#include <string.h>

#include "cqlbridge.h"

static int checks_passed = 0;
static int checks_failed = 0;

static inline void print_last_error(void) {
  const char *msg = NULL;
  size_t len = 0;
  if (cqlb_last_error_message(&msg, &len) == CQLB_OK && len > 0) {
    fprintf(stderr, "    last error: %.*s\n", (int)len, msg);
  }
}

#define CHECK(cond)                                                                      \
  do {                                                                                   \
    if (cond) {                                                                          \
      checks_passed++;                                                                   \
    } else {                                                                             \
      checks_failed++;                                                                   \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond);           \
    }                                                                                    \
  } while (0)

#define CHECK_STATUS(expr, expected)                                                     \
  do {                                                                                   \
    cqlb_status got_ = (expr);                                                           \
    if (got_ == (expected)) {                                                            \
      checks_passed++;                                                                   \
    } else {                                                                             \
      checks_failed++;                                                                   \
      fprintf(stderr, "%s:%d: %s returned %s, expected %s\n", __FILE__, __LINE__, #expr, \
              cqlb_status_name(got_), cqlb_status_name(expected));                       \
      print_last_error();                                                                \
    }                                                                                    \
  } while (0)

#define CHECK_OK(expr) CHECK_STATUS(expr, CQLB_OK)

#define S(literal) literal, strlen(literal)

/* Whether the (ptr, len) text, not NUL-terminated, contains `needle`. */
static inline int contains(const char *text, size_t len, const char *needle) {
  size_t n = strlen(needle);
  for (size_t i = 0; i + n <= len; i++) {
    if (memcmp(text + i, needle, n) == 0) return 1;
  }
  return 0;
}

/* The closing line CI reads: "N passed, N failed". */
static inline int finish(const char *suite) {
  printf("%s: %d passed, %d failed\n", suite, checks_passed, checks_failed);
  return checks_failed == 0 ? 0 : 1;
}

#endif
