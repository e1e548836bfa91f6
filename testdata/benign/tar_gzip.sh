# tar and gzip: archives created, extracted, listed, compressed and decompressed.
set -e; D=$(mktemp -d /tmp/benign-tar.XXXX); cd $D
cp -r /usr/share/doc/bash src 2>/dev/null || mkdir src; seq 10000 > src/numbers.txt
tar czf src.tar.gz src && mkdir out && tar xzf src.tar.gz -C out && gzip -k src/numbers.txt && gunzip -c src/numbers.txt.gz > /dev/null
tar cf - src | gzip -9 > again.tgz && zcat again.tgz | tar tf - > /dev/null
cd /; rm -rf $D
