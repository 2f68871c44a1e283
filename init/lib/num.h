/* num.h - numbers in options and files, without strtoull (2 KiB in a
 * static musl program). */
#ifndef R2R_NUM_H
#define R2R_NUM_H

/* Digits of a decimal number at s (no sign, no space): the value in *v and
 * the first character after them, or NULL if s does not start with a digit
 * or the value overflows. */
const char *num_decimal(const char *s, unsigned long long *v);

/* s is a whole decimal number from lo to hi: 0 and *v set, else -EINVAL. */
int num_in_range(const char *s, unsigned long long lo, unsigned long long hi,
		 unsigned long long *v);

#endif
