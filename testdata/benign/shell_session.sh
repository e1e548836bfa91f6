# A shell session: listing, reading and searching system files, ps, df, text tools, package queries.
D=$(mktemp -d /tmp/benign-sh.XXXX); cd $D
ls -la /etc > /dev/null; cat /etc/os-release /etc/hostname > /dev/null; grep -c root /etc/passwd > /dev/null
find /usr/share/doc -maxdepth 1 -name 'g*' > /dev/null; ps aux > /dev/null; df -h > /dev/null; du -sh /usr/share/doc > /dev/null 2>&1
id > /dev/null; uname -a > /dev/null; date > /dev/null; env > /dev/null; which ls > /dev/null
sort /etc/passwd | head -3 > /dev/null; cut -d: -f1 /etc/passwd | wc -l > /dev/null; sed -n 1p /etc/passwd > /dev/null; awk -F: '{print $7}' /etc/passwd | sort -u > /dev/null
echo "notes" > notes.txt; cp notes.txt notes.bak; mv notes.bak notes.old; rm notes.old; mkdir sub; rmdir sub; ln -s notes.txt link; readlink link > /dev/null
dpkg -l coreutils > /dev/null 2>&1; apt-cache policy coreutils > /dev/null 2>&1; dpkg -S /bin/ls > /dev/null 2>&1
cd /; rm -rf $D
