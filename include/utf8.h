/*
 * utf8.h - well-formed UTF-8, the one definition every module checks
 * against: no overlong forms, no surrogates, nothing above U+10FFFF, no
 * sequence cut short.
 */
#ifndef TOUCHBASE_UTF8_H
#define TOUCHBASE_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Length in bytes (1..4) of the well-formed character that starts s and
 * ends within its first n bytes, or 0 when there is none.  It stops at
 * the first byte that is not a continuation byte, so a NUL-terminated s
 * may pass n = 4.  With cp not NULL, *cp gets the code point (set only
 * when the length is not 0). */
size_t	utf8_char(const unsigned char *s, size_t n, uint32_t *cp);
/* Whether all n bytes of s are well-formed UTF-8. */
bool	utf8_valid(const char *s, size_t n);

#endif
