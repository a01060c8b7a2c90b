/* SPDX-License-Identifier: GPL-2.0 */
/*
 * number.h - the one parser of numbers given on the command line, in
 * scenario files and in --set: decimal notation only, the same everywhere.
 */
#ifndef SNAP_NUMBER_H
#define SNAP_NUMBER_H

#include <stdbool.h>

/**
 * parse_whole() - a whole number: decimal digits only
 * @text: the text; no sign, space, '+', or 0x prefix
 * @max: the largest value accepted
 * @out: the value, set only on success
 *
 * "0x10", "-0", " 1" and "1e3" are not whole numbers.
 *
 * Returns: 0, -EINVAL for text that is not a whole number, or -ERANGE for
 * one above @max.
 */
int parse_whole(const char *text, unsigned long long max, unsigned long long *out);

/**
 * parse_decimal() - a finite number in decimal notation
 * @text: [-]D[.D][e[+-]D] or [-].D[e[+-]D], D one or more digits; no space,
 *	'+' sign, hexadecimal, inf or nan
 * @out: the value, set only on success
 * @negative: set to whether @text has a leading minus, so that a caller
 *	that takes no negative number can refuse "-0" (whose value is not
 *	below 0)
 *
 * Returns: 0, or -EINVAL for text that is not such a number or whose value
 * is not finite.
 */
int parse_decimal(const char *text, double *out, bool *negative);

#endif /* SNAP_NUMBER_H */
