/* Who runscope runs as, seen from the host: its user namespace's uid map, and the subordinate ids
 * /etc/subuid and /etc/subgid give a user. Return -errno, never log. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* From a uid_map's text ("inside outside count" lines): whether it is the initial namespace's
 * identity map of every id, and what id maps to outside (-ENOENT when the map does not hold it). */
bool userns_map_is_identity(const char *map);
int userns_map_outside(const char *map, uint32_t id, uint32_t *ret);
/* Whether runscope is in the initial user namespace (/proc/self/uid_map is the identity of every
 * uid); read once. */
bool userns_is_initial(void);
/* The uid runscope's effective uid is outside its user namespace (the parent's view; the uid itself
 * in the initial namespace). Read once. */
uid_t userns_outer_uid(void);
/* The first range of subordinate ids that file (/etc/subuid or /etc/subgid) gives the user, by name
 * or by number; -ENOENT when it gives none (or there is no file). */
int userns_subid_range(const char *file, const char *name, uint32_t id, uint32_t *ret_start, uint32_t *ret_count);
/* The same from the file's text. */
int userns_subid_parse(const char *text, const char *name, uint32_t id, uint32_t *ret_start, uint32_t *ret_count);
