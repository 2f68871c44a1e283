/* unit.h - common includes for the cmocka unit tests. */
#ifndef R2R_UNIT_H
#define R2R_UNIT_H
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#endif
