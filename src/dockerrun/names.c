/* Sorted names: how the validator and the renderer find a container or a
 * volume by name in log n, whatever the size of the file. */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

static int dr_name_cmp(const void *a, const void *b)
{
	const struct dr_name *x = a, *y = b;
	int k = strcmp(x->name, y->name);
	return k ? k : (x->idx < y->idx ? -1 : x->idx > y->idx);
}

void dr_names_sort(struct dr_name *v, size_t n)
{
	if (n > 1)
		qsort(v, n, sizeof(*v), dr_name_cmp);
}

long dr_names_find(const struct dr_name *v, size_t n, const char *name)
{
	size_t lo = 0, hi = n;
	if (!name)
		return -1;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strcmp(v[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && strcmp(v[lo].name, name) == 0 ? (long)lo : -1;
}
