/* libc functions that this code does not call, turned into compile errors with a readable
 * name (git's banned.h): a use of strcpy fails with "sorry_strcpy_is_a_banned_function
 * undeclared". Each has a bounded or checked replacement, named below.
 *
 * The build force-includes this header into every C file (-include, top-level CMakeLists.txt),
 * so no file can forget it. The macros would break the libc declarations if those came later,
 * so the header first includes the libc headers that declare the banned names; their include
 * guards make each file's own later #include of them a no-op. _GNU_SOURCE comes from the
 * compiler command line, so these early includes see the same feature macros as the file. */
#ifndef VELA_BANNED_H
#define VELA_BANNED_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BANNED(func) sorry_##func##_is_a_banned_function

/* Unbounded copies: use snprintf, or memcpy with a length checked against the buffer, or a
 * strbuf (base/strbuf.h). strncpy/strncat leave the result unterminated or are easy to size
 * wrongly. */
#undef strcpy
#define strcpy(x, y) BANNED(strcpy)
#undef strcat
#define strcat(x, y) BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) BANNED(strncat)

/* Unbounded formatting: use snprintf/vsnprintf (and check for truncation) or strbuf_addf. */
#undef sprintf
#define sprintf(...) BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) BANNED(vsprintf)

/* No error reporting, undefined behaviour on overflow: use strtol/strtoll/strtod and check
 * the end pointer and errno. */
#undef atoi
#define atoi(x) BANNED(atoi)
#undef atol
#define atol(x) BANNED(atol)
#undef atoll
#define atoll(x) BANNED(atoll)
#undef atof
#define atof(x) BANNED(atof)

/* Cannot be used safely at all. */
#undef gets
#define gets(x) BANNED(gets)
#undef tmpnam
#define tmpnam(x) BANNED(tmpnam)
#undef mktemp
#define mktemp(x) BANNED(mktemp)

/* Hidden static state, not thread-safe: use strtok_r, gmtime_r, localtime_r, strftime. */
#undef strtok
#define strtok(x, y) BANNED(strtok)
#undef gmtime
#define gmtime(x) BANNED(gmtime)
#undef localtime
#define localtime(x) BANNED(localtime)
#undef ctime
#define ctime(x) BANNED(ctime)
#undef asctime
#define asctime(x) BANNED(asctime)
/* Write into a buffer of unstated size: use strftime. */
#undef ctime_r
#define ctime_r(x, y) BANNED(ctime_r)
#undef asctime_r
#define asctime_r(x, y) BANNED(asctime_r)

#endif
