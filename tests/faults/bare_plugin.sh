#!/usr/bin/env bash
# --plugin NAME without a slash is the file in the current directory (not a library-path search);
# a name that is not there, or a system library, is refused clearly.
# Usage: bare_plugin.sh ADAPTLAB PLUGIN FIXTURES TMPDIR
source "$(dirname "$0")/lib.sh"
cp "$PLUGIN" "$TMP/my_method.so"
cd "$TMP"
expect 0 "fault " -- "$CLI" --plugin my_method.so list
expect 1 "cannot load plugin 'libz.so.1': no file 'libz.so.1' in the current directory \($TMP\)" -- "$CLI" --plugin libz.so.1 list
lib=$(ls /lib/x86_64-linux-gnu/libz.so.1 /usr/lib/x86_64-linux-gnu/libz.so.1 2>/dev/null | head -1)
expect 1 "refusing to load '$lib' as a plugin: it is a system library" -- "$CLI" --plugin "$lib" list
finish "bare plugin names are resolved in the current directory; system libraries refused"
