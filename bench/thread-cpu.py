#!/usr/bin/env python3
"""CPU-s per thread of one `migrator bundle create` (or any command), read from /proc/PID/task/*/stat every 20 ms
while it runs.

Usage: bench/thread-cpu.py JAR DATA_DIR     (e.g. bench/out/bundle-small, made by bench/bundle-vs-tar.sh)
       bench/thread-cpu.py -- COMMAND ...   (e.g. -- java -jar migrator.jar copy s3://a/?... s3://b/?...)
Threads are grouped by name; threads named `java` are the main (archive) thread, the launcher's thread and zstd's
native workers. A thread that ends between two polls loses its last 20 ms.
"""
import collections, os, shutil, subprocess, sys, tempfile, time

work = tempfile.mkdtemp(prefix="thread-cpu-")
if sys.argv[1] == "--":
    command, jar, data = sys.argv[2:], "command", " ".join(sys.argv[2:])[:60]
else:
    jar, data = sys.argv[1], sys.argv[2]
    command = ["java", "-jar", jar, "bundle", "create", data, "--to", work + "/b", "--state", work + "/s", "-q"]
try:
    p = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    hz = os.sysconf("SC_CLK_TCK")
    last = {}
    t0 = time.time()
    while p.poll() is None:
        try:
            for tid in os.listdir(f"/proc/{p.pid}/task"):
                try:
                    s = open(f"/proc/{p.pid}/task/{tid}/stat").read()
                    name = s[s.index("(") + 1:s.rindex(")")]
                    f = s[s.rindex(")") + 2:].split()
                    last[tid] = (name, (int(f[11]) + int(f[12])) / hz)  # utime + stime
                except OSError:
                    pass
        except OSError:
            pass
        time.sleep(0.02)
    wall = time.time() - t0
    by = collections.defaultdict(float)
    for name, cpu in last.values():
        by["JIT compilers" if "Compiler" in name else "GC" if name.startswith(("GC ", "G1 ")) else name] += cpu
    print(f"{os.path.basename(jar)} {os.path.basename(data)} rc={p.returncode} wall={wall:.2f} total={sum(by.values()):.2f} "
          + " ".join(f"{k}={v:.2f}" for k, v in sorted(by.items(), key=lambda x: -x[1])[:9]))
finally:
    shutil.rmtree(work, ignore_errors=True)
