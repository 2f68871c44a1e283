/* cmdline.c - see cmdline.h.  Follows next_arg() in the kernel's
 * kernel/params.c so root2ram reads /proc/cmdline exactly as the kernel
 * parsed it, quotes included. */
#include <ctype.h>
#include <stddef.h>
#include <string.h>

#include "boot/cmdline.h"

static char *skip_spaces(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

/* One word starting at args; returns the start of the next. */
static char *next_arg(char *args, char **param, char **val)
{
	size_t i, equals = 0;
	int in_quote = 0, quoted = 0;
	char *next;

	if (*args == '"') {
		args++;
		in_quote = 1;
		quoted = 1;
	}
	for (i = 0; args[i]; i++) {
		if (isspace((unsigned char)args[i]) && !in_quote)
			break;
		if (equals == 0 && args[i] == '=')
			equals = i;
		if (args[i] == '"')
			in_quote = !in_quote;
	}
	*param = args;
	if (!equals) {
		*val = NULL;
	} else {
		args[equals] = '\0';
		*val = args + equals + 1;
		/* Don't include quotes in value. */
		if (**val == '"') {
			(*val)++;
			if (i > 0 && args[i - 1] == '"')
				args[i - 1] = '\0';
		}
	}
	if (quoted && i > 0 && args[i - 1] == '"')
		args[i - 1] = '\0';
	if (args[i]) {
		args[i] = '\0';
		next = args + i + 1;
	} else {
		next = args + i;
	}
	return skip_spaces(next);
}

int cmdline_split(char *buf, cmdline_fn fn, void *ctx)
{
	char *args = skip_spaces(buf), *param, *val;
	int after = 0, r;

	while (*args) {
		args = next_arg(args, &param, &val);
		if (!after && !val && strcmp(param, "--") == 0) {
			after = 1;
			continue;
		}
		r = fn(param, val, after, ctx);
		if (r)
			return r;
	}
	return 0;
}

const char *cmdline_match(const char *name, const char *prefix)
{
	for (; *prefix; name++, prefix++) {
		char a = *name == '-' ? '_' : *name;
		char b = *prefix == '-' ? '_' : *prefix;
		if (a != b)
			return NULL;
	}
	return name;
}
