// SPDX-License-Identifier: GPL-2.0
/*
 * number.c - decimal numbers for every option, scenario key and --set:
 * strtoul()/strtod() alone take hex, signs, spaces, inf and nan.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "lib/number.h"

static const char *skip_digits(const char *p)
{
	while (isdigit((unsigned char)*p))
		p++;
	return p;
}

int parse_whole(const char *text, unsigned long long max, unsigned long long *out)
{
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*text) || *skip_digits(text))
		return -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno == ERANGE || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int parse_decimal(const char *text, double *out, bool *negative)
{
	const char *p = text, *mant;
	char *end;
	double v;

	*negative = *p == '-';
	if (*negative)
		p++;
	mant = p;
	p = skip_digits(p);
	if (*p == '.')
		p = skip_digits(p + 1);
	/* At least one digit before or after the point. */
	if (p == mant || (p == mant + 1 && *mant == '.'))
		return -EINVAL;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (!isdigit((unsigned char)*p))
			return -EINVAL;
		p = skip_digits(p);
	}
	if (*p)
		return -EINVAL;
	errno = 0;
	v = strtod(text, &end);
	if (*end || !isfinite(v) || (errno == ERANGE && fabs(v) > 1))
		return -EINVAL;
	*out = v;
	return 0;
}
