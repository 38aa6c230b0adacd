"""The load harness of issue 13 (run it through scripts/bench-load, which builds the binaries first).

It starts its own redis-server and `usher serve --redis-url` on 127.0.0.1 and the ceiling app, sets up the sites,
and runs with wrk:
  (a) full-site polls: random new visitors at a site whose 50 slots are held, so nearly every poll is withheld;
  (b) a decision mix that must reach Redis (Benchmarks/load/mix.lua states its proportions);
  (c) the ceiling app (Benchmarks/Ceiling): the same requests, a fixed answer, no auth and no Redis;
alternating (a), (b), (c) for --runs rounds, and prints medians. Then, each when its option asks: a profile of
Usher under (a) (--profile), a soak of (b) with Usher's resident size (--soak-seconds), (b) at each --team-sizes (a
fresh Redis and Usher for each), Redis bytes per agent, hold, chat and waiting chat (--memory), and Usher's heap
allocations per request (--count-allocations). Every site here has no rate limits and no per-address caps: all of wrk's
load comes from 127.0.0.1, so limits would measure 429s. Traffic goes to 127.0.0.1 only and every run stops by
itself. Each timed run holds --lock (flock) so that runs of others on the same machine do not overlap it.
"""

import argparse
import concurrent.futures
import fcntl
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ADMIN = "bench-admin"
TICKS = os.sysconf("SC_CLK_TCK")
# Zero is "no limit" for each of these (see the site settings in the README).
NO_LIMITS = {"siteRequestsPerSecond": 0, "addressRequestsPerMinute": 0, "addressMaxHolds": 0, "addressMaxOpenChats": 0}


def free_port():
    return int(subprocess.check_output([os.path.join(ROOT, "scripts", "free-port")], text=True))


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class Client:
    """One keep-alive HTTP connection per thread, for setup."""

    def __init__(self, port):
        self.port = port
        self.local = threading.local()

    def call(self, method, path, body=None, token=ADMIN, expect=(200, 201, 204)):
        headers = {"Authorization": f"Bearer {token}"}
        data = None
        if body is not None:
            data = json.dumps(body)
            headers["Content-Type"] = "application/json"
        # Usher closes idle connections, so a kept one may be gone: then once more on a new connection.
        for attempt in range(2):
            connection = getattr(self.local, "connection", None)
            if connection is None:
                connection = self.local.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            try:
                connection.request(method, path, body=data, headers=headers)
                response = connection.getresponse()
                text = response.read().decode()
                break
            except ConnectionError:
                connection.close()
                self.local.connection = None
                if attempt == 1:
                    raise
        if response.status not in expect:
            raise RuntimeError(f"{method} {path}: {response.status} {text}")
        return json.loads(text) if text else None


