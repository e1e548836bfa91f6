#!/bin/bash
# Ordinary work, run live by tests/live_rules.rs: none of it may raise an alert.
set -eu
W=${FALCORC_LIVE_DIR:?}/work
mkdir -p "$W"; cd "$W"
cat > hello.c <<'C'
#include <stdio.h>
int main(void) { printf("hello\n"); return 0; }
C
cat > Makefile <<'M'
hello: hello.c
	cc -O2 -o hello hello.c
M
make -s > /dev/null && ./hello > /dev/null
git init -q repo && cd repo && git config user.email t@example.com && git config user.name t
cp ../hello.c . && git add hello.c && git commit -qm first && git log --oneline > /dev/null && cd ..
tar czf src.tar.gz hello.c Makefile && tar xzf src.tar.gz -C repo && gzip -k hello.c && gunzip -c hello.c.gz > /dev/null
/usr/bin/python3 -c "import json, hashlib; print(hashlib.sha256(json.dumps({'a': list(range(1000))}).encode()).hexdigest())" > /dev/null
ls -la /etc > /dev/null; cat /etc/hostname /etc/os-release > /dev/null; grep -c root /etc/passwd > /dev/null
find "$W" -name '*.c' > /dev/null; ps aux > /dev/null; id > /dev/null; uname -a > /dev/null
dpkg -l coreutils > /dev/null 2>&1 || true
sort /etc/passwd | head -3 > /dev/null; sed -n 1p /etc/passwd > /dev/null; awk -F: '{print $1}' /etc/passwd > /dev/null
