#!/usr/bin/env python3
"""Writes a week (or --minutes) of per-minute history for one site with two queues, as RESP for `redis-cli --pipe`.

The stored format is the prelude's (`roll` in Sources/UsherCore/Lua/prelude.lua): one hash `usher:{site}:m:<minute>`
per minute, fields `<queue>|<measure>` (measures of HistoryMeasure and DecisionCount), expiring the retention after
its minute. The sampler's gauges are written for the site (`*`) and each queue, 12 samples a minute (every 5 s); the
decisions per queue, and a few withheld polls of queues nobody named (`~`).
"""

import argparse
import random
import sys
import time


def command(*words):
    out = [b"*%d\r\n" % len(words)]
    for word in words:
        data = str(word).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(out)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--site", default="bench")
    parser.add_argument("--queues", default="sales,support")
    parser.add_argument("--minutes", type=int, default=7 * 24 * 60)
    parser.add_argument("--retention-seconds", type=int, default=8 * 86_400)
    args = parser.parse_args()
    rng = random.Random(13)
    queues = args.queues.split(",")
    now = int(time.time() * 1000) // 60_000
    out = sys.stdout.buffer
    for minute in range(now - args.minutes, now):
        fields = []
        samples = 12
        for q in ["*"] + queues:
            agents = rng.randint(5, 20) if q != "*" else rng.randint(10, 40)
            slots = agents * 3
            chats = rng.randint(0, slots)
            held = rng.randint(0, slots - chats)
            fields += [
                (q + "|samples", samples),
                (q + "|agents", agents * samples),
                (q + "|slots", slots * samples),
                (q + "|chats", chats * samples),
                (q + "|held", held * samples),
                (q + "|free", (slots - chats - held) * samples),
                (q + "|waiting", rng.randint(0, 5) * samples),
            ]
        for q in queues:
            issued = rng.randint(5, 60)
            accepted = rng.randint(0, issued)
            fields += [
                (q + "|issued", issued),
                (q + "|accepted", accepted),
                (q + "|declined", rng.randint(0, issued - accepted)),
                (q + "|expired", rng.randint(0, 5)),
                (q + "|withheld:no_capacity", rng.randint(100, 3000)),
                (q + "|withheld:waiting", rng.randint(0, 50)),
                (q + "|withheld:cooldown", rng.randint(0, 80)),
                (q + "|withheld:chatting", rng.randint(0, 40)),
                (q + "|withheld:closed", rng.randint(0, 10)),
                (q + "|started:invitation", accepted),
                (q + "|started:reactive", rng.randint(0, 10)),
                (q + "|started:escalation", rng.randint(0, 3)),
                (q + "|ended", rng.randint(0, 60)),
                (q + "|orphaned", rng.randint(0, 2)),
                (q + "|abandoned", rng.randint(0, 4)),
                (q + "|refused", rng.randint(0, 4)),
                (q + "|waitN", rng.randint(1, 10)),
                (q + "|waitMs", rng.randint(1_000, 600_000)),
                (q + "|ttfrN", rng.randint(1, 40)),
                (q + "|ttfrMs", rng.randint(10_000, 2_000_000)),
            ]
        fields.append(("~|withheld:no_capacity", rng.randint(0, 30)))
        key = "usher:{%s}:m:%d" % (args.site, minute)
        words = ["HSET", key]
        for name, value in fields:
            words += [name, value]
        out.write(command(*words))
        out.write(command("PEXPIREAT", key, (minute + 1) * 60_000 + args.retention_seconds * 1000))


if __name__ == "__main__":
    main()
