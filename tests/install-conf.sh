#!/bin/sh
# install-conf.sh SRC_CONF_DIR DEST_DIR
#
# Used by `make install`: copies the example configuration (touchbase.ini,
# clients.conf and everything under templates/) from SRC_CONF_DIR into
# DEST_DIR (e.g. $(DESTDIR)/etc/touchbase), but only files that do not
# exist there yet: the owner's configuration, book and templates are never
# overwritten.  Folders get mode 0755, files 0644.  Prints one line per
# file installed or kept.  Exit status 0, or 1 when the source is
# incomplete or a copy fails.
set -u

if [ $# -ne 2 ]; then
	echo "usage: sh install-conf.sh SRC_CONF_DIR DEST_DIR" >&2
	exit 2
fi
src=$1
dest=$2

for f in touchbase.ini clients.conf templates; do
	if [ ! -e "$src/$f" ]; then
		echo "install-conf: $src/$f is missing; nothing installed" >&2
		exit 1
	fi
done

# copy_one SRC DST: installs SRC as DST unless DST exists.
copy_one() {
	if [ -e "$2" ] || [ -L "$2" ]; then
		echo "kept      $2 (exists; not overwritten)"
		return 0
	fi
	install -d -m 755 "$(dirname "$2")" &&
	install -m 644 "$1" "$2" &&
	echo "installed $2"
}

install -d -m 755 "$dest" "$dest/templates" || exit 1
copy_one "$src/touchbase.ini" "$dest/touchbase.ini" || exit 1
copy_one "$src/clients.conf" "$dest/clients.conf" || exit 1
# Template names are plain (name.lang[.n].txt, .html, images); a name
# with a newline would not survive this loop and is refused by touchbase
# anyway.
(cd "$src/templates" && find . -type f | LC_ALL=C sort) |
while IFS= read -r f; do
	f=${f#./}
	copy_one "$src/templates/$f" "$dest/templates/$f" || exit 1
done || exit 1
exit 0
