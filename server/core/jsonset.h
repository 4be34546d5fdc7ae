/* core/jsonset.h — setting an object's member whose key is written in the source.
 *
 * json_object_set_new measures the key and checks it is UTF-8 on every call; a thread page
 * sets some 600 members with keys that are string literals ("can_edit", "in_reply_to"),
 * known ASCII and of known length. JSON_SET takes the length at compile time and skips the
 * check (the "" around key refuses anything but a literal). */
#ifndef CORRAL_CORE_JSONSET_H
#define CORRAL_CORE_JSONSET_H

#include <jansson.h>

#define JSON_SET(o, key, v) json_object_setn_new_nocheck((o), "" key "", sizeof(key) - 1, (v))

#endif
