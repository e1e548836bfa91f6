# A Python workload: sqlite, JSON, hashing, a subprocess and a unit test.
set -e; D=$(mktemp -d /tmp/benign-py.XXXX); cd $D
cat > work.py <<'PY'
import json, sqlite3, hashlib, subprocess, os, tempfile, unittest
db = sqlite3.connect("data.db"); db.execute("create table t(k text, v int)")
db.executemany("insert into t values(?, ?)", [(str(i), i) for i in range(500)]); db.commit()
rows = db.execute("select sum(v) from t").fetchone()
with open("out.json", "w") as f: json.dump({"sum": rows[0], "h": hashlib.sha256(b"x").hexdigest()}, f)
subprocess.run(["ls", "-l"], stdout=subprocess.DEVNULL, check=True)
class T(unittest.TestCase):
    def test_sum(self): self.assertEqual(rows[0], sum(range(500)))
unittest.main(argv=["x"], exit=False, verbosity=0)
PY
/usr/bin/python3 work.py 2> /dev/null
cd /; rm -rf $D