class Redis:
    def __init__(self, work):
        self.port = free_port()
        self.dir = os.path.join(work, f"redis-{self.port}")
        os.makedirs(self.dir)
        subprocess.check_call([
            "redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--dir", self.dir, "--save", "",
            "--appendonly", "no", "--daemonize", "yes", "--pidfile", os.path.join(self.dir, "pid"),
            "--logfile", os.path.join(self.dir, "log"),
        ])
        for _ in range(100):
            if subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        with open(os.path.join(self.dir, "pid")) as pid:
            self.pid = int(pid.read())

    def cli(self, *arguments):
        return subprocess.check_output(["redis-cli", "-p", str(self.port), *arguments], text=True)

    def info(self, section):
        values = {}
        for line in self.cli("info", section).splitlines():
            if ":" in line and not line.startswith("#"):
                key, value = line.strip().split(":", 1)
                values[key] = value
        return values

    def commandstats(self):
        stats = {}
        for key, value in self.info("commandstats").items():
            fields = dict(part.split("=") for part in value.split(","))
            stats[key.removeprefix("cmdstat_")] = {"calls": int(fields["calls"]), "usec": int(fields["usec"])}
        return stats

    def stop(self):
        subprocess.run(["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True)


class Cluster:
    """A Redis Cluster of `primaries` primaries on loopback (scripts/redis-cluster), standing in for `Redis`: `cli`
    runs on every primary, `commandstats` sums theirs."""

    def __init__(self, work, primaries):
        self.dir = os.path.join(work, f"cluster-{free_port()}")
        script = os.path.join(HERE, "..", "..", "scripts", "redis-cluster")
        self.seeds = subprocess.check_output([script, "start", self.dir, str(primaries)], text=True).strip()
        self.ports = [int(seed.split(":")[1]) for seed in self.seeds.split(",")]
        self.pids = {}
        for port in self.ports:
            with open(os.path.join(self.dir, f"node-{port}", "redis.pid")) as pid:
                self.pids[port] = int(pid.read())
        self.pid = self.pids[self.ports[0]]
        self.script = script

    def cli(self, *arguments):
        return [subprocess.check_output(["redis-cli", "-p", str(port), *arguments], text=True) for port in self.ports][0]

    def commandstats(self):
        stats = {}
        for port in self.ports:
            for line in subprocess.check_output(["redis-cli", "-p", str(port), "info", "commandstats"], text=True).splitlines():
                if not line.startswith("cmdstat_"):
                    continue
                key, value = line.strip().split(":", 1)
                fields = dict(part.split("=") for part in value.split(","))
                entry = stats.setdefault(key.removeprefix("cmdstat_"), {"calls": 0, "usec": 0})
                entry["calls"] += int(fields["calls"])
                entry["usec"] += int(fields["usec"])
        return stats

    def keys(self):
        return [int(subprocess.check_output(["redis-cli", "-p", str(port), "dbsize"], text=True)) for port in self.ports]

    def stop(self):
        subprocess.run([self.script, "stop", self.dir], capture_output=True)


class Server:
    """A process we started: Usher or the ceiling."""

    def __init__(self, command, log, port, environment=None):
        self.port = port
        self.log = open(log, "w")
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT,
                                        env={**os.environ, **(environment or {})})
        self.pid = self.process.pid

    def wait_ready(self, path):
        for _ in range(300):
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
                connection.request("GET", path)
                if connection.getresponse().status < 500:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"not ready on port {self.port}")

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


class Deployment:
    """A fresh Redis and Usher."""

    def __init__(self, options, work, environment=None, primaries=0):
        self.options = options
        self.redis = Cluster(work, primaries) if primaries else Redis(work)
        port = free_port()
        where = ["--redis-cluster", self.redis.seeds] if primaries else ["--redis-url", f"redis://127.0.0.1:{self.redis.port}/0"]
        command = [options.binary, "serve", "--port", str(port), "--admin-token", ADMIN, *where]
        if options.log_level:
            command += ["--log-level", options.log_level]
        self.usher = Server(command, os.path.join(work, f"usher-{port}.log"), port, environment)
        self.usher.wait_ready("/readyz")
        self.client = Client(port)

    def parallel(self, function, items):
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
            return list(pool.map(function, items))

    def site(self, name, settings):
        self.client.call("PUT", f"/v1/sites/{name}", {**NO_LIMITS, **settings})
        return self.client.call("POST", f"/v1/sites/{name}/tokens", {"role": "website"})["token"]

    def agents(self, site, count, max_chats, tokens_file=None):
        """Puts `count` agents online; with tokens_file, issues each an agent token and writes "agent token" lines."""
        names = [f"a{i}" for i in range(1, count + 1)]
        body = {"status": "available", "maxChats": max_chats, "session": "bench"}
        self.parallel(lambda name: self.client.call("PUT", f"/v1/sites/{site}/agents/{name}/presence", body), names)
        if tokens_file:
            tokens = self.parallel(
                lambda name: self.client.call("POST", f"/v1/sites/{site}/tokens", {"role": "agent", "agent": name})["token"],
                names)
            with open(tokens_file, "w") as lines:
                for name, token in zip(names, tokens):
                    lines.write(f"{name} {token}\n")

    def full_site(self):
        """(a)'s site: 10 agents of 5 slots, all 50 held by invitations that outlive the runs."""
        token = self.site("full", {"holdSeconds": 3600, "heartbeatSeconds": 3600})
        self.agents("full", 10, 5)
        issued = 0
        for i in range(60):
            reply = self.client.call("POST", "/v1/sites/full/invitations", {"visitor": f"filler{i}"}, token=token)
            issued += reply["decision"] == "invite"
        if issued != 50:
            raise RuntimeError(f"full site: {issued} invitations issued, expected 50")
        return token

    def mix_site(self, name, agents, work):
        """(b)'s site: `agents` agents of 50 slots in the default queue, each with its own token for heartbeats."""
        token = self.site(name, {"heartbeatSeconds": 3600, "maxWaiting": 10000})
        tokens_file = os.path.join(work, f"agents-{name}")
        self.agents(name, agents, 50, tokens_file)
        ops = self.client.call("POST", f"/v1/sites/{name}/tokens", {"role": "ops"})["token"]
        return {"site": name, "token": token, "ops": ops, "agents": tokens_file}

    def clean_up_mix(self, mix, left):
        """Ends the chats and declines the invitations that the stopped wrk threads left open."""
        for kind, *fields in left:
            if kind == "chat":
                self.client.call("POST", f"/v1/sites/{mix['site']}/chats/{fields[0]}/end", token=mix["ops"])
            else:
                self.client.call("POST", f"/v1/sites/{mix['site']}/invitations/{fields[0]}/decline",
                                 {"visitor": fields[1]}, token=mix["token"], expect=(204, 404, 409, 410))

    def stop(self):
        self.usher.stop()
        self.redis.stop()


