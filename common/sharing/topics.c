/* Look-ups in the compiled-in topic list. */
#include <string.h>

#include "sharing/topics.h"

int topics_known(const char *name)
{
	int i;

	for (i = 0; topics_all[i] != NULL; i++) {
		if (strcmp(topics_all[i], name) == 0)
			return 1;
	}
	return 0;
}