class Lock:
    def __init__(self, path):
        self.path = path

    def __enter__(self):
        self.file = open(self.path, "a") if self.path else None
        if self.file:
            fcntl.flock(self.file, fcntl.LOCK_EX)

    def __exit__(self, *_):
        if self.file:
            fcntl.flock(self.file, fcntl.LOCK_UN)
            self.file.close()


def run_wrk(options, name, port, script, threads, connections, seconds, environment, processes, redis=None,
            profile=None, sample_rss=None, allocations=None, timeout="10s"):
    """One timed wrk run; returns wrk's summary plus CPU per request of each process and Redis's command stats."""
    command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--timeout", timeout,
               "-s", os.path.join(HERE, script), f"http://127.0.0.1:{port}"]
    env = {**os.environ, "USHER_BENCH_LUA": HERE, **environment}
    with Lock(options.lock):
        if redis:
            redis.cli("config", "resetstat")
        before = {label: cpu_seconds(pid) for label, pid in processes.items()}
        allocated = read_count(allocations) if allocations else 0
        perf = None
        if profile:
            perf = subprocess.Popen(["perf", "record", "-F", "999", "-g", "-o", profile, "-p", str(processes["usher"])],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        rss = []
        started = time.monotonic()
        wrk = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        # wait4 rather than Popen's wait, for wrk's own CPU time; wrk prints little, so its pipe cannot fill.
        while True:
            pid, status, usage = os.wait4(wrk.pid, os.WNOHANG if sample_rss else 0)
            if pid:
                break
            rss.append((round(time.monotonic() - started), rss_kib(sample_rss)))
            time.sleep(min(30, seconds / 10))
        wrk.returncode = os.waitstatus_to_exitcode(status)
        output = wrk.stdout.read()
        if perf:
            perf.send_signal(signal.SIGINT)
            perf.wait()
        after = {label: cpu_seconds(pid) for label, pid in processes.items()}
        if allocations:
            time.sleep(0.05)
            allocated = read_count(allocations) - allocated
        stats = redis.commandstats() if redis else {}
    if sample_rss:
        rss.append((round(time.monotonic() - started), rss_kib(sample_rss)))
    line = next((line for line in output.splitlines() if line.startswith("BENCH ")), None)
    if wrk.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed for {name}:\n{output}")
    result = json.loads(line[len("BENCH "):])
    requests = max(1, result["requests"])
    result["name"] = name
    result["rps"] = result["requests"] / result["seconds"]
    result["errors"] = sum(result[key] for key in ("connectErrors", "readErrors", "writeErrors", "timeouts"))
    result["cpu"] = {label: (after[label] - before[label]) * 1e6 / requests for label in processes}
    result["cpu"]["wrk"] = (usage.ru_utime + usage.ru_stime) * 1e6 / requests
    if redis:
        evalsha = stats.get("evalsha", {"calls": 0, "usec": 0})
        result["evalshaUsecPerCall"] = evalsha["usec"] / max(1, evalsha["calls"])
        result["evalshaPerRequest"] = evalsha["calls"] / requests
        result["redisUsecPerRequest"] = sum(stat["usec"] for stat in stats.values()) / requests
        result["commands"] = stats
    if allocations:
        result["allocationsPerRequest"] = allocated / requests
    result["left"] = [line.split()[1:] for line in output.splitlines() if line.startswith("LEFT ")]
    result["rss"] = rss
    return result


def capacity_cost(options, work):
    """Redis time of one capacity script at a site of --capacity-agents agents, from SLOWLOG with every command
    logged: the sampler's read (no agent listed; every 5 s per site and instance) and the ops view (GET .../capacity,
    the first 200 agents by id listed)."""
    deployment = Deployment(options, work)
    try:
        started = time.monotonic()
        deployment.mix_site("cap", options.capacity_agents, work)
        setup = time.monotonic() - started
        redis = deployment.redis
        redis.cli("config", "set", "slowlog-log-slower-than", "0")
        redis.cli("config", "set", "slowlog-max-len", "100000")
        redis.cli("slowlog", "reset")
        for _ in range(20):
            deployment.client.call("GET", "/v1/sites/cap/capacity")
        time.sleep(11)  # at least two of the sampler's reads
        entries = json.loads(redis.cli("--json", "slowlog", "get", "100000"))
        # EVALSHA sha 1 key, then the prelude's 12 and the capacity script's 5 (leaseMilliseconds, listedAgents,
        # agentsAfter, correctedAgents, foldMinutes), as the admin: the sampler leases (> 0) and lists none; the view
        # leases nothing and lists 200.
        calls = [(entry[3][-5:-2], entry[2]) for entry in entries
                 if len(entry[3]) == 21 and entry[3][0].upper() == "EVALSHA" and entry[3][4] == "admin"]
        sampler = sorted(us for (lease, listed, _), us in calls if listed == "0" and lease != "0")
        view = sorted(us for (lease, listed, _), us in calls if listed != "0" and lease == "0")
        print(f"\n### The capacity script at {options.capacity_agents:,} agents (set up in {setup:.1f} s; SLOWLOG, µs of "
              "Redis per call)\n")
        print("| read | calls | median µs | max µs |")
        print("| --- | --- | --- | --- |")
        for name, durations in (("the sampler's (no agent listed)", sampler), ("GET capacity (200 agents listed)", view)):
            if durations:
                print(f"| {name} | {len(durations)} | {durations[len(durations) // 2]:,} | {durations[-1]:,} |")
            else:
                print(f"| {name} | 0 | – | – |")
    finally:
        deployment.stop()


def read_count(path):
    with open(path) as file:
        return int(file.read())


def count_allocations(options, work):
    """Heap allocations per request of Usher under (a) and (b), by Benchmarks/load/malloc-count.c preloaded into a
    fresh Usher (a count, so the machine's load does not move it)."""
    shim = os.path.join(work, "malloc-count.so")
    subprocess.check_call(["cc", "-O2", "-shared", "-fPIC", "-o", shim, os.path.join(HERE, "malloc-count.c"), "-lpthread"])
    counts = os.path.join(work, "allocations")
    deployment = Deployment(options, work, {"LD_PRELOAD": shim, "USHER_MALLOC_COUNT_FILE": counts})
    try:
        token = deployment.full_site()
        mix = deployment.mix_site("mix", options.mix_agents, work)
        processes = {"usher": deployment.usher.pid, "redis": deployment.redis.pid}
        polls = run_wrk(options, "(a)", deployment.usher.port, "poll.lua", 1, options.connections, options.seconds,
                        {"USHER_BENCH_TOKEN": token, "USHER_BENCH_PATH": "/v1/sites/full/invitations"}, processes,
                        deployment.redis, allocations=counts)
        decisions = run_wrk(options, "(b)", deployment.usher.port, "mix.lua", options.mix_connections,
                            options.mix_connections, options.seconds, mix_environment(mix), processes, deployment.redis,
                            allocations=counts)
        deployment.clean_up_mix(mix, decisions["left"])
        print("\n### Heap allocations per request in Usher (malloc, calloc, realloc and the aligned ones; "
              "Benchmarks/load/malloc-count.c)\n")
        print(f"(a) full-site poll: {polls['allocationsPerRequest']:.0f}; (b) the mix: {decisions['allocationsPerRequest']:.0f}")
    finally:
        deployment.stop()


def median(results, key):
    values = [key(result) for result in results if key(result) is not None]
    return statistics.median(values) if values else None


def cell(value, digits=0):
    if value is None:
        return "–"
    return f"{value:,.{digits}f}"


def print_table(title, groups, ceiling_rps):
    print(f"\n### {title}\n")
    print("| scenario | runs | requests/s | p50 ms | p99 ms | p99.9 ms | errors, non-2xx | Usher µs/req | "
          "Redis µs/req | ceiling µs/req | wrk µs/req | EVALSHA/req | EVALSHA µs/call | Redis µs/req in commands | "
          "ratio to ceiling |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, results in groups:
        rps = median(results, lambda r: r["rps"])
        bad = sum(r["errors"] + r["statusErrors"] for r in results)
        bad += sum(sum(e["non2xx"] for e in r.get("endpoints", {}).values()) for r in results)
        ratio = rps / ceiling_rps if ceiling_rps else None
        print(f"| {name} | {len(results)} | {cell(rps)} | {cell(median(results, lambda r: r['p50'] / 1e3), 3)} | "
              f"{cell(median(results, lambda r: r['p99'] / 1e3), 2)} | {cell(median(results, lambda r: r['p999'] / 1e3), 2)} | "
              f"{bad} | {cell(median(results, lambda r: r['cpu'].get('usher')), 1)} | "
              f"{cell(median(results, lambda r: r['cpu'].get('redis')), 1)} | "
              f"{cell(median(results, lambda r: r['cpu'].get('ceiling')), 1)} | {cell(median(results, lambda r: r['cpu']['wrk']), 1)} | "
              f"{cell(median(results, lambda r: r.get('evalshaPerRequest')), 2)} | "
              f"{cell(median(results, lambda r: r.get('evalshaUsecPerCall')), 1)} | "
              f"{cell(median(results, lambda r: r.get('redisUsecPerRequest')), 1)} | {cell(ratio, 2)} |")


def print_endpoints(title, results):
    names = sorted({name for r in results for name in r.get("endpoints", {})})
    if not names:
        return
    print(f"\n{title} per endpoint (the mix's own accounting in wrk, from building a request to its reply; "
          "medians of the runs):\n")
    print("| endpoint | share | p50 ms | p99 ms | p99.9 ms | non-2xx |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name in names:
        rows = [r["endpoints"][name] for r in results if name in r["endpoints"]]
        share = median(results, lambda r: r["endpoints"].get(name, {"requests": 0})["requests"] / max(1, r["requests"]))
        print(f"| {name} | {cell(share * 100, 1)} % | {cell(median(rows, lambda e: e['p50'] / 1e3), 3)} | "
              f"{cell(median(rows, lambda e: e['p99'] / 1e3), 2)} | {cell(median(rows, lambda e: e['p999'] / 1e3), 2)} | "
              f"{sum(e['non2xx'] for e in rows)} |")
    print(f"\nwithheld polls in the mix: {sum(r['withheld'] for r in results)}; waiting chats: "
          f"{sum(r['waiting'] for r in results)}")


def mix_environment(mix):
    return {"USHER_BENCH_SITE": mix["site"], "USHER_BENCH_TOKEN": mix["token"], "USHER_BENCH_OPS_TOKEN": mix["ops"],
            "USHER_BENCH_AGENTS": mix["agents"], "USHER_BENCH_MAX_CHATS": "50"}


def run_mix(options, deployment, mix, seconds, sample_rss=None):
    processes = {"usher": deployment.usher.pid, "redis": deployment.redis.pid}
    result = run_wrk(options, "(b) decision mix", deployment.usher.port, "mix.lua", options.mix_connections,
                     options.mix_connections, seconds, mix_environment(mix), processes, deployment.redis,
                     sample_rss=sample_rss)
    deployment.clean_up_mix(mix, result["left"])
    return result


def scale_out(options, work):
    """(b) spread over many sites, each wrk thread on one of them, on one Redis and on a cluster of three primaries
    (a fresh deployment each); CPU per request of Usher and of each Redis primary. The threads' last open chats and
    holds are left (the LEFT lines name no site): a handful of the sites' 250 slots each."""
    rows = []
    for primaries in (0, 3):
        deployment = Deployment(options, work, primaries=primaries)
        try:
            mixes = deployment.parallel(lambda index: deployment.mix_site(f"s{index}", 5, work), range(options.scale_sites))
            environment = {**mix_environment(mixes[0]), **{
                name: " ".join(mix[key] for mix in mixes)
                for name, key in (("USHER_BENCH_SITE", "site"), ("USHER_BENCH_TOKEN", "token"),
                                  ("USHER_BENCH_OPS_TOKEN", "ops"), ("USHER_BENCH_AGENTS", "agents"))}}
            redis_pids = deployment.redis.pids if primaries else {deployment.redis.port: deployment.redis.pid}
            processes = {"usher": deployment.usher.pid, **{f"redis:{port}": pid for port, pid in redis_pids.items()}}
            results = [run_wrk(options, "(b) many sites", deployment.usher.port, "mix.lua", options.mix_connections,
                               options.mix_connections, options.seconds, environment, processes, deployment.redis)
                       for _ in range(options.runs)]
            keys = deployment.redis.keys() if primaries else [int(deployment.redis.cli("dbsize"))]
            rows.append((primaries, results, keys))
        finally:
            deployment.stop()
    print(f"\n### (b) over {options.scale_sites} sites (5 agents each), one wrk thread per connection, each on one "
          f"site: one Redis against a cluster of three primaries; medians of {options.runs}\n")
    print("| Redis | requests/s | p50 ms | p99 ms | errors | Usher CPU µs/req | each Redis's CPU µs/req | Redis µs/req "
          "(commandstats) | keys per Redis |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for primaries, results, keys in rows:
        labels = sorted(label for label in results[0]["cpu"] if label.startswith("redis:"))
        each = " / ".join("%.1f" % median(results, lambda r, label=label: r["cpu"][label]) for label in labels)
        name = f"{primaries} primaries" if primaries else "one server"
        rps = median(results, lambda r: r["rps"])
        p50 = median(results, lambda r: r["p50"] / 1000)
        p99 = median(results, lambda r: r["p99"] / 1000)
        usher = median(results, lambda r: r["cpu"]["usher"])
        redis = median(results, lambda r: r["redisUsecPerRequest"])
        errors = sum(r["errors"] for r in results)
        print(f"| {name} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | {errors} | {usher:.1f} | {each} | {redis:.1f} "
              f"| {' / '.join(f'{k:,}' for k in keys)} |")


def memory_per_item(options, work):
    """Redis bytes per agent (with its token), hold, chat and waiting chat: `INFO memory` used_memory deltas over
    1,000 of each at a fresh site (a hold is a poll's invitation; a chat is that hold accepted; a waiting chat is a
    reactive request when every slot is taken)."""
    deployment = Deployment(options, work)
    try:
        count = 1000
        token = deployment.site("memory", {"holdSeconds": 3600, "heartbeatSeconds": 3600, "maxWaiting": 10000})

        def used():
            return int(deployment.redis.info("memory")["used_memory"])

        start = used()
        deployment.agents("memory", count, 1, os.path.join(work, "agents-memory"))
        agents = used()
        visitors = [f"mem{i}" for i in range(count)]
        polls = deployment.parallel(
            lambda v: deployment.client.call("POST", "/v1/sites/memory/invitations", {"visitor": v}, token=token), visitors)
        holds = used()
        deployment.parallel(
            lambda pair: deployment.client.call("POST", f"/v1/sites/memory/invitations/{pair[1]['invitation']['id']}/accept",
                                                {"visitor": pair[0]}, token=token), list(zip(visitors, polls)))
        chats = used()
        deployment.parallel(
            lambda i: deployment.client.call("POST", "/v1/sites/memory/chats", {"visitor": f"wait{i}", "source": "reactive"},
                                             token=token), range(count))
        waiting = used()
        print("\n### Redis bytes per item (`INFO memory` used_memory deltas over 1,000 of each)\n")
        print("| item | bytes |")
        print("| --- | --- |")
        print(f"| agent (presence and its agent token) | {(agents - start) / count:,.0f} |")
        print(f"| hold (an issued invitation) | {(holds - agents) / count:,.0f} |")
        print(f"| chat (that hold accepted; bytes beyond the hold's) | {(chats - holds) / count:,.0f} |")
        print(f"| chat from nothing (hold + accept) | {(chats - agents) / count:,.0f} |")
        print(f"| waiting chat | {(waiting - chats) / count:,.0f} |")
    finally:
        deployment.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True, help="the usher binary to measure")
    parser.add_argument("--ceiling", required=True, help="the ceiling app's binary")
    parser.add_argument("--runs", type=int, default=3, help="alternating rounds of (a), (b), (c) (default 3)")
    parser.add_argument("--seconds", type=int, default=10, help="seconds per wrk run (default 10)")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections of (a) and (c), one thread")
    parser.add_argument("--mix-connections", type=int, default=64,
                        help="wrk threads = connections of (b), one connection per thread (default 64)")
    parser.add_argument("--mix-agents", type=int, default=10, help="agents of (b)'s site in the alternating runs")
    parser.add_argument("--team-sizes", default="10,1000,10000", help="(b) at each of these agent counts; '' skips")
    parser.add_argument("--profile", action="store_true", help="perf record Usher under one extra run of (a)")
    parser.add_argument("--paced", action="store_true",
                        help="(a) again at about half the median (a) rate: each connection waits between requests")
    parser.add_argument("--overload-connections", type=int, default=0,
                        help="(a) again with this many connections and a 2 s timeout (0 skips)")
    parser.add_argument("--capacity-agents", type=int, default=0,
                        help="Redis time of the capacity script at a site of this many agents (0 skips)")
    parser.add_argument("--soak-seconds", type=int, default=0, help="a soak of (b) with Usher's RSS (0 skips)")
    parser.add_argument("--memory", action="store_true", help="Redis bytes per agent, hold, chat, waiting chat")
    parser.add_argument("--count-allocations", action="store_true",
                        help="heap allocations per request of Usher under (a) and (b), by an LD_PRELOAD counter")
    parser.add_argument("--log-level", default=None, help="Usher's --log-level (default: Usher's own, info)")
    parser.add_argument("--lock", default=None, help="a file to flock around each timed run")
    parser.add_argument("--json", default=None, help="also write every run's figures to this file")
    parser.add_argument("--scale-sites", type=int, default=0,
                        help="(b) over this many sites on one Redis and on three cluster primaries (0 skips)")
    parser.add_argument("--only-scale", action="store_true", help="run only the --scale-sites comparison")
    options = parser.parse_args()

    work = tempfile.mkdtemp(prefix="usher-bench-load.")
    everything = {}
    if options.only_scale:
        scale_out(options, work)
        return 0
    print(f"binary {options.binary}; wrk (a), (c): -t1 -c{options.connections}; (b): -t{options.mix_connections} "
          f"-c{options.mix_connections}; {options.seconds} s per run; work files in {work}")
    deployment = Deployment(options, work)
    ceiling_port = free_port()
    ceiling = Server([options.ceiling, str(ceiling_port)], os.path.join(work, "ceiling.log"), ceiling_port)
    try:
        ceiling.wait_ready("/")
        full_token = deployment.full_site()
        mix = deployment.mix_site("mix", options.mix_agents, work)
        usher_processes = {"usher": deployment.usher.pid, "redis": deployment.redis.pid}
        polls = {"USHER_BENCH_TOKEN": full_token, "USHER_BENCH_PATH": "/v1/sites/full/invitations"}
        groups = {"(a) full-site polls": [], "(b) decision mix": [], "(c) ceiling": []}
        for round in range(options.runs):
            groups["(a) full-site polls"].append(run_wrk(
                options, "(a)", deployment.usher.port, "poll.lua", 1, options.connections, options.seconds, polls,
                usher_processes, deployment.redis))
            groups["(b) decision mix"].append(run_mix(options, deployment, mix, options.seconds))
            groups["(c) ceiling"].append(run_wrk(
                options, "(c)", ceiling_port, "poll.lua", 1, options.connections, options.seconds,
                {**polls, "USHER_BENCH_PATH": "/v1/sites/ceiling/invitations"}, {"ceiling": ceiling.pid}))
            print(f"round {round + 1}: " + ", ".join(f"{name} {results[-1]['rps']:,.0f}/s" for name, results in groups.items()),
                  flush=True)
        ceiling_rps = median(groups["(c) ceiling"], lambda r: r["rps"])
        capacity = deployment.client.call("GET", "/v1/sites/full/capacity")
        print(f"\nfull site after the runs: issued {capacity['counters']['issued']}, withheld {capacity['counters']['withheld']}")
        print_table(f"Alternating runs, medians of {options.runs}", list(groups.items()), ceiling_rps)
        print_endpoints("(b)", groups["(b) decision mix"])
        everything["alternating"] = groups

        if options.paced:
            # Each connection waits between requests, so the rate is about connections / (wait + latency): wrk has
            # no fixed-rate mode, and wrk2 is not a Debian package.
            target = median(groups["(a) full-site polls"], lambda r: r["rps"]) / 2
            pause = max(1, int(options.connections * 1000 / target + 0.5))
            paced = run_wrk(options, "(a) paced", deployment.usher.port, "poll.lua", 1, options.connections,
                            options.seconds, {**polls, "USHER_BENCH_DELAY_MS": str(pause)}, usher_processes,
                            deployment.redis)
            print_table(f"(a) paced at about half the median rate ({target:,.0f}/s aimed at: {options.connections} "
                        f"connections, each waiting {pause} ms before each request)", [("(a) paced", [paced])],
                        ceiling_rps)
            everything["paced"] = paced

        if options.overload_connections:
            overload = run_wrk(options, "(a) overload", deployment.usher.port, "poll.lua", 1,
                               options.overload_connections, options.seconds, polls, usher_processes, deployment.redis,
                               timeout="2s")
            print_table(f"(a) with {options.overload_connections:,} connections (wrk's timeout 2 s; polls past "
                        "--max-requests-in-flight are answered withhold/unavailable, which wrk counts as 2xx)",
                        [("(a) overload", [overload])], ceiling_rps)
            everything["overload"] = overload

        if options.profile:
            profile = os.path.join(work, "perf.data")
            run_wrk(options, "(a) profiled", deployment.usher.port, "poll.lua", 1, options.connections, options.seconds,
                    polls, usher_processes, deployment.redis, profile=profile)
            binary = os.path.basename(options.binary)
            views = [
                ("by shared object (self time)", f"perf report -i {profile} --no-children --stdio --sort dso"),
                ("top symbols by self time", f"perf report -i {profile} --no-children --stdio --percent-limit 0.7"),
                (f"Usher's own and Foundation's functions by inclusive time (the event loops' plumbing left out)",
                 f"perf report -i {profile} --children --stdio -g none --percent-limit 1 | grep -E '{binary}|Foundation' "
                 "| grep -vE 'SelectableEventLoop|ThreadOps|MultiThreaded|thunk for @escaping|Selector|BaseSocket|"
                 "BaseStream|PendingWrites|HeadChannelHandler|NIOThread|NIOAsyncChannel|ChannelPipeline|ChannelHandlerContext|"
                 "ByteToMessage|ChannelOutboundHandler|partial apply|closure #|Data\\.|DataStorage'"),
            ]
            for title, command in views:
                report = subprocess.run(f"{command} 2>/dev/null | grep -E '^ +[0-9]' | swift demangle --simplified "
                                        "| sed 's/  */ /g' | cut -c1-160 | head -40",
                                        shell=True, capture_output=True, text=True).stdout
                print(f"\n### perf record -F 999 -g of Usher under (a): {title}\n")
                print("```\n" + report.rstrip() + "\n```")
            print(f"(perf data: {profile})")

        if options.soak_seconds:
            result = run_mix(options, deployment, mix, options.soak_seconds, sample_rss=deployment.usher.pid)
            print_table(f"Soak of (b), {options.soak_seconds} s", [("(b) soak", [result])], ceiling_rps)
            print("\nUsher RSS during the soak (seconds: MiB): "
                  + ", ".join(f"{t}: {kib / 1024:.1f}" for t, kib in result["rss"]))
            everything["soak"] = result
    finally:
        ceiling.stop()
        deployment.stop()

    sizes = [int(size) for size in options.team_sizes.split(",") if size]
    if sizes:
        team = []
        for size in sizes:
            deployment = Deployment(options, work)
            try:
                started = time.monotonic()
                mix = deployment.mix_site(f"team{size}", size, work)
                setup = time.monotonic() - started
                results = [run_mix(options, deployment, mix, options.seconds) for _ in range(options.runs)]
                print(f"team of {size}: set up in {setup:.1f} s; " + ", ".join(f"{r['rps']:,.0f}/s" for r in results),
                      flush=True)
                team.append((f"(b) {size:,} agents", results))
            finally:
                deployment.stop()
        print_table(f"Team size: (b) at {', '.join(f'{s:,}' for s in sizes)} agents in one queue, medians of "
                    f"{options.runs} (a fresh Redis and Usher each)", team, ceiling_rps)
        first = median(team[0][1], lambda r: r["rps"])
        print("\nrequests/s against the smallest team: " + ", ".join(
            f"{name}: {median(results, lambda r: r['rps']) / first:.2f}" for name, results in team))
        everything["team"] = team

    if options.scale_sites:
        scale_out(options, work)
    if options.capacity_agents:
        capacity_cost(options, work)
    if options.memory:
        memory_per_item(options, work)
    if options.count_allocations:
        count_allocations(options, work)
    if options.json:
        with open(options.json, "w") as out:
            json.dump(everything, out, indent=1, default=str)


if __name__ == "__main__":
    sys.exit(main())
